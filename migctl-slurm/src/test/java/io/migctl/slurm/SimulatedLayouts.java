package io.migctl.slurm;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.ProfileName;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.util.Optional;

/**
 * Builds layouts on an in-memory simulated node through the driver's own calls, for Slurm tests.
 */
final class SimulatedLayouts {

  private final SimulatedMigDriver sim;

  SimulatedLayouts(String spec) {
    this.sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(spec));
  }

  SimulatedMigDriver driver() {
    return sim;
  }

  /** A GPU instance of {@code profile} at a placement the driver chooses, with its default CI. */
  SimulatedLayouts gi(int gpu, String profile) {
    GpuInstanceProfile p = profile(gpu, profile);
    return gi(gpu, profile, p.name().toString());
  }

  /** A GPU instance of {@code profile} with one compute instance of each of {@code cis}. */
  SimulatedLayouts gi(int gpu, String profile, String... cis) {
    GpuInstanceProfile p = profile(gpu, profile);
    GpuInstance gi = sim.createGpuInstance(gpu, p.id(), Optional.empty());
    for (String ci : cis) {
      ComputeInstanceProfile c =
          ComputeInstanceProfile.of(p).stream()
              .filter(x -> x.name().equals(ProfileName.parse(ci)))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException(ci + " is not a CI of " + profile));
      sim.createComputeInstance(gpu, gi.id(), c.id(), Optional.empty());
    }
    return this;
  }

  /** Turns MIG off on {@code gpu}, resetting it where the architecture waits for a reset. */
  SimulatedLayouts migOff(int gpu) {
    if (sim.setMigMode(gpu, false).current()) {
      sim.resetGpu(gpu);
    }
    return this;
  }

  private GpuInstanceProfile profile(int gpu, String name) {
    return sim.migModel(gpu).profile(ProfileName.parse(name)).orElseThrow();
  }
}
