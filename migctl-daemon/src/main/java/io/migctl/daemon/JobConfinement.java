package io.migctl.daemon;

import io.migctl.core.job.HostLimits;
import io.migctl.core.job.Job;
import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantDirectory;
import io.migctl.daemon.confine.ConfineRequest;
import io.migctl.daemon.confine.Confinement;
import io.migctl.daemon.confine.NoConfinement;
import io.migctl.daemon.run.LaunchConfinement;
import io.migctl.nvidia.dev.DeviceNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The confinement port of the job runtime, with what it needs to know of a job: the device nodes of
 * a MIG device (from the node's {@code DeviceNodes}). Turns a job's attempt into a {@link
 * ConfineRequest}: its tenant's Unix user, its device's nodes, its host limits (the job's, each
 * missing one taken from its tenant's defaults).
 *
 * @param confinement what confines attempts
 * @param deviceNodes the nodes of the MIG device a job was given
 */
public record JobConfinement(
    Confinement confinement, Function<Job.Device, List<DeviceNode>> deviceNodes) {

  public JobConfinement {
    Objects.requireNonNull(confinement, "confinement");
    Objects.requireNonNull(deviceNodes, "deviceNodes");
  }

  /** No confinement, for runtimes in tests and tools; says so in {@code why}. */
  public static JobConfinement none(String why) {
    return new JobConfinement(new NoConfinement(why), d -> List.of());
  }

  /** The attempt's name: {@code <job id>-<attempt>}. */
  static String attemptName(long id, int attempt) {
    return id + "-" + attempt;
  }

  /** The request that confines {@code job}'s current attempt. */
  ConfineRequest request(Job job, TenantDirectory tenants) {
    Tenant tenant = tenants.resolve(job.spec().tenant());
    HostLimits limits = job.spec().limits().orElse(tenant.jobDefaults());
    // Every device's nodes; the ones they share (nvidiactl, nvidia-uvm, a GPU's) once.
    List<DeviceNode> nodes =
        job.devices().stream().flatMap(d -> deviceNodes.apply(d).stream()).distinct().toList();
    return new ConfineRequest(
        attemptName(job.id(), job.attempt()), tenant.unixUser(), nodes, limits);
  }

  /** Prepares {@code job}'s current attempt. */
  LaunchConfinement prepare(Job job, TenantDirectory tenants) {
    return confinement.prepare(request(job, tenants));
  }

  /** Releases an attempt; what the confinement did to it, if anything. */
  Optional<String> release(long id, int attempt) {
    return confinement.release(attemptName(id, attempt));
  }
}
