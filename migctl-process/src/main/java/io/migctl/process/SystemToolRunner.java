package io.migctl.process;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * Runs real programs with {@link ProcessBuilder}, as {@link ToolRunner} says: argument lists, no
 * shell, output read on virtual threads (so that a program that never closes its output still times
 * out), a program killed with its descendants at its time limit or when the caller is interrupted.
 */
public final class SystemToolRunner implements ToolRunner {

  private static final File NO_INPUT = new File("/dev/null");

  @Override
  public ToolResult run(ToolCommand command, ToolOutput output)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command.argv());
    if (command.workdir().isPresent()) {
      if (!Files.isDirectory(command.workdir().get())) {
        throw new IOException(
            "cannot run "
                + command.argv().getFirst()
                + ": its working directory "
                + command.workdir().get()
                + " does not exist");
      }
      pb.directory(command.workdir().get().toFile());
    }
    if (!command.inheritEnvironment()) {
      pb.environment().clear();
    }
    pb.environment().putAll(command.environment());
    switch (command.output()) {
      case TERMINAL -> pb.inheritIO();
      case MERGED -> pb.redirectErrorStream(true).redirectInput(NO_INPUT);
      case SEPARATE -> pb.redirectInput(NO_INPUT);
    }
    try (OutputSink sink = new OutputSink(command, output)) {
      Process process = pb.start();
      Thread out = null;
      Thread err = null;
      if (command.output() != ToolCommand.Output.TERMINAL) {
        out = Thread.ofVirtual().start(() -> pump(process.getInputStream(), sink.stdout()));
        if (command.output() == ToolCommand.Output.SEPARATE) {
          err = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), sink.stderr()));
        }
      }
      boolean finished;
      try {
        finished =
            command.timeout().isPresent()
                ? process.waitFor(command.timeout().get().toMillis(), TimeUnit.MILLISECONDS)
                : waitFor(process);
      } catch (InterruptedException e) {
        kill(process);
        join(out, err);
        throw e;
      }
      if (!finished) {
        kill(process);
      }
      join(out, err);
      return sink.result(
          finished
              ? new ToolResult.Exited(process.exitValue())
              : new ToolResult.TimedOut(command.timeout().orElseThrow()));
    }
  }

  private static boolean waitFor(Process process) throws InterruptedException {
    process.waitFor();
    return true;
  }

  /** Kills the program and everything it started, and waits until it is gone. */
  private static void kill(Process process) {
    process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    uninterruptibly(process::waitFor);
  }

  /** Waits for the readers, which end when the program's pipes close. */
  private static void join(Thread... readers) {
    for (Thread t : readers) {
      if (t != null) {
        uninterruptibly(t::join);
      }
    }
  }

  /** Something to wait for. */
  @FunctionalInterface
  private interface Wait {
    void await() throws InterruptedException;
  }

  /**
   * Waits to the end even when interrupted (the program is being killed: its end comes soon), and
   * keeps the interrupt for the caller.
   */
  private static void uninterruptibly(Wait wait) {
    boolean interrupted = Thread.interrupted();
    while (true) {
      try {
        wait.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void pump(InputStream in, OutputSink.Stream stream) {
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      char[] buffer = new char[8192];
      for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
        stream.write(buffer, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      stream.end();
    }
  }
}
