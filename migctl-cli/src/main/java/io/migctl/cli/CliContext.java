package io.migctl.cli;

import io.migctl.home.MigctlHome;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command may know about where it runs: the environment variables, the user's home and
 * standard input. The composition root passes the real ones; tests pass their own.
 */
public record CliContext(Map<String, String> environment, Path userHome, InputStream stdin) {

  public CliContext {
    environment = Map.copyOf(environment);
  }

  /** A context without standard input. */
  public CliContext(Map<String, String> environment, Path userHome) {
    this(environment, userHome, InputStream.nullInputStream());
  }

  /** The process's own environment, home and standard input. */
  public static CliContext ofProcess() {
    return new CliContext(System.getenv(), Path.of(System.getProperty("user.home")), System.in);
  }

  /** migctl's data folder for this environment and user home, see {@link MigctlHome#of}. */
  public MigctlHome home() {
    return MigctlHome.of(environment, userHome);
  }
}
