package io.migctl.cli;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The house (docs/architecture.md): every main class of every module the command line is built
 * from, in layers that only look down, and no package cycles. Maven already refuses cycles between
 * modules; these rules hold the packages inside them to the same.
 */
class HouseTest {

  private static final JavaClasses MAIN =
      new ClassFileImporter()
          // Main classes only, from a module's classes folder or its jar (a reactor build puts
          // the other modules' jars on this module's class path), never test classes or jars.
          .withImportOption(new ImportOption.DoNotIncludeTests())
          .withImportOption(location -> !location.contains("-tests.jar"))
          .importPackages("io.migctl");

  private static final ArchRule LAYERS =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("core")
          .definedBy("io.migctl.core..")
          .layer("input")
          .definedBy("io.migctl.input..")
          .layer("process")
          .definedBy("io.migctl.process..")
          .layer("nvidia")
          .definedBy("io.migctl.nvidia..")
          .layer("env")
          .definedBy("io.migctl.env..")
          .layer("replay")
          .definedBy("io.migctl.replay..")
          .layer("apply")
          .definedBy("io.migctl.apply..", "io.migctl.workload..", "io.migctl.home..")
          .layer("daemon")
          .definedBy("io.migctl.daemon..")
          .layer("k8s")
          .definedBy("io.migctl.k8s..")
          .layer("slurm")
          .definedBy("io.migctl.slurm..")
          .layer("cli")
          .definedBy("io.migctl.cli..")
          .whereLayer("cli")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("daemon")
          .mayOnlyBeAccessedByLayers("cli")
          .whereLayer("k8s")
          .mayOnlyBeAccessedByLayers("cli")
          .whereLayer("slurm")
          .mayOnlyBeAccessedByLayers("cli")
          .whereLayer("replay")
          .mayOnlyBeAccessedByLayers("cli")
          .whereLayer("apply")
          .mayOnlyBeAccessedByLayers("daemon", "k8s", "slurm", "cli")
          .whereLayer("env")
          .mayOnlyBeAccessedByLayers("daemon", "cli")
          .whereLayer("nvidia")
          .mayOnlyBeAccessedByLayers("apply", "daemon", "k8s", "slurm", "cli")
          .whereLayer("input")
          .mayOnlyBeAccessedByLayers("env", "replay", "apply", "daemon", "k8s", "slurm", "cli")
          .whereLayer("process")
          .mayOnlyBeAccessedByLayers("nvidia", "env", "apply", "daemon", "k8s", "slurm", "cli");

  private static final ArchRule NO_CYCLES =
      slices().matching("io.migctl.(**)").should().beFreeOfCycles();

  @Test
  void everyModuleIsImported() {
    for (String pkg :
        List.of(
            "io.migctl.core.mig",
            "io.migctl.input",
            "io.migctl.process",
            "io.migctl.nvidia.sim",
            "io.migctl.env.store",
            "io.migctl.replay",
            "io.migctl.apply",
            "io.migctl.daemon",
            "io.migctl.k8s",
            "io.migctl.slurm",
            "io.migctl.cli")) {
      assertThat(MAIN.stream().anyMatch(c -> c.getPackageName().equals(pkg))).as(pkg).isTrue();
    }
  }

  @Test
  void layersOnlyLookDown() {
    assertThat(violations(LAYERS)).as(LAYERS.getDescription()).isEmpty();
  }

  @Test
  void noPackageCycles() {
    assertThat(violations(NO_CYCLES)).as(NO_CYCLES.getDescription()).isEmpty();
  }

  private static List<String> violations(ArchRule rule) {
    EvaluationResult result = rule.evaluate(MAIN);
    return result.getFailureReport().getDetails().stream().limit(20).toList();
  }
}
