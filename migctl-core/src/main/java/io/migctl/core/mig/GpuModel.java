package io.migctl.core.mig;

import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one kind of GPU offers MIG: its slices and its GPU-instance profiles. The catalog holds one
 * per supported model; a real driver builds one from what the device reports.
 *
 * @param key the short name used in {@code --simulate} specs, e.g. {@code a100-40gb}
 * @param name the model as tools show it without the vendor, e.g. {@code A100-SXM4-40GB}
 * @param productName the name NVML and {@code nvidia-smi} print, e.g. {@code NVIDIA A100-SXM4-40GB}
 * @param aliases other keys that name this model in specs
 * @param architecture the architecture, which decides how MIG mode changes take effect
 * @param pciDeviceId the PCI device and vendor id as mig-parted's {@code device-filter} writes it,
 *     e.g. {@code 0x20B010DE}
 * @param memoryMiB the GPU's total memory in MiB
 * @param computeSlices compute (GPC) slices: 7, or 4 on an A30
 * @param memorySlices memory slices: 8, or 4 on an A30
 * @param profiles the GPU-instance profiles in {@code -lgip} order
 * @param unverified names of model-level fields no real output confirmed
 */
public record GpuModel(
    String key,
    String name,
    String productName,
    List<String> aliases,
    Architecture architecture,
    int pciDeviceId,
    long memoryMiB,
    int computeSlices,
    int memorySlices,
    List<GpuInstanceProfile> profiles,
    Set<String> unverified) {

  public GpuModel {
    aliases = List.copyOf(aliases);
    profiles = List.copyOf(profiles);
    unverified = Set.copyOf(new TreeSet<>(unverified));
    if (memorySlices < 1 || memorySlices > Placement.MAX_SLICES || computeSlices < 1) {
      throw new IllegalArgumentException(
          "model "
              + name
              + ": slices out of range (memory "
              + memorySlices
              + ", compute "
              + computeSlices
              + ")");
    }
    for (GpuInstanceProfile p : profiles) {
      for (Placement pl : p.placements()) {
        if (pl.end() > memorySlices) {
          throw new IllegalArgumentException(
              "model "
                  + name
                  + ": placement "
                  + pl
                  + " of "
                  + p.name()
                  + " lies beyond its "
                  + memorySlices
                  + " memory slices");
        }
      }
      if (p.computeSlices() > computeSlices) {
        throw new IllegalArgumentException(
            "model "
                + name
                + ": profile "
                + p.name()
                + " needs more than its "
                + computeSlices
                + " compute slices");
      }
      if (profiles.stream().filter(q -> q.id() == p.id()).count() > 1) {
        throw new IllegalArgumentException(
            "model " + name + ": profile id " + p.id() + " is used twice");
      }
    }
  }

  /**
   * The same GPU on another board: another PCI id and name, the same slices, memory and profiles.
   * NVIDIA's tables and mig-parted's default file give one profile table to each such family (A100
   * SXM4 and PCIe, A100 and A800, H100 and H800).
   *
   * @param unverified model-level fields of the board that no real output confirmed, added to this
   *     model's own
   * @param unverifiedInProfiles profile fields that may differ on this board and that no real
   *     output confirmed (e.g. {@code multiprocessors} on a PCIe board with fewer SMs), added to
   *     every profile's own
   */
  public GpuModel onBoard(
      String key,
      String name,
      String productName,
      List<String> aliases,
      int pciDeviceId,
      Set<String> unverified,
      Set<String> unverifiedInProfiles) {
    Set<String> marks = new TreeSet<>(this.unverified);
    marks.addAll(unverified);
    return new GpuModel(
        key,
        name,
        productName,
        aliases,
        architecture,
        pciDeviceId,
        memoryMiB,
        computeSlices,
        memorySlices,
        profiles.stream().map(p -> p.markedUnverified(unverifiedInProfiles)).toList(),
        marks);
  }

  /** The profile with this {@code -lgip} id. */
  public Optional<GpuInstanceProfile> profile(int id) {
    return profiles.stream().filter(p -> p.id() == id).findFirst();
  }

  /** The profile with this name; compute-instance names resolve to their GPU instance. */
  public Optional<GpuInstanceProfile> profile(ProfileName name) {
    ProfileName gi = name.gpuInstance();
    return profiles.stream().filter(p -> p.name().equals(gi)).findFirst();
  }

  /** The compute-instance profiles of one of this model's GPU-instance profiles. */
  public List<ComputeInstanceProfile> computeInstanceProfiles(GpuInstanceProfile gpuInstance) {
    return ComputeInstanceProfile.of(gpuInstance);
  }

  /** The PCI id as mig-parted writes it: {@code 0x20B010DE}. */
  public String pciDeviceIdText() {
    return "0x" + HexFormat.of().withUpperCase().toHexDigits(pciDeviceId);
  }

  /** The profile names, for messages: {@code 1g.5gb, 1g.5gb+me, …}. */
  public String profileNamesText() {
    return String.join(", ", profiles.stream().map(p -> p.name().toString()).toList());
  }

  /** Whether {@code text} is this model's key or one of its aliases (case does not matter). */
  public boolean isNamed(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    return key.equals(t) || aliases.contains(t);
  }
}
