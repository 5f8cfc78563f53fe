package io.migctl.env.conda;

import io.migctl.env.ProcessRunner;
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
import java.util.function.Consumer;

/**
 * A {@link ProcessRunner} that runs nothing: it records each call and answers with the next
 * scripted reply, streaming the reply's standard output in chunks split at {@code \n} and NUL as
 * the real runner does. A reply can also build the prefix (make {@code <prefix>/conda-meta}) the
 * way a successful create would.
 */
final class RecordingProcessRunner implements ProcessRunner {

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
  public Result run(
      List<String> command,
      Map<String, String> environment,
      Path workdir,
      Duration timeout,
      Consumer<String> stdoutChunks,
      Path log)
      throws IOException {
    Optional<String> file = Optional.empty();
    int f = command.indexOf("--file");
    if (f >= 0) {
      file = Optional.of(Files.readString(Path.of(command.get(f + 1))));
    }
    calls.add(new Call(List.copyOf(command), Map.copyOf(environment), workdir, timeout, log, file));
    Reply reply = replies.isEmpty() ? Reply.ok("") : replies.removeFirst();
    for (String chunk : reply.stdout().split("[\n\0]", -1)) {
      stdoutChunks.accept(chunk);
    }
    if (reply.buildsPrefix()) {
      Files.createDirectories(Path.of(command.get(command.indexOf("--prefix") + 1), "conda-meta"));
    }
    return new Result(reply.exitCode(), reply.stdout(), reply.stderr(), reply.timedOut());
  }
}
