package io.migctl.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.DriverError;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredInstance;
import io.migctl.core.mig.change.GpuState;
import io.migctl.nvidia.sim.SimOperation;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A driver error at any step of a GPU's change is undone: the GPU gets its old layout back (the
 * same profiles, placements and compute instances), the apply fails naming the step, the error and
 * the state reached, and the journal records the undo. One case per step kind.
 */
class LayoutApplierTest {

  private static final GpuModel A100 = Catalog.A100_40GB;

  @TempDir Path home;

  private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

  @ParameterizedTest
  @EnumSource(
      value = SimOperation.class,
      names = {"DESTROY_CI", "DESTROY_GI", "CREATE_GI", "CREATE_CI"})
  void aFailedInstanceStepIsUndone(SimOperation op) {
    // 7g.40gb → 3g.20gb ×2: destroy its compute instance and itself, create two GPU instances and
    // their compute instances. Every kind fails on its second call where it has one.
    SimulatedMigDriver sim = node("a100-40gb:1");
    create(sim, 0, "7g.40gb", 0);
    GpuState before = state(sim, 0);
    sim.failNext(op, DriverError.INSUFFICIENT_RESOURCES, 1, callsBefore(op));

    ApplyResult result = applier(sim).apply(Map.of(0, desired(0, "3g.20gb", "3g.20gb")));

    assertThat(result.succeeded()).isFalse();
    assertThat(state(sim, 0)).as(result.failure().orElse("")).isEqualTo(before);
    assertThat(result.failure().orElseThrow())
        .contains("GPU 0: ", "failed", "Insufficient Resources")
        .contains("undone: GPU 0 has its old layout again", "7g.40gb@0:8");
    assertThat(journalEvents()).contains("step-failed", "undo-plan", "finished");
    assertThat(result.gpus().getFirst().outcome()).isEqualTo(GpuResult.UNDONE);
    assertThat(journal().read().getLast().state())
        .isEqualTo(GpuStateJson.of(GpuSnapshot.read(sim, sim.gpus().get(0))));
  }

  @ParameterizedTest
  @EnumSource(
      value = SimOperation.class,
      names = {"DESTROY_CI", "DESTROY_GI", "SET_MODE", "RESET"})
  void aFailedStepTurningMigOffIsUndone(SimOperation op) {
    SimulatedMigDriver sim = node("a100-40gb:1");
    create(sim, 0, "4g.20gb", 0);
    create(sim, 0, "3g.20gb", 4);
    GpuState before = state(sim, 0);
    sim.failNext(op, DriverError.UNKNOWN, 1);

    ApplyResult result = applier(sim).apply(Map.of(0, new DesiredGpu(0, false, List.of(), "t")));

    assertThat(result.succeeded()).isFalse();
    assertThat(state(sim, 0)).as(result.failure().orElse("")).isEqualTo(before);
    assertThat(result.failure().orElseThrow()).contains("Unknown Error", "undone");
  }

  @ParameterizedTest
  @EnumSource(
      value = SimOperation.class,
      names = {"SET_MODE", "RESET", "CREATE_GI", "CREATE_CI"})
  void aFailedStepTurningMigOnIsUndone(SimOperation op) {
    SimulatedMigDriver sim = node("a100-40gb:1");
    sim.setMigMode(0, false);
    sim.resetGpu(0);
    GpuState before = state(sim, 0);
    sim.failNext(op, DriverError.UNKNOWN, 1);

    ApplyResult result = applier(sim).apply(Map.of(0, desired(0, "4g.20gb", "3g.20gb")));

    assertThat(result.succeeded()).isFalse();
    assertThat(state(sim, 0)).as(result.failure().orElse("")).isEqualTo(before);
  }

  @Test
  void gpusChangedBeforeTheFailureKeepTheirNewLayoutAndLaterOnesAreNotTouched() {
    SimulatedMigDriver sim = node("a100-40gb:3");
    for (int gpu = 0; gpu < 3; gpu++) {
      create(sim, gpu, "7g.40gb", 0);
    }
    GpuState before = state(sim, 1);
    // GPU 0 takes two create-gi calls; the first one on GPU 1 fails.
    sim.failNext(SimOperation.CREATE_GI, DriverError.UNKNOWN, 1, 2);

    ApplyResult result =
        applier(sim)
            .apply(
                Map.of(
                    0, desired(0, "3g.20gb", "3g.20gb"),
                    1, desired(1, "3g.20gb", "3g.20gb"),
                    2, desired(2, "3g.20gb", "3g.20gb")));

    assertThat(result.succeeded()).isFalse();
    assertThat(state(sim, 0)).isEqualTo(after(desired(0, "3g.20gb", "3g.20gb"), sim, 0));
    assertThat(state(sim, 1)).isEqualTo(before);
    assertThat(state(sim, 2)).isEqualTo(before);
    assertThat(result.failure().orElseThrow())
        .contains("GPU 1: ")
        .contains("GPU 0 has its new layout")
        .contains("GPU 2 was not touched");
  }

