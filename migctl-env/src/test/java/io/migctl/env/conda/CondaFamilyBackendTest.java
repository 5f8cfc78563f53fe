package io.migctl.env.conda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.env.EnvironmentSpec;
import io.migctl.core.env.MatchSpec;
import io.migctl.env.Activation;
import io.migctl.env.BuildContext;
import io.migctl.env.BuildFailedException;
import io.migctl.env.BuildProgress;
import io.migctl.env.conda.CondaFamilyBackend.Tool;
import io.migctl.env.conda.RecordingProcessRunner.Reply;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The backend against a recording runner: command lines, environment, progress and failures. */
class CondaFamilyBackendTest {

  private static final Path LOG = Path.of("/var/log/migctl/build-17.log");
  private static final Duration TIMEOUT = Duration.ofMinutes(30);

  @TempDir Path store;
  private Path prefix;
  private final RecordingProcessRunner runner = new RecordingProcessRunner();
  private final List<BuildProgress> progress = new ArrayList<>();

  @BeforeEach
  void setUp() {
    prefix = store.resolve("envs/3f9a");
  }

  private BuildContext context() {
    return new BuildContext(
        runner, LOG, progress::add, Map.of("CONDA_OVERRIDE_CUDA", "12.4"), TIMEOUT);
  }

  private static CondaFamilyBackend backend(Tool tool) {
    return new CondaFamilyBackend(
        tool, Path.of("/opt/" + tool.command() + "/bin/" + tool.command()));
  }

  private static MatchSpec spec(String channel, String name, String version) {
    return new MatchSpec(
        Optional.ofNullable(channel), name, Optional.ofNullable(version), Optional.empty());
  }

  private static EnvironmentSpec torchSpec() {
    return new EnvironmentSpec(
        Optional.of("train"),
        List.of("pytorch", "conda-forge"),
        List.of(spec(null, "python", "3.11.*"), spec("pytorch", "pytorch", ">=2.1")),
        List.of("requests==2.32.3"),
        Map.of("WANDB_MODE", "offline", "HF_HOME", "/data/hf"),
        Optional.of("/somewhere/else"));
  }

  private static EnvironmentSpec emptySpec() {
    return new EnvironmentSpec(
        Optional.empty(), List.of(), List.of(), List.of(), Map.of(), Optional.empty());
  }

