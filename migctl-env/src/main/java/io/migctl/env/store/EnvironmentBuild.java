package io.migctl.env.store;

import io.migctl.env.Activation;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A finished environment build in the store.
 *
 * @param id the spec's canonical hash (SHA-256, hex); people may use any unique prefix
 * @param backend the backend kind that built it
 * @param platform e.g. {@code linux-64}
 * @param created when the build finished
 * @param specName the spec's {@code name:}, if it had one
 * @param dir the build's folder (spec, canonical form, lock, export, log)
 * @param prefix the environment itself
 * @param activation what a process needs to run inside it
 * @param names the names whose current build this is
 */
public record EnvironmentBuild(
    String id,
    String backend,
    String platform,
    Instant created,
    Optional<String> specName,
    Path dir,
    Path prefix,
    Activation activation,
    List<String> names) {

  public EnvironmentBuild {
    names = List.copyOf(names);
  }

  /** The short id people see: the first 12 hex digits. */
  public String shortId() {
    return id.substring(0, Math.min(12, id.length()));
  }

  public Path specFile() {
    return dir.resolve("spec.yml");
  }

  public Path canonicalFile() {
    return dir.resolve("canonical.txt");
  }

  public Path lockFile() {
    return dir.resolve("lock.txt");
  }

  public Path exportFile() {
    return dir.resolve("export.yml");
  }

  public Path logFile() {
    return dir.resolve("build.log");
  }
}
