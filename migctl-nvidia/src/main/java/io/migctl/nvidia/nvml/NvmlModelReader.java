package io.migctl.nvidia.nvml;

import io.migctl.core.mig.Architecture;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.Engines;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import io.migctl.nvidia.nvml.NvmlLibrary.Device;
import io.migctl.nvidia.nvml.NvmlLibrary.GpuInstanceProfileInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a {@link GpuModel} from what NVML reports about one GPU.
 *
 * <p>Profiles: every {@code NVML_GPU_INSTANCE_PROFILE_*} index the device answers (indices it
 * answers with NOT_SUPPORTED or INVALID_ARGUMENT do not exist on it; a profile id met twice is kept
 * once), each with the placements {@code nvmlDeviceGetGpuInstancePossiblePlacements_v2} lists. They
 * are ordered as {@code nvidia-smi mig -lgip} prints them: by compute slices, then memory slices,
 * then profile index, which puts {@code 1g.5gb+me} (index 7) right after {@code 1g.5gb} (index 0)
 * and before {@code 1g.10gb} (two memory slices), as every recorded {@code -lgip} shows.
 *
 * <p>NVML reports profiles only while MIG mode is enabled. With MIG disabled (or placements that
 * need privileges the caller lacks) the catalog's entry for the same PCI device id or name fills
 * in, and the model names the borrowed fields in {@link GpuModel#unverified()}; a GPU the catalog
 * does not know gets a model without profiles.
 */
final class NvmlModelReader {

  /** {@code NVML_DEVICE_ARCH_AMPERE}, {@code _HOPPER}, {@code _BLACKWELL}. */
  static final int ARCH_AMPERE = 7;

  static final int ARCH_HOPPER = 9;
  static final int ARCH_BLACKWELL = 10;

  private NvmlModelReader() {}

  /** A GPU-instance profile the device supports, with the index it was read at. */
  record SupportedProfile(int index, GpuInstanceProfileInfo info) {}

  /** The GPU-instance profiles the device reports now (none while MIG mode is disabled). */
  static List<SupportedProfile> supportedProfiles(NvmlLibrary nvml, Device device) {
    List<SupportedProfile> out = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (int index = 0; index < NvmlLibrary.GPU_INSTANCE_PROFILE_INDICES; index++) {
      GpuInstanceProfileInfo info;
      try {
        info = nvml.gpuInstanceProfileInfo(device, index);
      } catch (NvmlCallException e) {
        if (isAbsent(e)) {
          continue;
        }
        throw e;
      }
      if (ids.add(info.id())) {
        out.add(new SupportedProfile(index, info));
      }
    }
    return List.copyOf(out);
  }

  /** Whether NVML's answer means "no such profile here" rather than a failure. */
  static boolean isAbsent(NvmlCallException e) {
    return e.code() == NvmlReturn.NOT_SUPPORTED || e.code() == NvmlReturn.INVALID_ARGUMENT;
  }

  /**
   * The model of one GPU.
   *
   * @param memoryMiB the GPU's memory, as {@code gpus()} reports it
   * @throws NvmlCallException when NVML fails
   * @throws IllegalArgumentException when NVML reports a profile migctl cannot represent
   */
  static GpuModel read(NvmlLibrary nvml, Device device, long memoryMiB) {
    String productName = nvml.name(device);
    String name = productName.startsWith("NVIDIA ") ? productName.substring(7) : productName;
    int pciDeviceId = nvml.pciInfo(device).pciDeviceId();
    Optional<GpuModel> catalog = catalogEntry(pciDeviceId, name, productName);
    Set<String> unverified = new HashSet<>();

    Architecture architecture;
    Optional<Architecture> reported = architecture(nvml, device);
    if (reported.isPresent()) {
      architecture = reported.get();
    } else {
      architecture = catalog.map(GpuModel::architecture).orElse(Architecture.HOPPER);
      unverified.add("architecture");
    }

    List<ReadProfile> read = new ArrayList<>();
    for (SupportedProfile p : supportedProfiles(nvml, device)) {
      profile(nvml, device, p, catalog).ifPresent(read::add);
    }
    read.sort(
        Comparator.comparingInt((ReadProfile r) -> r.profile.computeSlices())
            .thenComparingInt(r -> r.profile.memorySlices())
            .thenComparingInt(r -> r.index));
    List<GpuInstanceProfile> profiles = read.stream().map(ReadProfile::profile).toList();

    int computeSlices;
    int memorySlices;
    if (!profiles.isEmpty()) {
      computeSlices = profiles.stream().mapToInt(GpuInstanceProfile::computeSlices).max().orElse(1);
      memorySlices =
          profiles.stream()
              .flatMap(p -> p.placements().stream())
              .mapToInt(Placement::end)
              .max()
              .orElse(1);
    } else if (catalog.isPresent()) {
      // MIG mode is disabled: NVML lists no profile, so the catalog's table stands in.
      profiles = catalog.get().profiles();
      computeSlices = catalog.get().computeSlices();
      memorySlices = catalog.get().memorySlices();
      unverified.addAll(List.of("computeSlices", "memorySlices", "profiles"));
    } else {
      computeSlices = 1;
      memorySlices = 1;
      unverified.addAll(List.of("computeSlices", "memorySlices", "profiles"));
    }
    return new GpuModel(
        key(name),
        name,
        productName,
        List.of(),
        architecture,
        pciDeviceId,
        memoryMiB,
        computeSlices,
        memorySlices,
        profiles,
        unverified);
  }

  /** The catalog's model with this PCI device id, or else this name. */
  static Optional<GpuModel> catalogEntry(int pciDeviceId, String name, String productName) {
    return Catalog.models().stream()
        .filter(m -> m.pciDeviceId() == pciDeviceId)
        .findFirst()
        .or(
            () ->
                Catalog.models().stream()
                    .filter(m -> m.isNamed(name) || m.productName().equalsIgnoreCase(productName))
                    .findFirst());
  }

  /** {@code nvml-} and the name in lower case with dashes: {@code nvml-a100-sxm4-40gb}. */
  static String key(String name) {
    String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    return "nvml-" + slug.replaceAll("^-+|-+$", "");
  }

  /**
   * The architecture NVML reports: 7 Ampere, 9 Hopper, 10 Blackwell; empty for any other value or
   * when NVML cannot tell (the caller then decides; only Ampere needs a reset for a mode change).
   */
  static Optional<Architecture> architecture(NvmlLibrary nvml, Device device) {
    int code;
    try {
      code = nvml.architecture(device);
    } catch (NvmlCallException e) {
      return Optional.empty();
    }
    return architecture(code);
  }

  static Optional<Architecture> architecture(int nvmlArchitecture) {
    return switch (nvmlArchitecture) {
      case ARCH_AMPERE -> Optional.of(Architecture.AMPERE);
      case ARCH_HOPPER -> Optional.of(Architecture.HOPPER);
      case ARCH_BLACKWELL -> Optional.of(Architecture.BLACKWELL);
      default -> Optional.empty();
    };
  }

  private record ReadProfile(int index, GpuInstanceProfile profile) {}

  private static Optional<ReadProfile> profile(
      NvmlLibrary nvml, Device device, SupportedProfile supported, Optional<GpuModel> catalog) {
    GpuInstanceProfileInfo info = supported.info();
    Set<String> unverified = new HashSet<>();
    List<Placement> placements;
    try {
      placements = nvml.gpuInstancePossiblePlacements(device, info.id());
    } catch (NvmlCallException e) {
      Optional<GpuInstanceProfile> known = catalog.flatMap(m -> m.profile(info.id()));
      if (e.code() != NvmlReturn.NO_PERMISSION || known.isEmpty()) {
        throw e;
      }
      // NVML lists placements to privileged users only; the catalog knows this profile's.
      placements = known.get().placements();
      unverified.add("placements");
    }
    if (placements.isEmpty()) {
      return Optional.empty();
    }
    ProfileName name;
    try {
      name = ProfileName.parse(info.name());
    } catch (IllegalArgumentException e) {
      name = ProfileName.of(info.sliceCount(), (int) Math.ceil(info.memorySizeMB() / 1024.0));
      unverified.add("name");
    }
    return Optional.of(
        new ReadProfile(
            supported.index(),
            new GpuInstanceProfile(
                name,
                info.id(),
                info.sliceCount(),
                placements.getFirst().size(),
                info.memorySizeMB(),
                info.instanceCount(),
                info.multiprocessorCount(),
                new Engines(
                    info.copyEngineCount(),
                    info.decoderCount(),
                    info.encoderCount(),
                    info.jpegCount(),
                    info.ofaCount()),
                placements,
                unverified)));
  }
}
