package io.migctl.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes the benchmarks' temporary folders. */
final class Cleanup {

  private Cleanup() {}

  /** Deletes a tree, reporting on standard error but not failing on what it cannot delete. */
  static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("bench-daemon: could not delete " + root + ": " + e.getMessage());
    }
  }
}
