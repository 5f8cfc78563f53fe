package io.migctl.nvidia.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/** Finds files of the shared reference data beside the checkout ({@code ../shared}). */
final class SharedReference {

  private SharedReference() {}

  static Path path(String relative) {
    String dir = System.getProperty("migctl.shared.dir", "../../shared");
    Path p = Path.of(dir).resolve(relative);
    assertThat(p).as("reference file (set -Dmigctl.shared.dir to the shared folder)").exists();
    return p;
  }
}
