package io.migctl.slurm;

import java.util.List;

/**
 * The Slurm controller as far as reshaping a node needs it: what it says about a node and its jobs,
 * draining and resuming the node, and restarting the daemons once its GPUs changed. {@link
 * ScontrolSlurmController} asks a real cluster with {@code scontrol} and {@code squeue}; {@link
 * InMemorySlurmController} keeps a cluster in memory, for tests and dry runs. Which one is used is
 * chosen where the program is assembled.
 *
 * <p>Every method throws {@link SlurmControlException} when Slurm cannot be asked or refuses, with
 * what it printed; an unknown node is such a refusal.
 */
public interface SlurmController {

  /** The Slurm release the controller runs. */
  SlurmVersion version();

  /** The node named {@code name} as the controller sees it now. */
  SlurmNode node(String name);

  /**
   * Sets the node to drain: no new job starts on it, running ones go on. Draining a drained node
   * replaces its reason.
   *
   * @param reason why, shown to users by {@code sinfo -R}; not blank
   */
  void drain(String name, String reason);

  /** Lets jobs start on the node again; does nothing when it is not drained or draining. */
  void resume(String name);

  /** The jobs that run on the node (running, completing, configuring or suspended). */
  List<SlurmJob> jobsOn(String name);

  /**
   * Runs the steps of {@code restart} in order, stopping at the first that fails.
   *
   * @return the steps done, all of them when it returns
   * @throws SlurmControlException when a step fails; the message names it, what it printed and the
   *     steps left to run by hand
   */
  List<DaemonRestart.Step> restartDaemons(DaemonRestart restart);
}
