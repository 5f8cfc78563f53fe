package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GpuSnapshotTest {

  private static final GpuModel A100 = Catalog.A100_40GB;

  private static GpuInstanceProfile profile(String name) {
    return A100.profile(ProfileName.parse(name)).orElseThrow();
  }

  private static int ciProfileId(String gi, String ci) {
    return ComputeInstanceProfile.of(profile(gi)).stream()
        .filter(c -> c.name().equals(ProfileName.parse(ci)))
        .findFirst()
        .orElseThrow()
        .id();
  }

  private static GpuDevice device(int index, MigMode mode) {
    return new GpuDevice(
        index,
        "GPU-" + index,
        A100.productName(),
        "00000000:0" + index + ":00.0",
        A100.pciDeviceId(),
        A100.pciDeviceId(),
        A100.memoryMiB(),
        mode);
  }

  /**
   * A driver that answers what it was given and nothing else: every method a snapshot must not call
   * throws.
   */
  private static final class ListedDriver implements MigDriver {
    final List<GpuDevice> gpus = new ArrayList<>();
    final Map<Integer, List<GpuInstance>> gis = new LinkedHashMap<>();
    final Map<List<Integer>, List<ComputeInstance>> cis = new LinkedHashMap<>();
    final Map<Integer, List<DeviceProcess>> processes = new LinkedHashMap<>();

    ListedDriver gpu(GpuDevice device) {
      gpus.add(device);
      gis.put(device.index(), new ArrayList<>());
      processes.put(device.index(), new ArrayList<>());
      return this;
    }

    ListedDriver gi(int gpu, int id, int profileId, Placement at) {
      gis.get(gpu).add(new GpuInstance(gpu, id, profileId, at));
      cis.put(List.of(gpu, id), new ArrayList<>());
      return this;
    }

    ListedDriver ci(int gpu, int gi, int id, int profileId, Placement at, String uuid) {
      cis.get(List.of(gpu, gi)).add(new ComputeInstance(gpu, gi, id, profileId, at, uuid));
      return this;
    }

    ListedDriver process(int gpu, long pid, String uuid) {
      processes.get(gpu).add(new DeviceProcess(pid, uuid, 100));
      return this;
    }

    @Override
    public List<GpuDevice> gpus() {
      return gpus;
    }

    @Override
    public GpuModel migModel(int gpu) {
      return A100;
    }

    @Override
    public List<GpuInstance> gpuInstances(int gpu) {
      requireMigOn(gpu);
      return gis.get(gpu);
    }

    @Override
    public List<ComputeInstance> computeInstances(int gpu, int gpuInstanceId) {
      return cis.get(List.of(gpu, gpuInstanceId));
    }

    @Override
    public List<DeviceProcess> processes(int gpu) {
      requireMigOn(gpu);
      return processes.get(gpu);
    }

    private void requireMigOn(int gpu) {
      if (!gpus.get(gpu).migMode().current()) {
        throw new AssertionError("GPU " + gpu + " has MIG off: the driver would fail");
      }
    }

    @Override
    public int remainingCapacity(int gpu, int profileId) {
      throw new AssertionError("a snapshot only reads");
    }

    @Override
    public GpuInstance createGpuInstance(int gpu, int profileId, Optional<Placement> placement) {
      throw new AssertionError("a snapshot only reads");
    }

    @Override
    public ComputeInstance createComputeInstance(
        int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement) {
      throw new AssertionError("a snapshot only reads");
    }

    @Override
    public void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId) {
      throw new AssertionError("a snapshot only reads");
    }

    @Override
    public void destroyGpuInstance(int gpu, int gpuInstanceId) {
      throw new AssertionError("a snapshot only reads");
    }

    @Override
    public MigMode setMigMode(int gpu, boolean enabled) {
      throw new AssertionError("a snapshot only reads");
    }

    @Override
    public void resetGpu(int gpu) {
      throw new AssertionError("a snapshot only reads");
    }
  }

  @Test
  void readsEveryGpuWithItsInstancesInPlacementOrderAndTheirHolders() {
    ListedDriver driver =
        new ListedDriver()
            .gpu(device(0, MigMode.ENABLED))
            .gi(0, 2, profile("3g.20gb").id(), new Placement(4, 4))
            .ci(0, 2, 1, ciProfileId("3g.20gb", "1c.3g.20gb"), new Placement(2, 1), "MIG-b")
            .ci(0, 2, 0, ciProfileId("3g.20gb", "2c.3g.20gb"), new Placement(0, 2), "MIG-a")
            .gi(0, 1, profile("4g.20gb").id(), new Placement(0, 4))
            .ci(0, 1, 0, ciProfileId("4g.20gb", "4g.20gb"), new Placement(0, 4), "MIG-c")
            .process(0, 4121, "MIG-b")
            .process(0, 4122, "MIG-b")
            .process(0, 77, "MIG-elsewhere");

    List<GpuSnapshot> all = GpuSnapshot.readAll(driver);

    assertThat(all).hasSize(1);
    GpuSnapshot gpu = all.getFirst();
    assertThat(gpu.device()).isEqualTo(device(0, MigMode.ENABLED));
    assertThat(gpu.model()).isEqualTo(A100);
    assertThat(gpu.instances())
        .extracting(i -> i.gpuInstance().id(), i -> i.profile().name().toString())
        .containsExactly(tuple(1, "4g.20gb"), tuple(2, "3g.20gb"));
    GpuSnapshot.Instance three = gpu.instances().get(1);
    assertThat(three.computeInstances())
        .extracting(c -> c.computeInstance().uuid(), c -> c.profile().name().toString())
        .containsExactly(tuple("MIG-a", "2c.3g.20gb"), tuple("MIG-b", "1c.3g.20gb"));
    assertThat(three.computeInstances().get(0).processes()).isEmpty();
    assertThat(three.computeInstances().get(1).processes())
        .extracting(DeviceProcess::pid)
        .containsExactly(4121L, 4122L);
    assertThat(three.computeInstances().get(0).isBusy()).isFalse();
    assertThat(three.computeInstances().get(1).isBusy()).isTrue();
    assertThat(three.isBusy()).isTrue();
    assertThat(gpu.instances().get(0).isBusy()).isFalse();
  }

  @Test
  void aGpuWithMigOffHasNoInstancesAndItsInstancesAreNotAskedFor() {
    ListedDriver driver =
        new ListedDriver()
            .gpu(device(0, MigMode.DISABLED))
            .gpu(device(1, new MigMode(false, true)));

    List<GpuSnapshot> all = GpuSnapshot.readAll(driver);

    assertThat(all).extracting(g -> g.device().index()).containsExactly(0, 1);
    assertThat(all).allSatisfy(g -> assertThat(g.instances()).isEmpty());
    assertThat(all.get(1).layout().instances()).isEmpty();
  }

  @Test
  void theLayoutHoldsEachInstanceWithItsComputeInstancesWherePlaced() {
    ListedDriver driver =
        new ListedDriver()
            .gpu(device(0, MigMode.ENABLED))
            .gi(0, 5, profile("3g.20gb").id(), new Placement(0, 4))
            .ci(0, 5, 0, ciProfileId("3g.20gb", "1c.3g.20gb"), new Placement(1, 1), "MIG-x")
            .gi(0, 6, profile("2g.10gb").id(), new Placement(4, 2));

    Layout layout = GpuSnapshot.read(driver, driver.gpus.getFirst()).layout();

    assertThat(layout.instances())
        .containsExactly(
            new PlacedInstance(
                profile("3g.20gb"),
                new Placement(0, 4),
                List.of(
                    new PlacedComputeInstance(
                        ComputeInstanceProfile.of(profile("3g.20gb")).getFirst(),
                        new Placement(1, 1)))),
            new PlacedInstance(profile("2g.10gb"), new Placement(4, 2)));
  }

  @Test
  void aGpuInstanceOfAnUnknownProfileIsADriverError() {
    ListedDriver driver =
        new ListedDriver().gpu(device(0, MigMode.ENABLED)).gi(0, 3, 99, new Placement(0, 1));

    assertThatThrownBy(() -> GpuSnapshot.readAll(driver))
        .isInstanceOf(MigDriverException.class)
        .hasMessage(
            "read GPU instance 3 on GPU 0: Unknown Error (profile id 99 is not in the GPU's profile"
                + " table)")
        .extracting(e -> ((MigDriverException) e).error())
        .isEqualTo(DriverError.UNKNOWN);
  }

  @Test
  void aComputeInstanceOfAnUnknownProfileIsADriverError() {
    ListedDriver driver =
        new ListedDriver()
            .gpu(device(0, MigMode.ENABLED))
            .gi(0, 3, profile("1g.5gb").id(), new Placement(0, 1))
            .ci(0, 3, 0, 42, new Placement(0, 1), "MIG-y");

    assertThatThrownBy(() -> GpuSnapshot.readAll(driver))
        .isInstanceOf(MigDriverException.class)
        .hasMessage(
            "read compute instance 0 of GPU instance 3: Unknown Error (compute-instance profile id"
                + " 42 is unknown)");
  }

  @Test
  void itsListsAreCopiesThatCannotChange() {
    List<GpuSnapshot.Instance> instances = new ArrayList<>();
    GpuSnapshot gpu = new GpuSnapshot(device(0, MigMode.ENABLED), A100, instances);
    instances.add(
        new GpuSnapshot.Instance(
            new GpuInstance(0, 1, profile("7g.40gb").id(), new Placement(0, 8)),
            profile("7g.40gb"),
            List.of()));

    assertThat(gpu.instances()).isEmpty();
    assertThatThrownBy(() -> gpu.instances().add(instances.getFirst()))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
