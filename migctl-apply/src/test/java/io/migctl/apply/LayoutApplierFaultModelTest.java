package io.migctl.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.DriverError;
import io.migctl.core.mig.ForwardingMigDriver;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.PlacementSearch;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredInstance;
import io.migctl.core.mig.change.GpuState;
import io.migctl.nvidia.sim.SimOperation;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model test: 1,000 seeded random transitions per GPU model, two at a time on two-GPU
 * nodes (so that a fault also shows what becomes of the other GPU), each node applied once without
 * a fault (to learn its driver calls and the new layouts), then once with a fault at every position
 * of its driver calls — every step kind the transition has — and, for each of those, once more with
 * a second fault at a random call of the undo. After each run every GPU has its old layout (same
 * mode, profiles and placements of GPU and compute instances) or its new one; only the GPU whose
 * undo was also made to fail may be between layouts, and then the journal's {@code finished} line
 * records exactly what it has (ids and MIG UUIDs included) and what it lacks.
 *
 * <p>The seed is printed; {@code -Dmigctl.seed=N} replays it. The node is the in-memory simulated
 * driver and the journal is in memory, so the runs take seconds.
 */
class LayoutApplierFaultModelTest {

  /** GPU transitions per model: {@link #GPUS} per node. */
  private static final int TRANSITIONS = 1000;

  private static final int GPUS = 2;
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

  @ParameterizedTest
  @ValueSource(strings = {"a100-40gb", "h100-80gb", "a30-24gb"})
  void everyFaultLeavesEveryGpuWithItsOldOrItsNewLayout(String key) {
    GpuModel model = Catalog.require(key);
    long seed = Long.getLong("migctl.seed", System.nanoTime());
    System.out.println(
        "LayoutApplierFaultModelTest on "
            + key
            + ": seed "
            + seed
            + " (-Dmigctl.seed="
            + seed
            + ")");
    Random random = new Random(seed);
    Map<SimOperation, Integer> faulted = new EnumMap<>(SimOperation.class);
    int runs = 0;
    int between = 0;
    for (int n = 0; n < TRANSITIONS / GPUS; n++) {
      Case c = randomCase(key, model, random);
      String context = "seed " + seed + ", node " + n + " on " + key + ": " + c;
      Run clean = c.run(List.of());
      runs++;
      if (!clean.result().refusals().isEmpty()) {
        assertThat(clean.states()).as(context).isEqualTo(c.old());
        continue;
      }
      assertThat(clean.result().failure()).as(context).isEmpty();
      List<GpuState> fresh = clean.states();
      for (int k = 0; k < clean.calls().size(); k++) {
        SimOperation op = clean.calls().get(k);
        Fault first = new Fault(op, countBefore(clean.calls(), k, op));
        Run faulty = c.run(List.of(first));
        runs++;
        faulted.merge(op, 1, Integer::sum);
        String where = context + ", fault at call " + k + " (" + op.cliName() + ")";
        int failedGpu = check(c, fresh, faulty, false, where);

        List<SimOperation> calls = faulty.calls();
        if (calls.size() > k + 1) {
          int m = k + 1 + random.nextInt(calls.size() - k - 1);
          SimOperation undoOp = calls.get(m);
          Fault second = new Fault(undoOp, countBefore(calls, m, undoOp));
          Run twice = c.run(List.of(first, second));
          runs++;
          String where2 = where + " and at undo call " + m + " (" + undoOp.cliName() + ")";
          assertThat(check(c, fresh, twice, true, where2)).as(where2).isEqualTo(failedGpu);
          if (twice.result().gpus().get(failedGpu).outcome().equals(GpuResult.BETWEEN_LAYOUTS)) {
            between++;
          }
        }
      }
    }
    System.out.println(
        "LayoutApplierFaultModelTest on "
            + key
            + ": "
            + runs
            + " applies, faults by step kind "
            + faulted
            + ", "
            + between
            + " left between layouts by an undo fault");
    List<SimOperation> kinds =
        new ArrayList<>(
            List.of(
                SimOperation.CREATE_GI,
                SimOperation.CREATE_CI,
                SimOperation.DESTROY_GI,
                SimOperation.DESTROY_CI,
                SimOperation.SET_MODE));
    if (model.architecture().modeChangeNeedsReset()) {
      kinds.add(SimOperation.RESET);
    }
    assertThat(faulted.keySet()).as("seed %d: step kinds faulted", seed).containsAll(kinds);
    assertThat(between)
        .as("seed %d: undo faults that left a GPU between layouts", seed)
        .isPositive();
  }

