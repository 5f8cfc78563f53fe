package io.migctl.env.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.migctl.core.env.BuildTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The real environment files, mutated at random: every mutant gives a spec or an {@link
 * IllegalArgumentException} with a message, never another exception. A fuzzer is pointed at the
 * reader next (issue 13, item 21); this is its seeded, bounded forerunner.
 */
class EnvironmentFilesAreTotalTest {

  private static final String ALPHABET = "-:[]{}#&*!|>'\"\n \t,?%@`=<~()\\\u00e9\u0001ab1.";
  private static final List<BuildTarget> TARGETS =
      List.of(new BuildTarget("linux-64", "conda"), new BuildTarget("linux-64", "micromamba"));

  @Test
  void mutatedReferenceFilesGiveASpecOrAMessage() throws IOException {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    Path directory =
        Path.of(
            System.getProperty("migctl.shared.dir", "../shared"),
            "reference",
            "conda",
            "environment-files");
    List<Path> files;
    try (Stream<Path> entries = Files.list(directory)) {
      files = entries.filter(Files::isRegularFile).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      String text = Files.readString(file);
      for (int round = 0; round < 25; round++) {
        StringBuilder mutant = new StringBuilder(text);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && !mutant.isEmpty(); e++) {
          int at = random.nextInt(mutant.length());
          char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
          switch (random.nextInt(3)) {
            case 0 -> mutant.insert(at, c);
            case 1 -> mutant.deleteCharAt(at);
            default -> mutant.setCharAt(at, c);
          }
        }
        for (BuildTarget target : TARGETS) {
          Throwable thrown =
              catchThrowable(() -> EnvironmentFiles.read(mutant.toString(), "env.yml", target));
          if (thrown != null) {
            assertThat(thrown)
                .as("seed %d, %s, round %d:%n%s", seed, file.getFileName(), round, mutant)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("env.yml");
          }
        }
      }
    }
  }
}
