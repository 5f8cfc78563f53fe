package io.migctl.core.mig.plan;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import java.util.ArrayList;
import java.util.List;

/** Builds live GPU snapshots for planner tests, without a driver. */
final class Layouts {

  private final GpuModel model;
  private final MigMode mode;
  private final List<GpuSnapshot.Instance> instances = new ArrayList<>();
  private int uuids;

  Layouts(GpuModel model) {
    this(model, MigMode.ENABLED);
  }

  Layouts(GpuModel model, MigMode mode) {
    this.model = model;
    this.mode = mode;
  }

  /** A GPU instance with its default compute instance; {@code pids} hold it (busy when any). */
  Layouts gi(String profile, int start, long... pids) {
    GpuInstanceProfile p = model.profile(ProfileName.parse(profile)).orElseThrow();
    ComputeInstanceProfile def =
        ComputeInstanceProfile.of(p).stream()
            .filter(ComputeInstanceProfile::isDefault)
            .findFirst()
            .orElseThrow();
    return gi(profile, start, List.of(new Ci(def.name().toString(), 0, pids)));
  }

  /** A compute instance for {@link #gi(String, int, List)}. */
  record Ci(String profile, int start, long... pids) {}

  /** A GPU instance with the given compute instances. */
  Layouts gi(String profile, int start, List<Ci> cis) {
    GpuInstanceProfile p = model.profile(ProfileName.parse(profile)).orElseThrow();
    Placement at = new Placement(start, p.memorySlices());
    int id = 100 + instances.size();
    List<GpuSnapshot.Compute> computes = new ArrayList<>();
    int ciId = 0;
    for (Ci ci : cis) {
      ComputeInstanceProfile cp =
          ComputeInstanceProfile.of(p).stream()
              .filter(c -> c.name().equals(ProfileName.parse(ci.profile())))
              .findFirst()
              .orElseThrow();
      String uuid = "MIG-test-" + (++uuids);
      List<DeviceProcess> holders = new ArrayList<>();
      for (long pid : ci.pids()) {
        holders.add(new DeviceProcess(pid, uuid, 0));
      }
      computes.add(
          new GpuSnapshot.Compute(
              new ComputeInstance(
                  0, id, ciId++, cp.id(), new Placement(ci.start(), cp.computeSlices()), uuid),
              cp,
              holders));
    }
    instances.add(new GpuSnapshot.Instance(new GpuInstance(0, id, p.id(), at), p, computes));
    return this;
  }

  GpuSnapshot snapshot() {
    GpuDevice device =
        new GpuDevice(
            0,
            "GPU-test",
            model.productName(),
            "00000000:01:00.0",
            model.pciDeviceId(),
            model.pciDeviceId(),
            model.memoryMiB(),
            mode);
    return new GpuSnapshot(device, model, instances);
  }
}
