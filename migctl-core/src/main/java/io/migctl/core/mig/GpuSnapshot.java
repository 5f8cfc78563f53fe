package io.migctl.core.mig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One GPU as it is now: the device, its MIG geometry, and every instance with its compute instances
 * and the processes holding them. Decisions take snapshots; they never call the driver.
 */
public record GpuSnapshot(GpuDevice device, GpuModel model, List<Instance> instances) {

  public GpuSnapshot {
    instances = List.copyOf(instances);
  }

  /** A GPU instance with its profile and compute instances. */
  public record Instance(
      GpuInstance gpuInstance, GpuInstanceProfile profile, List<Compute> computeInstances) {
    public Instance {
      computeInstances = List.copyOf(computeInstances);
    }

    /** Whether any process holds any of its compute instances. */
    public boolean isBusy() {
      return computeInstances.stream().anyMatch(Compute::isBusy);
    }

    /** This instance as a layout entry. */
    public PlacedInstance placed() {
      return new PlacedInstance(
          profile,
          gpuInstance.placement(),
          computeInstances.stream()
              .map(c -> new PlacedComputeInstance(c.profile(), c.computeInstance().placement()))
              .toList());
    }
  }

  /** A compute instance (a MIG device) with its profile and holders. */
  public record Compute(
      ComputeInstance computeInstance,
      ComputeInstanceProfile profile,
      List<DeviceProcess> processes) {
    public Compute {
      processes = List.copyOf(processes);
    }

    public boolean isBusy() {
      return !processes.isEmpty();
    }
  }

  /** The live layout. */
  public Layout layout() {
    return new Layout(instances.stream().map(Instance::placed).toList());
  }

  /**
   * Reads every GPU through the driver. GPUs with MIG disabled have no instances.
   *
   * @throws MigDriverException when the driver fails
   */
  public static List<GpuSnapshot> readAll(MigDriver driver) {
    List<GpuSnapshot> out = new ArrayList<>();
    for (GpuDevice device : driver.gpus()) {
      out.add(read(driver, device));
    }
    return out;
  }

  /** Reads one GPU through the driver. */
  public static GpuSnapshot read(MigDriver driver, GpuDevice device) {
    GpuModel model = driver.migModel(device.index());
    List<Instance> instances = new ArrayList<>();
    if (device.migMode().current()) {
      List<DeviceProcess> processes = driver.processes(device.index());
      List<GpuInstance> gis = new ArrayList<>(driver.gpuInstances(device.index()));
      gis.sort(Comparator.comparing(GpuInstance::placement));
      for (GpuInstance gi : gis) {
        GpuInstanceProfile profile =
            model
                .profile(gi.profileId())
                .orElseThrow(
                    () ->
                        new MigDriverException(
                            DriverError.UNKNOWN,
                            "read GPU instance " + gi.id() + " on GPU " + device.index(),
                            "profile id " + gi.profileId() + " is not in the GPU's profile table"));
        List<ComputeInstanceProfile> ciProfiles = model.computeInstanceProfiles(profile);
        List<Compute> computes = new ArrayList<>();
        for (ComputeInstance ci : driver.computeInstances(device.index(), gi.id())) {
          ComputeInstanceProfile ciProfile =
              ciProfiles.stream()
                  .filter(p -> p.id() == ci.profileId())
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new MigDriverException(
                              DriverError.UNKNOWN,
                              "read compute instance " + ci.id() + " of GPU instance " + gi.id(),
                              "compute-instance profile id " + ci.profileId() + " is unknown"));
          computes.add(
              new Compute(
                  ci,
                  ciProfile,
                  processes.stream().filter(p -> p.deviceUuid().equals(ci.uuid())).toList()));
        }
        computes.sort(Comparator.comparing(c -> c.computeInstance().placement()));
        instances.add(new Instance(gi, profile, computes));
      }
    }
    return new GpuSnapshot(device, model, instances);
  }
}
