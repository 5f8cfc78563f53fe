package io.migctl.process;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Where a run's output goes, for both runners alike: the listener in chunks split at {@code '\n'}
 * or NUL, the transcript file, and the result's capture up to the limit. One {@link Stream} per
 * stream; they may be fed from two threads.
 */
final class OutputSink implements Closeable {

  private static final FileAttribute<?> PRIVATE_FOLDER =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final FileAttribute<?> PRIVATE_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final ToolOutput listener;
  private final int limit;
  private final Optional<OutputStream> transcript;
  private final Stream stdout = new Stream(ToolOutput.Stream.STDOUT);
  private final Stream stderr = new Stream(ToolOutput.Stream.STDERR);

  OutputSink(ToolCommand command, ToolOutput listener) throws IOException {
    this.listener = listener;
    this.limit = command.captureLimitChars();
    this.transcript =
        command.output() == ToolCommand.Output.TERMINAL
            ? Optional.empty()
            : command.transcript().isPresent()
                ? Optional.of(open(command.transcript().get()))
                : Optional.empty();
  }

  private static OutputStream open(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      Files.createDirectories(parent, PRIVATE_FOLDER);
    }
    return Channels.newOutputStream(
        FileChannel.open(
            file,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
            PRIVATE_FILE));
  }

  Stream stdout() {
    return stdout;
  }

  Stream stderr() {
    return stderr;
  }

  /** The result of a run that ended so, with what was captured. */
  ToolResult result(ToolResult.Ending ending) {
    return new ToolResult(
        ending,
        stdout.captured.toString(),
        stderr.captured.toString(),
        stdout.truncated || stderr.truncated);
  }

  @Override
  public void close() throws IOException {
    if (transcript.isPresent()) {
      transcript.get().close();
    }
  }

  /** One stream's output. */
  final class Stream {
    private final ToolOutput.Stream which;
    private final StringBuilder captured = new StringBuilder();
    private final StringBuilder chunk = new StringBuilder();
    private boolean truncated;

    private Stream(ToolOutput.Stream which) {
      this.which = which;
    }

    /** Takes {@code n} characters the program printed. */
    void write(char[] text, int n) {
      if (transcript.isPresent()) {
        byte[] bytes = new String(text, 0, n).getBytes(StandardCharsets.UTF_8);
        OutputStream out = transcript.get();
        synchronized (out) {
          try {
            out.write(bytes);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the tool's transcript", e);
          }
        }
      }
      int room = limit - captured.length();
      if (room >= n) {
        captured.append(text, 0, n);
      } else {
        captured.append(text, 0, Math.max(room, 0));
        truncated = true;
      }
      for (int i = 0; i < n; i++) {
        char c = text[i];
        if (c == '\n' || c == '\0') {
          listener.accept(which, chunk.toString());
          chunk.setLength(0);
        } else {
          chunk.append(c);
        }
      }
    }

    /** Takes all of {@code text}. */
    void write(String text) {
      write(text.toCharArray(), text.length());
    }

    /** The program's output on this stream has ended: a last chunk without separator goes out. */
    void end() {
      if (!chunk.isEmpty()) {
        listener.accept(which, chunk.toString());
        chunk.setLength(0);
      }
    }
  }
}
