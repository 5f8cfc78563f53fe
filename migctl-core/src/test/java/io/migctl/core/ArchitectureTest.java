package io.migctl.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.PlacementSearch;
import java.io.File;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * migctl-core is the domain: it depends on the JDK alone and does no I/O, threads or clock reads.
 */
class ArchitectureTest {

  private static final String CORE = "io.migctl.core..";

  private static final JavaClasses MAIN_CLASSES =
      new ClassFileImporter()
          .withImportOption(new ImportOption.DoNotIncludeTests())
          .importPackages("io.migctl.core");

  /** Methods that read a clock, as {@code owner.name}. */
  private static final Set<String> CLOCK_READS =
      Set.of(
          "java.time.Clock.systemUTC",
          "java.time.Clock.systemDefaultZone",
          "java.time.Clock.system",
          "java.time.Instant.now",
          "java.time.LocalDate.now",
          "java.time.LocalDateTime.now",
          "java.time.LocalTime.now",
          "java.time.OffsetDateTime.now",
          "java.time.ZonedDateTime.now",
          "java.lang.System.currentTimeMillis",
          "java.lang.System.nanoTime");

  private static final ArchRule ONLY_JDK_AND_CORE =
      classes()
          .that()
          .resideInAPackage(CORE)
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage("java..", CORE);

  private static final ArchRule NO_IO_OR_THREADS =
      noClasses()
          .that()
          .resideInAPackage(CORE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("java.nio.file..", "java.net..")
          .orShould()
          .dependOnClassesThat()
          .belongToAnyOf(File.class, Thread.class, ProcessBuilder.class);

  @Test
  void importsTheMainClassesOnly() {
    assertThat(MAIN_CLASSES.contain(Catalog.class)).isTrue();
    assertThat(MAIN_CLASSES.contain(PlacementSearch.class)).isTrue();
    assertThat(MAIN_CLASSES.contain(ArchitectureTest.class)).isFalse();
  }

  @Test
  void dependsOnTheJdkAndItselfOnly() {
    assertThat(violations(ONLY_JDK_AND_CORE, MAIN_CLASSES))
        .as(ONLY_JDK_AND_CORE.getDescription())
        .isEmpty();
  }

  @Test
  void doesNoIoAndStartsNoThreadsOrProcesses() {
    assertThat(violations(NO_IO_OR_THREADS, MAIN_CLASSES))
        .as(NO_IO_OR_THREADS.getDescription())
        .isEmpty();
  }

  @Test
  void readsNoClock() {
    assertThat(clockReads(MAIN_CLASSES)).as("clock reads in migctl-core").isEmpty();
  }

  @Test
  void theRulesCatchAViolator() {
    JavaClasses violator = new ClassFileImporter().importClasses(Violator.class);
    assertThat(violations(ONLY_JDK_AND_CORE, violator)).isNotEmpty();
    assertThat(violations(NO_IO_OR_THREADS, violator)).isNotEmpty();
    assertThat(clockReads(violator))
        .hasSize(2)
        .allSatisfy(call -> assertThat(call).contains(Violator.class.getName()));
  }

  private static List<String> violations(ArchRule rule, JavaClasses classes) {
    return rule.evaluate(classes).getFailureReport().getDetails();
  }

  private static List<String> clockReads(JavaClasses classes) {
    return classes.stream()
        .flatMap(c -> c.getMethodCallsFromSelf().stream())
        .filter(ArchitectureTest::readsClock)
        .map(JavaMethodCall::getDescription)
        .toList();
  }

  private static boolean readsClock(JavaMethodCall call) {
    return CLOCK_READS.contains(call.getTargetOwner().getName() + "." + call.getName());
  }

  /** Breaks every rule above; only {@link #theRulesCatchAViolator} imports it. */
  @SuppressWarnings("unused")
  static final class Violator {
    long now() {
      return Instant.now().toEpochMilli() + Clock.systemUTC().millis();
    }

    boolean exists() {
      return new File("/").exists();
    }

    JavaClasses notFromTheJdk() {
      return MAIN_CLASSES;
    }
  }
}
