package io.migctl.core.slurm;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One GPU as Slurm counts it: a MIG device or a whole GPU with MIG off, at the index Slurm gives it
 * in {@code SLURM_JOB_GPUS} and {@code SLURM_STEP_GPUS}.
 *
 * @param index Slurm's index of this GPU on the node, from 0
 * @param type its Slurm type, e.g. {@code 1g.5gb}
 * @param uuid {@code MIG-…} for a MIG device, {@code GPU-…} for a whole GPU
 * @param gpu the driver's index of the GPU it is on
 * @param gpuInstance the GPU instance id; empty for a whole GPU
 * @param computeInstance the compute instance id; empty for a whole GPU
 * @param files its device files: one for a whole GPU, three for a MIG device
 */
public record GresDevice(
    int index,
    String type,
    String uuid,
    int gpu,
    OptionalInt gpuInstance,
    OptionalInt computeInstance,
    List<String> files) {

  public GresDevice {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(uuid, "uuid");
    files = List.copyOf(files);
    if (index < 0) {
      throw new IllegalArgumentException("Slurm index of " + uuid + " is negative: " + index);
    }
    if (type.isEmpty() || type.chars().anyMatch(c -> c == ':' || c == ',' || c <= ' ')) {
      throw new IllegalArgumentException(
          "GPU type '" + type + "' of " + uuid + " must be a non-empty word without ':' or ','");
    }
    if (gpuInstance.isPresent() != computeInstance.isPresent()) {
      throw new IllegalArgumentException(
          uuid + ": a MIG device has both a GPU and a compute instance id, a whole GPU neither");
    }
    int expected = gpuInstance.isPresent() ? 3 : 1;
    if (files.size() != expected) {
      throw new IllegalArgumentException(
          uuid + " needs " + expected + " device files, got " + files.size() + ": " + files);
    }
  }

  /** Whether this is a MIG device rather than a whole GPU. */
  public boolean isMigDevice() {
    return gpuInstance.isPresent();
  }

  /** Its {@code gres.conf} line. */
  public String gresConfLine() {
    return isMigDevice()
        ? "Name=gpu Type=" + type + " MultipleFiles=" + String.join(",", files)
        : "Name=gpu Type=" + type + " File=" + files.getFirst();
  }

  /** Its row of {@code gres-map.tsv}: index, uuid, type, gpu, gi, ci ({@code -} when none). */
  public String mapRow() {
    return String.join(
        "\t",
        Integer.toString(index),
        uuid,
        type,
        Integer.toString(gpu),
        text(gpuInstance),
        text(computeInstance));
  }

  private static String text(OptionalInt id) {
    return id.isPresent() ? Integer.toString(id.getAsInt()) : "-";
  }
}
