package io.migctl.nvidia.nvml;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Architecture;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.DriverError;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.Placement;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import io.migctl.process.ScriptedToolRunner;
import io.migctl.process.ToolCommand;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NvmlMigDriver} end to end over the C stand-in {@code src/test/c/fake_nvml.c} (two
 * A100-SXM4-40GB GPUs: GPU 0 with MIG enabled, GPU 1 with MIG disabled), built here with gcc.
 * Skipped when gcc is not installed. Each test leaves the stand-in as it found it.
 */
class NvmlMigDriverIT {

  private static final int P_1G_5GB = 19;
  private static final int P_1G_5GB_ME = 20;
  private static final int P_1G_10GB = 15;
  private static final int P_2G_10GB = 14;
  private static final int P_3G_20GB = 9;
  private static final int P_4G_20GB = 5;
  private static final int P_7G_40GB = 0;

  private static Path library;
  private static FakeNvmlHook hook;

  /** The script the driver's resets answer from; a fresh one for each test. */
  private static volatile ScriptedToolRunner resets = new ScriptedToolRunner();

  private static NvmlMigDriver nvml;

  /** Why the stand-in could not be built (gcc is missing), or null. */
  private static String notBuilt;

  @BeforeAll
  static void buildTheStandIn() throws IOException, InterruptedException {
    try {
      library = compileFakeNvml();
    } catch (StandInBuild.GccMissing e) {
      notBuilt = e.getMessage();
      return;
    }
    hook = new FakeNvmlHook(library);
    nvml =
        NvmlMigDriver.open(Optional.of(library), (command, output) -> resets.run(command, output));
  }

  @BeforeEach
  void needsTheStandIn() {
    RequiredTools.fromEnvironment().require(notBuilt == null, () -> notBuilt);
  }

  @AfterAll
  static void closeIt() {
    if (nvml != null) {
      nvml.close();
    }
    if (hook != null) {
      hook.close();
    }
  }

  @AfterEach
  void leaveTheStandInAsItWas() {
    if (nvml == null) {
      return;
    }
    for (int gpu = 0; gpu < 2; gpu++) {
      if (!nvml.gpus().get(gpu).migMode().current()) {
        continue;
      }
      for (GpuInstance gi : nvml.gpuInstances(gpu)) {
        for (ComputeInstance ci : nvml.computeInstances(gpu, gi.id())) {
          hook.setProcess(gpu, gi.id(), ci.id(), 0);
          nvml.destroyComputeInstance(gpu, gi.id(), ci.id());
        }
        nvml.destroyGpuInstance(gpu, gi.id());
      }
    }
    assertThat(nvml.setMigMode(0, true)).isEqualTo(MigMode.ENABLED);
    assertThat(nvml.setMigMode(1, false)).isEqualTo(MigMode.DISABLED);
    resets = new ScriptedToolRunner();
  }

  // ---------------------------------------------------------------- GPUs and models