  @Test
  void condaCreatesWithEnvCreateAndAnswersYesThroughTheEnvironment() {
    runner.reply(Reply.built(""));
    backend(Tool.CONDA).create(torchSpec(), prefix, context());

    RecordingProcessRunner.Call call = runner.onlyCall();
    assertThat(call.commandWith(prefix))
        .containsExactly(
            "/opt/conda/bin/conda", "env", "create", "--prefix", "P", "--file", "F", "--json");
    assertThat(call.command().get(call.command().indexOf("--file") + 1))
        .endsWith("/environment.yml");
    assertThat(call.environment())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("CONDA_OVERRIDE_CUDA", "12.4", "CONDA_ALWAYS_YES", "true"));
    assertThat(call.timeout()).isEqualTo(TIMEOUT);
    assertThat(call.log()).isEqualTo(LOG);
  }

  @ParameterizedTest
  @EnumSource(
      value = Tool.class,
      names = {"MAMBA", "MICROMAMBA"})
  void libmambaToolsCreateWithCreateFileAndYes(Tool tool) {
    runner.reply(Reply.built(""));
    backend(tool).create(torchSpec(), prefix, context());

    RecordingProcessRunner.Call call = runner.onlyCall();
    assertThat(call.commandWith(prefix))
        .containsExactly(
            "/opt/" + tool.command() + "/bin/" + tool.command(),
            "create",
            "--prefix",
            "P",
            "--file",
            "F",
            "--yes",
            "--json");
    assertThat(call.environment()).containsExactly(Map.entry("CONDA_OVERRIDE_CUDA", "12.4"));
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void anEmptySpecIsCreatedWithoutAFile(Tool tool) {
    runner.reply(Reply.built(""));
    backend(tool).create(emptySpec(), prefix, context());

    assertThat(runner.onlyCall().commandWith(prefix))
        .containsExactly(
            "/opt/" + tool.command() + "/bin/" + tool.command(),
            "create",
            "--prefix",
            "P",
            "--yes",
            "--json");
    assertThat(runner.onlyCall().environmentFile()).isEmpty();
  }

  @Test
  void theEnvironmentFileHasChannelsCanonicalSpecsPipAndVariablesButNoNameOrPrefix() {
    runner.reply(Reply.built(""));
    backend(Tool.MICROMAMBA).create(torchSpec(), prefix, context());

    String yml = runner.onlyCall().environmentFile().orElseThrow();
    assertThat(yml)
        .isEqualTo(
            "channels:\n"
                + "  - pytorch\n"
                + "  - conda-forge\n"
                + "dependencies:\n"
                + "  - python 3.11.*\n"
                + "  - pytorch::pytorch >=2.1\n"
                + "  - pip\n"
                + "  - pip:\n"
                + "      - requests==2.32.3\n"
                + "variables:\n"
                + "  HF_HOME: /data/hf\n"
                + "  WANDB_MODE: offline\n");
    assertThat(yml).doesNotContain("name:", "prefix:", "/somewhere/else");
  }

  @Test
  void theScratchFolderIsRemovedAndTheWorkdirIsIt() {
    runner.reply(Reply.built(""));
    backend(Tool.CONDA).create(torchSpec(), prefix, context());

    RecordingProcessRunner.Call call = runner.onlyCall();
    Path file = Path.of(call.command().get(call.command().indexOf("--file") + 1));
    assertThat(file.getParent()).isEqualTo(call.workdir());
    assertThat(call.workdir()).doesNotExist();
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void lockAndExportCommandLines(Tool tool) throws IOException {
    Files.createDirectories(prefix.resolve("conda-meta"));
    String explicit =
        ReferenceOutputs.output("conda_list-explicit-md5_linux-64_mamba-test-fixture.txt");
    runner.reply(Reply.ok(explicit)).reply(Reply.ok("name: x\ndependencies:\n  - zlib=1.3=h0_1\n"));
    CondaFamilyBackend backend = backend(tool);
    String exe = "/opt/" + tool.command() + "/bin/" + tool.command();

    assertThat(backend.lock(prefix, context())).isEqualTo(explicit);
    assertThat(backend.export(prefix, torchSpec(), context()))
        .isEqualTo("name: x\ndependencies:\n  - zlib=1.3=h0_1\n");

    List<String> lock =
        tool == Tool.CONDA
            ? List.of(exe, "list", "--explicit", "--md5", "--prefix", "P")
            : List.of(exe, "env", "export", "--explicit", "--md5", "--prefix", "P");
    assertThat(runner.calls.get(0).commandWith(prefix)).isEqualTo(lock);
    assertThat(runner.calls.get(1).commandWith(prefix))
        .containsExactly(exe, "env", "export", "--prefix", "P");
    assertThat(runner.calls)
        .allSatisfy(c -> assertThat(c.environment()).containsEntry("CONDA_OVERRIDE_CUDA", "12.4"))
        .allSatisfy(c -> assertThat(c.workdir()).isEqualTo(prefix));
  }

  @Test
  void progressFollowsCondasProgressDocumentsAndPhaseLines() {
    runner.reply(
        Reply.built(
            ReferenceOutputs.output("conda_env-create-json_progress-lines_4.2_issue3536.txt")));
    backend(Tool.CONDA).create(torchSpec(), prefix, context());

    assertThat(progress.getFirst())
        .isEqualTo(new BuildProgress("creating the environment with conda", -1));
    assertThat(progress.subList(1, 4))
        .containsExactly(
            new BuildProgress("Fetching package metadata", -1),
            new BuildProgress("Solving package specifications", -1),
            new BuildProgress("installing", 0.0));
    assertThat(progress)
        .contains(
            new BuildProgress("installing openssl", 0.0),
            new BuildProgress("installing python", 0.6),
            new BuildProgress("installing pip", 0.9));
    assertThat(progress.get(progress.size() - 2)).isEqualTo(new BuildProgress("installing", 1.0));
    assertThat(progress.getLast()).isEqualTo(new BuildProgress("done", 1.0));
  }

  @Test
  void progressFromANulSeparatedStreamSurvivesACorruptRecord() {
    String stream =
        ReferenceOutputs.output("conda_create-json_NUL-progress-stream_22.11.1_issue12231.txt")
            .replace("^@", "\0");
    runner.reply(Reply.built(stream + "\0{\"success\": true, \"prefix\": \"" + prefix + "\"}\n\0"));
    backend(Tool.CONDA).create(torchSpec(), prefix, context());

    assertThat(progress)
        .extracting(BuildProgress::phase)
        .containsExactly(
            "creating the environment with conda",
            "downloading pandas-1.5.2",
            "downloading mkl-2021.4.0",
            "downloading numpy-base-1.23.5",
            "downloading mkl-2021.4.0",
            "downloading pandas-1.5.2",
            "downloading numpy-base-1.23.5",
            "done");
    assertThat(progress.get(1).fraction()).isEqualTo(0.079953);
  }

  @Test
  void aCondaMultiErrorFailsTheBuildWithTheWrappedErrors() {
    runner.reply(
        Reply.failed(
            1,
            ReferenceOutputs.output(
                "conda_create-json_NUL-separated-stream_CondaMultiError-CondaHTTPError.txt"),
            "some noise on stderr\n"));

    assertThatThrownBy(() -> backend(Tool.CONDA).create(torchSpec(), prefix, context()))
        .isInstanceOf(BuildFailedException.class)
        .hasMessageStartingWith(
            "conda env create failed (exit code 1) building "
                + prefix
                + ": CondaHTTPError: HTTP 401 UNAUTHORIZED for url"
                + " <https://conda.org/channel/package.tar.bz2>")
        .hasMessageContaining("An HTTP error occurred when trying to retrieve this URL.")
        .hasMessageEndingWith("(full output: " + LOG + ")")
        .message()
        .doesNotContain("Multiple Errors Encountered", "some noise");
    assertThat(progress)
        .containsExactly(
            new BuildProgress("creating the environment with conda", -1),
            new BuildProgress("downloading qc_drg_grouper_binar", 1.0),
            new BuildProgress("downloading qc_drg_grouper_binar", 1.0));
  }

  @Test
  void classicMambasErrorDocumentIsUsedToo() {
    runner.reply(
        Reply.failed(
            1,
            ReferenceOutputs.output("mamba_create-json_CondaMultiError-CondaHTTPError.txt"),
            ""));

    assertThatThrownBy(() -> backend(Tool.MAMBA).create(torchSpec(), prefix, context()))
        .hasMessageStartingWith(
            "mamba create failed (exit code 1) building "
                + prefix
                + ": CondaHTTPError: HTTP 401 UNAUTHORIZED")
        .hasMessageContaining("Elapsed: 00:00.092086");
  }

  @Test
  void hintsOfTheErrorDocumentAreQuoted() {
    runner.reply(
        Reply.failed(
            1, ReferenceOutputs.output("conda_error-json_guidance-hints_conda-docs.txt"), ""));

    assertThatThrownBy(() -> backend(Tool.CONDA).create(torchSpec(), prefix, context()))
        .hasMessageContaining(
            ": PackagesNotFoundInChannelsError: ...\n"
                + "Hint: Check whether the package exists on your expected channel.");
  }

  @Test
  void withoutAnErrorDocumentTheTailOfStandardErrorExplains() {
    StringBuilder stderr = new StringBuilder();
    for (int i = 1; i <= 30; i++) {
      stderr.append("line ").append(i).append("\n\n");
    }
    runner.reply(Reply.failed(1, "plain text\n", stderr.toString()));

    assertThatThrownBy(() -> backend(Tool.MICROMAMBA).create(torchSpec(), prefix, context()))
        .hasMessageContaining("micromamba create failed (exit code 1)")
        .hasMessageContaining("line 16\nline 17")
        .hasMessageContaining("line 30 (full output: ")
        .message()
        .doesNotContain("line 15\n", "plain text");
  }

  @Test
  void withNothingOnStandardErrorTheTextOnStandardOutputExplains() {
    runner.reply(
        Reply.failed(
            1,
            ReferenceOutputs.output(
                "conda_install_PackagesNotFoundError_text_2024_osx-arm64_issue13659.txt"),
            ""));

    assertThatThrownBy(() -> backend(Tool.CONDA).create(torchSpec(), prefix, context()))
        .hasMessageContaining("and use the search bar at the top of the page.");
  }

  @Test
  void aTimeoutSaysSo() {
    runner.reply(Reply.timeout());

    assertThatThrownBy(() -> backend(Tool.CONDA).create(torchSpec(), prefix, context()))
        .isInstanceOf(BuildFailedException.class)
        .hasMessage(
            "conda env create did not finish within PT30M building "
                + prefix
                + "; raise the build timeout or look at "
                + LOG);
  }

  @Test
  void successWithoutAnEnvironmentIsAFailure() {
    // micromamba before 2.8.1 could print "success": true while failing (mamba-org/mamba#1945).
    runner.reply(Reply.ok("{\n    \"success\": true\n}\n"));

    assertThatThrownBy(() -> backend(Tool.MICROMAMBA).create(torchSpec(), prefix, context()))
        .hasMessageStartingWith(
            "micromamba create exited 0 but "
                + prefix
                + " has no conda-meta folder, so no environment was built");
  }

  @Test
  void anErrorDocumentFailsTheBuildEvenAfterExitZero() {
    runner.reply(
        Reply.built(
            "{\"exception_name\": \"CondaEnvException\", \"message\": \"Pip failed\","
                + " \"error\": \"CondaEnvException: Pip failed\"}\n"));

    assertThatThrownBy(() -> backend(Tool.CONDA).create(torchSpec(), prefix, context()))
        .hasMessageStartingWith(
            "conda env create exited 0 but reported an error building "
                + prefix
                + ": CondaEnvException: Pip failed");
  }

  @Test
  void aNonEmptyPrefixIsRefusedBeforeAnythingRuns() throws IOException {
    Files.createDirectories(prefix.resolve("bin"));

    assertThatThrownBy(() -> backend(Tool.CONDA).create(torchSpec(), prefix, context()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "cannot build into "
                + prefix
                + ": the folder is not empty; remove it or build into a new prefix");
    assertThat(runner.calls).isEmpty();
  }

  @Test
  void anEmptyPrefixFolderIsRemovedForTheTool() throws IOException {
    Files.createDirectories(prefix);
    List<Boolean> existedDuringRun = new ArrayList<>();
    ToolRunner probe =
        (command, output) -> {
          existedDuringRun.add(Files.exists(prefix));
          Files.createDirectories(prefix.resolve("conda-meta"));
          return ToolResult.exited(0, "", "");
        };
    BuildContext context = new BuildContext(probe, LOG, p -> {}, Map.of(), TIMEOUT);

    backend(Tool.MICROMAMBA).create(emptySpec(), prefix, context);

    assertThat(existedDuringRun).containsExactly(false);
  }

  @Test
  void aRelativePrefixIsMadeAbsolute() {
    runner.reply(Reply.ok(""));
    assertThatThrownBy(
            () ->
                backend(Tool.MICROMAMBA)
                    .create(emptySpec(), Path.of("relative-env-for-test"), context()))
        .as("nothing was built; the command line is what matters here")
        .isInstanceOf(BuildFailedException.class);
    assertThat(runner.onlyCall().command().get(3))
        .isEqualTo(Path.of("").toAbsolutePath().resolve("relative-env-for-test").toString());
  }

  @Test
  void aProgramThatCannotStartIsABuildFailureNamingIt() {
    ToolRunner broken =
        (command, output) -> {
          throw new IOException("Cannot run program \"/opt/conda/bin/conda\": error=2");
        };
    BuildContext context = new BuildContext(broken, LOG, p -> {}, Map.of(), TIMEOUT);

    assertThatThrownBy(() -> backend(Tool.CONDA).create(emptySpec(), prefix, context))
        .isInstanceOf(BuildFailedException.class)
        .hasMessageStartingWith("cannot run /opt/conda/bin/conda (Cannot run program")
        .hasMessageEndingWith("check that conda is installed there, or pass --backend-path");
  }

  @Test
  void lockFailsWhenTheToolPrintsNoExplicitLock() throws IOException {
    Files.createDirectories(prefix.resolve("conda-meta"));
    runner.reply(Reply.ok("# packages in environment at /x:\nzlib 1.3 h0_1\n"));

    assertThatThrownBy(() -> backend(Tool.MAMBA).lock(prefix, context()))
        .isInstanceOf(BuildFailedException.class)
        .hasMessageStartingWith(
            "mamba env export for " + prefix + " printed no explicit lock: not an explicit lock");
  }

  @Test
  void lockFailuresQuoteTheTool() {
    runner.reply(
        Reply.failed(
            1, "", "\nEnvironmentLocationNotFound: Not a conda environment: " + prefix + "\n\n"));

    assertThatThrownBy(() -> backend(Tool.CONDA).lock(prefix, context()))
        .hasMessageStartingWith(
            "conda list failed (exit code 1) for "
                + prefix
                + ": EnvironmentLocationNotFound: Not a conda environment: "
                + prefix);
  }

  @Test
  void activationIsByPrefixWithTheSpecsVariables() {
    Activation activation = backend(Tool.CONDA).activation(prefix, torchSpec(), "train-3f9a");

    assertThat(activation.variables())
        .containsExactly(
            Map.entry("CONDA_PREFIX", prefix.toString()),
            Map.entry("CONDA_DEFAULT_ENV", "train-3f9a"),
            Map.entry("CONDA_SHLVL", "1"),
            Map.entry("HF_HOME", "/data/hf"),
            Map.entry("WANDB_MODE", "offline"));
    assertThat(activation.pathPrepend()).containsExactly(prefix.resolve("bin").toString());
    assertThat(activation.unset()).containsExactly("PYTHONHOME");
    assertThat(activation.applyTo(Map.of("PATH", "/usr/bin", "PYTHONHOME", "/x")))
        .containsEntry("PATH", prefix.resolve("bin") + ":/usr/bin")
        .doesNotContainKey("PYTHONHOME");
  }

  @Test
  void kindsAreTheToolNames() {
    assertThat(Tool.values())
        .extracting(t -> backend(t).kind())
        .containsExactly("conda", "mamba", "micromamba");
    assertThat(Tool.named("micromamba")).contains(Tool.MICROMAMBA);
    assertThat(Tool.named("pip")).isEmpty();
  }

  @Test
  void findPrefersTheBackendPath(@TempDir Path dir) throws IOException {
    Path miniforge = dir.resolve("miniforge3");
    Path conda = executable(miniforge.resolve("condabin/conda"));
    Path mamba = executable(miniforge.resolve("bin/mamba"));
    Path onPath = executable(dir.resolve("usr/bin/conda"));
    Map<String, String> env = Map.of("PATH", onPath.getParent().toString());

    assertThat(CondaFamilyBackend.find(Tool.CONDA, Optional.of(miniforge), env)).contains(conda);
    assertThat(CondaFamilyBackend.find(Tool.MAMBA, Optional.of(miniforge), env)).contains(mamba);
    assertThat(CondaFamilyBackend.find(Tool.CONDA, Optional.of(conda), env)).contains(conda);
    assertThat(CondaFamilyBackend.find(Tool.MICROMAMBA, Optional.of(miniforge), env))
        .as("a given --backend-path is the only place looked at")
        .isEmpty();
    assertThat(CondaFamilyBackend.find(Tool.CONDA, Optional.of(dir.resolve("missing")), env))
        .isEmpty();
  }

  @Test
  void findSearchesPathThenTheToolsExeVariable(@TempDir Path dir) throws IOException {
    Path first = executable(dir.resolve("a/micromamba"));
    executable(dir.resolve("b/micromamba"));
    Files.createDirectories(dir.resolve("c"));
    Files.writeString(dir.resolve("c/conda"), "not executable");
    Path condaExe = executable(dir.resolve("miniconda3/bin/conda"));
    Path micromambaExe = executable(dir.resolve("mm/bin/micromamba"));
    String path =
        String.join(
            ":",
            "",
            dir.resolve("c").toString(),
            dir.resolve("a").toString(),
            dir.resolve("b").toString());

    assertThat(CondaFamilyBackend.find(Tool.MICROMAMBA, Optional.empty(), Map.of("PATH", path)))
        .contains(first);
    assertThat(
            CondaFamilyBackend.find(
                Tool.CONDA,
                Optional.empty(),
                Map.of("PATH", path, "CONDA_EXE", condaExe.toString())))
        .as("c/conda is not executable, so CONDA_EXE is used")
        .contains(condaExe);
    assertThat(
            CondaFamilyBackend.find(
                Tool.MAMBA,
                Optional.empty(),
                Map.of("PATH", "", "MAMBA_EXE", micromambaExe.toString())))
        .as("MAMBA_EXE naming micromamba is not mamba")
        .isEmpty();
    assertThat(CondaFamilyBackend.find(Tool.CONDA, Optional.empty(), Map.of())).isEmpty();
  }

  private static Path executable(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }
}
