package io.migctl.slurm;

import java.io.Serial;

/**
 * Slurm could not be asked or told something: a command is missing, failed or printed what migctl
 * cannot read. The message names the command, what it printed and what to do.
 */
public final class SlurmControlException extends RuntimeException {

  @Serial private static final long serialVersionUID = 1L;

  public SlurmControlException(String message) {
    super(message);
  }

  public SlurmControlException(String message, Throwable cause) {
    super(message, cause);
  }
}
