package io.migctl.daemon.container;

import io.migctl.core.job.HostLimits;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt of a job as a container engine is to run it.
 *
 * @param name the container's name, {@link #nameOf} the job and attempt
 * @param image the image reference, as the job spec validated it
 * @param command the program and its arguments inside the container, passed verbatim
 * @param variables the container's environment variables (the image's own come first)
 * @param workdir the working directory inside the container; empty for the image's
 * @param limits host memory, CPU and processes, enforced by the engine's cgroup
 * @param devices the job's MIG devices or whole GPUs, in the job's order; none for a job without a
 *     GPU
 * @param readOnlyMounts host folders mounted read-only at the same path: the environment build
 * @param user {@code uid:gid} the command runs as; empty for the image's user
 */
public record ContainerJob(
    String name,
    String image,
    List<String> command,
    Map<String, String> variables,
    Optional<String> workdir,
    HostLimits limits,
    List<Device> devices,
    List<Path> readOnlyMounts,
    Optional<String> user) {

  public ContainerJob {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(image, "image");
    command = List.copyOf(command);
    variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    Objects.requireNonNull(workdir, "workdir");
    Objects.requireNonNull(limits, "limits");
    devices = List.copyOf(devices);
    readOnlyMounts = List.copyOf(readOnlyMounts);
    Objects.requireNonNull(user, "user");
    if (image.startsWith("-")) {
      throw new IllegalArgumentException("an image reference cannot start with '-': " + image);
    }
  }

  /**
   * A MIG device or a whole GPU as a container gets it.
   *
   * @param uuid its {@code MIG-…} UUID (what CDI names it by), or a whole GPU's {@code GPU-…}
   * @param whole a whole GPU (MIG off), which CDI's MIG devices do not name
   * @param nodes the character devices that grant it, each at its path on the host and in the
   *     container
   */
  public record Device(String uuid, boolean whole, List<Node> nodes) {
    public Device {
      Objects.requireNonNull(uuid, "uuid");
      nodes = List.copyOf(nodes);
    }
  }

  /**
   * A device node: where it is on the host (the simulated node keeps its nodes under its state
   * folder) and where the container sees it ({@code /dev/nvidia0}).
   */
  public record Node(Path hostPath, Path containerPath) {
    public Node {
      Objects.requireNonNull(hostPath, "hostPath");
      Objects.requireNonNull(containerPath, "containerPath");
    }
  }

  /** The name of an attempt's container: {@code migctl-<job>-<attempt>}. */
  public static String nameOf(long jobId, int attempt) {
    return "migctl-" + jobId + "-" + attempt;
  }
}
