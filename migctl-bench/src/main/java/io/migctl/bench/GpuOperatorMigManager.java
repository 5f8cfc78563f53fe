package io.migctl.bench;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredInstance;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.core.mig.change.LayoutAssertion;
import io.migctl.core.mig.config.MigPartedConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The GPU Operator's MIG manager handling one label change, over a {@link CountingMigDriver}: the
 * baseline migctl's agent is compared with. Written from the behaviour of NVIDIA mig-parted's
 * {@code pkg/mig/reconfigure/reconfigure.go} (what the operator's {@code nvidia-mig-manager} runs),
 * {@code cmd/nvidia-mig-parted/apply/apply.go}, {@code mode.go} and {@code config.go}, and {@code
 * cmd/nvidia-mig-parted/util/device.go} (NVIDIA/mig-parted at bd7160f, August 2026), not from its
 * code.
 *
 * <ol>
 *   <li>{@code mig-parted assert} on the whole config (MIG mode and MIG devices by profile, {@link
 *       LayoutAssertion}): when every GPU is as asked, {@code success} and nothing is paused.
 *   <li>Otherwise the operator's clients are paused (the caller counts that), then {@code
 *       mig-parted apply --mode-only}; when it fails the manager goes on (no reboot is configured
 *       by default).
 *   <li>{@code mig-parted apply}: it asserts the MIG mode again and, when that still fails, applies
 *       the mode again; an error there fails the change.
 *   <li>Its config step walks the GPUs the config selects in index order and stops at the first
 *       error: a GPU whose mode is not the asked one is an error; a GPU with MIG off is skipped; a
 *       GPU whose MIG devices already count as asked is skipped; any other GPU is applied by {@link
 *       MigPartedBaseline} (clear it all, create every device again).
 * </ol>
 *
 * <p>Applying the MIG mode walks the selected GPUs in index order: a GPU whose MIG mode is on is
 * cleared first ({@link MigPartedBaseline#clear}: the whole GPU, even when its mode is already the
 * asked one; a busy device stops the clear and fails the step), then its mode is set (even when
 * unchanged). When any GPU then has a mode change pending (Ampere), <em>every GPU of the node</em>
 * is reset ({@code ResetAllGPUs}: {@code nvidia-smi -r -i} with every GPU's bus id), not only the
 * ones whose mode changes; a reset wipes a GPU's MIG devices.
 *
 * <p>Kubelet allocations are invisible to it: a MIG device allocated to a pod that runs no process
 * is destroyed like an idle one.
 */
final class GpuOperatorMigManager {

  /**
   * What the manager did.
   *
   * @param paused whether it paused the operator's clients (the assert failed)
   * @param error why the change failed, if it did
   */
  record Result(boolean paused, Optional<String> error) {}

  private final CountingMigDriver driver;
  private final MigPartedBaseline migParted;

  GpuOperatorMigManager(CountingMigDriver driver) {
    this.driver = driver;
    this.migParted = new MigPartedBaseline(driver);
  }

  /** Handles the label naming {@code config} of {@code file}. */
  Result reconfigure(MigPartedConfig file, String config) {
    Map<Integer, DesiredGpu> desired =
        new TreeMap<>(
            DesiredLayouts.resolve(file.select(Optional.of(config)), GpuSnapshot.readAll(driver)));
    if (asserted(desired)) {
      return new Result(false, Optional.empty());
    }
    applyModeIfNeeded(desired);
    Optional<String> error = applyModeIfNeeded(desired);
    if (error.isEmpty()) {
      error = applyConfig(desired);
    }
    return new Result(true, error);
  }

  private boolean asserted(Map<Integer, DesiredGpu> desired) {
    for (GpuSnapshot g : GpuSnapshot.readAll(driver)) {
      DesiredGpu want = desired.get(g.device().index());
      if (want != null && !LayoutAssertion.differences(g, want).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private Optional<String> applyModeIfNeeded(Map<Integer, DesiredGpu> desired) {
    boolean modeAsserted =
        desired.values().stream()
            .allMatch(
                want -> {
                  MigMode m = mode(want.gpu());
                  return m.current() == want.migEnabled() && m.pending() == want.migEnabled();
                });
    if (modeAsserted) {
      return Optional.empty();
    }
    boolean anyPending = false;
    for (DesiredGpu want : desired.values()) {
      int gpu = want.gpu();
      if (mode(gpu).current() && !migParted.clear(gpu)) {
        return Optional.of(
            "GPU " + gpu + ": clearing its MIG devices before the mode change failed (a busy one)");
      }
      try {
        anyPending |= driver.setMigMode(gpu, want.migEnabled()).isChangePending();
      } catch (MigDriverException e) {
        return Optional.of("GPU " + gpu + ": setting the MIG mode failed: " + e.getMessage());
      }
    }
    if (anyPending) {
      for (GpuDevice d : driver.gpus()) {
        try {
          driver.resetGpu(d.index());
        } catch (MigDriverException e) {
          return Optional.of("resetting all GPUs failed: " + e.getMessage());
        }
      }
    }
    return Optional.empty();
  }

  private Optional<String> applyConfig(Map<Integer, DesiredGpu> desired) {
    for (DesiredGpu want : desired.values()) {
      int gpu = want.gpu();
      boolean on = mode(gpu).current();
      if (want.migEnabled() != on) {
        return Optional.of(
            "GPU "
                + gpu
                + ": MIG mode is "
                + (on ? "on" : "off")
                + " but the config wants it "
                + (want.migEnabled() ? "on" : "off"));
      }
      if (!on) {
        continue;
      }
      MigPartedBaseline.Result r = migParted.apply(gpu, counts(want));
      if (r.outcome() == MigPartedBaseline.Outcome.FAILED) {
        return Optional.of("GPU " + gpu + ": " + r.lastError().orElse("the apply failed"));
      }
    }
    return Optional.empty();
  }

  private MigMode mode(int gpu) {
    return driver.gpus().get(gpu).migMode();
  }

  /** The desired MIG devices counted by kind, as mig-parted's {@code mig-devices} reads. */
  static Map<MigDeviceProfile, Integer> counts(DesiredGpu want) {
    Map<MigDeviceProfile, Integer> out = new LinkedHashMap<>();
    for (DesiredInstance d : want.instances()) {
      List<ComputeInstanceProfile> cis = d.computeInstances();
      cis.forEach(c -> out.merge(new MigDeviceProfile(d.profile(), c), 1, Integer::sum));
    }
    return out;
  }
}