  @Test
  void whenTheUndoFailsTooTheMessageSaysWhatIsLeftAndWhatIsMissing() {
    SimulatedMigDriver sim = node("a100-40gb:1");
    create(sim, 0, "7g.40gb", 0);
    // The first create-gi (3g.20gb) fails, and so does the next one: the undo's 7g.40gb.
    sim.failNext(SimOperation.CREATE_GI, DriverError.UNKNOWN, 2);

    ApplyResult result = applier(sim).apply(Map.of(0, desired(0, "3g.20gb", "3g.20gb")));

    assertThat(result.failure().orElseThrow())
        .contains("the undo failed too")
        .contains("GPU 0 is between layouts")
        .contains("it has no GPU instances")
        .contains("missing from its old layout: 7g.40gb@0:8 with 7g.40gb@0:7");
    GpuResult gpu = result.gpus().getFirst();
    assertThat(gpu.outcome()).isEqualTo(GpuResult.BETWEEN_LAYOUTS);
    assertThat(gpu.undo())
        .extracting(GpuResult.UndoStep::result)
        .containsExactly("failed", "skipped");
    assertThat(journalEvents()).contains("undo-plan", "undo-failed", "undo-skipped");
    ApplyJournal.Entry finished = journal().read().getLast();
    assertThat(finished.event()).isEqualTo("finished");
    assertThat(finished.state())
        .isEqualTo(GpuStateJson.of(GpuSnapshot.read(sim, sim.gpus().get(0))));
    assertThat(finished.missing()).containsExactly("7g.40gb@0:8 with 7g.40gb@0:7");
  }

  // ------------------------------------------------------------------------------------------

  /** How many calls of {@code op} the 7g.40gb → 3g.20gb ×2 change makes before the one to fail. */
  private static int callsBefore(SimOperation op) {
    return switch (op) {
      case CREATE_GI, CREATE_CI -> 1;
      default -> 0;
    };
  }

  private SimulatedMigDriver node(String spec) {
    return SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(spec));
  }

  private LayoutApplier applier(SimulatedMigDriver sim) {
    return new LayoutApplier(sim, journal(), ApplyHooks.NONE, () -> "a1", line -> {});
  }

  private ApplyJournal journal() {
    return new ApplyJournal(home.resolve("mig/journal.jsonl"), clock);
  }

  private List<String> journalEvents() {
    return journal().read().stream().map(ApplyJournal.Entry::event).toList();
  }

  static void create(SimulatedMigDriver sim, int gpu, String profile, int start) {
    GpuInstanceProfile p = A100.profile(ProfileName.parse(profile)).orElseThrow();
    GpuInstance gi =
        sim.createGpuInstance(gpu, p.id(), Optional.of(new Placement(start, p.memorySlices())));
    sim.createComputeInstance(gpu, gi.id(), defaultCi(p).id(), Optional.empty());
  }

  private static GpuState state(SimulatedMigDriver sim, int gpu) {
    return GpuState.of(GpuSnapshot.read(sim, sim.gpus().get(gpu)));
  }

  /** What applying {@code desired} to a GPU with MIG on makes: its instances where planned. */
  private static GpuState after(DesiredGpu desired, SimulatedMigDriver sim, int gpu) {
    GpuState now = state(sim, gpu);
    assertThat(now.layout().instances())
        .extracting(i -> i.profile().name().toString())
        .containsExactlyInAnyOrderElementsOf(
            desired.instances().stream().map(i -> i.profile().name().toString()).toList());
    return now;
  }

  private static DesiredGpu desired(int gpu, String... profiles) {
    return new DesiredGpu(
        gpu,
        true,
        java.util.Arrays.stream(profiles)
            .map(
                n -> {
                  GpuInstanceProfile p = A100.profile(ProfileName.parse(n)).orElseThrow();
                  return new DesiredInstance(p, List.of(defaultCi(p)));
                })
            .toList(),
        "test");
  }

  private static ComputeInstanceProfile defaultCi(GpuInstanceProfile p) {
    return ComputeInstanceProfile.of(p).stream()
        .filter(ComputeInstanceProfile::isDefault)
        .findFirst()
        .orElseThrow();
  }
}
