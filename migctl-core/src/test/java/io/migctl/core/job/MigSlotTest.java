package io.migctl.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class MigSlotTest {

  /** A compute instance to build: its profile name, its start on the compute slices, holders. */
  private record Ci(String profile, int start, long... pids) {}

  /** Builds one GPU's snapshot from catalog profiles, without a driver. */
  private static final class Gpu {
    private final GpuModel model;
    private final int index;
    private final MigMode mode;
    private final List<GpuSnapshot.Instance> instances = new ArrayList<>();

    Gpu(GpuModel model, int index) {
      this(model, index, MigMode.ENABLED);
    }

    Gpu(GpuModel model, int index, MigMode mode) {
      this.model = model;
      this.index = index;
      this.mode = mode;
    }

    /** A GPU instance with its default compute instance, held by {@code pids}. */
    Gpu gi(String profile, int start, long... pids) {
      GpuInstanceProfile p = model.profile(ProfileName.parse(profile)).orElseThrow();
      return gi(profile, start, List.of(new Ci(p.name().toString(), 0, pids)));
    }

    Gpu gi(String profile, int start, List<Ci> cis) {
      GpuInstanceProfile p = model.profile(ProfileName.parse(profile)).orElseThrow();
      int giId = 1 + instances.size();
      List<GpuSnapshot.Compute> computes = new ArrayList<>();
      for (int i = 0; i < cis.size(); i++) {
        Ci ci = cis.get(i);
        ComputeInstanceProfile cp =
            ComputeInstanceProfile.of(p).stream()
                .filter(c -> c.name().equals(ProfileName.parse(ci.profile())))
                .findFirst()
                .orElseThrow();
        String uuid = uuid(index, giId, i);
        List<DeviceProcess> holders = new ArrayList<>();
        for (long pid : ci.pids()) {
          holders.add(new DeviceProcess(pid, uuid, 100));
        }
        computes.add(
            new GpuSnapshot.Compute(
                new ComputeInstance(
                    index, giId, i, cp.id(), new Placement(ci.start(), cp.computeSlices()), uuid),
                cp,
                holders));
      }
      instances.add(
          new GpuSnapshot.Instance(
              new GpuInstance(index, giId, p.id(), new Placement(start, p.memorySlices())),
              p,
              computes));
      return this;
    }

    GpuSnapshot snapshot() {
      return new GpuSnapshot(
          new GpuDevice(
              index,
              "GPU-" + index,
              model.productName(),
              "00000000:0" + index + ":00.0",
              model.pciDeviceId(),
              model.pciDeviceId(),
              model.memoryMiB(),
              mode),
          model,
          instances);
    }
  }

  private static String uuid(int gpu, int gi, int ci) {
    return "MIG-" + gpu + "-" + gi + "-" + ci;
  }

  @Test
  void everyGpuIsSeenAsAWholeGpuWithItsModeInstancesAndForeignHolders() {
    GpuSnapshot off = new Gpu(Catalog.A100_40GB, 0, MigMode.DISABLED).snapshot();
    GpuSnapshot empty = new Gpu(Catalog.A100_40GB, 1).snapshot();
    GpuSnapshot sliced =
        new Gpu(Catalog.A100_40GB, 2).gi("1g.5gb", 0, 77).gi("1g.5gb", 1).snapshot();

    List<WholeGpu> gpus = WholeGpu.of(List.of(off, empty, sliced), Set.of(42L));

    long mib = Catalog.A100_40GB.memoryMiB();
    assertThat(gpus)
        .containsExactly(
            new WholeGpu(0, "GPU-0", "a100-40gb", mib, 7, false, 0, false),
            new WholeGpu(1, "GPU-1", "a100-40gb", mib, 7, true, 0, false),
            new WholeGpu(2, "GPU-2", "a100-40gb", mib, 7, true, 2, true));
    assertThat(WholeGpu.of(List.of(sliced), Set.of(77L)).getFirst().foreignBusy()).isFalse();
  }

  @Test
  void noGpusNoSlots() {
    assertThat(MigSlot.of(List.of(), Set.of())).isEmpty();
    GpuSnapshot disabled = new Gpu(Catalog.A100_40GB, 0, MigMode.DISABLED).snapshot();
    assertThat(MigSlot.of(List.of(disabled), Set.of())).isEmpty();
  }

  @Test
  void oneSlotPerGpuInstanceWithItsProfileAndPlacement() {
    GpuSnapshot gpu =
        new Gpu(Catalog.A100_40GB, 0)
            .gi("3g.20gb", 0)
            .gi("2g.10gb", 4)
            .gi("1g.5gb", 6)
            .gi("1g.5gb+me", 7)
            .snapshot();
    List<MigSlot> slots = MigSlot.of(List.of(gpu), Set.of());
    assertThat(slots)
        .containsExactly(
            new MigSlot("MIG-0-1-0", 0, 1, 0, "3g.20gb", 19968, 3, new Placement(0, 4), false),
            new MigSlot("MIG-0-2-0", 0, 2, 0, "2g.10gb", 9856, 2, new Placement(4, 2), false),
            new MigSlot("MIG-0-3-0", 0, 3, 0, "1g.5gb", 4864, 1, new Placement(6, 1), false),
            new MigSlot("MIG-0-4-0", 0, 4, 0, "1g.5gb+me", 4864, 1, new Placement(7, 1), false));
  }

  @Test
  void aSubdividedGpuInstanceGivesOneSlotPerComputeInstance() {
    GpuSnapshot gpu =
        new Gpu(Catalog.A100_40GB, 0)
            .gi(
                "3g.20gb",
                4,
                List.of(new Ci("1c.3g.20gb", 0), new Ci("1c.3g.20gb", 1), new Ci("1c.3g.20gb", 2)))
            .gi("4g.20gb", 0, List.of(new Ci("2c.4g.20gb", 0), new Ci("2c.4g.20gb", 2)))
            .snapshot();
    List<MigSlot> slots = MigSlot.of(List.of(gpu), Set.of());
    assertThat(slots).hasSize(5);
    assertThat(slots.subList(0, 3))
        .allSatisfy(
            s -> {
              assertThat(s.profile()).isEqualTo("1c.3g.20gb");
              assertThat(s.memoryMiB()).isEqualTo(19968);
              assertThat(s.computeSlices()).isEqualTo(1);
              assertThat(s.gpuInstanceId()).isEqualTo(1);
              assertThat(s.placement()).isEqualTo(new Placement(4, 4));
            });
    assertThat(slots.subList(0, 3))
        .extracting(MigSlot::uuid, MigSlot::computeInstanceId)
        .containsExactly(
            Tuple.tuple("MIG-0-1-0", 0), Tuple.tuple("MIG-0-1-1", 1), Tuple.tuple("MIG-0-1-2", 2));
    assertThat(slots.subList(3, 5))
        .allSatisfy(
            s -> {
              assertThat(s.profile()).isEqualTo("2c.4g.20gb");
              assertThat(s.memoryMiB()).isEqualTo(19968);
              assertThat(s.computeSlices()).isEqualTo(2);
            });
  }

  @Test
  void aLoneComputeInstanceSmallerThanItsGpuInstanceIsNamedAsAComputeInstance() {
    GpuSnapshot gpu =
        new Gpu(Catalog.A100_40GB, 0).gi("7g.40gb", 0, List.of(new Ci("1c.7g.40gb", 0))).snapshot();
    assertThat(MigSlot.of(List.of(gpu), Set.of()))
        .singleElement()
        .returns("1c.7g.40gb", MigSlot::profile)
        .returns(40192L, MigSlot::memoryMiB)
        .returns(1, MigSlot::computeSlices);
  }

  @Test
  void aGpuInstanceWithoutComputeInstancesHasNoSlot() {
    GpuSnapshot gpu =
        new Gpu(Catalog.A100_40GB, 0).gi("3g.20gb", 0, List.of()).gi("3g.20gb", 4).snapshot();
    assertThat(MigSlot.of(List.of(gpu), Set.of()))
        .singleElement()
        .returns("MIG-0-2-0", MigSlot::uuid);
  }

  @Test
  void slotsFollowGpuOrderAndCarryTheGpuIndex() {
    GpuSnapshot a30 = new Gpu(Catalog.A30_24GB, 0).gi("2g.12gb", 0).gi("1g.6gb", 2).snapshot();
    GpuSnapshot h100 = new Gpu(Catalog.H100_80GB, 1).gi("7g.80gb", 0).snapshot();
    List<MigSlot> slots = MigSlot.of(List.of(a30, h100), Set.of());
    assertThat(slots)
        .extracting(MigSlot::gpu, MigSlot::profile, MigSlot::memoryMiB)
        .containsExactly(
            Tuple.tuple(0, "2g.12gb", 11968L),
            Tuple.tuple(0, "1g.6gb", 5952L),
            Tuple.tuple(1, "7g.80gb", 81152L));
  }

  @Test
  void onlyProcessesThatAreNotMigctlsJobsMakeASlotForeignBusy() {
    GpuSnapshot gpu =
        new Gpu(Catalog.A100_40GB, 0)
            .gi("1g.5gb", 0) // idle
            .gi("1g.5gb", 1, 100) // our job
            .gi("1g.5gb", 2, 100, 101) // our job and our job's child
            .gi("1g.5gb", 3, 100, 200) // our job and a stranger
            .gi("1g.5gb", 6, 200) // a stranger
            .gi("2g.10gb", 4, List.of(new Ci("1c.2g.10gb", 0, 300), new Ci("1c.2g.10gb", 1)))
            .snapshot();
    List<MigSlot> slots = MigSlot.of(List.of(gpu), Set.of(100L, 101L));
    assertThat(slots)
        .extracting(MigSlot::uuid, MigSlot::foreignBusy)
        .containsExactly(
            Tuple.tuple("MIG-0-1-0", false),
            Tuple.tuple("MIG-0-2-0", false),
            Tuple.tuple("MIG-0-3-0", false),
            Tuple.tuple("MIG-0-4-0", true),
            Tuple.tuple("MIG-0-5-0", true),
            Tuple.tuple("MIG-0-6-0", true),
            Tuple.tuple("MIG-0-6-1", false));
  }

  @Test
  void withoutOwnPidsEveryHolderIsForeign() {
    GpuSnapshot gpu = new Gpu(Catalog.A100_40GB, 0).gi("1g.5gb", 0, 100).gi("1g.5gb", 1).snapshot();
    assertThat(MigSlot.of(List.of(gpu), Set.of()))
        .extracting(MigSlot::foreignBusy)
        .containsExactly(true, false);
  }

  @Test
  void everyCatalogProfileBecomesASlotWithItsMemoryAndCompute() {
    for (GpuModel model : Catalog.models()) {
      for (GpuInstanceProfile p : model.profiles()) {
        for (ComputeInstanceProfile cp : ComputeInstanceProfile.of(p)) {
          GpuSnapshot gpu =
              new Gpu(model, 0)
                  .gi(
                      p.name().toString(),
                      p.placements().getFirst().start(),
                      List.of(new Ci(cp.name().toString(), 0)))
                  .snapshot();
          MigSlot slot = MigSlot.of(List.of(gpu), Set.of()).getFirst();
          String what = model.key() + " " + cp.name();
          assertThat(slot.profile()).as(what).isEqualTo(cp.name().toString());
          assertThat(slot.memoryMiB()).as(what).isEqualTo(p.memoryMiB());
          assertThat(slot.computeSlices()).as(what).isEqualTo(cp.computeSlices());
          assertThat(slot.placement()).as(what).isEqualTo(p.placements().getFirst());
          // A profile need for the slot's own name is met by the slot.
          Requirement need =
              Admission.requirement(
                      new GpuNeed.Profile(ProfileName.parse(slot.profile())), List.of(model))
                  .orElseThrow();
          assertThat(need.fits(slot)).as(what).isTrue();
        }
      }
    }
  }
}
