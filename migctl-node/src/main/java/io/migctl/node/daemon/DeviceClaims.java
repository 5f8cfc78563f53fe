package io.migctl.node.daemon;

import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.MigDriver;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tells the driver which process holds which MIG device. The simulated node needs to be told (it
 * marks the device busy); a real GPU sees the job's CUDA process by itself, so there it does
 * nothing.
 */
interface DeviceClaims {

  void hold(String migUuid, long pid);

  void release(String migUuid, long pid);

  /** Every (device, holder) the driver knows of. */
  List<DeviceProcess> holders();

  static DeviceClaims of(MigDriver driver) {
    if (driver instanceof SimulatedMigDriver sim) {
      return new Simulated(sim);
    }
    return new Observed(driver);
  }

  /** The simulated node: claims are recorded in its state. */
  record Simulated(SimulatedMigDriver sim) implements DeviceClaims {
    @Override
    public void hold(String migUuid, long pid) {
      sim.hold(migUuid, pid);
    }

    @Override
    public void release(String migUuid, long pid) {
      sim.release(migUuid, Optional.of(pid));
    }

    @Override
    public List<DeviceProcess> holders() {
      List<DeviceProcess> out = new ArrayList<>();
      for (GpuDevice g : sim.gpus()) {
        if (g.migMode().current()) {
          out.addAll(sim.processes(g.index()));
        }
      }
      return out;
    }
  }

  /** A real driver: it sees processes itself; nothing to record. */
  record Observed(MigDriver driver) implements DeviceClaims {
    @Override
    public void hold(String migUuid, long pid) {}

    @Override
    public void release(String migUuid, long pid) {}

    @Override
    public List<DeviceProcess> holders() {
      return List.of();
    }
  }
}
