package io.migctl.daemon;

import io.migctl.core.job.JobStore;
import io.migctl.core.tenant.TenantDirectory;
import io.migctl.daemon.container.ContainerRuntime;
import io.migctl.daemon.container.MigDeviceNodes;
import io.migctl.daemon.run.ProcessLauncher;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The job runtime's side effects, each behind a port: {@link JobService#real} gives the daemon's, a
 * test gives in-memory and virtual ones.
 *
 * @param store where jobs and their events live
 * @param launcher starts, watches and signals the jobs' processes
 * @param claims which process holds which MIG device, on the driver they are claimed on
 * @param clock the runtime's time (the virtual clock of {@code timers} in tests)
 * @param thread the job thread
 * @param timers timeouts, kill graces, cooldowns, the tick
 * @param background when finished jobs are removed (away from the timers: folders take a while)
 * @param applyIds ids of the layout changes reshapes journal
 * @param tenants who shares the node: quotas, weights, Unix users
 * @param confinement what confines each attempt (its user, cgroups, device nodes)
 * @param containers runs the jobs that name an image
 * @param deviceNodes the device nodes of a MIG device, which a container gets
 */
public record RuntimePorts(
    JobStore store,
    ProcessLauncher launcher,
    DeviceClaims claims,
    Clock clock,
    JobThread thread,
    Timers timers,
    Timers background,
    Supplier<String> applyIds,
    TenantDirectory tenants,
    JobConfinement confinement,
    ContainerRuntime containers,
    MigDeviceNodes deviceNodes) {
  public RuntimePorts {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(launcher, "launcher");
    Objects.requireNonNull(claims, "claims");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(timers, "timers");
    Objects.requireNonNull(background, "background");
    Objects.requireNonNull(applyIds, "applyIds");
    Objects.requireNonNull(tenants, "tenants");
    Objects.requireNonNull(confinement, "confinement");
    Objects.requireNonNull(containers, "containers");
    Objects.requireNonNull(deviceNodes, "deviceNodes");
  }
}
