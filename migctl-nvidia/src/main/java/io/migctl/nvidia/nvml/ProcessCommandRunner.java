package io.migctl.nvidia.nvml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/** {@link CommandRunner#system}: a child process per command, output captured, time limited. */
final class ProcessCommandRunner implements CommandRunner {

  private final Duration timeout;

  ProcessCommandRunner(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    this.timeout = timeout;
  }

  @Override
  public Result run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    // Read on another thread so that a command that never closes its output still times out.
    FutureTask<String> output = new FutureTask<>(() -> readAll(process.getInputStream()));
    Thread.ofVirtual().name("output of " + command.getFirst()).start(output);
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      return new Result(
          TIMED_OUT, String.join(" ", command) + " ran longer than " + timeout + " and was killed");
    }
    try {
      return new Result(process.exitValue(), output.get());
    } catch (ExecutionException e) {
      throw new IOException("reading the output of " + command.getFirst() + " failed", e);
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
