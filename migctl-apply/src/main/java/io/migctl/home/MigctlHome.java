package io.migctl.home;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * {@code $MIGCTL_HOME}, migctl's data folder, and every path under it: the one place that names
 * them. Each path is under {@link #root()}; what a component keeps inside its own folder (an
 * environment store's builds and locks under {@link #environments()}, a job's attempts under {@link
 * #jobs()}) is that component's.
 *
 * @param root the folder itself
 */
public record MigctlHome(Path root) {

  /** Where the home is when neither {@code $MIGCTL_HOME} nor {@code $XDG_DATA_HOME} says. */
  public static final String DEFAULT_UNDER_USER_HOME = ".local/share/migctl";

  public MigctlHome {
    Objects.requireNonNull(root, "root");
  }

  /**
   * The home of a process with these environment variables and this user home: {@code
   * $MIGCTL_HOME}, else {@code $XDG_DATA_HOME/migctl}, else {@code ~/.local/share/migctl}.
   */
  public static MigctlHome of(Map<String, String> environment, Path userHome) {
    String explicit = environment.get("MIGCTL_HOME");
    if (explicit != null && !explicit.isBlank()) {
      return new MigctlHome(Path.of(explicit));
    }
    String xdg = environment.get("XDG_DATA_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return new MigctlHome(Path.of(xdg, "migctl"));
    }
    return new MigctlHome(userHome.resolve(DEFAULT_UNDER_USER_HOME));
  }

  /** The daemon's SQLite database: jobs, their events, builds, layouts, tokens. */
  public Path database() {
    return root.resolve("migctl.db");
  }

  /** The daemon's own API token (0600), created on its first start. */
  public Path token() {
    return root.resolve("token");
  }

  /** Where clients on this machine find the running daemon: its URL, pid, TLS certificate. */
  public Path daemonFile() {
    return root.resolve("daemon.json");
  }

  /** Held by the running daemon, so that a second one on the same home is refused. */
  public Path daemonLock() {
    return root.resolve("daemon.lock");
  }

  /** The jobs' folders: {@code <id>/attempt-<n>/} with their output. */
  public Path jobs() {
    return root.resolve("jobs");
  }

  /** The layout applier's journal: every step and its undo, one JSON object a line. */
  public Path journal() {
    return root.resolve("mig").resolve("journal.jsonl");
  }

  /** The Slurm reshape journal: every step of every reshape, one JSON object a line. */
  public Path slurmReshapes() {
    return root.resolve("slurm").resolve("reshape.jsonl");
  }

  /** The environment store: builds by their spec's hash, names, locks. */
  public Path environments() {
    return root.resolve("envs");
  }

  /** The simulated node's persistent state. */
  public Path simulatedNode() {
    return root.resolve("sim");
  }

  /**
   * The simulated node's device nodes and the driver files it publishes ({@code dev/}, {@code
   * proc/}): apart from {@link #simulatedNode()} because jobs open these nodes, while the node's
   * state is private.
   */
  public Path simulatedDevices() {
    return root.resolve("sim-dev");
  }

  /** Bundled example files copied out for the user ({@code migctl up} without a workload). */
  public Path examples() {
    return root.resolve("examples");
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
