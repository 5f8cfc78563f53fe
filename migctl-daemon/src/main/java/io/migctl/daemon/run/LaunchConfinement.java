package io.migctl.daemon.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the supervisor does to confine a command it starts: the command's own subshell joins {@link
 * #joinCgroups} (each a {@code cgroup.procs} file) before it execs, the command runs behind {@link
 * #commandPrefix} (the program that drops to the job's user), and the attempt's logs belong to
 * {@link #owner}. The supervisor itself, and the exit record it writes, stay the daemon's and
 * outside the cgroups.
 *
 * @param commandPrefix programs the command runs behind, e.g. {@code setpriv --reuid=…} ending in
 *     {@code --}; empty to run it as the daemon's user
 * @param joinCgroups {@code cgroup.procs} files to write the command's pid to; no whitespace
 * @param owner who the job's logs and working directory belong to; empty for the daemon's user
 */
public record LaunchConfinement(
    List<String> commandPrefix, List<Path> joinCgroups, Optional<FileOwner> owner) {

  /** No confinement: the command runs as the daemon's user, in the daemon's cgroups. */
  public static final LaunchConfinement NONE =
      new LaunchConfinement(List.of(), List.of(), Optional.empty());

  public LaunchConfinement {
    commandPrefix = List.copyOf(commandPrefix);
    joinCgroups = List.copyOf(joinCgroups);
    Objects.requireNonNull(owner, "owner");
    for (Path p : joinCgroups) {
      if (p.toString().chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("a cgroup path holds whitespace: '" + p + "'");
      }
    }
  }

  /**
   * This confinement for a container engine's client: the same cgroups and file owner, but the
   * client stays the daemon's user, which the engine's socket admits; the engine runs the container
   * as {@link #owner} itself.
   */
  public LaunchConfinement forEngineClient() {
    return new LaunchConfinement(List.of(), joinCgroups, owner);
  }

  /**
   * A Unix user and group that files are given to.
   *
   * @param uid the user's id
   * @param gid its primary group's id
   */
  public record FileOwner(int uid, int gid) {
    public FileOwner {
      if (uid < 0 || gid < 0) {
        throw new IllegalArgumentException("uid and gid must not be negative: " + uid + ":" + gid);
      }
    }
  }
}
