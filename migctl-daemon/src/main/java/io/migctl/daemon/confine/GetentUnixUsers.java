package io.migctl.daemon.confine;

import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Users from {@code getent passwd NAME}: the files and every NSS source the host is set up with.
 */
public final class GetentUnixUsers implements UnixUsers {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final ToolRunner tools;

  public GetentUnixUsers(ToolRunner tools) {
    this.tools = Objects.requireNonNull(tools, "tools");
  }

  @Override
  public Optional<UnixIdentity> find(String name) {
    ToolResult r;
    try {
      r = tools.run(ToolCommand.of("getent", "passwd", "--", name).withTimeout(TIMEOUT));
    } catch (IOException e) {
      throw new ConfinementException(
          "cannot run getent to look up user " + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfinementException("interrupted while looking up user " + name, e);
    }
    return r.succeeded() ? parse(name, r.stdout()) : Optional.empty();
  }

  /**
   * The entry of {@code name} in {@code passwd(5)} lines: {@code name:x:uid:gid:gecos:home:shell}.
   */
  static Optional<UnixIdentity> parse(String name, String passwd) {
    for (String line : passwd.split("\n")) {
      String[] f = line.split(":", -1);
      if (f.length >= 4 && f[0].equals(name)) {
        try {
          return Optional.of(
              new UnixIdentity(name, Integer.parseInt(f[2]), Integer.parseInt(f[3])));
        } catch (IllegalArgumentException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }
}
