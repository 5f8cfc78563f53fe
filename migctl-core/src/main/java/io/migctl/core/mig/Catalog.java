package io.migctl.core.mig;

import static io.migctl.core.mig.ProfileTables.at;
import static io.migctl.core.mig.ProfileTables.engines;
import static io.migctl.core.mig.ProfileTables.gi;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The MIG-capable GPU models migctl knows without a device: their profiles, ids, slices, memory,
 * engines and placements.
 *
 * <p>Every value comes from the reference catalog {@code shared/reference/mig/mig-profiles.json}
 * (NVIDIA's MIG user guide, NVML, {@code nvidia-smi} outputs, mig-parted). Where the reference
 * marks a value unverified, the profile's or model's {@code unverified} set names the field. Where
 * the reference has no value at all (the larger profiles of GH200, B200 and GB200, some totals),
 * the value here is an estimate from the same family's known profiles and is marked unverified too:
 * memory of a 3g is two 2g plus 256 MiB, a 4g equals a 3g, a 7g is two 3g plus 256 MiB (exact on
 * every model where all are known); engines follow the family's per-slice pattern.
 *
 * <p>The catalog is the simulated node's source of truth and the oracle for tests. On a real
 * device, profile names and memory come from the driver, since both change with driver versions.
 */
public final class Catalog {

  /** NVIDIA A100-SXM4-40GB, from the reference catalog (A100-SXM4-40GB). */
  public static final GpuModel A100_40GB =
      new GpuModel(
          "a100-40gb",
          "A100-SXM4-40GB",
          "NVIDIA A100-SXM4-40GB",
          List.of("a100-sxm4-40gb"),
          Architecture.AMPERE,
          0x20B010DE,
          40960,
          7,
          8,
          List.of(
              gi("1g.5gb", 19, 1, 1, 4864, 7, 14, engines(1, 0, 0, 0, 0), at(0, 1, 2, 3, 4, 5, 6)),
              gi(
                  "1g.5gb+me",
                  20,
                  1,
                  1,
                  4864,
                  1,
                  14,
                  engines(1, 1, 0, 1, 1),
                  at(0, 1, 2, 3, 4, 5, 6)),
              gi("1g.10gb", 15, 1, 2, 9856, 4, 14, engines(1, 1, 0, 0, 0), at(0, 2, 4, 6)),
              gi("2g.10gb", 14, 2, 2, 9856, 3, 28, engines(2, 1, 0, 0, 0), at(0, 2, 4)),
              gi("3g.20gb", 9, 3, 4, 19968, 2, 42, engines(3, 2, 0, 0, 0), at(0, 4)),
              gi("4g.20gb", 5, 4, 4, 19968, 1, 56, engines(4, 2, 0, 0, 0), at(0)),
              gi("7g.40gb", 0, 7, 8, 40192, 1, 98, engines(7, 5, 0, 1, 1), at(0))),
          Set.of());

  /** NVIDIA A100-SXM4-80GB, from the reference catalog (A100-80GB). */
  public static final GpuModel A100_80GB =
      new GpuModel(
          "a100-80gb",
          "A100-SXM4-80GB",
          "NVIDIA A100-SXM4-80GB",
          List.of("a100-sxm4-80gb"),
          Architecture.AMPERE,
          0x20B210DE,
          81920,
          7,
          8,
          List.of(
              gi(
                  "1g.10gb",
                  19,
                  1,
                  1,
                  9728,
                  7,
                  14,
                  engines(1, 0, 0, 0, 0),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "placements"),
              gi(
                  "1g.10gb+me",
                  20,
                  1,
                  1,
                  9728,
                  1,
                  14,
                  engines(1, 1, 0, 1, 1),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "1g.20gb",
                  15,
                  1,
                  2,
                  19968,
                  4,
                  14,
                  engines(1, 1, 0, 0, 0),
                  at(0, 2, 4, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "2g.20gb",
                  14,
                  2,
                  2,
                  19968,
                  3,
                  28,
                  engines(2, 1, 0, 0, 0),
                  at(0, 2, 4),
                  "memoryMiB",
                  "placements"),
              gi("3g.40gb", 9, 3, 4, 40192, 2, 42, engines(3, 2, 0, 0, 0), at(0, 4), "placements"),
              gi(
                  "4g.40gb",
                  5,
                  4,
                  4,
                  40192,
                  1,
                  56,
                  engines(4, 2, 0, 0, 0),
                  at(0),
                  "memoryMiB",
                  "placements"),
              gi(
                  "7g.80gb",
                  0,
                  7,
                  8,
                  80896,
                  1,
                  98,
                  engines(7, 5, 0, 1, 1),
                  at(0),
                  "memoryMiB",
                  "placements")),
          Set.of());

  /** NVIDIA A30, from the reference catalog (A30-24GB). */
  public static final GpuModel A30_24GB =
      new GpuModel(
          "a30-24gb",
          "A30",
          "NVIDIA A30",
          List.of("a30"),
          Architecture.AMPERE,
          0x20B710DE,
          24576,
          4,
          4,
          List.of(
              gi("1g.6gb", 14, 1, 1, 5952, 4, 14, engines(1, 1, 0, 0, 0), at(0, 1, 2, 3)),
              gi(
                  "1g.6gb+me",
                  21,
                  1,
                  1,
                  5952,
                  1,
                  14,
                  engines(1, 1, 0, 1, 1),
                  at(0, 1, 2, 3),
                  "memoryMiB"),
              gi("2g.12gb", 5, 2, 2, 11968, 2, 28, engines(2, 2, 0, 0, 0), at(0, 2)),
              gi(
                  "2g.12gb+me",
                  6,
                  2,
                  2,
                  11968,
                  1,
                  28,
                  engines(2, 2, 0, 1, 1),
                  at(0, 2),
                  "memoryMiB"),
              gi("4g.24gb", 0, 4, 4, 24000, 1, 56, engines(4, 4, 0, 1, 1), at(0), "memoryMiB")),
          Set.of());

  /** NVIDIA H100 80GB HBM3, from the reference catalog (H100-80GB). */
  public static final GpuModel H100_80GB =
      new GpuModel(
          "h100-80gb",
          "H100 80GB HBM3",
          "NVIDIA H100 80GB HBM3",
          List.of("h100", "h100-sxm5-80gb"),
          Architecture.HOPPER,
          0x233010DE,
          81559,
          7,
          8,
          List.of(
              gi("1g.10gb", 19, 1, 1, 9984, 7, 16, engines(1, 1, 0, 1, 0), at(0, 1, 2, 3, 4, 5, 6)),
              gi(
                  "1g.10gb+me",
                  20,
                  1,
                  1,
                  9984,
                  1,
                  16,
                  engines(1, 1, 0, 1, 1),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "memoryMiB"),
              gi(
                  "1g.20gb",
                  15,
                  1,
                  2,
                  20096,
                  4,
                  26,
                  engines(1, 1, 0, 1, 0),
                  at(0, 2, 4, 6),
                  "memoryMiB"),
              gi("2g.20gb", 14, 2, 2, 20096, 3, 32, engines(2, 2, 0, 2, 0), at(0, 2, 4)),
              gi("3g.40gb", 9, 3, 4, 40448, 2, 60, engines(3, 3, 0, 3, 0), at(0, 4)),
              gi("4g.40gb", 5, 4, 4, 40448, 1, 64, engines(4, 4, 0, 4, 0), at(0), "memoryMiB"),
              gi("7g.80gb", 0, 7, 8, 81152, 1, 132, engines(8, 7, 0, 7, 1), at(0), "memoryMiB")),
          Set.of());

  /** NVIDIA H100 NVL, from the reference catalog (H100-NVL-94GB). */
  public static final GpuModel H100_94GB =
      new GpuModel(
          "h100-94gb",
          "H100 NVL",
          "NVIDIA H100 NVL",
          List.of("h100-nvl", "h100-nvl-94gb"),
          Architecture.HOPPER,
          0x232110DE,
          95830,
          7,
          8,
          List.of(
              gi(
                  "1g.12gb",
                  19,
                  1,
                  1,
                  11008,
                  7,
                  16,
                  engines(1, 1, 0, 1, 0),
                  at(0, 1, 2, 3, 4, 5, 6)),
              gi(
                  "1g.12gb+me",
                  20,
                  1,
                  1,
                  11008,
                  1,
                  16,
                  engines(1, 1, 0, 1, 1),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "memoryMiB"),
              gi("1g.24gb", 15, 1, 2, 22144, 4, 26, engines(1, 1, 0, 1, 0), at(0, 2, 4, 6)),
              gi(
                  "2g.24gb",
                  14,
                  2,
                  2,
                  22144,
                  3,
                  32,
                  engines(2, 2, 0, 2, 0),
                  at(0, 2, 4),
                  "memoryMiB"),
              gi("3g.47gb", 9, 3, 4, 47488, 2, 60, engines(3, 3, 0, 3, 0), at(0, 4)),
              gi("4g.47gb", 5, 4, 4, 47488, 1, 64, engines(4, 4, 0, 4, 0), at(0), "memoryMiB"),
              gi("7g.94gb", 0, 7, 8, 95360, 1, 132, engines(8, 7, 0, 7, 1), at(0), "memoryMiB")),
          Set.of());

  /** NVIDIA H200, from the reference catalog (H200-141GB). */
  public static final GpuModel H200_141GB =
      new GpuModel(
          "h200-141gb",
          "H200",
          "NVIDIA H200",
          List.of("h200"),
          Architecture.HOPPER,
          0x233510DE,
          144384,
          7,
          8,
          List.of(
              gi(
                  "1g.18gb",
                  19,
                  1,
                  1,
                  16384,
                  7,
                  16,
                  engines(1, 1, 0, 1, 0),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "1g.18gb+me",
                  20,
                  1,
                  1,
                  16384,
                  1,
                  16,
                  engines(1, 1, 0, 1, 1),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "1g.35gb",
                  15,
                  1,
                  2,
                  33024,
                  4,
                  26,
                  engines(1, 1, 0, 1, 0),
                  at(0, 2, 4, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "2g.35gb",
                  14,
                  2,
                  2,
                  33024,
                  3,
                  32,
                  engines(2, 2, 0, 2, 0),
                  at(0, 2, 4),
                  "memoryMiB",
                  "placements"),
              gi(
                  "3g.71gb",
                  9,
                  3,
                  4,
                  71168,
                  2,
                  60,
                  engines(3, 3, 0, 3, 0),
                  at(0, 4),
                  "memoryMiB",
                  "placements"),
              gi(
                  "4g.71gb",
                  5,
                  4,
                  4,
                  71168,
                  1,
                  64,
                  engines(4, 4, 0, 4, 0),
                  at(0),
                  "memoryMiB",
                  "placements"),
              gi(
                  "7g.141gb",
                  0,
                  7,
                  8,
                  143104,
                  1,
                  132,
                  engines(8, 7, 0, 7, 1),
                  at(0),
                  "memoryMiB",
                  "placements")),
          Set.of("memoryMiB"));

  /** NVIDIA GH200 144G HBM3e, from the reference catalog (GH200-144G-HBM3e). */
  public static final GpuModel GH200_144GB =
      new GpuModel(
          "gh200-144gb",
          "GH200 144G HBM3e",
          "NVIDIA GH200 144G HBM3e",
          List.of("gh200"),
          Architecture.HOPPER,
          0x234810DE,
          147456,
          7,
          8,
          List.of(
              gi(
                  "1g.18gb",
                  19,
                  1,
                  1,
                  17920,
                  7,
                  16,
                  engines(1, 1, 0, 1, 0),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "1g.18gb+me",
                  20,
                  1,
                  1,
                  17920,
                  1,
                  16,
                  engines(1, 1, 0, 1, 1),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "1g.36gb",
                  15,
                  1,
                  2,
                  36096,
                  4,
                  26,
                  engines(1, 1, 0, 1, 0),
                  at(0, 2, 4, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "2g.36gb",
                  14,
                  2,
                  2,
                  36096,
                  3,
                  32,
                  engines(2, 2, 0, 2, 0),
                  at(0, 2, 4),
                  "memoryMiB",
                  "placements"),
              gi(
                  "3g.72gb",
                  9,
                  3,
                  4,
                  72448,
                  2,
                  60,
                  engines(3, 3, 0, 3, 0),
                  at(0, 4),
                  "copyEngines",
                  "decoders",
                  "encoders",
                  "id",
                  "jpeg",
                  "memoryMiB",
                  "multiprocessors",
                  "ofa",
                  "placements"),
              gi(
                  "4g.72gb",
                  5,
                  4,
                  4,
                  72448,
                  1,
                  64,
                  engines(4, 4, 0, 4, 0),
                  at(0),
                  "copyEngines",
                  "decoders",
                  "encoders",
                  "id",
                  "jpeg",
                  "memoryMiB",
                  "multiprocessors",
                  "ofa",
                  "placements"),
              gi(
                  "7g.144gb",
                  0,
                  7,
                  8,
                  145152,
                  1,
                  132,
                  engines(8, 7, 0, 7, 1),
                  at(0),
                  "copyEngines",
                  "decoders",
                  "encoders",
                  "id",
                  "jpeg",
                  "memoryMiB",
                  "multiprocessors",
                  "ofa",
                  "placements")),
          Set.of("memoryMiB"));

  /** NVIDIA B200, from the reference catalog (B200-180GB). */
  public static final GpuModel B200_180GB =
      new GpuModel(
          "b200-180gb",
          "B200",
          "NVIDIA B200",
          List.of("b200"),
          Architecture.BLACKWELL,
          0x290110DE,
          184320,
          7,
          8,
          List.of(
              gi(
                  "1g.23gb",
                  19,
                  1,
                  1,
                  20992,
                  7,
                  18,
                  engines(2, 1, 0, 1, 0),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "1g.23gb+me",
                  20,
                  1,
                  1,
                  20992,
                  1,
                  18,
                  engines(2, 1, 0, 1, 1),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "1g.45gb",
                  15,
                  1,
                  2,
                  45312,
                  4,
                  30,
                  engines(2, 1, 0, 1, 0),
                  at(0, 2, 4, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "2g.45gb",
                  14,
                  2,
                  2,
                  45312,
                  3,
                  36,
                  engines(4, 2, 0, 2, 0),
                  at(0, 2, 4),
                  "memoryMiB",
                  "placements"),
              gi(
                  "3g.90gb",
                  9,
                  3,
                  4,
                  90880,
                  2,
                  66,
                  engines(6, 3, 0, 3, 0),
                  at(0, 4),
                  "decoders",
                  "encoders",
                  "jpeg",
                  "memoryMiB",
                  "multiprocessors",
                  "placements"),
              gi(
                  "4g.90gb",
                  5,
                  4,
                  4,
                  90880,
                  1,
                  72,
                  engines(8, 4, 0, 4, 0),
                  at(0),
                  "decoders",
                  "encoders",
                  "jpeg",
                  "memoryMiB",
                  "multiprocessors",
                  "placements"),
              gi(
                  "7g.180gb",
                  0,
                  7,
                  8,
                  182016,
                  1,
                  148,
                  engines(16, 7, 0, 7, 1),
                  at(0),
                  "decoders",
                  "encoders",
                  "jpeg",
                  "memoryMiB",
                  "multiprocessors",
                  "placements")),
          Set.of("memoryMiB"));

  /** NVIDIA GB200, from the reference catalog (GB200-186GB). */
  public static final GpuModel GB200_186GB =
      new GpuModel(
          "gb200-186gb",
          "GB200",
          "NVIDIA GB200",
          List.of("gb200"),
          Architecture.BLACKWELL,
          0x294110DE,
          190464,
          7,
          8,
          List.of(
              gi(
                  "1g.23gb",
                  19,
                  1,
                  1,
                  22528,
                  7,
                  18,
                  engines(2, 1, 0, 1, 0),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "1g.23gb+me",
                  20,
                  1,
                  1,
                  22528,
                  1,
                  18,
                  engines(2, 1, 0, 1, 1),
                  at(0, 1, 2, 3, 4, 5, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "1g.47gb",
                  15,
                  1,
                  2,
                  46592,
                  4,
                  32,
                  engines(2, 1, 0, 1, 0),
                  at(0, 2, 4, 6),
                  "memoryMiB",
                  "placements"),
              gi(
                  "2g.47gb",
                  14,
                  2,
                  2,
                  46592,
                  3,
                  38,
                  engines(4, 2, 0, 2, 0),
                  at(0, 2, 4),
                  "memoryMiB",
                  "placements"),
              gi(
                  "3g.93gb",
                  9,
                  3,
                  4,
                  93440,
                  2,
                  66,
                  engines(6, 3, 0, 3, 0),
                  at(0, 4),
                  "copyEngines",
                  "decoders",
                  "encoders",
                  "jpeg",
                  "memoryMiB",
                  "multiprocessors",
                  "ofa",
                  "placements"),
              gi(
                  "4g.93gb",
                  5,
                  4,
                  4,
                  93440,
                  1,
                  72,
                  engines(8, 4, 0, 4, 0),
                  at(0),
                  "copyEngines",
                  "decoders",
                  "encoders",
                  "jpeg",
                  "memoryMiB",
                  "multiprocessors",
                  "ofa",
                  "placements"),
              gi(
                  "7g.186gb",
                  0,
                  7,
                  8,
                  187136,
                  1,
                  148,
                  engines(16, 7, 0, 7, 1),
                  at(0),
                  "copyEngines",
                  "decoders",
                  "encoders",
                  "jpeg",
                  "memoryMiB",
                  "multiprocessors",
                  "ofa",
                  "placements")),
          Set.of("memoryMiB"));

  private Catalog() {}

  /**
   * Every model: those of the reference catalog in its order, then the other boards of the same
   * families ({@link CatalogBoards}) and the RTX PRO 6000 Blackwell ({@link CatalogRtxPro}).
   */
  public static List<GpuModel> models() {
    return All.MODELS;
  }

  /** The model with this key or alias ({@code a100-40gb}, {@code h100}, …), ignoring case. */
  public static Optional<GpuModel> find(String keyOrAlias) {
    return All.MODELS.stream().filter(m -> m.isNamed(keyOrAlias)).findFirst();
  }

  /**
   * The model with this key or alias.
   *
   * @throws IllegalArgumentException naming the unknown text and listing the known keys
   */
  public static GpuModel require(String keyOrAlias) {
    return find(keyOrAlias)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown GPU model \""
                        + keyOrAlias
                        + "\"; known models: "
                        + String.join(", ", All.MODELS.stream().map(GpuModel::key).toList())));
  }

  /**
   * The list of models, built on first use: {@link CatalogBoards} reads this class's constants, so
   * the list must not be built while they are.
   */
  private static final class All {
    private static final List<GpuModel> MODELS =
        List.of(
            A100_40GB,
            A100_80GB,
            A30_24GB,
            H100_80GB,
            H100_94GB,
            H200_141GB,
            GH200_144GB,
            B200_180GB,
            GB200_186GB,
            CatalogBoards.A100_40GB_PCIE,
            CatalogBoards.A100_40GB_20B1,
            CatalogBoards.A800_40GB,
            CatalogBoards.A100_80GB_PCIE,
            CatalogBoards.A800_80GB,
            CatalogBoards.A800_80GB_PCIE,
            CatalogBoards.H100_80GB_PCIE,
            CatalogBoards.H800_80GB,
            CatalogBoards.H800_80GB_PCIE,
            CatalogBoards.H800_94GB,
            CatalogBoards.H200_141GB_NVL,
            CatalogBoards.H100_96GB,
            CatalogBoards.GH200_96GB,
            CatalogBoards.H20_96GB,
            CatalogBoards.PG506_96GB,
            CatalogRtxPro.SERVER,
            CatalogRtxPro.WORKSTATION,
            CatalogRtxPro.MAX_Q);

    private All() {}
  }
}
