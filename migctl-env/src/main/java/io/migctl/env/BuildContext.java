package io.migctl.env;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a backend gets for one build.
 *
 * @param runner how programs run
 * @param log the build log (appended to; the tool's output goes there)
 * @param progress progress for people: fractions from conda's JSON, or phase names
 * @param environment extra variables for the tool, e.g. {@code CONDA_OVERRIDE_CUDA}
 * @param timeout how long one tool run may take
 */
public record BuildContext(
    ProcessRunner runner,
    Path log,
    Consumer<BuildProgress> progress,
    Map<String, String> environment,
    Duration timeout) {

  public BuildContext {
    environment = Map.copyOf(environment);
  }
}
