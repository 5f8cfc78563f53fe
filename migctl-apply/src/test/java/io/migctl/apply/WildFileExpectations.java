package io.migctl.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.HooksFile;
import io.migctl.core.mig.config.MigPartedConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What reading a mig-parted file found in public repositories should give, and the check that it
 * does; shared by the tests over {@code configs-in-the-wild/} and {@code wild-mig/}.
 */
final class WildFileExpectations {

  private static final Pattern HOOKS = Pattern.compile("(?m)^\\s*hooks:");

  private WildFileExpectations() {}

  /** What reading a file gives. */
  sealed interface Expect {}

  /** Loads as a config with this many configs, one of them named {@code has}. */
  record Loads(int configs, String has) implements Expect {}

  /**
   * Loads here, like {@link Loads}; mig-parted refuses it later, on the GPU.
   *
   * @param laterCheck which later check refuses it
   */
  record LoadsThenFailsLater(int configs, String has, String laterCheck) implements Expect {}

  /** Loads as a hooks file with these hook names. */
  record Hooks(List<String> names) implements Expect {}

  /** Refused with a ConfigException whose message has each fragment. */
  record Refused(List<String> fragments) implements Expect {}

  static Refused refused(String... fragments) {
    return new Refused(List.of(fragments));
  }

  static boolean isHooksFile(String text) {
    return HOOKS.matcher(text).find();
  }

  /** Reads {@code text} as the file {@code source} and checks that it gives {@code expect}. */
  static void check(String text, String source, Expect expect) {
    boolean hooksFile = isHooksFile(text);
    switch (expect) {
      case Loads(int configs, String has) -> {
        assertThat(hooksFile).isFalse();
        MigPartedConfig c = MigPartedFiles.readConfig(text, source);
        assertThat(c.configs()).hasSize(configs).containsKey(has);
        assertThat(c.configs().values()).allSatisfy(entries -> assertThat(entries).isNotEmpty());
      }
      case LoadsThenFailsLater(int configs, String has, String laterCheck) -> {
        MigPartedConfig c = MigPartedFiles.readConfig(text, source);
        assertThat(c.configs()).as(laterCheck).hasSize(configs).containsKey(has);
      }
      case Hooks(List<String> names) -> {
        assertThat(hooksFile).isTrue();
        HooksFile h = MigPartedFiles.readHooks(text, source);
        assertThat(h.hooks().keySet()).containsExactlyElementsOf(names);
        assertThat(h.hooks().values())
            .allSatisfy(commands -> assertThat(commands).isNotEmpty())
            .allSatisfy(
                commands ->
                    assertThat(commands).allSatisfy(c -> assertThat(c.command()).startsWith("/")));
      }
      case Refused(List<String> fragments) -> {
        var thrown =
            assertThatThrownBy(
                    () -> {
                      if (hooksFile) {
                        MigPartedFiles.readHooks(text, source);
                      } else {
                        MigPartedFiles.readConfig(text, source);
                      }
                    })
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(source);
        fragments.forEach(thrown::hasMessageContaining);
      }
    }
  }

  /** Asserts that the files under {@code folder}, README.md aside, are exactly {@code names}. */
  static void assertEveryFileIsClassified(Path folder, Set<String> names) throws IOException {
    List<String> present;
    try (Stream<Path> files = Files.walk(folder)) {
      present =
          files
              .filter(Files::isRegularFile)
              .map(p -> folder.relativize(p).toString().replace('\\', '/'))
              .filter(name -> !name.equals("README.md"))
              .sorted()
              .toList();
    }
    assertThat(present)
        .as("files in %s; classify new ones in EXPECTED", folder)
        .containsExactlyInAnyOrderElementsOf(names);
  }

  /** Reads the file {@code name} of {@code folder} and checks that it gives {@code expect}. */
  static void checkFile(Path folder, String name, Expect expect) throws IOException {
    String text = Files.readString(folder.resolve(name));
    check(text, Path.of(name).getFileName().toString(), expect);
  }
}