  /**
   * Checks one faulty run: the apply failed on one GPU; GPUs before it have their new layout, those
   * after it their old one, and it has its old one — or, with an undo fault, it may be between
   * layouts exactly as the journal says.
   *
   * @return the GPU the fault hit
   */
  private static int check(Case c, List<GpuState> fresh, Run run, boolean undoFault, String where) {
    ApplyResult r = run.result();
    assertThat(r.failure()).as(where).isPresent();
    assertThat(r.failure().orElseThrow()).as(where).contains(" failed: Unknown Error");
    List<GpuResult> failed =
        r.gpus().stream()
            .filter(
                g ->
                    g.outcome().equals(GpuResult.UNDONE)
                        || g.outcome().equals(GpuResult.BETWEEN_LAYOUTS))
            .toList();
    assertThat(failed).as(where).hasSize(1);
    int hit = failed.getFirst().index();
    for (int gpu = 0; gpu < GPUS; gpu++) {
      GpuState now = run.states().get(gpu);
      String outcome = r.gpus().get(gpu).outcome();
      if (gpu != hit) {
        assertThat(now)
            .as(where + ", GPU " + gpu + " " + outcome)
            .isEqualTo(gpu < hit ? fresh.get(gpu) : c.old().get(gpu));
        assertThat(outcome)
            .as(where)
            .isIn(
                gpu < hit
                    ? List.of(GpuResult.APPLIED, GpuResult.UNCHANGED)
                    : List.of(GpuResult.NOT_TOUCHED, GpuResult.UNCHANGED));
        continue;
      }
      if (outcome.equals(GpuResult.UNDONE)) {
        assertThat(now).as(where + ": undone").isEqualTo(c.old().get(gpu));
        assertThat(r.failure().orElseThrow()).as(where).contains("has its old layout again");
        continue;
      }
      assertThat(undoFault)
          .as(where + ": between layouts without an undo fault: " + r.failure())
          .isTrue();
      GpuSnapshot live = run.snapshots().get(gpu);
      ApplyJournal.Entry finished = run.journal().read().getLast();
      assertThat(finished.event()).as(where).isEqualTo("finished");
      assertThat(finished.gpu()).as(where).isEqualTo(gpu);
      assertThat(finished.state())
          .as(where + ": the journal's state")
          .isEqualTo(GpuStateJson.of(live));
      List<String> gap = new ArrayList<>(c.old().get(gpu).missingFrom(live));
      c.old().get(gpu).extraOn(live).forEach(x -> gap.add("not in its old layout: " + x));
      assertThat(gap).as(where).isNotEmpty();
      assertThat(finished.missing()).as(where + ": the journal's gap").isEqualTo(gap);
      assertThat(finished.message())
          .as(where)
          .contains("between layouts", GpuStateJson.of(live).text());
    }
    return hit;
  }

  private static int countBefore(List<SimOperation> calls, int index, SimOperation op) {
    int n = 0;
    for (int i = 0; i < index; i++) {
      n += calls.get(i) == op ? 1 : 0;
    }
    return n;
  }

  // ---------------------------------------------------------------- cases

  private record Fault(SimOperation op, int after) {}

  /** One GPU as it starts: MIG mode and instances, each compute instance busy or not. */
  private record OldGpu(
      boolean migEnabled, List<PlacedInstance> instances, List<List<Boolean>> busy) {}

  private record Run(
      ApplyResult result,
      List<SimOperation> calls,
      List<GpuState> states,
      List<GpuSnapshot> snapshots,
      ApplyJournal journal) {}

