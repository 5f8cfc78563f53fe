package io.migctl.daemon;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.MigDriver;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which process holds which MIG device, as the daemon placed its jobs. The simulated node is told
 * (it marks the device busy). A real GPU sees a job's CUDA process only once the process opens the
 * device, seconds after the job started; until then the claims are kept here, and {@link #view()}
 * shows them among each GPU's processes, so that a layout change planned through it keeps the
 * instance of a job that has not opened it yet.
 */
public interface DeviceClaims {

  void hold(String migUuid, long pid);

  void release(String migUuid, long pid);

  /** Every (device, holder) claimed. */
  List<DeviceProcess> holders();

  /** The driver with the claims among each GPU's processes. */
  MigDriver view();

  /** Claims recorded in the simulated node's state. */
  public static DeviceClaims simulated(SimulatedMigDriver sim) {
    return new Simulated(sim);
  }

  /** Claims kept in memory beside a real driver. */
  public static DeviceClaims recorded(MigDriver driver) {
    return new Recorded(driver);
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

    @Override
    public MigDriver view() {
      return sim;
    }
  }

  /** A real driver: the claims are kept in memory and shown by {@link #view()}. */
  final class Recorded implements DeviceClaims {
    private final MigDriver driver;
    private final Set<DeviceProcess> claims = ConcurrentHashMap.newKeySet();

    Recorded(MigDriver driver) {
      this.driver = driver;
    }

    @Override
    public void hold(String migUuid, long pid) {
      claims.add(new DeviceProcess(pid, migUuid, 0));
    }

    @Override
    public void release(String migUuid, long pid) {
      claims.remove(new DeviceProcess(pid, migUuid, 0));
    }

    @Override
    public List<DeviceProcess> holders() {
      return List.copyOf(claims);
    }

    @Override
    public MigDriver view() {
      return new ClaimingDriver(driver, this);
    }

    /** The claims on the MIG devices of {@code gpu}. */
    List<DeviceProcess> on(int gpu) {
      if (claims.isEmpty()) {
        return List.of();
      }
      Set<String> devices = new HashSet<>();
      for (GpuInstance gi : driver.gpuInstances(gpu)) {
        for (ComputeInstance ci : driver.computeInstances(gpu, gi.id())) {
          devices.add(ci.uuid());
        }
      }
      return claims.stream().filter(c -> devices.contains(c.deviceUuid())).toList();
    }
  }
}
