package io.migctl.cli;

/** migctl's exit codes, the same for every command. */
public final class ExitCode {
  /** It worked. */
  public static final int OK = 0;

  /** It failed, or what was asserted does not hold. */
  public static final int FAILURE = 1;

  /** The input was invalid; nothing was changed. */
  public static final int INVALID_INPUT = 2;

  /** The daemon could not be reached. */
  public static final int DAEMON_UNREACHABLE = 3;

  private ExitCode() {}
}
