package io.migctl.core.mig;

import static io.migctl.core.mig.ProfileTables.at;
import static io.migctl.core.mig.ProfileTables.engines;
import static io.migctl.core.mig.ProfileTables.gi;

import java.util.List;
import java.util.Set;

/**
 * The other boards of the catalog's GPU families, each with its own PCI id, and the H100 96GB
 * family.
 *
 * <p>mig-parted's default config ({@code shared/reference/mig/mig-parted-default-config.yaml})
 * gives every PCI id it knows the same profiles as one of the catalog's models: A100 SXM4 and PCIe
 * and A800 share the A100 tables, H800 the H100 ones, H800 NVL the H100 NVL one, H200 NVL the H200
 * one. A board here therefore has its family's profile table; what no real output confirmed for the
 * board itself is marked unverified: its name where only the PCI id is published, and the SM counts
 * of boards with fewer SMs than the one the table was printed on (H100 and H800 PCIe, 114 SMs; H200
 * NVL).
 *
 * <p>The H100 96GB table (H100 on GH200 96GB, H20, PG506-96GB) comes from the MIG user guide's
 * "H100 96GB" table: names, fractions, counts and engines. No {@code -lgip} output was found, so
 * its ids, memory and SM counts are estimates, marked unverified: the ids of the other Hopper
 * tables, the H100 NVL's memory sizes scaled by 96/94 and its SM counts. mig-parted groups the four
 * PCI ids 0x2342, 0x233D, 0x20B6 and 0x2329 without saying which board has which; the mapping here
 * (GH200, H100 96GB, PG506, H20) is marked unverified.
 */
public final class CatalogBoards {

  /** NVIDIA A100-PCIE-40GB (0x20F1): the A100-SXM4-40GB table. */
  public static final GpuModel A100_40GB_PCIE =
      Catalog.A100_40GB.onBoard(
          "a100-40gb-pcie",
          "A100-PCIE-40GB",
          "NVIDIA A100-PCIE-40GB",
          List.of("a100-pcie-40gb"),
          0x20F110DE,
          Set.of(),
          Set.of());

  /** The A100 40GB board mig-parted lists as 0x20B1 (an A100 PCIe 40GB by its id range). */
  public static final GpuModel A100_40GB_20B1 =
      Catalog.A100_40GB.onBoard(
          "a100-40gb-20b1",
          "A100-PCIE-40GB",
          "NVIDIA A100-PCIE-40GB",
          List.of(),
          0x20B110DE,
          Set.of("name"),
          Set.of());

  /** NVIDIA A800 40GB (0x20F6): the A100-SXM4-40GB table. */
  public static final GpuModel A800_40GB =
      Catalog.A100_40GB.onBoard(
          "a800-40gb",
          "A800-40GB",
          "NVIDIA A800-40GB",
          List.of("a800-40gb-pcie"),
          0x20F610DE,
          Set.of("name"),
          Set.of());

  /** NVIDIA A100 80GB PCIe (0x20B5): the A100-SXM4-80GB table. */
  public static final GpuModel A100_80GB_PCIE =
      Catalog.A100_80GB.onBoard(
          "a100-80gb-pcie",
          "A100 80GB PCIe",
          "NVIDIA A100 80GB PCIe",
          List.of("a100-pcie-80gb"),
          0x20B510DE,
          Set.of(),
          Set.of());

  /** NVIDIA A800-SXM4-80GB (0x20F3): the A100-SXM4-80GB table. */
  public static final GpuModel A800_80GB =
      Catalog.A100_80GB.onBoard(
          "a800-80gb",
          "A800-SXM4-80GB",
          "NVIDIA A800-SXM4-80GB",
          List.of("a800-sxm4-80gb"),
          0x20F310DE,
          Set.of("name"),
          Set.of());

  /** NVIDIA A800 80GB PCIe (0x20F5): the A100-SXM4-80GB table. */
  public static final GpuModel A800_80GB_PCIE =
      Catalog.A100_80GB.onBoard(
          "a800-80gb-pcie",
          "A800 80GB PCIe",
          "NVIDIA A800 80GB PCIe",
          List.of("a800-pcie-80gb"),
          0x20F510DE,
          Set.of("name"),
          Set.of());

  /** NVIDIA H100 PCIe (0x2331, 114 SMs): the H100 SXM5 table, SM counts unverified. */
  public static final GpuModel H100_80GB_PCIE =
      Catalog.H100_80GB.onBoard(
          "h100-80gb-pcie",
          "H100 PCIe",
          "NVIDIA H100 PCIe",
          List.of("h100-pcie"),
          0x233110DE,
          Set.of(),
          Set.of("multiprocessors"));

