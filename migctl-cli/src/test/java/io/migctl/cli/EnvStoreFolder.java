package io.migctl.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the environment store under a test's migctl home holds on disk. */
final class EnvStoreFolder {

  private EnvStoreFolder() {}

  /**
   * The build folders (named by their 64-hex-digit id) under {@code home/envs}, finished or not.
   */
  static List<String> builds(Path home) throws IOException {
    Path envs = home.resolve("envs");
    if (!Files.isDirectory(envs)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(envs)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f]{64}")).toList();
    }
  }
}
