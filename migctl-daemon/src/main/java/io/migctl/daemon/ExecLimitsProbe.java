package io.migctl.daemon;

import io.migctl.core.job.ExecLimits;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

/** The node's {@code execve} limits, which jobs are checked against at submit. */
final class ExecLimitsProbe {

  private static final Logger LOG = Logger.getLogger(ExecLimitsProbe.class.getName());

  private static final String ARG_MAX_DEFAULT =
      "jobs are held to Linux's least ARG_MAX, " + ExecLimits.DEFAULT_ARG_MAX + " bytes";

  private ExecLimitsProbe() {}

  /**
   * The node's {@code execve} limits: {@code ARG_MAX} as {@code getconf} reports it, read once per
   * daemon; {@link ExecLimits#DEFAULT} (the least Linux gives) when it cannot be read.
   */
  static ExecLimits read(ToolRunner runner, Path home) {
    try {
      ToolResult r =
          runner.run(
              ToolCommand.of("getconf", "ARG_MAX")
                  .withWorkdir(home)
                  .withTimeout(Duration.ofSeconds(10)));
      String out = r.stdout().strip();
      if (r.succeeded() && out.matches("\\d{6,18}")) {
        return new ExecLimits(Long.parseLong(out));
      }
      LOG.warning("getconf ARG_MAX said '" + out + "' (" + r.ending() + "); " + ARG_MAX_DEFAULT);
    } catch (IOException | IllegalArgumentException e) {
      LOG.warning("cannot use getconf ARG_MAX: " + e.getMessage() + "; " + ARG_MAX_DEFAULT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ExecLimits.DEFAULT;
  }
}