  @Test
  void listsTheGpusWithNamesUuidsPciIdsMemoryAndMigMode() {
    List<GpuDevice> gpus = nvml.gpus();
    assertThat(gpus)
        .extracting(
            GpuDevice::index,
            GpuDevice::productName,
            GpuDevice::pciBusId,
            GpuDevice::pciDeviceId,
            GpuDevice::pciSubsystemId,
            GpuDevice::memoryMiB,
            GpuDevice::migMode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                0,
                "NVIDIA A100-SXM4-40GB",
                "00000000:07:00.0",
                0x20B010DE,
                0x134F10DE,
                40960L,
                MigMode.ENABLED),
            org.assertj.core.groups.Tuple.tuple(
                1,
                "NVIDIA A100-SXM4-40GB",
                "00000000:0F:00.0",
                0x20B010DE,
                0x134F10DE,
                40960L,
                MigMode.DISABLED));
    assertThat(gpus.get(0).uuid()).startsWith("GPU-").isNotEqualTo(gpus.get(1).uuid());
    assertThat(nvml.gpuCount()).isEqualTo(2);
    assertThat(nvml.driverVersion()).isEqualTo("550.00.fake");
    assertThat(nvml.libraryOrigin()).isEqualTo(library.toString());
  }

  @Test
  void aGpusDeviceMinorIsNvmlsNotItsIndex() {
    assertThat(nvml.gpuMinor(0)).isEqualTo(1);
    assertThat(nvml.gpuMinor(1)).isEqualTo(3);
    assertThatThrownBy(() -> nvml.gpuMinor(2))
        .isInstanceOf(MigDriverException.class)
        .hasMessageContaining("read the device minor of GPU 2");
  }

  @Test
  void theModelReadFromTheDeviceIsTheCatalogsA100Table() {
    GpuModel model = nvml.migModel(0);
    GpuModel catalog = Catalog.A100_40GB;
    assertThat(model.profiles()).containsExactlyElementsOf(catalog.profiles());
    assertThat(model.key()).isEqualTo("nvml-a100-sxm4-40gb");
    assertThat(model.name()).isEqualTo(catalog.name());
    assertThat(model.productName()).isEqualTo(catalog.productName());
    assertThat(model.architecture()).isEqualTo(Architecture.AMPERE);
    assertThat(model.pciDeviceId()).isEqualTo(catalog.pciDeviceId());
    assertThat(model.memoryMiB()).isEqualTo(catalog.memoryMiB());
    assertThat(model.computeSlices()).isEqualTo(7);
    assertThat(model.memorySlices()).isEqualTo(8);
    assertThat(model.unverified()).isEmpty();
    assertThat(model.profileNamesText())
        .isEqualTo("1g.5gb, 1g.5gb+me, 1g.10gb, 2g.10gb, 3g.20gb, 4g.20gb, 7g.40gb");
  }

  @Test
  void withMigDisabledTheModelComesFromTheCatalogAndSaysSo() {
    GpuModel model = nvml.migModel(1);
    assertThat(model.profiles()).containsExactlyElementsOf(Catalog.A100_40GB.profiles());
    assertThat(model.unverified()).contains("profiles");
    assertThat(nvml.gpuInstances(1)).isEmpty();
    assertThat(nvml.remainingCapacity(1, P_1G_5GB)).isZero();
    assertThat(nvml.processes(1)).isEmpty();
    expectError(
        () -> nvml.createGpuInstance(1, P_1G_5GB, Optional.empty()), DriverError.NOT_SUPPORTED);
  }

  // ---------------------------------------------------------------- GPU instances

  @Test
  void createsGpuInstancesWhereAskedAndWhereTheDriverChooses() {
    GpuInstance explicit = nvml.createGpuInstance(0, P_3G_20GB, Optional.of(new Placement(4, 4)));
    assertThat(explicit).isEqualTo(new GpuInstance(0, 2, P_3G_20GB, new Placement(4, 4)));
    destroyAll(0);

    // nvidia-smi mig -cgi 9,19,14,19 on an A100 (MIG user guide): 4:4, 0:1, 2:2, 1:1; ids 2, 7, 4,
    // 8.
    List<GpuInstance> created = new ArrayList<>();
    for (int profile : new int[] {P_3G_20GB, P_1G_5GB, P_2G_10GB, P_1G_5GB}) {
      created.add(nvml.createGpuInstance(0, profile, Optional.empty()));
    }
    assertThat(created)
        .containsExactly(
            new GpuInstance(0, 2, P_3G_20GB, new Placement(4, 4)),
            new GpuInstance(0, 7, P_1G_5GB, new Placement(0, 1)),
            new GpuInstance(0, 4, P_2G_10GB, new Placement(2, 2)),
            new GpuInstance(0, 8, P_1G_5GB, new Placement(1, 1)));
    assertThat(nvml.gpuInstances(0))
        .extracting(GpuInstance::placement)
        .containsExactly(
            new Placement(0, 1), new Placement(1, 1), new Placement(2, 2), new Placement(4, 4));
    assertThat(nvml.remainingCapacity(0, P_1G_5GB)).isZero();
    assertThat(nvml.remainingCapacity(0, P_7G_40GB)).isZero();
  }

  @Test
  void remainingCapacityFollowsOccupancy() {
    assertThat(nvml.remainingCapacity(0, P_3G_20GB)).isEqualTo(2);
    nvml.createGpuInstance(0, P_1G_5GB, Optional.of(new Placement(4, 1)));
    assertThat(nvml.remainingCapacity(0, P_3G_20GB)).isEqualTo(1);
    assertThat(nvml.remainingCapacity(0, P_7G_40GB)).isZero();
    assertThat(nvml.remainingCapacity(0, P_2G_10GB)).isEqualTo(2);
    assertThat(nvml.remainingCapacity(0, P_1G_5GB)).isEqualTo(6);
  }

  @Test
  void overlapsAreInsufficientResourcesInNvmlsWords() {
    nvml.createGpuInstance(0, P_3G_20GB, Optional.of(new Placement(0, 4)));
    assertThatThrownBy(() -> nvml.createGpuInstance(0, P_2G_10GB, Optional.of(new Placement(2, 2))))
        .isInstanceOfSatisfying(
            MigDriverException.class,
            e -> assertThat(e.error()).isEqualTo(DriverError.INSUFFICIENT_RESOURCES))
        .hasMessage("create GPU instance with profile 14 at 2:2 on GPU 0: Insufficient Resources");
    expectError(
        () -> nvml.createGpuInstance(0, P_7G_40GB, Optional.empty()),
        DriverError.INSUFFICIENT_RESOURCES);
    nvml.createGpuInstance(0, P_1G_5GB_ME, Optional.empty());
    expectError(
        () -> nvml.createGpuInstance(0, P_1G_5GB_ME, Optional.empty()),
        DriverError.INSUFFICIENT_RESOURCES);
  }

  @Test
  void placementsProfilesAndGpusTheDeviceDoesNotHaveAreInvalid() {
    expectError(
        () -> nvml.createGpuInstance(0, P_3G_20GB, Optional.of(new Placement(2, 4))),
        DriverError.INVALID_ARGUMENT);
    expectError(
        () -> nvml.createGpuInstance(0, 42, Optional.empty()), DriverError.INVALID_ARGUMENT);
    assertThatThrownBy(() -> nvml.createGpuInstance(7, P_3G_20GB, Optional.empty()))
        .isInstanceOf(MigDriverException.class)
        .hasMessage(
            "create GPU instance with profile 9 on GPU 7: Invalid Argument"
                + " (this node has GPUs 0..1)");
    assertThat(nvml.gpuInstances(0)).isEmpty();
  }

  @Test
  void unknownInstancesAreNotFound() {
    expectError(() -> nvml.destroyGpuInstance(0, 3), DriverError.NOT_FOUND);
    expectError(() -> nvml.computeInstances(0, 3), DriverError.NOT_FOUND);
    GpuInstance gi = nvml.createGpuInstance(0, P_1G_5GB, Optional.empty());
    expectError(() -> nvml.destroyComputeInstance(0, gi.id(), 5), DriverError.NOT_FOUND);
  }

  // ---------------------------------------------------------------- compute instances

  @Test
  void computeInstancesAreMigDevicesWithTheirOwnUuids() {
    GpuInstance gi = nvml.createGpuInstance(0, P_3G_20GB, Optional.empty());
    ComputeInstance c0 = nvml.createComputeInstance(0, gi.id(), 0, Optional.empty());
    ComputeInstance c1 = nvml.createComputeInstance(0, gi.id(), 0, Optional.empty());
    assertThat(c0.placement()).isEqualTo(new Placement(0, 1));
    assertThat(c1.placement()).isEqualTo(new Placement(1, 1));
    assertThat(List.of(c0.id(), c1.id())).containsExactly(0, 1);
    assertThat(c0.uuid()).startsWith("MIG-").isNotEqualTo(c1.uuid());
    assertThat(nvml.computeInstances(0, gi.id())).containsExactly(c0, c1);

    expectError(
        () -> nvml.createComputeInstance(0, gi.id(), 2, Optional.empty()),
        DriverError.INSUFFICIENT_RESOURCES);
    expectError(
        () -> nvml.createComputeInstance(0, gi.id(), 3, Optional.empty()),
        DriverError.INVALID_ARGUMENT);
    expectError(
        () -> nvml.createComputeInstance(0, gi.id(), 0, Optional.of(new Placement(1, 1))),
        DriverError.INSUFFICIENT_RESOURCES);
    ComputeInstance c2 =
        nvml.createComputeInstance(0, gi.id(), 0, Optional.of(new Placement(2, 1)));
    assertThat(c2.placement()).isEqualTo(new Placement(2, 1));

    nvml.destroyComputeInstance(0, gi.id(), c1.id());
    assertThat(nvml.computeInstances(0, gi.id())).containsExactly(c0, c2);
  }

  @Test
  void theTwoMemorySliceOneGInstanceUsesComputeProfileSeven() {
    GpuInstance gi = nvml.createGpuInstance(0, P_1G_10GB, Optional.empty());
    GpuInstanceProfile profile = nvml.migModel(0).profile(P_1G_10GB).orElseThrow();
    int expected = ComputeInstanceProfile.of(profile).getFirst().id();
    assertThat(expected).isEqualTo(7);
    ComputeInstance ci = nvml.createComputeInstance(0, gi.id(), expected, Optional.empty());
    assertThat(ci.profileId()).isEqualTo(7);
    expectError(
        () -> nvml.createComputeInstance(0, gi.id(), 0, Optional.empty()),
        DriverError.INVALID_ARGUMENT);
  }

  @Test
  void aGpuInstanceWithComputeInstancesIsInUse() {
    GpuInstance gi = nvml.createGpuInstance(0, P_2G_10GB, Optional.empty());
    ComputeInstance ci = nvml.createComputeInstance(0, gi.id(), 1, Optional.empty());
    assertThatThrownBy(() -> nvml.destroyGpuInstance(0, gi.id()))
        .isInstanceOfSatisfying(
            MigDriverException.class, e -> assertThat(e.error()).isEqualTo(DriverError.IN_USE))
        .hasMessage("destroy GPU instance " + gi.id() + " on GPU 0: In use by another client");
    nvml.destroyComputeInstance(0, gi.id(), ci.id());
    nvml.destroyGpuInstance(0, gi.id());
    assertThat(nvml.gpuInstances(0)).isEmpty();
  }

  @Test
  void aProcessHoldsItsMigDevice() {
    GpuInstance gi = nvml.createGpuInstance(0, P_2G_10GB, Optional.empty());
    ComputeInstance ci = nvml.createComputeInstance(0, gi.id(), 1, Optional.empty());
    hook.setProcess(0, gi.id(), ci.id(), 4121);

    assertThat(nvml.processes(0)).containsExactly(new DeviceProcess(4121, ci.uuid(), 1024));
    assertThat(nvml.processes(1)).isEmpty();
    expectError(() -> nvml.destroyComputeInstance(0, gi.id(), ci.id()), DriverError.IN_USE);
    assertThatThrownBy(() -> nvml.resetGpu(0))
        .isInstanceOfSatisfying(
            MigDriverException.class, e -> assertThat(e.error()).isEqualTo(DriverError.IN_USE))
        .hasMessageContaining("pid 4121");
    assertThat(resets.argvs()).isEmpty();

    hook.setProcess(0, gi.id(), ci.id(), 0);
    nvml.destroyComputeInstance(0, gi.id(), ci.id());
    assertThat(nvml.computeInstances(0, gi.id())).isEmpty();
  }

  // ---------------------------------------------------------------- mode and reset

  @Test
  void migModeChangesApplyAtOnceWhenIdleAndStayPendingWhereTheGpuCannotBeReset() {
    GpuInstance gi = nvml.createGpuInstance(0, P_1G_5GB, Optional.empty());
    expectError(() -> nvml.setMigMode(0, false), DriverError.IN_USE);
    nvml.destroyGpuInstance(0, gi.id());

    assertThat(nvml.setMigMode(0, false)).isEqualTo(MigMode.DISABLED);
    assertThat(nvml.migModel(0).unverified()).contains("profiles");
    assertThat(nvml.setMigMode(0, true)).isEqualTo(MigMode.ENABLED);
    assertThat(nvml.migModel(0).unverified()).isEmpty();

    // GPU 1 keeps the change pending, as a GPU in a VM does until the host resets it.
    assertThat(nvml.setMigMode(1, true)).isEqualTo(new MigMode(false, true));
    assertThat(nvml.gpus().get(1).migMode().isChangePending()).isTrue();
    assertThat(nvml.setMigMode(1, false)).isEqualTo(MigMode.DISABLED);
  }

  @Test
  void resetRunsNvidiaSmiWithThePciBusIdAndNvmlWorksAfterwards() {
    resets.when("nvidia-smi", "-r").once();
    resets
        .when("nvidia-smi", "-r")
        .once()
        .prints("GPU 00000000:0F:00.0 is currently in use by another process.\n\n")
        .printsError("1 device is currently being used by one or more other processes.\n")
        .exits(255);
    resets
        .when("nvidia-smi", "-r")
        .once()
        .cannotStart("Cannot run program \"nvidia-smi\": No such file or directory");
    resets.when("nvidia-smi", "-r").timesOut();

    nvml.resetGpu(0);
    assertThat(resets.argvs())
        .containsExactly(List.of("nvidia-smi", "-r", "-i", "00000000:07:00.0"));
    assertThat(resets.calls().getFirst().output()).isEqualTo(ToolCommand.Output.MERGED);
    assertThat(resets.calls().getFirst().timeout()).isPresent();
    assertThat(nvml.gpus()).hasSize(2);

    assertThatThrownBy(() -> nvml.resetGpu(1))
        .isInstanceOfSatisfying(
            MigDriverException.class, e -> assertThat(e.error()).isEqualTo(DriverError.IN_USE))
        .hasMessageStartingWith(
            "reset GPU 1: In use by another client (nvidia-smi -r -i 00000000:0F:00.0 exited"
                + " with 255: GPU 00000000:0F:00.0 is currently in use");
    assertThat(nvml.gpus()).hasSize(2);

    expectError(() -> nvml.resetGpu(0), DriverError.NOT_SUPPORTED);
    assertThat(nvml.gpuCount()).isEqualTo(2);

    assertThatThrownBy(() -> nvml.resetGpu(0))
        .isInstanceOf(MigDriverException.class)
        .hasMessageContaining("ran longer than PT5M and was killed");
    assertThat(nvml.gpuCount()).isEqualTo(2);
  }

  // ---------------------------------------------------------------- loading and probing

  @Test
  void probeFindsTheGpusAndHandsOverAnOpenDriver() {
    NvmlProbe probe = NvmlMigDriver.probe(Optional.of(library));
    assertThat(probe).isInstanceOf(NvmlProbe.Available.class);
    NvmlProbe.Available found = (NvmlProbe.Available) probe;
    assertThat(found.gpuCount()).isEqualTo(2);
    assertThat(found.driverVersion()).isEqualTo("550.00.fake");
    found.driver().close();
    found.driver().close();
    assertThatThrownBy(() -> found.driver().gpus())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(nvml.gpus()).hasSize(2);
  }

  @Test
  void librariesThatFailAreExplainedInOneLine() throws IOException, InterruptedException {
    Path notLoaded =
        compile(
            "driver-not-loaded",
            """
            int nvmlInit_v2(void) { return 9; }
            int nvmlShutdown(void) { return 0; }
            const char *nvmlErrorString(int rc) { return rc == 9 ? "Driver Not Loaded" : "?"; }
            """);
    assertThatThrownBy(() -> NvmlMigDriver.open(Optional.of(notLoaded)))
        .isInstanceOf(NvmlUnavailableException.class)
        .hasMessage("nvmlInit failed: Driver Not Loaded");
    assertThat(NvmlMigDriver.probe(Optional.of(notLoaded)))
        .isEqualTo(new NvmlProbe.Unavailable("nvmlInit failed: Driver Not Loaded"));

    Path noGpu =
        compile(
            "no-gpu",
            """
            #include <string.h>
            int nvmlInit_v2(void) { return 0; }
            int nvmlShutdown(void) { return 0; }
            const char *nvmlErrorString(int rc) { return rc ? "Unknown Error" : "Success"; }
            int nvmlDeviceGetCount_v2(unsigned *n) { *n = 0; return 0; }
            int nvmlSystemGetDriverVersion(char *v, unsigned n) { strcpy(v, "1.2"); return 0; }
            """);
    assertThat(NvmlMigDriver.probe(Optional.of(noGpu)))
        .isEqualTo(new NvmlProbe.Unavailable("NVML (driver 1.2, " + noGpu + ") reports no GPU"));

    Path notNvml = compile("not-nvml", "int something(void) { return 0; }\n");
    assertThatThrownBy(() -> NvmlMigDriver.open(Optional.of(notNvml)))
        .isInstanceOf(NvmlUnavailableException.class)
        .hasMessage(notNvml + " is not NVML: it has no nvmlInit_v2");
  }

  // ---------------------------------------------------------------- the whole picture

  @Test
  void snapshotsReadTheWholeNode() {
    GpuInstance big = nvml.createGpuInstance(0, P_4G_20GB, Optional.empty());
    GpuInstance small = nvml.createGpuInstance(0, P_1G_5GB, Optional.empty());
    ComputeInstance a = nvml.createComputeInstance(0, big.id(), 0, Optional.empty());
    ComputeInstance b = nvml.createComputeInstance(0, big.id(), 1, Optional.empty());
    ComputeInstance c = nvml.createComputeInstance(0, small.id(), 0, Optional.empty());
    hook.setProcess(0, big.id(), b.id(), 777);

    List<GpuSnapshot> snapshots = GpuSnapshot.readAll(nvml);
    assertThat(snapshots).hasSize(2);
    GpuSnapshot gpu0 = snapshots.getFirst();
    assertThat(gpu0.instances())
        .extracting(i -> i.gpuInstance().id())
        .containsExactly(big.id(), small.id());
    assertThat(gpu0.instances().getFirst().computeInstances())
        .extracting(x -> x.computeInstance().uuid(), GpuSnapshot.Compute::isBusy)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(a.uuid(), false),
            org.assertj.core.groups.Tuple.tuple(b.uuid(), true));
    assertThat(gpu0.instances().get(1).computeInstances())
        .extracting(x -> x.computeInstance().uuid())
        .containsExactly(c.uuid());
    assertThat(gpu0.layout().instances()).hasSize(2);
    assertThat(snapshots.get(1).instances()).isEmpty();
  }

  /**
   * Random sequences of creations and destructions give the same instances, placements, ids,
   * capacities and errors on the stand-in through NVML as on the simulated node.
   */
  @Test
  void behavesLikeTheSimulatedNode() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    GpuModel model = sim.migModel(0);
    for (int step = 0; step < 300; step++) {
      String what = "seed " + seed + ", step " + step;
      int kind = random.nextInt(10);
      List<GpuInstance> gis = sim.gpuInstances(0);
      if (kind < 4 || gis.isEmpty()) {
        GpuInstanceProfile p = model.profiles().get(random.nextInt(model.profiles().size()));
        Optional<Placement> at =
            random.nextBoolean()
                ? Optional.of(p.placements().get(random.nextInt(p.placements().size())))
                : Optional.empty();
        assertSame(
            what + ": create " + p + " at " + at,
            () -> sim.createGpuInstance(0, p.id(), at),
            () -> nvml.createGpuInstance(0, p.id(), at));
      } else {
        GpuInstance gi = gis.get(random.nextInt(gis.size()));
        GpuInstanceProfile p = model.profile(gi.profileId()).orElseThrow();
        List<ComputeInstanceProfile> cips = ComputeInstanceProfile.of(p);
        List<ComputeInstance> cis = sim.computeInstances(0, gi.id());
        if (kind < 6) {
          ComputeInstanceProfile cp = cips.get(random.nextInt(cips.size()));
          Optional<Placement> at =
              random.nextBoolean()
                  ? Optional.of(cp.placements().get(random.nextInt(cp.placements().size())))
                  : Optional.empty();
          assertSame(
              what + ": create CI " + cp + " at " + at + " in GI " + gi.id(),
              () -> strip(sim.createComputeInstance(0, gi.id(), cp.id(), at)),
              () -> strip(nvml.createComputeInstance(0, gi.id(), cp.id(), at)));
        } else if (kind < 8 && !cis.isEmpty()) {
          int ci = cis.get(random.nextInt(cis.size())).id();
          assertSame(
              what + ": destroy CI " + ci + " in GI " + gi.id(),
              () -> run(() -> sim.destroyComputeInstance(0, gi.id(), ci)),
              () -> run(() -> nvml.destroyComputeInstance(0, gi.id(), ci)));
        } else {
          assertSame(
              what + ": destroy GI " + gi.id(),
              () -> run(() -> sim.destroyGpuInstance(0, gi.id())),
              () -> run(() -> nvml.destroyGpuInstance(0, gi.id())));
        }
      }
      assertThat(nvml.gpuInstances(0)).as(what).containsExactlyElementsOf(sorted(sim, 0));
      for (GpuInstanceProfile p : model.profiles()) {
        assertThat(nvml.remainingCapacity(0, p.id()))
            .as("%s: remaining %s", what, p)
            .isEqualTo(sim.remainingCapacity(0, p.id()));
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static List<GpuInstance> sorted(MigDriver driver, int gpu) {
    return driver.gpuInstances(gpu).stream()
        .sorted(Comparator.comparing(GpuInstance::placement))
        .toList();
  }

  private static ComputeInstance strip(ComputeInstance ci) {
    return new ComputeInstance(
        ci.gpu(), ci.gpuInstanceId(), ci.id(), ci.profileId(), ci.placement(), "");
  }

  private static Object run(Runnable r) {
    r.run();
    return "done";
  }

  /** Both calls give equal values, or both fail with the same kind of error. */
  private static void assertSame(String what, Supplier<Object> sim, Supplier<Object> real) {
    Object expected;
    try {
      expected = sim.get();
    } catch (MigDriverException e) {
      expected = e.error();
    }
    Object actual;
    try {
      actual = real.get();
    } catch (MigDriverException e) {
      actual = e.error();
    }
    assertThat(actual).as(what).isEqualTo(expected);
  }

  private void destroyAll(int gpu) {
    for (GpuInstance gi : nvml.gpuInstances(gpu)) {
      nvml.destroyGpuInstance(gpu, gi.id());
    }
  }

  private static void expectError(ThrowingCallable call, DriverError error) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            MigDriverException.class, e -> assertThat(e.error()).isEqualTo(error));
  }

  /** Builds the stand-in with gcc into {@code target/fake-nvml/libnvidia-ml.so.1}. */
  private static Path compileFakeNvml() throws IOException, InterruptedException {
    Path source = Path.of("src/test/c/fake_nvml.c").toAbsolutePath();
    return StandInBuild.gcc(source, Path.of("target/fake-nvml/libnvidia-ml.so.1").toAbsolutePath());
  }

  /** Builds a one-off library from {@code code} into {@code target/fake-nvml/NAME/}. */
  private static Path compile(String name, String code) throws IOException, InterruptedException {
    Path dir = Path.of("target/fake-nvml", name).toAbsolutePath();
    Files.createDirectories(dir);
    Path source = Files.writeString(dir.resolve(name + ".c"), code);
    return StandInBuild.gcc(source, dir.resolve("libnvidia-ml.so.1"));
  }

  /** The stand-in's test hook, bound through its own lookup (test code only). */
  @SuppressWarnings("restricted")
  private static final class FakeNvmlHook implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MethodHandle setProcess;

    FakeNvmlHook(Path library) {
      SymbolLookup lookup = SymbolLookup.libraryLookup(library, arena);
      setProcess =
          Linker.nativeLinker()
              .downcallHandle(
                  lookup.find("fakeNvmlSetProcess").orElseThrow(),
                  FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    void setProcess(int gpu, int gpuInstanceId, int computeInstanceId, int pid) {
      int rc;
      try {
        rc = (int) setProcess.invokeExact(gpu, gpuInstanceId, computeInstanceId, pid);
      } catch (Throwable t) {
        throw new AssertionError("fakeNvmlSetProcess failed", t);
      }
      assertThat(rc)
          .as("fakeNvmlSetProcess(%d, %d, %d)", gpu, gpuInstanceId, computeInstanceId)
          .isZero();
    }

    @Override
    public void close() {
      arena.close();
    }
  }
}
