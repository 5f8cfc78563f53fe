package io.migctl.core.mig;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The minors of the {@code nvidia-caps} character devices that grant access to MIG instances, as
 * the driver lists them in {@code /proc/driver/nvidia-caps/mig-minors}: {@code config 1}, {@code
 * monitor 2}, then for each GPU minor, GPU instance id and compute instance id a line such as
 * {@code gpu0/gi1/ci0/access 13}. Opening {@code /dev/nvidia-caps/nvidia-cap<minor>} of a GPU
 * instance and of its compute instance is what lets a process use that MIG device.
 *
 * <p>{@link #nvidia()} is the driver's own numbering (the MIG user guide's listing ends with {@code
 * gpu31/gi14/ci7/access 4322}): per GPU, 15 GPU instance ids, each one access minor followed by 8
 * compute instance ones. The simulated node publishes that numbering; real GPUs are read with
 * {@link #parse}.
 */
public final class CapMinors {

  /** GPU instance ids 0 to 14 per GPU. */
  public static final int GPU_INSTANCE_IDS = 15;

  /** Compute instance ids 0 to 7 per GPU instance. */
  public static final int COMPUTE_INSTANCE_IDS = 8;

  /** The GPUs the driver numbers: minors 0 to 31. */
  public static final int GPUS = 32;

  private static final int FIRST = 3;
  private static final int PER_GI = 1 + COMPUTE_INSTANCE_IDS;
  private static final int PER_GPU = GPU_INSTANCE_IDS * PER_GI;
  private static final Pattern LINE =
      Pattern.compile("gpu(\\d{1,3})/gi(\\d{1,3})(?:/ci(\\d{1,3}))?/access\\s+(\\d{1,9})");

  private final Map<String, Integer> minors;

  private CapMinors(Map<String, Integer> minors) {
    this.minors = Map.copyOf(minors);
  }

  /** The driver's numbering, as the MIG user guide documents it. */
  public static CapMinors nvidia() {
    Map<String, Integer> m = new HashMap<>();
    for (int gpu = 0; gpu < GPUS; gpu++) {
      for (int gi = 0; gi < GPU_INSTANCE_IDS; gi++) {
        int base = FIRST + gpu * PER_GPU + gi * PER_GI;
        m.put(key(gpu, gi, -1), base);
        for (int ci = 0; ci < COMPUTE_INSTANCE_IDS; ci++) {
          m.put(key(gpu, gi, ci), base + 1 + ci);
        }
      }
    }
    return new CapMinors(m);
  }

  /**
   * Reads the text of {@code /proc/driver/nvidia-caps/mig-minors}. Lines it does not know ({@code
   * config}, {@code monitor}, blank ones) are skipped.
   */
  public static CapMinors parse(String text) {
    Map<String, Integer> m = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher x = LINE.matcher(line.strip());
      if (x.matches()) {
        int ci = x.group(3) == null ? -1 : Integer.parseInt(x.group(3));
        m.put(
            key(Integer.parseInt(x.group(1)), Integer.parseInt(x.group(2)), ci),
            Integer.parseInt(x.group(4)));
      }
    }
    return new CapMinors(m);
  }

  /** The access minor of GPU instance {@code gi} on the GPU whose device minor is {@code gpu}. */
  public OptionalInt gpuInstance(int gpuMinor, int gi) {
    return find(key(gpuMinor, gi, -1));
  }

  /** The access minor of compute instance {@code ci} of GPU instance {@code gi}. */
  public OptionalInt computeInstance(int gpuMinor, int gi, int ci) {
    return find(key(gpuMinor, gi, ci));
  }

  /**
   * This numbering in the driver's format of {@code mig-minors}: {@code config 1}, {@code monitor
   * 2}, then one {@code gpuG/giI[/ciC]/access MINOR} line per access minor, by minor; {@link
   * #parse} reads it back. The simulated node publishes its numbering this way.
   */
  public String text() {
    StringBuilder out = new StringBuilder("config 1\nmonitor 2\n");
    minors.entrySet().stream()
        .sorted(Map.Entry.comparingByValue())
        .forEach(
            e -> {
              String[] ids = e.getKey().split("/");
              out.append("gpu").append(ids[0]).append("/gi").append(ids[1]);
              if (ids.length > 2) {
                out.append("/ci").append(ids[2]);
              }
              out.append("/access ").append(e.getValue()).append('\n');
            });
    return out.toString();
  }

  /** How many access minors are listed. */
  public int size() {
    return minors.size();
  }

  private OptionalInt find(String key) {
    return Optional.ofNullable(minors.get(key)).map(OptionalInt::of).orElse(OptionalInt.empty());
  }

  private static String key(int gpu, int gi, int ci) {
    return gpu + "/" + gi + (ci < 0 ? "" : "/" + ci);
  }
}
