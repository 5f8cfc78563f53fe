package io.migctl.bench;

import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One change of a node's {@code nvidia.com/mig.config} label: from the config the node has to the
 * one it is labelled with, and optionally a MIG device that is in use when the change comes.
 *
 * @param from the config the node's GPUs are in when the label changes
 * @param to the config the label names
 * @param holder who uses a MIG device at that moment, if anyone
 */
record LabelChange(String from, String to, Optional<Holder> holder) {

  /** How a MIG device is in use. */
  enum Use {
    /** A process holds it (the driver answers In use to destroying it). */
    PROCESS,
    /** The kubelet allocated it to a pod that has not started CUDA yet (no process). */
    KUBELET
  }

  /** Which MIG device of the GPU is in use. */
  enum Device {
    /** The largest (most compute slices), lowest placement first. */
    LARGEST,
    /** The one at the highest placement. */
    LAST
  }

  /**
   * A MIG device of GPU {@code gpu} is in use.
   *
   * @param use how
   * @param gpu the GPU's index
   * @param device which of its MIG devices
   */
  record Holder(Use use, int gpu, Device device) {
    String text() {
      String which = device == Device.LAST ? "last device of GPU " : "GPU ";
      return switch (use) {
        case PROCESS -> "process on " + which + gpu;
        case KUBELET -> "kubelet allocation on " + which + gpu;
      };
    }
  }

  /** The bench's config that changes GPU 0 only: one big and three small devices. */
  static final String ONE_GPU_SPLIT = "bench-gpu0-split";

  /** The bench's config that turns MIG off on GPU 0 only. */
  static final String ONE_GPU_OFF = "bench-gpu0-off";

  /** {@code all-3g.20gb -> bench-gpu0-split (process on GPU 1)}. */
  String text() {
    return from + " -> " + to + holder.map(h -> " (" + h.text() + ")").orElse("");
  }

  /**
   * The scripted sequence for a node of {@code gpus} GPUs of {@code model}: every GPU changes (MIG
   * on, split, merge; then a split while a pod is allocated the last small device of GPU 0), then
   * GPU 0 alone changes while GPU 1 stays, with a busy or allocated MIG device on the GPU that
   * stays or on the one that changes, then MIG off everywhere (blocked by a process, then by a
   * kubelet allocation, then freed). Config names are NVIDIA's default file's and the two of {@link
   * #benchConfigs}.
   */
  static List<LabelChange> script(GpuModel model, int gpus) {
    if (gpus < 2) {
      throw new IllegalArgumentException(
          "the label changes need a node of at least 2 GPUs (GPU 0 changes, GPU 1 stays), got "
              + gpus);
    }
    String small = "all-" + smallest(model).name();
    String big = "all-" + half(model).name();
    Holder processOnStaying = new Holder(Use.PROCESS, 1, Device.LARGEST);
    Holder allocatedOnStaying = new Holder(Use.KUBELET, 1, Device.LARGEST);
    Holder allocatedOnChanging = new Holder(Use.KUBELET, 0, Device.LARGEST);
    // A split keeps the small devices at the lowest placements unless one above is allocated.
    Holder allocatedLastOnChanging = new Holder(Use.KUBELET, 0, Device.LAST);
    return List.of(
        new LabelChange("all-disabled", small, Optional.empty()),
        new LabelChange(small, "all-balanced", Optional.empty()),
        new LabelChange("all-balanced", big, Optional.empty()),
        new LabelChange(small, ONE_GPU_SPLIT, Optional.of(allocatedLastOnChanging)),
        new LabelChange(big, ONE_GPU_SPLIT, Optional.of(processOnStaying)),
        new LabelChange(ONE_GPU_SPLIT, big, Optional.of(allocatedOnChanging)),
        new LabelChange(big, ONE_GPU_OFF, Optional.of(allocatedOnStaying)),
        new LabelChange(ONE_GPU_OFF, "all-disabled", Optional.of(processOnStaying)),
        new LabelChange(ONE_GPU_OFF, "all-disabled", Optional.of(allocatedOnStaying)),
        new LabelChange(ONE_GPU_OFF, "all-disabled", Optional.empty()));
  }

  /**
   * A second mig-parted document with the bench's per-GPU configs for the node: {@value
   * #ONE_GPU_SPLIT} (GPU 0: one half-GPU device and three of the smallest; the others: two half-GPU
   * devices, as {@code all-3g.*}) and {@value #ONE_GPU_OFF} (GPU 0: MIG off; the others as {@code
   * all-3g.*}).
   */
  static String benchConfigs(GpuModel model, int gpus) {
    String big = half(model).name().toString();
    String small = smallest(model).name().toString();
    String others =
        IntStream.range(1, gpus).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    List<String> lines = new ArrayList<>();
    lines.add("version: v1");
    lines.add("mig-configs:");
    lines.add("  " + ONE_GPU_SPLIT + ":");
    lines.add("    - devices: [0]");
    lines.add("      mig-enabled: true");
    lines.add("      mig-devices:");
    lines.add("        \"" + big + "\": 1");
    lines.add("        \"" + small + "\": 3");
    lines.addAll(halves(others, big));
    lines.add("  " + ONE_GPU_OFF + ":");
    lines.add("    - devices: [0]");
    lines.add("      mig-enabled: false");
    lines.addAll(halves(others, big));
    return String.join("\n", lines) + "\n";
  }

  private static List<String> halves(String devices, String big) {
    return List.of(
        "    - devices: [" + devices + "]",
        "      mig-enabled: true",
        "      mig-devices:",
        "        \"" + big + "\": 2");
  }

  /** The one-compute-slice, one-memory-slice profile without attributes ({@code 1g.5gb}). */
  static GpuInstanceProfile smallest(GpuModel model) {
    return plain(model, 1);
  }

  /** The three-compute-slice profile without attributes ({@code 3g.20gb}). */
  static GpuInstanceProfile half(GpuModel model) {
    return plain(model, 3);
  }

  private static GpuInstanceProfile plain(GpuModel model, int computeSlices) {
    return model.profiles().stream()
        .filter(p -> p.computeSlices() == computeSlices && p.name().attributes().isEmpty())
        .min(
            (a, b) ->
                a.memorySlices() != b.memorySlices()
                    ? Integer.compare(a.memorySlices(), b.memorySlices())
                    : Integer.compare(a.id(), b.id()))
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    model.key()
                        + " has no "
                        + computeSlices
                        + "g profile without attributes, which the label changes need (its"
                        + " profiles are "
                        + model.profileNamesText()
                        + "); use another model, e.g. a100-40gb"));
  }
}
