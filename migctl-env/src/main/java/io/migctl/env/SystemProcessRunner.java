package io.migctl.env;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs real programs: argument lists, no shell, output streamed and logged, a hard timeout. */
public final class SystemProcessRunner implements ProcessRunner {

  @Override
  public Result run(
      List<String> command,
      Map<String, String> environment,
      Path workdir,
      Duration timeout,
      Consumer<String> stdoutChunks,
      Path log)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workdir.toFile());
    pb.environment().putAll(environment);
    Files.createDirectories(log.toAbsolutePath().getParent(), PrivateModes.FOLDER);
    Process process = pb.start();
    process.getOutputStream().close();
    try (OutputStream logOut =
        Channels.newOutputStream(
            FileChannel.open(
                log,
                Set.of(
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                PrivateModes.FILE))) {
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      Thread stdout =
          Thread.ofVirtual().start(() -> pump(process.getInputStream(), out, stdoutChunks, logOut));
      Thread stderr =
          Thread.ofVirtual().start(() -> pump(process.getErrorStream(), err, s -> {}, logOut));
      boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
      }
      stdout.join();
      stderr.join();
      return new Result(
          finished ? process.exitValue() : -1, out.toString(), err.toString(), !finished);
    }
  }

  /** Copies a stream to the log and a buffer, handing out chunks split at '\n' or '\0'. */
  private static void pump(
      InputStream in, StringBuilder all, Consumer<String> chunks, OutputStream log) {
    StringBuilder chunk = new StringBuilder();
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      char[] buffer = new char[8192];
      int n;
      while ((n = reader.read(buffer)) > 0) {
        String text = new String(buffer, 0, n);
        synchronized (log) {
          log.write(text.getBytes(StandardCharsets.UTF_8));
        }
        all.append(text);
        for (int i = 0; i < n; i++) {
          char c = buffer[i];
          if (c == '\n' || c == '\0') {
            chunks.accept(chunk.toString());
            chunk.setLength(0);
          } else {
            chunk.append(c);
          }
        }
      }
      if (!chunk.isEmpty()) {
        chunks.accept(chunk.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
