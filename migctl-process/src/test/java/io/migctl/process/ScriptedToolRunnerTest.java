package io.migctl.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptedToolRunnerTest {

  private final ScriptedToolRunner tools = new ScriptedToolRunner();

  @Test
  void answersTheFirstRuleWhoseArgvPrefixMatchesAndRecordsTheCall() throws Exception {
    tools.when("nvidia-smi", "-r").printsError("busy\n").exits(1);
    tools.when("nvidia-smi").prints("ok\n");

    ToolResult reset = tools.run(ToolCommand.of("nvidia-smi", "-r", "-i", "0"));
    ToolResult list = tools.run(ToolCommand.of("nvidia-smi", "-L"));

    assertThat(reset.ending()).isEqualTo(new ToolResult.Exited(1));
    assertThat(reset.stderr()).isEqualTo("busy\n");
    assertThat(reset.succeeded()).isFalse();
    assertThat(list.succeeded()).isTrue();
    assertThat(list.stdout()).isEqualTo("ok\n");
    assertThat(tools.argvs())
        .containsExactly(List.of("nvidia-smi", "-r", "-i", "0"), List.of("nvidia-smi", "-L"));
  }

  @Test
  void aRuleUsedUpPassesToTheNextOne() throws Exception {
    tools.when().once().exits(3);
    tools.when().prints("later");

    assertThat(tools.run(ToolCommand.of("a")).ending()).isEqualTo(new ToolResult.Exited(3));
    assertThat(tools.run(ToolCommand.of("b")).stdout()).isEqualTo("later");
    assertThat(tools.run(ToolCommand.of("c")).stdout()).isEqualTo("later");
  }

  @Test
  void aCommandNothingAnswersCannotStartAsAMissingProgram() {
    tools.when("conda").prints("x");

    assertThatThrownBy(() -> tools.run(ToolCommand.of("mamba", "--version")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("mamba")
        .hasMessageContaining("nothing is scripted for 'mamba --version'");
    assertThat(tools.calls()).hasSize(1);
  }

  @Test
  void cannotStartAndTimesOutAreScriptable() {
    tools.when("gone").cannotStart("no such file");
    tools.when("slow").timesOut();

    assertThatThrownBy(() -> tools.run(ToolCommand.of("gone")))
        .isInstanceOf(IOException.class)
        .hasMessage("no such file");
    assertThat(
            call(ToolCommand.of("slow").withTimeout(Duration.ofSeconds(7)), ToolOutput.IGNORE)
                .ending())
        .isEqualTo(new ToolResult.TimedOut(Duration.ofSeconds(7)));
    assertThat(
            call(ToolCommand.of("slow").withTimeout(Duration.ofSeconds(7)), ToolOutput.IGNORE)
                .timedOut())
        .isTrue();
  }

  @Test
  void outputArrivesInChunksSplitAtNewlineAndNulAsTheRealRunnerDeliversIt() {
    tools.when("conda").prints("{\"a\":1}\0{\"b\":2}\nlast").printsError("warn\n");
    List<String> chunks = new ArrayList<>();

    ToolResult r =
        call(ToolCommand.of("conda"), (stream, chunk) -> chunks.add(stream + ":" + chunk));

    assertThat(chunks)
        .containsExactly("STDOUT:{\"a\":1}", "STDOUT:{\"b\":2}", "STDOUT:last", "STDERR:warn");
    assertThat(r.stdout()).isEqualTo("{\"a\":1}\0{\"b\":2}\nlast");
    assertThat(r.stderr()).isEqualTo("warn\n");
  }

  @Test
  void mergedOutputHasBothStreamsInStdout() {
    tools.when("hook").prints("out\n").printsError("err\n");

    ToolResult r = call(ToolCommand.of("hook").withOutput(ToolCommand.Output.MERGED), null);

    assertThat(r.stdout()).isEqualTo("out\nerr\n");
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void theCaptureLimitKeepsTheBeginningAndSaysSo() {
    tools.when("big").prints("0123456789");

    ToolResult r = call(ToolCommand.of("big").withCaptureLimit(4), null);

    assertThat(r.stdout()).isEqualTo("0123");
    assertThat(r.truncated()).isTrue();
  }

  @Test
  void theTranscriptGetsEverythingAndEffectsRunBeforeTheOutput(@TempDir Path dir) throws Exception {
    Path made = dir.resolve("prefix/conda-meta");
    tools
        .when("create")
        .does(c -> Files.createDirectories(made))
        .prints("built\n")
        .printsError("note\n");
    Path log = dir.resolve("logs/build.log");

    tools.run(ToolCommand.of("create").withTranscript(log).withCaptureLimit(0));

    assertThat(made).isDirectory();
    assertThat(Files.readString(log)).isEqualTo("built\nnote\n");
  }

  @Test
  void aCommandIsValidated() {
    assertThatThrownBy(() -> ToolCommand.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("argv is empty");
    assertThatThrownBy(() -> ToolCommand.of("a\0b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a\\0b");
    assertThatThrownBy(() -> ToolCommand.of("a").withTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> ToolCommand.of("a").withCaptureLimit(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void environmentIsAddedToOrReplacesTheInheritedOne() {
    ToolCommand added = ToolCommand.of("a").withAddedEnvironment(java.util.Map.of("X", "1"));
    ToolCommand exact = added.withExactEnvironment(java.util.Map.of("Y", "2"));

    assertThat(added.inheritEnvironment()).isTrue();
    assertThat(added.environment()).containsExactly(java.util.Map.entry("X", "1"));
    assertThat(exact.inheritEnvironment()).isFalse();
    assertThat(exact.environment()).containsExactly(java.util.Map.entry("Y", "2"));
  }

  private ToolResult call(ToolCommand command, ToolOutput output) {
    try {
      return output == null ? tools.run(command) : tools.run(command, output);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
