package io.migctl.daemon.container;

import io.migctl.core.job.HostLimits;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The arguments of {@code run} that Docker and Podman read alike: the container removed when it
 * ends, named after the attempt, an init process that forwards signals, the network, the host
 * limits, the devices, the variables by name only and the read-only mounts, then the image and the
 * command (after the image, nothing is read as an option).
 */
final class RunArguments {

  private RunArguments() {}

  /**
   * @param initOptions what follows {@code --init}, such as Podman's {@code --init-path}
   * @param network the network the container joins ({@code none}: no network at all)
   */
  static List<String> of(
      ContainerJob job, DeviceAccess access, String network, List<String> initOptions) {
    List<String> a = new ArrayList<>(List.of("run", "--rm", "--name", job.name(), "--init"));
    a.addAll(initOptions);
    a.add("--network=" + network);
    job.user().ifPresent(u -> a.add("--user=" + u));
    job.workdir().ifPresent(w -> a.add("--workdir=" + w));
    limits(job.limits(), a);
    devices(job.devices(), access, a);
    job.variables().keySet().forEach(name -> a.add("--env=" + name));
    for (Path m : job.readOnlyMounts()) {
      a.add("--volume=" + m + ":" + m + ":ro");
    }
    a.add(job.image());
    a.addAll(job.command());
    return a;
  }

  /**
   * Each device's nodes (those that several devices share, such as {@code nvidiactl} and a GPU's
   * own node under two of its MIG devices, once), or each MIG device by its CDI name.
   *
   * @throws IllegalArgumentException for a whole GPU under CDI, whose MIG devices CDI names
   */
  private static void devices(
      List<ContainerJob.Device> devices, DeviceAccess access, List<String> a) {
    Set<String> flags = new LinkedHashSet<>();
    for (ContainerJob.Device d : devices) {
      switch (access) {
        case NODES ->
            d.nodes()
                .forEach(
                    n -> flags.add("--device=" + n.hostPath() + ":" + n.containerPath() + ":rwm"));
        case CDI -> {
          if (d.whole()) {
            throw new IllegalArgumentException(
                "a whole GPU cannot reach a container through CDI: this daemon's CDI spec ("
                    + DeviceAccess.CDI_KIND
                    + ") names MIG devices only; ask for MIG devices, or serve without --cdi-spec"
                    + " so that containers get their devices' nodes");
          }
          flags.add("--device=" + DeviceAccess.CDI_KIND + "=" + d.uuid());
        }
      }
    }
    a.addAll(flags);
  }

  private static void limits(HostLimits limits, List<String> a) {
    limits
        .memoryMiB()
        .ifPresent(
            mib -> {
              a.add("--memory=" + mib + "m");
              // The same again for memory and swap together: no swapping past the limit.
              a.add("--memory-swap=" + mib + "m");
            });
    limits
        .cpuMillis()
        .ifPresent(
            m -> a.add("--cpus=" + BigDecimal.valueOf(m, 3).stripTrailingZeros().toPlainString()));
    limits.maxProcs().ifPresent(p -> a.add("--pids-limit=" + p));
  }
}
