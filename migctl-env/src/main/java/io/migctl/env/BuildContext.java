package io.migctl.env;

import io.migctl.process.ToolCommand;
import io.migctl.process.ToolRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    ToolRunner runner,
    Path log,
    Consumer<BuildProgress> progress,
    Map<String, String> environment,
    Duration timeout) {

  public BuildContext {
    environment = Map.copyOf(environment);
  }

  /**
   * {@code argv} as a build runs it: in {@code workdir}, with the context's variables added to the
   * tool's environment, within the context's time limit, everything it prints appended to the log.
   */
  public ToolCommand command(List<String> argv, Path workdir) {
    return ToolCommand.of(argv)
        .withWorkdir(workdir)
        .withAddedEnvironment(environment)
        .withTimeout(timeout)
        .withTranscript(log);
  }
}
