package io.migctl.daemon;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.migctl.core.job.Durations;
import io.migctl.core.job.HostLimits;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.WaitingReason;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.env.store.EnvironmentBuild;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the API returns, as JSON-friendly records. Field names are part of the API. */
public final class Views {
  private Views() {}

  /**
   * A job. {@code waiting} says why a queued job waits, in words; {@code wait} says it as data: its
   * {@code kind} and fields (see {@link WaitingText#json}).
   */
  public record JobView(
      long id,
      String name,
      String state,
      String tenant,
      int priority,
      int attempt,
      int maxRetries,
      List<String> command,
      String workdir,
      String environment,
      String environmentBuild,
      String gpu,
      Long requiredMemoryMiB,
      Integer requiredComputeSlices,
      DeviceView device,
      List<DeviceView> devices,
      Instant submittedAt,
      Instant startedAt,
      Instant finishedAt,
      Integer exitStatus,
      String reason,
      String waiting,
      // "wait" names Object.wait(), which a record component cannot be.
      @JsonProperty("wait") Map<String, Object> waitReason,
      String timeout,
      Long supervisorPid,
      Map<String, String> env,
      String image,
      Map<String, Object> limits) {

    /** A job and, for a queued job, why it waits, in words ({@code waiting}) and as data. */
    public static JobView of(Job j, Optional<WaitingReason> waiting) {
      return new JobView(
          j.id(),
          j.spec().name(),
          j.state().wireName(),
          j.spec().tenant(),
          j.spec().priority(),
          j.attempt(),
          j.spec().maxRetries(),
          j.spec().command(),
          j.spec().workdir().orElse(null),
          j.spec().environment().orElse(null),
          j.environmentBuild().orElse(null),
          j.spec().gpu().toString(),
          j.requirement().map(r -> r.memoryMiB()).orElse(null),
          j.requirement().map(r -> r.computeSlices()).orElse(null),
          j.device().map(DeviceView::of).orElse(null),
          j.devices().stream().map(DeviceView::of).toList(),
          j.submittedAt(),
          j.startedAt().orElse(null),
          j.finishedAt().orElse(null),
          j.exitStatus().isPresent() ? j.exitStatus().getAsInt() : null,
          j.reason().orElse(null),
          waiting.map(WaitingText::describe).orElse(null),
          waiting.map(WaitingText::json).orElse(null),
          j.spec().timeout().map(Durations::format).orElse(null),
          j.supervisor().map(Job.Supervisor::pid).orElse(null),
          j.spec().variables(),
          j.spec().image().orElse(null),
          limits(j.spec().limits()));
    }

    /**
     * The host limits the job asked for ({@code memoryMiB}, {@code cpus}, {@code maxProcs}), each
     * only when set; null when none is (its tenant's defaults then apply).
     */
    private static Map<String, Object> limits(HostLimits l) {
      if (l.isEmpty()) {
        return null;
      }
      Map<String, Object> out = new LinkedHashMap<>();
      l.memoryMiB().ifPresent(m -> out.put("memoryMiB", m));
      l.cpuMillis().ifPresent(c -> out.put("cpus", c / 1000.0));
      l.maxProcs().ifPresent(p -> out.put("maxProcs", p));
      return out;
    }
  }

  /**
   * A MIG device or whole GPU of a job ({@code gpuInstanceId} -1 and the model as {@code profile}
   * for a whole GPU).
   */
  public record DeviceView(String uuid, int gpu, int gpuInstanceId, String profile) {
    static DeviceView of(Job.Device d) {
      return new DeviceView(d.uuid(), d.gpu(), d.gpuInstanceId(), d.profile());
    }
  }

  /** One line of a job's history. */
  public record EventView(
      long seq,
      long jobId,
      Instant at,
      String from,
      String to,
      int attempt,
      String kind,
      String detail,
      String device) {
    public static EventView of(JobEvent e) {
      return new EventView(
          e.seq(),
          e.jobId(),
          e.at(),
          e.from().wireName(),
          e.to().wireName(),
          e.attempt(),
          e.kind(),
          e.detail(),
          e.device().orElse(null));
    }
  }

  /** A GPU with its MIG devices and the jobs on them. */
  public record GpuView(
      int index,
      String uuid,
      String model,
      boolean migEnabled,
      int memorySlices,
      int computeSlices,
      List<InstanceView> instances) {}

  /**
   * A MIG device. {@code job} is the id of the job holding it, when one does, {@code tenant} that
   * job's tenant.
   */
  public record InstanceView(
      String profile,
      int start,
      int size,
      int gi,
      int ci,
      String uuid,
      boolean busy,
      Long job,
      String jobName,
      String tenant,
      Boolean otherTenant) {

    /**
     * This device without its job's id, name and tenant: what a tenant sees of others' jobs. It
     * says that another tenant's job holds it, so that it is not taken for a stray process.
     */
    public InstanceView withoutJob() {
      return new InstanceView(
          profile, start, size, gi, ci, uuid, true, null, null, null, job != null ? true : null);
    }
  }

  public static List<GpuView> gpus(List<GpuSnapshot> gpus, Map<String, Job> jobsByDevice) {
    List<GpuView> out = new ArrayList<>();
    for (GpuSnapshot g : gpus) {
      List<InstanceView> instances = new ArrayList<>();
      for (GpuSnapshot.Instance gi : g.instances()) {
        for (GpuSnapshot.Compute ci : gi.computeInstances()) {
          Job job = jobsByDevice.get(ci.computeInstance().uuid());
          instances.add(
              new InstanceView(
                  gi.computeInstances().size() > 1
                      ? ci.profile().name().toString()
                      : gi.profile().name().toString(),
                  gi.gpuInstance().placement().start(),
                  gi.gpuInstance().placement().size(),
                  gi.gpuInstance().id(),
                  ci.computeInstance().id(),
                  ci.computeInstance().uuid(),
                  ci.isBusy(),
                  job == null ? null : job.id(),
                  job == null ? null : job.spec().name(),
                  job == null ? null : job.spec().tenant(),
                  null));
        }
      }
      out.add(
          new GpuView(
              g.device().index(),
              g.device().uuid(),
              g.device().productName(),
              g.device().migMode().current(),
              g.model().memorySlices(),
              g.model().computeSlices(),
              instances));
    }
    return out;
  }

  /** An environment build. */
  public record EnvironmentView(
      String id,
      String shortId,
      String backend,
      List<String> names,
      Instant created,
      String prefix) {
    public static EnvironmentView of(EnvironmentBuild b) {
      return new EnvironmentView(
          b.id(), b.shortId(), b.backend(), b.names(), b.created(), b.prefix().toString());
    }
  }

  /** An error: a stable code and a message that says what to fix. */
  public record ErrorView(String code, String message) {}
}
