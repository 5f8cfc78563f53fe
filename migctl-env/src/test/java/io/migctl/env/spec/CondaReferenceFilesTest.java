package io.migctl.env.spec;

import static io.migctl.env.spec.RealEnvironmentFiles.TARGET;
import static io.migctl.env.spec.RealEnvironmentFiles.assertPermutingTheDependencyLinesKeepsTheHash;
import static io.migctl.env.spec.RealEnvironmentFiles.assertRefused;
import static io.migctl.env.spec.RealEnvironmentFiles.assertShufflingTheDependenciesKeepsTheHash;
import static io.migctl.env.spec.RealEnvironmentFiles.files;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import io.migctl.core.env.EnvironmentSpec;
import io.migctl.env.spec.RealEnvironmentFiles.Expectation;
import io.migctl.env.spec.RealEnvironmentFiles.Parses;
import io.migctl.env.spec.RealEnvironmentFiles.Refused;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@code environment.yml} files in {@code
 * <migctl.shared.dir>/reference/conda/environment-files/}: every main file parses (one exception,
 * below) and its hash does not depend on the order of its dependencies; every file in {@code
 * invalid/} is refused with a message naming its problem, unless conda's own failure comes while
 * solving or installing rather than from the file, in which case it parses and the table says why.
 */
class CondaReferenceFilesTest {

  /**
   * Main files that are refused. The xarray file is a template its project renders before use;
   * conda would read {@code {{} as a package name and fail while solving, migctl says so at once.
   */
  private static final Map<String, Refused> MAIN_FILES_REFUSED =
      Map.of(
          "pydata__xarray__doc_environment_template.yml",
          new Refused("\"{{ local-package }}\"", "dependencies[1]", "template placeholder"));

  /** Every file in invalid/, classified. A new file there fails the test until it is added. */
  private static final Map<String, Expectation> INVALID =
      Map.ofEntries(
          Map.entry(
              "EliasNehme__Deep-STORM__environment.yml",
              new Parses(
                  "conda fails while solving (ResolvePackageNotFound): the Windows-only pins"
                      + " (vc, vs2015_runtime, wincertstore, icc_rt) have no linux-64 builds;"
                      + " the file itself is well-formed")),
          Map.entry(
              "PolarBean__DeepSlice__conda_environments_DS-CPU.yml",
              new Parses(
                  "conda fails while solving (ResolvePackageNotFound): a Windows `conda env"
                      + " export` pins name=version=build builds that linux-64 lacks; the"
                      + " file itself is well-formed")),
          Map.entry(
              "VITA-Group__FSGS__environment.yml",
              new Refused(
                  "- matplotlib=3.5.3", "dependencies[8].pip[2]", "write matplotlib==3.5.3")),
          Map.entry(
              "conda__conda__issue-3300_environment.yml",
              new Parses(
                  "only conda 4.1 refused a file whose dependencies are just a pip: list;"
                      + " conda 4.2 (PR #3288) and later accept it and add pip themselves")),
          Map.entry(
              "conda__conda__issue-6319_environment.yml",
              new Parses(
                  "conda 4.3 stopped at the top-level pip: (SpecNotFound); conda since 4.6 warns"
                      + " that the section is invalid and ignores it (EnvironmentSectionNotValid),"
                      + " and migctl warns the same")),
          Map.entry(
              "conda__conda__issue-8879_environment.yml",
              new Refused(
                  "- jupyterlab=1.0.0", "dependencies[3].pip[0]", "write jupyterlab==1.0.0")),
          Map.entry(
              "conda__conda__issue-9161_environment.yml",
              new Refused("  pip:", "file", "is not valid YAML")),
          Map.entry(
              "conda__conda__pull-7395_environment.yml",
              new Refused("dependecies:", "dependecies", "did you mean dependencies?")),
          Map.entry(
              "microsoft__aurorabp-sample-data__notebooks_environment.yml",
              new Parses(
                  "platforms: is conda-lock's key; conda only warns (EnvironmentSectionNotValid),"
                      + " ignores it and creates the environment; migctl accepts conda-lock's"
                      + " keys and ignores them too")),
          Map.entry(
              "planetlabs__qgis-planet-plugin__qgis3-conda-forge-env.yml",
              new Refused(
                  "- sentry-sdk=0.12.3", "dependencies[21].pip[1]", "write sentry-sdk==0.12.3")),
          Map.entry(
              "weecology__DeepForest__environment.yml",
              new Refused("- setuptools <59.6.", "dependencies[25]", "empty component")),
          Map.entry(
              "zju3dv__LoFTR__environment.yaml",
              new Parses(
                  "the reported InvalidVersionSpecError (=2.7) came from a conda bug while"
                      + " solving (conda/conda#10618, the maintainer could not reproduce), not"
                      + " from this file; -r file:requirements.txt is left to pip")));

