package io.migctl.env.conda;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.env.EnvironmentSpec;
import io.migctl.env.Activation;
import io.migctl.env.BuildContext;
import io.migctl.env.BuildProgress;
import io.migctl.env.conda.CondaFamilyBackend.Tool;
import io.migctl.process.SystemToolRunner;
import io.migctl.testing.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Builds, locks and exports an empty environment with each conda-family tool found on PATH (or
 * through {@code CONDA_EXE}/{@code MAMBA_EXE}). A tool that is not installed is reported as
 * skipped, with the places looked at.
 */
class CondaFamilyBackendIT {

  @TempDir Path work;

  @ParameterizedTest(name = "{0}")
  @EnumSource(Tool.class)
  void buildsLocksAndExportsAnEmptyEnvironment(Tool tool) throws Exception {
    Map<String, String> env = System.getenv();
    Optional<Path> executable = CondaFamilyBackend.find(tool, Optional.empty(), env);
    // Not installed in CI: the only tools a test may skip without, saying so.
    RequiredTools.fromEnvironment()
        .optional(
            executable.isPresent(),
            () ->
                tool.command()
                    + " is not installed: not on PATH ("
                    + env.getOrDefault("PATH", "")
                    + ") nor named by "
                    + tool.exeVariable()
                    + "; looked for "
                    + Stream.of(Tool.values()).map(Tool::command).toList()
                    + ", one test each");

    CondaFamilyBackend backend = new CondaFamilyBackend(tool, executable.get());
    Path prefix = work.resolve("envs/empty");
    Path log = work.resolve("build.log");
    List<BuildProgress> progress = new ArrayList<>();
    BuildContext context =
        new BuildContext(
            new SystemToolRunner(),
            log,
            progress::add,
            Map.of("CONDA_OVERRIDE_CUDA", "12.4"),
            Duration.ofMinutes(10));
    EnvironmentSpec empty =
        new EnvironmentSpec(
            Optional.of("empty"), List.of(), List.of(), List.of(), Map.of(), Optional.empty());

    backend.create(empty, prefix, context);

    assertThat(prefix.resolve("conda-meta")).isDirectory();
    assertThat(progress.getLast()).isEqualTo(new BuildProgress("done", 1.0));
    String lock = backend.lock(prefix, context);
    assertThat(CondaOutput.explicitLock(lock).packages()).isEmpty();
    assertThat(backend.export(prefix, empty, context)).contains("dependencies");
    Activation activation = backend.activation(prefix, empty, "empty");
    assertThat(activation.variables()).containsEntry("CONDA_PREFIX", prefix.toString());
    assertThat(Files.readString(log)).contains(tool.command());
  }
}
