package io.migctl.bench;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * NVIDIA mig-parted's way of applying a MIG config to one GPU, over a {@link MigDriver}: the
 * baseline migctl's apply is measured against. Written from the behaviour of mig-parted's {@code
 * apply} command and its config manager ({@code SetMigConfig}, {@code ClearMigConfig}, {@code
 * MigConfig.Flatten}), not from its code.
 *
 * <p>Model: a config is a count per {@linkplain MigDeviceProfile MIG device kind}; the GPU's
 * current config is the count of its compute instances by kind (GPU instances without compute
 * instances are invisible to it).
 *
 * <p>Algorithm:
 *
 * <ol>
 *   <li>When the current counts equal the desired ones, the GPU is not touched.
 *   <li>The desired devices are flattened into a list sorted as mig-parted sorts them: more GPU
 *       compute slices first, then more compute-instance slices, then attributes ({@code +me})
 *       before none. mig-parted leaves ties (1g.5gb against 1g.10gb) to Go's map order; here they
 *       go to more memory slices first, then the lower profile id, so that runs repeat.
 *   <li>Each distinct ordering of that list is tried in turn (swap-based enumeration that skips an
 *       equal device at the same position, starting with the sorted order) until one succeeds. An
 *       attempt first clears the GPU when it has MIG devices (one clear at most; a failed clear
 *       fails the attempt), then creates the devices in order: a GPU instance at the driver-chosen
 *       placement, then its compute instance at the driver-chosen placement; a device of the same
 *       GPU-instance profile as the one before first tries to fit into that GPU instance and gets a
 *       new one when that fails. Any failed create fails the attempt.
 *   <li>When every ordering failed, the GPU is cleared one last time and the apply fails.
 * </ol>
 *
 * <p>A clear walks the GPU instances by NVML profile index (1, 2, 3, 4, 7 slices, then the {@code
 * +me} and 2-memory-slice 1g variants), each profile's instances by id, destroying each one's
 * compute instances and then the GPU instance. The first error stops the walk, so a busy MIG device
 * (the driver answers IN_USE) stops it there: the idle instances walked before it are gone, those
 * after it stay, and the apply fails.
 *
 * <p>Cost: up to (number of distinct orderings) attempts, each a clear and up to two creates per
 * device. Driver calls are counted per apply. Not thread-safe; one apply at a time per GPU.
 */
public final class MigPartedBaseline {

  /** How an apply ended. */
  public enum Outcome {
    /** The GPU's counts already matched; nothing was done. */
    UNCHANGED,
    /** Some ordering created every desired device. */
    APPLIED,
    /** Every ordering failed; the GPU was cleared as far as the driver allowed. */
    FAILED
  }

  /**
   * What one apply did.
   *
   * @param outcome how it ended
   * @param operations driver calls that changed the GPU and succeeded
   * @param failedCalls driver calls that failed (creates that did not fit, destroys of busy
   *     devices)
   * @param orderingsTried how many device orderings were attempted
   * @param lastError the error of the last failed attempt, if any
   */
  public record Result(
      Outcome outcome,
      int operations,
      int failedCalls,
      int orderingsTried,
      Optional<String> lastError) {}

  private final MigDriver driver;

  public MigPartedBaseline(MigDriver driver) {
    this.driver = driver;
  }

  /**
   * Applies {@code desired} to GPU {@code gpu} as mig-parted does.
   *
   * @param desired how many MIG devices of each kind; zero counts are ignored
   * @throws IllegalArgumentException when a count is negative or a profile is not the GPU's
   * @throws MigDriverException when a driver read fails (failed creates and destroys are outcomes)
   */
  public Result apply(int gpu, Map<MigDeviceProfile, Integer> desired) {
    GpuModel model = driver.migModel(gpu);
    Map<MigDeviceProfile, Integer> wanted = new LinkedHashMap<>();
    desired.forEach(
        (device, count) -> {
          if (count < 0) {
            throw new IllegalArgumentException(
                "count of " + device + " must not be negative, was " + count);
          }
          if (!model.profiles().contains(device.gpuInstance())) {
            throw new IllegalArgumentException(
                device.gpuInstance().name()
                    + " is not a profile of "
                    + model.name()
                    + "; its profiles are "
                    + model.profileNamesText());
          }
          if (count > 0) {
            wanted.put(device, count);
          }
        });
    Attempts run = new Attempts(new CountingMigDriver(driver), gpu, model);
    if (run.currentConfig().equals(wanted)) {
      return run.result(Outcome.UNCHANGED);
    }
    if (run.tryOrderings(flatten(wanted), 0)) {
      return run.result(Outcome.APPLIED);
    }
    run.clear();
    return run.result(Outcome.FAILED);
  }