  private static Path directory;

  @BeforeAll
  static void locate() {
    String shared = System.getProperty("migctl.shared.dir");
    assertThat(shared).as("system property migctl.shared.dir (surefire sets it)").isNotBlank();
    directory = Path.of(shared, "reference", "conda", "environment-files");
    assertThat(directory).as("the reference environment files").isDirectory();
  }

  static Stream<Arguments> mainFiles() throws IOException {
    return files(directoryFromProperty()).stream().map(f -> argumentSet(f, f));
  }

  static Stream<Arguments> mainFilesThatParse() throws IOException {
    return files(directoryFromProperty()).stream()
        .filter(f -> !MAIN_FILES_REFUSED.containsKey(f))
        .map(f -> argumentSet(f, f));
  }

  static Stream<Arguments> invalidFiles() throws IOException {
    return files(directoryFromProperty().resolve("invalid")).stream().map(f -> argumentSet(f, f));
  }

  @Test
  void theReferenceHoldsTheFilesThisTestWasWrittenFor() throws IOException {
    assertThat(files(directory)).hasSize(44);
    assertThat(files(directory)).containsAll(MAIN_FILES_REFUSED.keySet());
  }

  @Test
  void everyInvalidFileIsClassified() throws IOException {
    assertThat(files(directory.resolve("invalid")))
        .as("files in invalid/ must each have an entry in INVALID, and every entry a file")
        .containsExactlyInAnyOrderElementsOf(INVALID.keySet());
  }

  @ParameterizedTest
  @MethodSource("mainFiles")
  void everyMainFileParses(String fileName) throws IOException {
    Path file = directory.resolve(fileName);
    Refused refused = MAIN_FILES_REFUSED.get(fileName);
    if (refused != null) {
      assertRefused(file, refused);
      return;
    }
    EnvironmentSpec spec = EnvironmentFiles.read(Files.readString(file), fileName, TARGET).spec();
    assertThat(spec.dependencies()).as(fileName).isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("mainFilesThatParse")
  void shufflingTheParsedDependenciesKeepsTheHash(String fileName) throws IOException {
    assertShufflingTheDependenciesKeepsTheHash(directory.resolve(fileName));
  }

  @ParameterizedTest
  @MethodSource("mainFilesThatParse")
  void permutingTheDependencyLinesOfTheFileKeepsTheHash(String fileName) throws IOException {
    assertPermutingTheDependencyLinesKeepsTheHash(directory.resolve(fileName));
  }

  @ParameterizedTest
  @MethodSource("invalidFiles")
  void invalidFilesAreRefusedUnlessCondaFailsLater(String fileName) throws IOException {
    Expectation expectation = INVALID.get(fileName);
    assertThat(expectation).as("%s is not classified in INVALID", fileName).isNotNull();
    Path file = directory.resolve("invalid").resolve(fileName);
    switch (expectation) {
      case Refused refused -> assertRefused(file, refused);
      case Parses parses -> {
        EnvironmentSpec spec =
            EnvironmentFiles.read(Files.readString(file), fileName, TARGET).spec();
        assertThat(spec.dependencies().size() + spec.pip().size()).as(parses.why()).isPositive();
      }
    }
  }

  private static Path directoryFromProperty() {
    return Path.of(
        System.getProperty("migctl.shared.dir", "../shared"),
        "reference",
        "conda",
        "environment-files");
  }
}
