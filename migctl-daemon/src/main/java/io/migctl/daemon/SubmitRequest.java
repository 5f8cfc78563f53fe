package io.migctl.daemon;

import io.migctl.core.job.Durations;
import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.HostLimits;
import io.migctl.core.job.JobSpec;
import io.migctl.core.mig.ProfileName;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The body of {@code POST /api/v1/jobs}. Unknown fields are refused, so a typo never goes unseen.
 *
 * @param gpu a MIG profile such as {@code 2g.10gb}, or {@code none}
 * @param gpuMemory instead of a profile: at least this much memory, e.g. {@code 8GiB}
 * @param gpuCompute with {@code gpuMemory}: at least this many compute slices (default 1)
 * @param timeout e.g. {@code 90s}, {@code 10m}, {@code 2h} or ISO-8601
 * @param env extra environment variables
 * @param memory host memory limit of the job's processes, e.g. {@code 16GiB}
 * @param cpus CPU limit in cores, e.g. {@code 4} or {@code 0.5}
 * @param maxProcs limit on the job's processes and threads
 * @param image a container image to run the command in; the workdir is then a path in it
 * @param count with {@code gpu} or {@code gpuMemory}: how many such MIG devices at once (default 1)
 * @param gpus instead of a MIG device: how many whole GPUs at once; {@code gpuMemory} is then the
 *     least memory of each
 * @param gpuModel with {@code gpus}: the GPU model key, e.g. {@code a100-40gb}
 */
public record SubmitRequest(
    String name,
    List<String> command,
    String workdir,
    String environment,
    String gpu,
    String gpuMemory,
    Integer gpuCompute,
    Integer priority,
    String tenant,
    String timeout,
    Integer retries,
    Map<String, String> env,
    String memory,
    String cpus,
    Integer maxProcs,
    String image,
    Integer count,
    Integer gpus,
    String gpuModel) {

  /**
   * The job spec this request asks for.
   *
   * @throws DaemonException {@code invalid} naming the field and how to fix it
   */
  public JobSpec toSpec() {
    try {
      return new JobSpec(
              name == null ? defaultName() : name,
              command == null ? List.of() : command,
              Optional.ofNullable(workdir),
              Optional.ofNullable(environment),
              need(),
              priority == null ? 0 : priority,
              tenant,
              Optional.ofNullable(timeout).map(t -> field("timeout", () -> Durations.parse(t))),
              retries == null ? 0 : retries,
              env == null ? Map.of() : env)
          .withLimits(
              HostLimits.parse(
                  Optional.ofNullable(memory),
                  Optional.ofNullable(cpus),
                  Optional.ofNullable(maxProcs)))
          .withImage(Optional.ofNullable(image));
    } catch (IllegalArgumentException e) {
      throw DaemonException.invalid(e.getMessage());
    }
  }

  private GpuNeed need() {
    if (gpus != null) {
      return wholeGpus();
    }
    if (gpuModel != null) {
      throw DaemonException.invalid(
          "gpuModel: goes with gpus (whole GPUs); a MIG profile names its model itself");
    }
    GpuNeed device = device();
    if (count == null || count == 1) {
      return device;
    }
    if (device instanceof GpuNeed.None) {
      throw DaemonException.invalid(
          "count: says how many MIG devices of gpu or gpuMemory; give one of them too");
    }
    return field("count", () -> new GpuNeed.MigDevices(device, count));
  }

  private GpuNeed wholeGpus() {
    if (gpu != null && !gpu.isBlank() && !gpu.strip().equalsIgnoreCase("none")) {
      throw DaemonException.invalid(
          "gpus: asks for whole GPUs; leave gpu out, or leave gpus out to ask for MIG devices");
    }
    if (count != null || gpuCompute != null) {
      throw DaemonException.invalid(
          (count != null ? "count" : "gpuCompute")
              + ": goes with MIG devices; gpus alone says how many whole GPUs");
    }
    java.util.OptionalLong mib =
        gpuMemory == null
            ? java.util.OptionalLong.empty()
            : java.util.OptionalLong.of(
                field("gpuMemory", () -> GpuNeed.parseMemoryMiB(gpuMemory)));
    return field("gpus", () -> new GpuNeed.WholeGpus(gpus, Optional.ofNullable(gpuModel), mib));
  }

  private GpuNeed device() {
    boolean profile = gpu != null && !gpu.isBlank() && !gpu.strip().equalsIgnoreCase("none");
    if (profile && gpuMemory != null) {
      throw DaemonException.invalid(
          "gpu: give either a profile (gpu) or a memory size (gpuMemory), not both");
    }
    if (gpuCompute != null && gpuMemory == null) {
      throw DaemonException.invalid("gpuCompute: goes with gpuMemory; for a profile leave it out");
    }
    if (profile) {
      return new GpuNeed.Profile(field("gpu", () -> ProfileName.parse(gpu.strip())));
    }
    if (gpuMemory != null) {
      long mib = field("gpuMemory", () -> GpuNeed.parseMemoryMiB(gpuMemory));
      int compute = gpuCompute == null ? 1 : gpuCompute;
      return field("gpuCompute", () -> new GpuNeed.Memory(mib, compute));
    }
    return GpuNeed.NONE;
  }

  private String defaultName() {
    if (command == null || command.isEmpty() || command.getFirst() == null) {
      return "job";
    }
    String program = command.getFirst();
    String base = program.substring(program.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "");
    base = base.replaceFirst("^[._-]+", "");
    return base.isEmpty() ? "job" : base.substring(0, Math.min(base.length(), 63));
  }

  private static <T> T field(String name, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw DaemonException.invalid(name + ": " + e.getMessage());
    }
  }
}