  /** NVIDIA H800 (SXM5, 0x2324): the H100 SXM5 table. */
  public static final GpuModel H800_80GB =
      Catalog.H100_80GB.onBoard(
          "h800-80gb",
          "H800",
          "NVIDIA H800",
          List.of("h800"),
          0x232410DE,
          Set.of("name"),
          Set.of());

  /** NVIDIA H800 PCIe (0x2322): the H100 SXM5 table, SM counts unverified. */
  public static final GpuModel H800_80GB_PCIE =
      Catalog.H100_80GB.onBoard(
          "h800-80gb-pcie",
          "H800 PCIe",
          "NVIDIA H800 PCIe",
          List.of("h800-pcie"),
          0x232210DE,
          Set.of("name"),
          Set.of("multiprocessors"));

  /** NVIDIA H800 NVL (0x233A): the H100 NVL table. */
  public static final GpuModel H800_94GB =
      Catalog.H100_94GB.onBoard(
          "h800-94gb",
          "H800 NVL",
          "NVIDIA H800 NVL",
          List.of("h800-nvl"),
          0x233A10DE,
          Set.of("name"),
          Set.of());

  /** NVIDIA H200 NVL (0x233B): the H200 table, SM counts unverified. */
  public static final GpuModel H200_141GB_NVL =
      Catalog.H200_141GB.onBoard(
          "h200-141gb-nvl",
          "H200 NVL",
          "NVIDIA H200 NVL",
          List.of("h200-nvl"),
          0x233B10DE,
          Set.of(),
          Set.of("multiprocessors"));

  /** Every profile field the user guide's H100 96GB table leaves open. */
  private static final String[] OPEN = {
    "encoders", "id", "memoryMiB", "multiprocessors", "placements"
  };

  /** NVIDIA H100 96GB (0x233D), from the reference catalog (H100-96GB); see the class note. */
  public static final GpuModel H100_96GB =
      new GpuModel(
          "h100-96gb",
          "H100 96GB",
          "NVIDIA H100 96GB",
          List.of(),
          Architecture.HOPPER,
          0x233D10DE,
          98304,
          7,
          8,
          List.of(
              gi(
                  "1g.12gb",
                  19,
                  1,
                  1,
                  11264,
                  7,
                  16,
                  engines(1, 1, 0, 1, 0),
                  at(0, 1, 2, 3, 4, 5, 6),
                  OPEN),
              gi(
                  "1g.12gb+me",
                  20,
                  1,
                  1,
                  11264,
                  1,
                  16,
                  engines(1, 1, 0, 1, 1),
                  at(0, 1, 2, 3, 4, 5, 6),
                  OPEN),
              gi("1g.24gb", 15, 1, 2, 22656, 4, 26, engines(1, 1, 0, 1, 0), at(0, 2, 4, 6), OPEN),
              gi("2g.24gb", 14, 2, 2, 22656, 3, 32, engines(2, 2, 0, 2, 0), at(0, 2, 4), OPEN),
              gi("3g.48gb", 9, 3, 4, 48576, 2, 60, engines(3, 3, 0, 3, 0), at(0, 4), OPEN),
              gi("4g.48gb", 5, 4, 4, 48576, 1, 64, engines(4, 4, 0, 4, 0), at(0), OPEN),
              gi("7g.96gb", 0, 7, 8, 97536, 1, 132, engines(8, 7, 0, 7, 1), at(0), OPEN)),
          Set.of("memoryMiB", "name", "pciDeviceId"));

  /** NVIDIA GH200 96GB (0x2342): the H100 96GB table. */
  public static final GpuModel GH200_96GB =
      H100_96GB.onBoard(
          "gh200-96gb",
          "GH200 480GB",
          "NVIDIA GH200 480GB",
          List.of("gh200-480gb"),
          0x234210DE,
          Set.of(),
          Set.of());

  /** NVIDIA H20 (0x2329, 78 SMs): the H100 96GB table. */
  public static final GpuModel H20_96GB =
      H100_96GB.onBoard(
          "h20-96gb", "H20", "NVIDIA H20", List.of("h20"), 0x232910DE, Set.of(), Set.of());

  /** PG506-96GB (0x20B6), as mig-parted names it: the H100 96GB table. */
  public static final GpuModel PG506_96GB =
      H100_96GB.onBoard(
          "pg506-96gb",
          "PG506-96GB",
          "NVIDIA PG506-96GB",
          List.of(),
          0x20B610DE,
          Set.of(),
          Set.of());

  private CatalogBoards() {}
}
