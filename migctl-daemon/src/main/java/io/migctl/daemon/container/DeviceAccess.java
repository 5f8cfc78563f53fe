package io.migctl.daemon.container;

/**
 * How a container is given its MIG device.
 *
 * <p>The rule ({@link #choose}): CDI where all three hold — the NVIDIA container toolkit ({@code
 * nvidia-ctk}) is installed, the engine resolves CDI names (Podman 4.1 and later always; Docker 25
 * and later with CDI enabled, which {@code docker info} shows as CDI spec folders), and the daemon
 * keeps a CDI spec of this node's MIG devices current ({@code serve --cdi-spec}); otherwise the
 * device nodes one by one. Both give the container exactly the job's nodes; CDI also lets the
 * toolkit's hooks add the driver's libraries.
 */
public enum DeviceAccess {
  /** {@code --device HOST:CONTAINER:rwm} for each of the device's nodes. */
  NODES,
  /** {@code --device nvidia.com/mig=<uuid>}, resolved by the engine from the CDI spec. */
  CDI;

  /** The CDI kind of the MIG devices in the spec that {@code migctl cdi generate} writes. */
  public static final String CDI_KIND = "nvidia.com/mig";

  /** The rule above. */
  public static DeviceAccess choose(boolean toolkit, boolean engineResolvesCdi, boolean specKept) {
    return toolkit && engineResolvesCdi && specKept ? CDI : NODES;
  }
}
