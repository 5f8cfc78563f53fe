package io.migctl.daemon.confine;

import io.migctl.daemon.run.LaunchConfinement;
import java.util.Optional;

/**
 * Confines each attempt of a job: before its launch, makes what holds it (a cgroup per controller,
 * or a systemd scope) and says how the supervisor puts the command there and drops it to the job's
 * user; after the command has exited, says whether a limit killed it, kills what it left behind and
 * removes what held it.
 *
 * <p>Implementations: {@link CgroupV1Confinement} (the kernel's cgroup v1 controllers, written
 * directly), {@link SystemdScopeConfinement} (cgroup v2 through {@code systemd-run --scope}),
 * {@link NoConfinement} (jobs run as the daemon's user; it says why). The daemon's assembly chooses
 * one ({@link IsolationChoice}); nothing else tells them apart. Called on the job thread.
 */
public interface Confinement {

  /** What this confinement enforces, for the daemon's start message and {@code /api/v1/health}. */
  Isolation isolation();

  /**
   * Makes the attempt's confinement.
   *
   * @throws ConfinementException when it cannot be made (an unknown user, a controller that refuses
   *     a write); nothing of it is left then
   */
  LaunchConfinement prepare(ConfineRequest request);

  /**
   * After the attempt's command has exited: kills whatever is left in its confinement, removes it,
   * and says what the confinement did to the command, e.g. {@code killed: out of memory (limit 64
   * MiB)}; empty when nothing. Idempotent; never throws (what cannot be removed is logged).
   *
   * @param name the attempt's name, as in its {@link ConfineRequest}
   */
  Optional<String> release(String name);
}