  /**
   * Destroys every MIG device of GPU {@code gpu} as mig-parted's {@code ClearMigConfig} does (the
   * walk described above), as its MIG-mode apply does before it sets the mode of a GPU whose MIG
   * mode is on.
   *
   * @return false when a destroy failed, which stops the walk (a busy MIG device)
   */
  boolean clear(int gpu) {
    return new Attempts(new CountingMigDriver(driver), gpu, driver.migModel(gpu)).clear();
  }

  /** The devices one by one, in the order mig-parted tries first. */
  static List<MigDeviceProfile> flatten(Map<MigDeviceProfile, Integer> counts) {
    List<MigDeviceProfile> out = new ArrayList<>();
    counts.forEach((device, n) -> out.addAll(Collections.nCopies(n, device)));
    out.sort(FLATTEN_ORDER);
    return out;
  }

  private static final Comparator<MigDeviceProfile> FLATTEN_ORDER =
      Comparator.comparingInt((MigDeviceProfile d) -> d.gpuInstance().computeSlices())
          .reversed()
          .thenComparing(
              Comparator.comparingInt((MigDeviceProfile d) -> d.computeInstance().computeSlices())
                  .reversed())
          .thenComparing(
              Comparator.comparing((MigDeviceProfile d) -> attributesText(d.gpuInstance()))
                  .reversed())
          .thenComparing(
              Comparator.comparingInt((MigDeviceProfile d) -> d.gpuInstance().memorySlices())
                  .reversed())
          .thenComparingInt(d -> d.gpuInstance().id())
          .thenComparingInt(d -> d.computeInstance().id());

  private static String attributesText(GpuInstanceProfile profile) {
    return String.join(",", profile.name().attributes().stream().map(a -> a.substring(1)).toList());
  }

  /**
   * The index of the profile in NVML's {@code NVML_GPU_INSTANCE_PROFILE_*} enumeration, which is
   * the order in which mig-parted walks GPU instances: 1, 2, 3, 4, 7, 8, 6 slices (0–6), {@code
   * 1_SLICE_REV1} = 1g +me (7), {@code 2_SLICE_REV1} = 2g +me (8), {@code 1_SLICE_REV2} = 1g with
   * two memory slices (9). Profiles outside these come last.
   */
  static int nvmlProfileIndex(GpuInstanceProfile profile) {
    int slices = profile.computeSlices();
    if (profile.hasMediaExtensions()) {
      return switch (slices) {
        case 1 -> 7;
        case 2 -> 8;
        default -> 100 + slices;
      };
    }
    if (!profile.name().attributes().isEmpty()) {
      return 100 + slices;
    }
    if (slices == 1 && profile.memorySlices() == 2) {
      return 9;
    }
    return switch (slices) {
      case 1 -> 0;
      case 2 -> 1;
      case 3 -> 2;
      case 4 -> 3;
      case 7 -> 4;
      case 8 -> 5;
      case 6 -> 6;
      default -> 100 + slices;
    };
  }

  /** One apply's attempts, with its call counts. */
  private static final class Attempts {
    private final CountingMigDriver driver;
    private final int gpu;
    private final GpuModel model;
    private int orderingsTried;
    private String lastError;

    Attempts(CountingMigDriver driver, int gpu, GpuModel model) {
      this.driver = driver;
      this.gpu = gpu;
      this.model = model;
    }

    Result result(Outcome outcome) {
      return new Result(
          outcome,
          driver.operations(),
          driver.failedCalls(),
          orderingsTried,
          Optional.ofNullable(lastError));
    }

