package io.migctl.env.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import io.migctl.core.env.BuildTarget;
import io.migctl.core.env.CanonicalSpec;
import io.migctl.core.env.EnvironmentSpec;
import io.migctl.core.env.MatchSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
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

  /** What must happen to a reference file. */
  sealed interface Expectation {}

  /**
   * Refused at the first non-comment line containing {@code lineContaining}, at {@code element},
   * with {@code problem} in the message.
   */
  record Refused(String lineContaining, String element, String problem) implements Expectation {}

  /** Parses; {@code why} says why conda's reported failure is not the file's. */
  record Parses(String why) implements Expectation {}

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

  private static final BuildTarget TARGET = new BuildTarget("linux-64", "conda");

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
    long seed = Seeds.seed();
    EnvironmentSpec spec =
        EnvironmentFiles.read(Files.readString(directory.resolve(fileName)), fileName, TARGET)
            .spec();
    String expected = hash(spec);
    Random random = new Random(seed ^ fileName.hashCode());
    for (int i = 0; i < 20; i++) {
      List<MatchSpec> shuffled = new ArrayList<>(spec.dependencies());
      Collections.shuffle(shuffled, random);
      EnvironmentSpec reordered =
          new EnvironmentSpec(
              spec.name(), spec.channels(), shuffled, spec.pip(), spec.variables(), spec.prefix());
      assertThat(hash(reordered))
          .as("%s, seed %d, round %d", fileName, seed, i)
          .isEqualTo(expected);
    }
    if (new TreeSet<>(spec.channels()).size() > 1) {
      List<String> reversed = new ArrayList<>(spec.channels());
      Collections.reverse(reversed);
      EnvironmentSpec reprioritised =
          new EnvironmentSpec(
              spec.name(),
              reversed,
              spec.dependencies(),
              spec.pip(),
              spec.variables(),
              spec.prefix());
      assertThat(hash(reprioritised))
          .as("%s with channels reversed", fileName)
          .isNotEqualTo(expected);
    }
  }

  @ParameterizedTest
  @MethodSource("mainFilesThatParse")
  void permutingTheDependencyLinesOfTheFileKeepsTheHash(String fileName) throws IOException {
    long seed = Seeds.seed();
    String text = Files.readString(directory.resolve(fileName));
    EnvironmentSpec spec = EnvironmentFiles.read(text, fileName, TARGET).spec();
    String expected = hash(spec);
    DependencyLines lines = DependencyLines.of(text);
    assertThat(lines.join(lines.items()))
        .as("%s: splitting and joining the lines gives the file back", fileName)
        .isEqualTo(text);
    assertThat(lines.items())
        .as(fileName)
        .hasSize(spec.dependencies().size() + (spec.pip().isEmpty() ? 0 : 1));

    Random random = new Random(seed ^ fileName.hashCode());
    boolean moved = false;
    for (int i = 0; i < 10; i++) {
      List<List<String>> items = new ArrayList<>(lines.items());
      Collections.shuffle(items, random);
      String permuted = lines.join(items);
      moved |= !permuted.equals(text);
      EnvironmentSpec reparsed =
          EnvironmentFiles.read(permuted, fileName + " (permuted)", TARGET).spec();
      String context = fileName + ", seed " + seed + ", round " + i + ":\n" + permuted;
      assertThat(hash(reparsed)).as(context).isEqualTo(expected);
      assertThat(reparsed.dependencies())
          .as(context)
          .containsExactlyInAnyOrderElementsOf(spec.dependencies());
      assertThat(reparsed.pip()).as(context).isEqualTo(spec.pip());
    }
    if (lines.items().stream().distinct().count() > 1) {
      assertThat(moved).as("%s: some permutation moved a line (seed %d)", fileName, seed).isTrue();
    }
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

  private static void assertRefused(Path file, Refused refused) throws IOException {
    String text = Files.readString(file);
    String name = file.getFileName().toString();
    SpecException e =
        catchThrowableOfType(
            SpecException.class, () -> EnvironmentFiles.read(text, name, TARGET).spec());
    assertThat(e).as("%s is refused", name).isNotNull();
    List<String> lines = Arrays.asList(text.split("\n", -1));
    int expectedLine = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).strip().startsWith("#")
          && lines.get(i).contains(refused.lineContaining())) {
        expectedLine = i + 1;
        break;
      }
    }
    assertThat(expectedLine)
        .as("%s has a line containing %s", name, refused.lineContaining())
        .isPositive();
    assertThat(e.line()).as(e.getMessage()).isEqualTo(expectedLine);
    assertThat(e.element()).as(e.getMessage()).isEqualTo(refused.element());
    assertThat(e)
        .hasMessageStartingWith(name + ":" + expectedLine + ": " + refused.element() + ": ");
    assertThat(e).hasMessageContaining(refused.problem());
    assertThat(e).hasMessageContaining("accepted: ");
  }

  private static String hash(EnvironmentSpec spec) {
    return CanonicalSpec.of(spec, "linux-64", "conda").hash();
  }

  private static Path directoryFromProperty() {
    return Path.of(
        System.getProperty("migctl.shared.dir", "../shared"),
        "reference",
        "conda",
        "environment-files");
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  /**
   * A file cut around the items of its top-level block {@code dependencies:} list: the lines
   * before, each item with its continuation lines (a {@code pip:} list, comments and blank lines
   * after it), and the lines after.
   */
  record DependencyLines(List<String> before, List<List<String>> items, List<String> after) {

    static DependencyLines of(String text) {
      List<String> lines = Arrays.asList(text.split("\n", -1));
      int key = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).matches("dependencies:\\s*(#.*)?")) {
          key = i;
          break;
        }
      }
      assertThat(key).as("a block-style dependencies: key at column 0").isNotNegative();
      List<String> before = new ArrayList<>(lines.subList(0, key + 1));
      List<List<String>> items = new ArrayList<>();
      int itemIndent = -1;
      int i = key + 1;
      for (; i < lines.size(); i++) {
        String line = lines.get(i);
        String stripped = line.strip();
        if (stripped.isEmpty() || stripped.startsWith("#")) {
          if (items.isEmpty()) {
            before.add(line);
          } else {
            items.getLast().add(line);
          }
          continue;
        }
        int indent = line.length() - line.stripLeading().length();
        if (itemIndent < 0) {
          itemIndent = indent;
        }
        if (indent == itemIndent && stripped.startsWith("-")) {
          items.add(new ArrayList<>(List.of(line)));
        } else if (indent > itemIndent && !items.isEmpty()) {
          items.getLast().add(line);
        } else {
          break;
        }
      }
      return new DependencyLines(before, items, new ArrayList<>(lines.subList(i, lines.size())));
    }

    String join(List<List<String>> orderedItems) {
      List<String> all = new ArrayList<>(before);
      orderedItems.forEach(all::addAll);
      all.addAll(after);
      return String.join("\n", all);
    }
  }
}
