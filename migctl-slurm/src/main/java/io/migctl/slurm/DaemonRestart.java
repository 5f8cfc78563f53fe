package io.migctl.slurm;

import java.util.List;
import java.util.Objects;

/**
 * How to restart Slurm's daemons on a node after its {@code gres.conf} changed, in the order that
 * keeps the controller from marking the node {@code INVALID_REG}: stop {@code slurmd} first (so it
 * cannot register the new GPUs with a controller that still holds the old configuration), restart
 * {@code slurmctld} (it reads the new {@code slurm.conf} and {@code gres.conf}), then start {@code
 * slurmd}. This is the order Slurm 22.05 needs; later releases accept it too.
 *
 * <p>Each step is a program with its arguments, run as it is (no shell). Where migctl may not run
 * them, {@link #steps()} is what a person runs by hand, in that order.
 *
 * @param stopSlurmd stops the node's {@code slurmd} and returns once it is gone
 * @param restartSlurmctld restarts the controller and returns once it is started
 * @param startSlurmd starts the node's {@code slurmd}
 */
public record DaemonRestart(
    List<String> stopSlurmd, List<String> restartSlurmctld, List<String> startSlurmd) {

  /** One step of a restart. */
  public enum Action {
    STOP_SLURMD("stop slurmd"),
    RESTART_SLURMCTLD("restart slurmctld"),
    START_SLURMD("start slurmd");

    private final String words;

    Action(String words) {
      this.words = words;
    }

    /** The step in words, e.g. {@code stop slurmd}. */
    public String words() {
      return words;
    }
  }

  /**
   * One step: what it does and the program that does it.
   *
   * @param action what it does
   * @param argv the program and its arguments
   */
  public record Step(Action action, List<String> argv) {
    public Step {
      Objects.requireNonNull(action, "action");
      argv = List.copyOf(argv);
      if (argv.isEmpty()) {
        throw new IllegalArgumentException("the step to " + action.words() + " has no program");
      }
    }

    /** The program as a person types it: the arguments joined with spaces. */
    public String display() {
      return String.join(" ", argv);
    }
  }

  public DaemonRestart {
    stopSlurmd = List.copyOf(stopSlurmd);
    restartSlurmctld = List.copyOf(restartSlurmctld);
    startSlurmd = List.copyOf(startSlurmd);
  }

  /** The restart of daemons run by systemd under their Debian unit names. */
  public static DaemonRestart systemd() {
    return new DaemonRestart(
        List.of("systemctl", "stop", "slurmd"),
        List.of("systemctl", "restart", "slurmctld"),
        List.of("systemctl", "start", "slurmd"));
  }

  /** The steps in the order they must run. */
  public List<Step> steps() {
    return List.of(
        new Step(Action.STOP_SLURMD, stopSlurmd),
        new Step(Action.RESTART_SLURMCTLD, restartSlurmctld),
        new Step(Action.START_SLURMD, startSlurmd));
  }
}