    /**
     * Tries the orderings of {@code devices} from position {@code i} on; true as soon as one
     * succeeds, leaving {@code devices} in that order.
     */
    boolean tryOrderings(List<MigDeviceProfile> devices, int i) {
      if (i >= devices.size()) {
        return attempt(List.copyOf(devices));
      }
      for (int j = i; j < devices.size(); j++) {
        if (devices.subList(i, j).contains(devices.get(j))) {
          continue;
        }
        Collections.swap(devices, i, j);
        if (tryOrderings(devices, i + 1)) {
          return true;
        }
        Collections.swap(devices, i, j);
      }
      return false;
    }

    private boolean attempt(List<MigDeviceProfile> order) {
      orderingsTried++;
      int clears = 0;
      while (!currentConfig().isEmpty()) {
        if (clears == 1) {
          lastError = "exceeded maximum attempts to clear the MIG config";
          return false;
        }
        if (!clear()) {
          return false;
        }
        clears++;
      }
      GpuInstanceProfile lastProfile = null;
      GpuInstance gi = null;
      for (MigDeviceProfile device : order) {
        boolean reuse = gi != null && device.gpuInstance().equals(lastProfile);
        lastProfile = device.gpuInstance();
        while (true) {
          try {
            if (!reuse) {
              gi = driver.createGpuInstance(gpu, device.gpuInstance().id(), Optional.empty());
            }
            driver.createComputeInstance(
                gpu, gi.id(), device.computeInstance().id(), Optional.empty());
            break;
          } catch (MigDriverException e) {
            if (reuse) {
              reuse = false;
              continue;
            }
            lastError = "creating " + device + ": " + e.getMessage();
            return false;
          }
        }
      }
      return true;
    }

    /** Destroys every instance in walk order; false at the first driver error, which stops it. */
    boolean clear() {
      List<GpuInstance> gis = new ArrayList<>(driver.gpuInstances(gpu));
      gis.sort(
          Comparator.comparingInt((GpuInstance gi) -> nvmlProfileIndex(profile(gi)))
              .thenComparingInt(GpuInstance::id));
      for (GpuInstance gi : gis) {
        List<ComputeInstance> cis = new ArrayList<>(driver.computeInstances(gpu, gi.id()));
        cis.sort(
            Comparator.comparingInt(ComputeInstance::profileId)
                .thenComparingInt(ComputeInstance::id));
        try {
          for (ComputeInstance ci : cis) {
            driver.destroyComputeInstance(gpu, gi.id(), ci.id());
          }
          driver.destroyGpuInstance(gpu, gi.id());
        } catch (MigDriverException e) {
          lastError = "clearing the MIG config: " + e.getMessage();
          return false;
        }
      }
      return true;
    }

    /** The GPU's MIG devices counted by kind, as mig-parted reads a GPU's current config. */
    Map<MigDeviceProfile, Integer> currentConfig() {
      Map<MigDeviceProfile, Integer> counts = new LinkedHashMap<>();
      for (GpuInstance gi : driver.gpuInstances(gpu)) {
        GpuInstanceProfile giProfile = profile(gi);
        List<ComputeInstanceProfile> ciProfiles = ComputeInstanceProfile.of(giProfile);
        for (ComputeInstance ci : driver.computeInstances(gpu, gi.id())) {
          ComputeInstanceProfile ciProfile =
              ciProfiles.stream()
                  .filter(p -> p.id() == ci.profileId())
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new IllegalStateException(
                              "compute instance "
                                  + ci.uuid()
                                  + " has profile id "
                                  + ci.profileId()
                                  + ", which "
                                  + giProfile.name()
                                  + " does not have"));
          counts.merge(new MigDeviceProfile(giProfile, ciProfile), 1, Integer::sum);
        }
      }
      return counts;
    }

    private GpuInstanceProfile profile(GpuInstance gi) {
      return model
          .profile(gi.profileId())
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "GPU instance "
                          + gi.id()
                          + " on GPU "
                          + gpu
                          + " has profile id "
                          + gi.profileId()
                          + ", which "
                          + model.name()
                          + " does not have"));
    }
  }
}
