package io.migctl.core.mig.change;

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

/** Builds live GPU snapshots for core tests, without a driver. */
public final class Layouts {

  private final GpuModel model;
  private final MigMode mode;
  private final List<GpuSnapshot.Instance> instances = new ArrayList<>();
  private int index;
  private int uuids;

  public Layouts(GpuModel model) {
    this(model, MigMode.ENABLED);
  }

  public Layouts(GpuModel model, MigMode mode) {
    this.model = model;
    this.mode = mode;
  }

  /** The GPU's index on its node (0 unless set). */
  public Layouts index(int gpu) {
    this.index = gpu;
    return this;
  }

  /** A GPU instance with its default compute instance; {@code pids} hold it (busy when any). */
  public Layouts gi(String profile, int start, long... pids) {
    GpuInstanceProfile p = model.profile(ProfileName.parse(profile)).orElseThrow();
    ComputeInstanceProfile def =
        ComputeInstanceProfile.of(p).stream()
            .filter(ComputeInstanceProfile::isDefault)
            .findFirst()
            .orElseThrow();
    return gi(profile, start, List.of(new Ci(def.name().toString(), 0, pids)));
  }

  /** A compute instance for {@link #gi(String, int, List)}. */
  public record Ci(String profile, int start, long... pids) {}

  /** A GPU instance with the given compute instances. */
  public Layouts gi(String profile, int start, List<Ci> cis) {
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
                  index, id, ciId++, cp.id(), new Placement(ci.start(), cp.computeSlices()), uuid),
              cp,
              holders));
    }
    instances.add(new GpuSnapshot.Instance(new GpuInstance(index, id, p.id(), at), p, computes));
    return this;
  }

  public GpuSnapshot snapshot() {
    GpuDevice device =
        new GpuDevice(
            index,
            "GPU-test-" + index,
            model.productName(),
            "00000000:01:00.0",
            model.pciDeviceId(),
            model.pciDeviceId(),
            model.memoryMiB(),
            mode);
    return new GpuSnapshot(device, model, instances);
  }
}
