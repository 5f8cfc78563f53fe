package io.migctl.env.spec;

import static io.migctl.env.spec.RealEnvironmentFiles.assertPermutingTheDependencyLinesKeepsTheHash;
import static io.migctl.env.spec.RealEnvironmentFiles.assertRefused;
import static io.migctl.env.spec.RealEnvironmentFiles.assertShufflingTheDependenciesKeepsTheHash;
import static io.migctl.env.spec.RealEnvironmentFiles.files;
import static io.migctl.env.spec.RealEnvironmentFiles.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import io.migctl.core.env.EnvironmentSpec;
import io.migctl.env.spec.RealEnvironmentFiles.Refused;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Environment files from public projects, collected in {@code src/test/resources/wild-conda/} (its
 * README names each one's source): every file parses and its hash does not depend on the order of
 * its dependencies, or, where conda refuses the file too, migctl refuses it at the line and element
 * that are wrong. The table below says why conda refuses each refused file.
 */
class WildCondaFilesTest {

  /** The files that are refused, and why conda refuses them as well. */
  private static final Map<String, Refused> REFUSED =
      Map.of(
          // conda reads `'3.10'` as the version, quotes included; a conda version may hold
          // only 0-9 a-z . _ + ! - * (conda's VersionOrder: "invalid character(s)"), and conda
          // with the libmamba solver stops at the same shape with "Version contains invalid
          // characters" (mittagessen/kraken#684, `'>=2.0.6`).
          "DeepLabCut__DeepLabCut__conda-environments_DEEPLABCUT.yaml",
          new Refused(
              "- python='3.10'", "dependencies[0]", "characters a conda version cannot have"),
          // setup-miniconda keeps this file to check that a faulty environment fails: it has
          // `requirements:` where `dependencies:` belongs, so nothing is installed from it.
          "conda-incubator__setup-miniconda__etc_example-faulty-environment.yml",
          new Refused("", "dependencies", "is missing"));

  private static Path directory() {
    try {
      return Path.of(
          Objects.requireNonNull(
                  WildCondaFilesTest.class.getResource("/wild-conda/README.md"),
                  "src/test/resources/wild-conda/README.md")
              .toURI()
              .resolve("."));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> fixtures() throws IOException {
    return files(directory()).stream().filter(f -> !f.equals("README.md")).toList();
  }

  static Stream<Arguments> allFiles() throws IOException {
    return fixtures().stream().map(f -> argumentSet(f, f));
  }

  static Stream<Arguments> filesThatParse() throws IOException {
    return fixtures().stream().filter(f -> !REFUSED.containsKey(f)).map(f -> argumentSet(f, f));
  }

  @Test
  void theReadmeNamesTheSourceOfEveryFileAndEveryRefusedFileIsThere() throws IOException {
    String readme = java.nio.file.Files.readString(directory().resolve("README.md"));
    assertThat(fixtures()).hasSizeGreaterThanOrEqualTo(30).containsAll(REFUSED.keySet());
    for (String file : fixtures()) {
      assertThat(readme).as("README.md has a row for %s", file).contains("| `" + file + "` |");
    }
  }

  @ParameterizedTest
  @MethodSource("allFiles")
  void everyFileParsesOrIsRefusedAsCondaRefusesIt(String fileName) throws IOException {
    Path file = directory().resolve(fileName);
    Refused refused = REFUSED.get(fileName);
    if (refused != null) {
      assertRefused(file, refused);
      return;
    }
    EnvironmentSpec spec = read(file);
    assertThat(spec.dependencies().size() + spec.pip().size()).as(fileName).isPositive();
  }

  @ParameterizedTest
  @MethodSource("filesThatParse")
  void shufflingTheParsedDependenciesKeepsTheHash(String fileName) throws IOException {
    assertShufflingTheDependenciesKeepsTheHash(directory().resolve(fileName));
  }

  @ParameterizedTest
  @MethodSource("filesThatParse")
  void permutingTheDependencyLinesOfTheFileKeepsTheHash(String fileName) throws IOException {
    assertPermutingTheDependencyLinesKeepsTheHash(directory().resolve(fileName));
  }
}