  private record Case(
      String key,
      GpuModel model,
      List<OldGpu> gpus,
      Map<Integer, DesiredGpu> desired,
      List<GpuState> old) {

    Run run(List<Fault> faults) {
      SimulatedMigDriver sim =
          SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(key + ":" + GPUS));
      build(sim);
      faults.forEach(f -> sim.failNext(f.op(), DriverError.UNKNOWN, 1, f.after()));
      Recording recording = new Recording(sim);
      ApplyJournal journal = ApplyJournal.inMemory(CLOCK);
      ApplyResult result =
          new LayoutApplier(recording, journal, ApplyHooks.NONE, () -> "model", line -> {})
              .apply(desired);
      List<GpuSnapshot> snapshots = GpuSnapshot.readAll(sim);
      return new Run(
          result,
          recording.calls,
          snapshots.stream().map(GpuState::of).toList(),
          snapshots,
          journal);
    }

    /** Builds the old layouts through the driver, at their placements. */
    void build(SimulatedMigDriver sim) {
      long pid = 5000;
      for (int gpu = 0; gpu < gpus.size(); gpu++) {
        OldGpu g = gpus.get(gpu);
        if (!g.migEnabled()) {
          sim.setMigMode(gpu, false);
          if (model.architecture().modeChangeNeedsReset()) {
            sim.resetGpu(gpu);
          }
          continue;
        }
        for (int i = 0; i < g.instances().size(); i++) {
          PlacedInstance inst = g.instances().get(i);
          GpuInstance gi =
              sim.createGpuInstance(gpu, inst.profile().id(), Optional.of(inst.placement()));
          for (int j = 0; j < inst.computeInstances().size(); j++) {
            var ci = inst.computeInstances().get(j);
            ComputeInstance made =
                sim.createComputeInstance(
                    gpu, gi.id(), ci.profile().id(), Optional.of(ci.placement()));
            if (g.busy().get(i).get(j)) {
              sim.hold(made.uuid(), pid++);
            }
          }
        }
      }
    }

