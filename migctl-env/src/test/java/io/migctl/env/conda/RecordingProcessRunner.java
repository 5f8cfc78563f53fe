package io.migctl.env.conda;

import io.migctl.process.ScriptedToolRunner;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolOutput;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link ToolRunner} that runs nothing: it records each call and answers with the next reply,
 * through {@link ScriptedToolRunner} (so output arrives as the real runner delivers it). A reply
 * can also build the prefix (make {@code <prefix>/conda-meta}) the way a successful create would.
 */
final class RecordingProcessRunner implements ToolRunner {

  /**
   * One recorded call.
   *
   * @param environmentFile the content of the {@code --file} argument at the time of the call (the
   *     backend deletes it afterwards)
   */
  record Call(
      List<String> command,
      Map<String, String> environment,
      Path workdir,
      Duration timeout,
      Path log,
      Optional<String> environmentFile) {

    /** The command with the prefix shown as {@code P} and the environment file as {@code F}. */
    List<String> commandWith(Path prefix) {
      String file =
          command.contains("--file") ? command.get(command.indexOf("--file") + 1) : "\0none";
      return command.stream()
          .map(a -> a.equals(prefix.toString()) ? "P" : a.equals(file) ? "F" : a)
          .toList();
    }
  }

  record Reply(int exitCode, String stdout, String stderr, boolean timedOut, boolean buildsPrefix) {
    static Reply ok(String stdout) {
      return new Reply(0, stdout, "", false, false);
    }

    static Reply built(String stdout) {
      return new Reply(0, stdout, "", false, true);
    }

    static Reply failed(int exitCode, String stdout, String stderr) {
      return new Reply(exitCode, stdout, stderr, false, false);
    }

    static Reply timeout() {
      return new Reply(-1, "", "", true, false);
    }
  }

  final List<Call> calls = new ArrayList<>();
  private final Deque<Reply> replies = new ArrayDeque<>();

  RecordingProcessRunner reply(Reply reply) {
    replies.addLast(reply);
    return this;
  }

  Call onlyCall() {
    if (calls.size() != 1) {
      throw new AssertionError("expected one call, got " + calls);
    }
    return calls.getFirst();
  }

  @Override
  public ToolResult run(ToolCommand command, ToolOutput output)
      throws IOException, InterruptedException {
    List<String> argv = command.argv();
    Optional<String> file = Optional.empty();
    int f = argv.indexOf("--file");
    if (f >= 0) {
      file = Optional.of(Files.readString(Path.of(argv.get(f + 1))));
    }
    calls.add(
        new Call(
            argv,
            command.environment(),
            command.workdir().orElseThrow(),
            command.timeout().orElseThrow(),
            command.transcript().orElseThrow(),
            file));
    Reply reply = replies.isEmpty() ? Reply.ok("") : replies.removeFirst();
    ScriptedToolRunner tools = new ScriptedToolRunner();
    ScriptedToolRunner.Rule rule =
        tools.when().prints(reply.stdout()).printsError(reply.stderr()).exits(reply.exitCode());
    if (reply.timedOut()) {
      rule.timesOut();
    }
    if (reply.buildsPrefix()) {
      rule.does(
          c ->
              Files.createDirectories(
                  Path.of(argv.get(argv.indexOf("--prefix") + 1), "conda-meta")));
    }
    // The transcript is the real log's path, which these tests do not create.
    return tools.run(
        new ToolCommand(
            argv,
            command.workdir(),
            command.environment(),
            command.inheritEnvironment(),
            command.timeout(),
            command.output(),
            command.captureLimitChars(),
            Optional.empty()),
        output);
  }
}
