package io.migctl.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The entry point the daemon benchmarks share: parse the flags (exit 2 naming the problem), run in
 * a fresh folder under the chosen one, print the Markdown report, delete the folder.
 */
final class BenchMain {

  private BenchMain() {}

  /** Parses the flags. */
  interface Parser<O> {
    O parse(String[] args);
  }

  /** Runs the benchmark in {@code work} and returns its report as Markdown. */
  interface Runner<O> {
    String run(O options, Path work) throws Exception;
  }

  /**
   * @param name the benchmark's name, for error messages
   * @param prefix the name prefix of the working folder
   * @param dir where the working folder goes, from the options
   */
  static <O> void run(
      String name,
      String[] args,
      Parser<O> parser,
      Function<O, Path> dir,
      String prefix,
      Runner<O> runner)
      throws Exception {
    O options;
    try {
      options = parser.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(name + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    Files.createDirectories(dir.apply(options));
    Path work = Files.createTempDirectory(dir.apply(options), prefix);
    try {
      System.out.print(runner.run(options, work));
      System.out.flush();
    } finally {
      Cleanup.deleteTree(work);
    }
  }
}