    @Override
    public String toString() {
      List<String> parts = new ArrayList<>();
      for (int gpu = 0; gpu < gpus.size(); gpu++) {
        parts.add(
            "GPU "
                + gpu
                + " "
                + old.get(gpu).layout().instances()
                + (gpus.get(gpu).migEnabled() ? "" : " (MIG off)")
                + " -> "
                + desired.get(gpu).instances()
                + (desired.get(gpu).migEnabled() ? "" : " (MIG off)"));
      }
      return String.join("; ", parts);
    }
  }

  private static Case randomCase(String key, GpuModel model, Random random) {
    List<OldGpu> gpus = new ArrayList<>();
    Map<Integer, DesiredGpu> desired = new LinkedHashMap<>();
    List<GpuState> old = new ArrayList<>();
    for (int gpu = 0; gpu < GPUS; gpu++) {
      OldGpu g = randomOld(model, random);
      gpus.add(g);
      old.add(
          new GpuState(
              g.migEnabled() ? MigMode.ENABLED : MigMode.DISABLED, new Layout(g.instances())));
      desired.put(gpu, randomDesired(model, random, gpu, g));
    }
    return new Case(key, model, gpus, desired, old);
  }

  private static OldGpu randomOld(GpuModel model, Random random) {
    if (random.nextInt(8) == 0) {
      return new OldGpu(false, List.of(), List.of());
    }
    List<PlacedInstance> instances = new ArrayList<>();
    List<List<Boolean>> busy = new ArrayList<>();
    for (PlacedInstance p : randomPlaced(model, random)) {
      List<ComputeInstanceProfile> cis = randomComputeInstances(p.profile(), random);
      List<Placement> at = PlacementSearch.placeComputeInstances(cis, List.of()).orElseThrow();
      List<io.migctl.core.mig.PlacedComputeInstance> placed = new ArrayList<>();
      List<Boolean> held = new ArrayList<>();
      for (int i = 0; i < cis.size(); i++) {
        placed.add(new io.migctl.core.mig.PlacedComputeInstance(cis.get(i), at.get(i)));
        held.add(random.nextInt(12) == 0);
      }
      instances.add(new PlacedInstance(p.profile(), p.placement(), placed));
      busy.add(held);
    }
    return new OldGpu(true, instances, busy);
  }

  private static DesiredGpu randomDesired(GpuModel model, Random random, int gpu, OldGpu old) {
    if (random.nextInt(8) == 0) {
      return new DesiredGpu(gpu, false, List.of(), "mig-configs.random[" + gpu + "]");
    }
    List<DesiredInstance> out = new ArrayList<>();
    if (random.nextInt(3) == 0) {
      // The old layout with a few changes, so that keeping pays.
      for (PlacedInstance i : old.instances()) {
        if (random.nextInt(4) != 0) {
          out.add(
              new DesiredInstance(
                  i.profile(), i.computeInstances().stream().map(c -> c.profile()).toList()));
        }
      }
      if (!new PlacementSearch(model)
          .place(new DesiredGpu(gpu, true, out, "x").gpuInstanceCounts())
          .isPlaceable()) {
        out.clear();
      }
    }
    if (out.isEmpty()) {
      for (PlacedInstance p : randomPlaced(model, random)) {
        out.add(new DesiredInstance(p.profile(), randomComputeInstances(p.profile(), random)));
      }
    }
    return new DesiredGpu(gpu, true, out, "mig-configs.random[" + gpu + "]");
  }

  /** The default compute instance, or (one time in three) one to all 1-slice ones. */
  private static List<ComputeInstanceProfile> randomComputeInstances(
      GpuInstanceProfile gi, Random random) {
    List<ComputeInstanceProfile> all = ComputeInstanceProfile.of(gi);
    if (gi.computeSlices() > 1 && random.nextInt(3) == 0) {
      ComputeInstanceProfile one =
          all.stream().filter(c -> c.computeSlices() == 1).findFirst().orElseThrow();
      int k = 1 + random.nextInt(gi.computeSlices());
      List<ComputeInstanceProfile> out = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        out.add(one);
      }
      return out;
    }
    return List.of(
        all.stream().filter(ComputeInstanceProfile::isDefault).findFirst().orElseThrow());
  }

  /** A random valid set of GPU instances: random profiles at random placements. */
  private static List<PlacedInstance> randomPlaced(GpuModel model, Random random) {
    List<PlacedInstance> out = new ArrayList<>();
    int tries = 1 + random.nextInt(8);
    for (int t = 0; t < tries; t++) {
      GpuInstanceProfile p = model.profiles().get(random.nextInt(model.profiles().size()));
      Placement at = p.placements().get(random.nextInt(p.placements().size()));
      List<PlacedInstance> next = new ArrayList<>(out);
      next.add(new PlacedInstance(p, at));
      if (new Layout(next).checkOn(model).isValid()) {
        out = next;
      }
    }
    return out;
  }

  /** Records every call that changes the GPUs, in order, failed ones included. */
  private static final class Recording extends ForwardingMigDriver {
    final List<SimOperation> calls = new ArrayList<>();

    Recording(MigDriver delegate) {
      super(delegate);
    }

    @Override
    public GpuInstance createGpuInstance(int gpu, int profileId, Optional<Placement> placement) {
      calls.add(SimOperation.CREATE_GI);
      return delegate.createGpuInstance(gpu, profileId, placement);
    }

    @Override
    public ComputeInstance createComputeInstance(
        int gpu, int gpuInstanceId, int profileId, Optional<Placement> placement) {
      calls.add(SimOperation.CREATE_CI);
      return delegate.createComputeInstance(gpu, gpuInstanceId, profileId, placement);
    }

    @Override
    public void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId) {
      calls.add(SimOperation.DESTROY_CI);
      delegate.destroyComputeInstance(gpu, gpuInstanceId, computeInstanceId);
    }

    @Override
    public void destroyGpuInstance(int gpu, int gpuInstanceId) {
      calls.add(SimOperation.DESTROY_GI);
      delegate.destroyGpuInstance(gpu, gpuInstanceId);
    }

    @Override
    public MigMode setMigMode(int gpu, boolean enabled) {
      calls.add(SimOperation.SET_MODE);
      return delegate.setMigMode(gpu, enabled);
    }

    @Override
    public void resetGpu(int gpu) {
      calls.add(SimOperation.RESET);
      delegate.resetGpu(gpu);
    }
  }
}
