package io.migctl.core.mig;

import static io.migctl.core.mig.ProfileTables.at;
import static io.migctl.core.mig.ProfileTables.engines;
import static io.migctl.core.mig.ProfileTables.gi;

import java.util.List;
import java.util.Set;

/**
 * The NVIDIA RTX PRO 6000 Blackwell: 4 compute and 4 memory slices, 96 GB, and besides the plain
 * profiles graphics-capable ones ({@code +gfx}), ones that take every media engine ({@code
 * +me.all}) and ones without media engines ({@code -me}).
 *
 * <p>Sources (see {@code shared/reference/mig/mig-profiles.md} 2.11): the profile names, ids and
 * counts of GKE's partitioner and of mig-parted's default config (device 0x2BB5); the {@code -lgip}
 * rows of 1g.24gb, 1g.24gb+me and 1g.24gb+gfx (and the start of 1g.24gb+me.all) printed on a Server
 * Edition with driver 580. Everything else is an estimate, marked unverified: memory from the 23.12
 * GiB of the 1g rows (a 2g is two 1g plus 128 MiB, a 4g two 2g plus 256 MiB, as on the other
 * families), SM counts as 46 per compute slice and 188 for the whole GPU, engines as one NVDEC,
 * NVENC and JPEG per compute slice with the single OFA in {@code +me}, {@code +me.all} and the
 * whole GPU, and placements as on the A30, the other 4-slice GPU (no {@code -lgipp} output was
 * found). NVML says that a {@code +me.all} instance leaves room only for {@code -me} ones ({@link
 * GpuInstanceProfile#leavesMediaFor}).
 *
 * <p>The Workstation and Max-Q Workstation editions are in NVIDIA's list of MIG GPUs with the same
 * memory and instance count; their PCI ids (0x2BB1, 0x2BB4) are not in mig-parted's default config
 * and are marked unverified.
 */
public final class CatalogRtxPro {

  /** The fields of the printed 1g rows that are not confirmed: GiB with two decimals, no lgipp. */
  private static final String[] PRINTED_IN_GIB = {"memoryMiB", "placements"};

  /** The fields of the 1g.24gb+me.all row after the cut in its only print (SMs and NVDECs). */
  private static final String[] CUT_OFF = {
    "copyEngines", "encoders", "jpeg", "memoryMiB", "ofa", "placements"
  };

  /** The fields of the -me, 2g and 4g profiles no printed row confirms: all but name, id, count. */
  private static final String[] ESTIMATED = {
    "copyEngines",
    "decoders",
    "encoders",
    "jpeg",
    "memoryMiB",
    "multiprocessors",
    "ofa",
    "placements"
  };

  /** NVIDIA RTX PRO 6000 Blackwell Server Edition (0x2BB5). */
  public static final GpuModel SERVER =
      new GpuModel(
          "rtx-pro-6000",
          "RTX PRO 6000 Blackwell Server Edition",
          "NVIDIA RTX PRO 6000 Blackwell Server Edition",
          List.of("rtx-pro-6000-server", "rtx-pro-6000-96gb", "rtx-pro-6000-blackwell"),
          Architecture.BLACKWELL,
          0x2BB510DE,
          97887,
          4,
          4,
          List.of(
              gi(
                  "1g.24gb",
                  14,
                  1,
                  1,
                  23680,
                  4,
                  46,
                  engines(1, 1, 1, 1, 0),
                  at(0, 1, 2, 3),
                  PRINTED_IN_GIB),
              gi(
                  "1g.24gb+me",
                  21,
                  1,
                  1,
                  23680,
                  1,
                  46,
                  engines(1, 1, 1, 1, 1),
                  at(0, 1, 2, 3),
                  PRINTED_IN_GIB),
              gi(
                  "1g.24gb+gfx",
                  47,
                  1,
                  1,
                  23680,
                  4,
                  46,
                  engines(1, 1, 1, 1, 0),
                  at(0, 1, 2, 3),
                  PRINTED_IN_GIB),
              gi(
                  "1g.24gb+me.all",
                  65,
                  1,
                  1,
                  23680,
                  1,
                  46,
                  engines(1, 4, 4, 4, 1),
                  at(0, 1, 2, 3),
                  CUT_OFF),
              gi(
                  "1g.24gb-me",
                  67,
                  1,
                  1,
                  23680,
                  4,
                  46,
                  engines(1, 0, 0, 0, 0),
                  at(0, 1, 2, 3),
                  ESTIMATED),
              gi("2g.48gb", 5, 2, 2, 47488, 2, 92, engines(2, 2, 2, 2, 0), at(0, 2), ESTIMATED),
              gi(
                  "2g.48gb+gfx",
                  35,
                  2,
                  2,
                  47488,
                  2,
                  92,
                  engines(2, 2, 2, 2, 0),
                  at(0, 2),
                  ESTIMATED),
              gi(
                  "2g.48gb+me.all",
                  64,
                  2,
                  2,
                  47488,
                  1,
                  92,
                  engines(2, 4, 4, 4, 1),
                  at(0, 2),
                  ESTIMATED),
              gi("2g.48gb-me", 66, 2, 2, 47488, 2, 92, engines(2, 0, 0, 0, 0), at(0, 2), ESTIMATED),
              gi("4g.96gb", 0, 4, 4, 95232, 1, 188, engines(4, 4, 4, 4, 1), at(0), ESTIMATED),
              gi("4g.96gb+gfx", 32, 4, 4, 95232, 1, 188, engines(4, 4, 4, 4, 1), at(0), ESTIMATED)),
          Set.of("memoryMiB"));

  /** NVIDIA RTX PRO 6000 Blackwell Workstation Edition: the Server Edition's table. */
  public static final GpuModel WORKSTATION =
      SERVER.onBoard(
          "rtx-pro-6000-ws",
          "RTX PRO 6000 Blackwell Workstation Edition",
          "NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
          List.of("rtx-pro-6000-workstation"),
          0x2BB110DE,
          Set.of("pciDeviceId"),
          Set.of());

  /** NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition: the Server Edition's table. */
  public static final GpuModel MAX_Q =
      SERVER.onBoard(
          "rtx-pro-6000-maxq",
          "RTX PRO 6000 Blackwell Max-Q Workstation Edition",
          "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition",
          List.of("rtx-pro-6000-max-q"),
          0x2BB410DE,
          Set.of("pciDeviceId"),
          Set.of());

  private CatalogRtxPro() {}
}
