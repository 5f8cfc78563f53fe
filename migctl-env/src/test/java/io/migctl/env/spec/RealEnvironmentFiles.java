package io.migctl.env.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The checks that real environment files go through, shared by the tests over collections of them
 * ({@link CondaReferenceFilesTest}, {@link WildCondaFilesTest}): a refusal names the file, the line
 * and the element; a parsed file's hash does not depend on the order of its dependencies, whether
 * the parsed list is shuffled or the file's own dependency lines are.
 */
final class RealEnvironmentFiles {

  /** What must happen to a file that does not simply parse. */
  sealed interface Expectation {}

  /**
   * Refused at the first non-comment line containing {@code lineContaining} (at no line when it is
   * empty), at {@code element}, with {@code problem} in the message.
   */
  record Refused(String lineContaining, String element, String problem) implements Expectation {}

  /** Parses; {@code why} says why conda's reported failure is not the file's. */
  record Parses(String why) implements Expectation {}

  static final BuildTarget TARGET = new BuildTarget("linux-64", "conda");

  private RealEnvironmentFiles() {}

  /** The names of the regular files in {@code dir}, sorted. */
  static List<String> files(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  static EnvironmentSpec read(Path file) throws IOException {
    return EnvironmentFiles.read(Files.readString(file), file.getFileName().toString(), TARGET)
        .spec();
  }

  static String hash(EnvironmentSpec spec) {
    return CanonicalSpec.of(spec, TARGET).hash();
  }

  static void assertRefused(Path file, Refused refused) throws IOException {
    String text = Files.readString(file);
    String name = file.getFileName().toString();
    SpecException e =
        catchThrowableOfType(
            SpecException.class, () -> EnvironmentFiles.read(text, name, TARGET).spec());
    assertThat(e).as("%s is refused", name).isNotNull();
    List<String> lines = Arrays.asList(text.split("\n", -1));
    int expectedLine = 0;
    for (int i = 0; i < lines.size() && !refused.lineContaining().isEmpty(); i++) {
      if (!lines.get(i).strip().startsWith("#")
          && lines.get(i).contains(refused.lineContaining())) {
        expectedLine = i + 1;
        break;
      }
    }
    assertThat(expectedLine > 0 || refused.lineContaining().isEmpty())
        .as("%s has a line containing %s", name, refused.lineContaining())
        .isTrue();
    assertThat(e.line()).as(e.getMessage()).isEqualTo(expectedLine);
    assertThat(e.element()).as(e.getMessage()).isEqualTo(refused.element());
    String at = expectedLine > 0 ? name + ":" + expectedLine : name;
    assertThat(e).hasMessageStartingWith(at + ": " + refused.element() + ": ");
    assertThat(e).hasMessageContaining(refused.problem());
    if (expectedLine > 0) {
      assertThat(e).hasMessageContaining("accepted: ");
    }
  }

  /**
   * Shuffling the parsed dependencies keeps the hash; reversing two or more distinct channels
   * (their priority) changes it.
   */
  static void assertShufflingTheDependenciesKeepsTheHash(Path file) throws IOException {
    String fileName = file.getFileName().toString();
    long seed = Seeds.seed();
    EnvironmentSpec spec = read(file);
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

  /**
   * Permuting the items of the file's block {@code dependencies:} list, lines and all, gives the
   * same dependencies, pip lines and hash.
   */
  static void assertPermutingTheDependencyLinesKeepsTheHash(Path file) throws IOException {
    String fileName = file.getFileName().toString();
    long seed = Seeds.seed();
    String text = Files.readString(file);
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

  /**
   * A file cut around the items of its top-level block {@code dependencies:} list: the lines
   * before, each item with its continuation lines (a {@code pip:} list, comments and blank lines
   * after it), and the lines after.
   */
  private record DependencyLines(
      List<String> before, List<List<String>> items, List<String> after) {

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
