package io.migctl.daemon;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.LayoutApplier;
import io.migctl.apply.MigPartedFiles;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ForwardingMigDriver;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * A process that applies a mig-parted file to a persistent simulated node and dies the way {@code
 * kill -9} kills (no finally blocks, no shutdown hooks) right after its N-th driver call that
 * changes a GPU: the call is done, its {@code step-done} line is not written. For recovery tests.
 *
 * <p>Arguments: {@code HOME SPEC CONFIG_FILE N}; the node's state is under {@code HOME/sim}, the
 * journal is {@code HOME/mig/journal.jsonl}.
 */
public final class ApplyThatDies {

  /** The exit status of a process killed by SIGKILL. */
  public static final int KILLED = 137;

  private ApplyThatDies() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    SimulatedMigDriver sim =
        SimulatedMigDriver.persistent(SimulatedNodeSpec.parse(args[1]), home.resolve("sim"));
    String config = Files.readString(Path.of(args[2]));
    int dieAfter = Integer.parseInt(args[3]);
    MigDriver dying = new Dying(sim, dieAfter);
    var entries = MigPartedFiles.readConfig(config, args[2]).select(Optional.empty());
    new LayoutApplier(
            dying,
            new ApplyJournal(home.resolve("mig/journal.jsonl"), Clock.systemUTC()),
            ApplyHooks.NONE,
            () -> UUID.randomUUID().toString(),
            line -> {})
        .apply(DesiredLayouts.resolve(entries, GpuSnapshot.readAll(sim)));
    System.exit(0);
  }

  private static final class Dying extends ForwardingMigDriver {
    private int left;

    Dying(MigDriver delegate, int calls) {
      super(delegate);
      this.left = calls;
    }

    private <T> T counted(T result) {
      if (--left == 0) {
        Runtime.getRuntime().halt(KILLED);
      }
      return result;
    }

    @Override
    public GpuInstance createGpuInstance(int gpu, int profileId, Optional<Placement> placement) {
      return counted(delegate.createGpuInstance(gpu, profileId, placement));
    }

    @Override
    public ComputeInstance createComputeInstance(
        int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement) {
      return counted(delegate.createComputeInstance(gpu, gpuInstanceId, profileId, placement));
    }

    @Override
    public void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId) {
      delegate.destroyComputeInstance(gpu, gpuInstanceId, computeInstanceId);
      counted(null);
    }

    @Override
    public void destroyGpuInstance(int gpu, int gpuInstanceId) {
      delegate.destroyGpuInstance(gpu, gpuInstanceId);
      counted(null);
    }

    @Override
    public io.migctl.core.mig.MigMode setMigMode(int gpu, boolean enabled) {
      return counted(delegate.setMigMode(gpu, enabled));
    }

    @Override
    public void resetGpu(int gpu) {
      delegate.resetGpu(gpu);
      counted(null);
    }
  }
}
