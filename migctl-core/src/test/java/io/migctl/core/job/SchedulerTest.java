package io.migctl.core.job;

import static io.migctl.core.job.Jobs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.migctl.core.Seeds;
import io.migctl.core.job.Scheduler.Assignment;
import io.migctl.core.job.Scheduler.Decision;
import io.migctl.core.job.Scheduler.Policy;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  private static final Policy POLICY = new Policy(Duration.ofMinutes(10));
  private static final Instant NOW = T0.plus(Duration.ofHours(1));

  // A100-40GB devices.
  private static final MigSlot G1_5 = Jobs.slot("MIG-1g5", "1g.5gb", 4864, 1, 0);
  private static final MigSlot G1_10 = Jobs.slot("MIG-1g10", "1g.10gb", 9856, 1, 1);
  private static final MigSlot G2_10 = Jobs.slot("MIG-2g10", "2g.10gb", 9856, 2, 2);
  private static final MigSlot G3_20 = Jobs.slot("MIG-3g20", "3g.20gb", 19968, 3, 3);
  private static final MigSlot G7_40 = Jobs.slot("MIG-7g40", "7g.40gb", 40192, 7, 4);

  private static Decision decide(List<Job> queued, List<MigSlot> free) {
    return Scheduler.decide(queued, free, free, NOW, POLICY);
  }

  private static Decision decide(List<Job> queued, List<MigSlot> free, List<MigSlot> all) {
    return Scheduler.decide(queued, free, all, NOW, POLICY);
  }

  /** A job needing memory and compute, submitted {@code minutesAgo} before {@link #NOW}. */
  private static Job job(long id, long mib, int compute, int priority, int minutesAgo) {
    return Jobs.queued(id, mib, compute, priority, NOW.minus(Duration.ofMinutes(minutesAgo)));
  }

  /**
   * The waiting jobs and the devices that would fit them, all in use, by profile (empty: none of
   * the layout fits); none of these tests limits jobs without a GPU.
   */
  private static Map<Long, Map<String, Integer>> explained(Decision d) {
    Map<Long, Map<String, Integer>> out = new java.util.LinkedHashMap<>();
    d.waiting()
        .forEach(
            (id, why) ->
                out.put(
                    id,
                    switch (why) {
                      case WaitingReason.NoFreeDevice n -> n.fittingInUse();
                      default -> throw new AssertionError("job " + id + " waits for " + why);
                    }));
    return out;
  }

  private static Map<Long, Optional<String>> assigned(Decision d) {
    Map<Long, Optional<String>> out = new HashMap<>();
    for (Assignment a : d.assignments()) {
      out.put(a.jobId(), a.slot().map(MigSlot::uuid));
    }
    return out;
  }

  // ---------------------------------------------------------------- best fit

  @Test
  void aJobTakesTheSmallestFreeDeviceThatFits() {
    List<MigSlot> free = List.of(G7_40, G3_20, G2_10, G1_10, G1_5);
    assertThat(decide(List.of(job(1, 4000, 1, 0, 1)), free).assignments())
        .containsExactly(new Assignment(1, Optional.of(G1_5)));
    assertThat(decide(List.of(job(1, 5000, 1, 0, 1)), free).assignments())
        .containsExactly(new Assignment(1, Optional.of(G1_10)));
    assertThat(decide(List.of(job(1, 10000, 1, 0, 1)), free).assignments())
        .containsExactly(new Assignment(1, Optional.of(G3_20)));
    assertThat(decide(List.of(job(1, 1, 4, 0, 1)), free).assignments())
        .containsExactly(new Assignment(1, Optional.of(G7_40)));
  }

  @Test
  void amongEqualMemoryTheFewestComputeSlicesWin() {
    // 1g.10gb and 2g.10gb have the same memory; a one-slice job takes the one-slice device.
    for (List<MigSlot> free : List.of(List.of(G2_10, G1_10), List.of(G1_10, G2_10))) {
      assertThat(decide(List.of(job(1, 9000, 1, 0, 1)), free).assignments())
          .containsExactly(new Assignment(1, Optional.of(G1_10)));
    }
    assertThat(decide(List.of(job(1, 9000, 2, 0, 1)), List.of(G1_10, G2_10)).assignments())
        .containsExactly(new Assignment(1, Optional.of(G2_10)));
  }

  @Test
  void memoryComesBeforeCompute() {
    // 2g.10gb has more slices than a 1g.20gb-like device but less memory: it is the better fit.
    MigSlot bigOneSlice = Jobs.slot("MIG-1g20", "1g.20gb", 19968, 1, 5);
    assertThat(decide(List.of(job(1, 4000, 1, 0, 1)), List.of(bigOneSlice, G2_10)).assignments())
        .containsExactly(new Assignment(1, Optional.of(G2_10)));
  }

  @Test
  void amongEqualDevicesTheFirstGpuAndPlacementWin() {
    MigSlot gpu1 = Jobs.slot("MIG-b", 1, "1g.5gb", 4864, 1, 0, false);
    MigSlot gpu0late = Jobs.slot("MIG-c", 0, "1g.5gb", 4864, 1, 6, false);
    MigSlot gpu0early = Jobs.slot("MIG-a", 0, "1g.5gb", 4864, 1, 2, false);
    List<MigSlot> free = new ArrayList<>(List.of(gpu1, gpu0late, gpu0early));
    Decision d =
        decide(List.of(job(1, 1000, 1, 0, 3), job(2, 1000, 1, 0, 2), job(3, 1000, 1, 0, 1)), free);
    assertThat(d.assignments())
        .containsExactly(
            new Assignment(1, Optional.of(gpu0early)),
            new Assignment(2, Optional.of(gpu0late)),
            new Assignment(3, Optional.of(gpu1)));
  }

  // ---------------------------------------------------------------- order

  @Test
  void priorityComesBeforeAge() {
    Job old = job(1, 4000, 1, 0, 5);
    Job urgent = job(2, 4000, 1, 10, 1);
    Decision d = decide(List.of(old, urgent), List.of(G1_5));
    assertThat(d.assignments()).containsExactly(new Assignment(2, Optional.of(G1_5)));
    assertThat(explained(d)).containsOnlyKeys(1L);
  }

  @Test
  void lowPriorityWaitsEvenWhenOlder() {
    Job old = job(1, 4000, 1, -5, 9);
    Job normal = job(2, 4000, 1, 0, 1);
    Decision d = decide(List.of(old, normal), List.of(G1_5));
    assertThat(d.assignments()).containsExactly(new Assignment(2, Optional.of(G1_5)));
  }

  @Test
  void ageComesBeforeId() {
    Job later = job(1, 4000, 1, 0, 1);
    Job earlier = job(2, 4000, 1, 0, 2);
    assertThat(decide(List.of(later, earlier), List.of(G1_5)).assignments())
        .containsExactly(new Assignment(2, Optional.of(G1_5)));
  }

  @Test
  void theLowerIdWinsATie() {
    Job a = job(7, 4000, 1, 0, 1);
    Job b = job(3, 4000, 1, 0, 1);
    assertThat(decide(List.of(a, b), List.of(G1_5)).assignments())
        .containsExactly(new Assignment(3, Optional.of(G1_5)));
  }

  @Test
  void assignmentsComeInTheOrderDecided() {
    Job low = job(1, 4000, 1, 0, 5);
    Job high = job(2, 4000, 1, 5, 1);
    Job mid = job(3, 4000, 1, 1, 1);
    Decision d = decide(List.of(low, high, mid), List.of(G1_5, G1_10, G3_20));
    assertThat(d.assignments())
        .containsExactly(
            new Assignment(2, Optional.of(G1_5)),
            new Assignment(3, Optional.of(G1_10)),
            new Assignment(1, Optional.of(G3_20)));
  }

  @Test
  void aHigherPriorityJobDoesNotTakeTheOnlyDeviceALaterJobCouldUseWhenItHasAnother() {
    // Best fit per job, in order: the small urgent job takes the small device, the big one the big.
    Job big = job(1, 15000, 1, 0, 2);
    Job small = job(2, 4000, 1, 9, 1);
    Decision d = decide(List.of(big, small), List.of(G3_20, G1_5));
    assertThat(assigned(d))
        .containsEntry(1L, Optional.of("MIG-3g20"))
        .containsEntry(2L, Optional.of("MIG-1g5"));
  }

  // ---------------------------------------------------------------- what is free

  @Test
  void aForeignBusyDeviceIsNeverAssigned() {
    MigSlot busy = Jobs.slot("MIG-busy", 0, "1g.5gb", 4864, 1, 0, true);
    Decision d = decide(List.of(job(1, 1000, 1, 0, 1)), List.of(busy));
    assertThat(d.assignments()).isEmpty();
    assertThat(explained(d)).containsEntry(1L, Map.of("1g.5gb", 1));
    // Even when a bigger device is also free, the busy small one is skipped.
    Decision d2 = decide(List.of(job(1, 1000, 1, 0, 1)), List.of(busy, G3_20));
    assertThat(d2.assignments()).containsExactly(new Assignment(1, Optional.of(G3_20)));
  }

  @Test
  void aJobWithoutGpuIsAlwaysAssignedNoDevice() {
    Job cpu = job(1, 0, 1, 0, 1);
    Decision none = decide(List.of(cpu), List.of());
    assertThat(none.assignments()).containsExactly(new Assignment(1, Optional.empty()));
    assertThat(explained(none)).isEmpty();
    // It takes nothing from GPU jobs, even low priority and behind them.
    Job gpu = job(2, 4000, 1, -10, 1);
    Job cpuFirst = job(3, 0, 1, 10, 30);
    Decision d = decide(List.of(gpu, cpuFirst), List.of(G1_5));
    assertThat(assigned(d))
        .containsEntry(3L, Optional.empty())
        .containsEntry(2L, Optional.of("MIG-1g5"));
    assertThat(explained(d)).isEmpty();
  }

  @Test
  void twoJobsNeverShareADevice() {
    List<Job> jobs = List.of(job(1, 1000, 1, 0, 3), job(2, 1000, 1, 0, 2), job(3, 1000, 1, 0, 1));
    Decision d = decide(jobs, List.of(G1_5, G3_20));
    assertThat(d.assignments())
        .containsExactly(
            new Assignment(1, Optional.of(G1_5)), new Assignment(2, Optional.of(G3_20)));
    assertThat(explained(d)).containsOnlyKeys(3L);
  }

  @Test
  void nothingQueuedNothingDecided() {
    Decision d = decide(List.of(), List.of(G1_5));
    assertThat(d.assignments()).isEmpty();
    assertThat(explained(d)).isEmpty();
  }

  @Test
  void onlyQueuedJobsCanBeScheduled() {
    Job running =
        new JobStateMachine()
            .apply(job(5, 0, 1, 0, 1), new JobTrigger.Place(Optional.empty()), NOW)
            .orElseThrow()
            .after();
    assertThatIllegalArgumentException()
        .isThrownBy(() -> decide(List.of(job(1, 0, 1, 0, 1), running), List.of()))
        .withMessage("job 5 is starting, not queued");
  }

  // ---------------------------------------------------------------- why a job waits

  @Test
  void aJobThatNoDeviceOfTheLayoutFitsSaysSo() {
    Decision d = decide(List.of(job(1, 30000, 1, 0, 1)), List.of(G1_5), List.of(G1_5, G3_20));
    assertThat(d.waiting())
        .containsExactly(
            Map.entry(
                1L,
                new WaitingReason.NoFreeDevice(
                    new Requirement(30000, 1),
                    new java.util.TreeMap<>(),
                    new java.util.TreeMap<>(Map.of("1g.5gb", 1)))));
    Decision compute = decide(List.of(job(2, 1000, 4, 0, 1)), List.of(), List.of(G3_20));
    assertThat(explained(compute)).containsExactly(Map.entry(2L, Map.of()));
  }

  @Test
  void aJobWhoseDevicesAreAllBusySaysHowManyFit() {
    MigSlot other3g = Jobs.slot("MIG-3g20-b", "3g.20gb", 19968, 3, 7);
    List<MigSlot> all = List.of(G1_5, G1_10, G2_10, G3_20, other3g, G7_40);
    Decision d = decide(List.of(job(1, 9000, 2, 0, 1)), List.of(G1_5, G1_10), all);
    assertThat(explained(d))
        .containsExactly(Map.entry(1L, Map.of("2g.10gb", 1, "3g.20gb", 2, "7g.40gb", 1)));
  }

  @Test
  void devicesTakenInTheSameDecisionCountAsInUse() {
    Decision d = decide(List.of(job(1, 1000, 1, 0, 2), job(2, 1000, 1, 0, 1)), List.of(G1_5));
    assertThat(explained(d)).containsExactly(Map.entry(2L, Map.of("1g.5gb", 1)));
  }

  // ---------------------------------------------------------------- starvation

  @Test
  void youngJobsPassABigJobThatWaits() {
    // The big job waits 5 minutes, less than the 10 of the policy: the urgent small job goes first.
    Job big = job(1, 15000, 3, 0, 5);
    Job small = job(2, 4000, 1, 100, 1);
    Decision d = decide(List.of(big, small), List.of(G3_20));
    assertThat(d.assignments()).containsExactly(new Assignment(2, Optional.of(G3_20)));
    assertThat(explained(d)).containsOnlyKeys(1L);
  }

  @Test
  void aStarvingJobGoesFirst() {
    Job big = job(1, 15000, 3, 0, 11);
    Job small = job(2, 4000, 1, 100, 1);
    Decision d = decide(List.of(small, big), List.of(G3_20));
    assertThat(d.assignments()).containsExactly(new Assignment(1, Optional.of(G3_20)));
    assertThat(explained(d)).containsOnlyKeys(2L);
  }

  @Test
  void starvationStartsAfterThePolicysWait() {
    Duration justUnder = POLICY.starvationAfter().minusSeconds(1);
    Duration justOver = POLICY.starvationAfter().plusSeconds(1);
    Job small = job(2, 4000, 1, 100, 0);
    Job notYet = Jobs.queued(1, 15000, 3, 0, NOW.minus(justUnder));
    assertThat(decide(List.of(notYet, small), List.of(G3_20)).assignments())
        .containsExactly(new Assignment(2, Optional.of(G3_20)));
    Job starving = Jobs.queued(1, 15000, 3, 0, NOW.minus(justOver));
    assertThat(decide(List.of(starving, small), List.of(G3_20)).assignments())
        .containsExactly(new Assignment(1, Optional.of(G3_20)));
  }

  @Test
  void starvingJobsAmongThemselvesGoByPriorityThenAge() {
    Job oldest = job(1, 15000, 3, 0, 50);
    Job urgent = job(2, 15000, 3, 5, 20);
    Job older = job(3, 15000, 3, 0, 40);
    Job fresh = job(4, 15000, 3, 99, 1);
    Decision d =
        decide(
            List.of(fresh, older, urgent, oldest),
            List.of(G3_20, G7_40, Jobs.slot("MIG-3g20-b", "3g.20gb", 19968, 3, 7)));
    assertThat(d.assignments()).extracting(Assignment::jobId).containsExactly(2L, 1L, 3L);
    assertThat(explained(d)).containsOnlyKeys(4L);
  }

  @Test
  void jobsBehindAStarvingJobNeverTakeADeviceItCouldUse() {
    // The starving big job fits only the 3g; the urgent small jobs fit everything. However the
    // queue is given, the big job gets the 3g and the small jobs get what it cannot use.
    Job big = job(1, 15000, 3, -100, 60);
    List<Job> smalls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      smalls.add(job(10 + i, 1000, 1, 100, 1));
    }
    List<Job> queue = new ArrayList<>(smalls);
    queue.add(big);
    Random random = new Random(Seeds.seed());
    for (int round = 0; round < 20; round++) {
      Collections.shuffle(queue, random);
      List<MigSlot> free = new ArrayList<>(List.of(G3_20, G1_5, G1_10));
      Collections.shuffle(free, random);
      Decision d = decide(queue, free);
      assertThat(assigned(d))
          .as("seed %d: %s", Seeds.seed(), queue)
          .containsEntry(1L, Optional.of("MIG-3g20"));
      assertThat(explained(d)).hasSize(2).doesNotContainKey(1L);
    }
  }

  @Test
  void aStarvingJobWhoseDevicesAreBusyLetsOthersUseDevicesItCannotUse() {
    Job big = job(1, 15000, 3, 0, 60);
    Job small = job(2, 1000, 1, 0, 1);
    Decision d = decide(List.of(big, small), List.of(G1_5), List.of(G1_5, G3_20));
    assertThat(d.assignments()).containsExactly(new Assignment(2, Optional.of(G1_5)));
    assertThat(explained(d)).containsExactly(Map.entry(1L, Map.of("3g.20gb", 1)));
  }

  // ---------------------------------------------------------------- random

  private static final int CASES = 3000;

  /**
   * Random queues over random devices of catalog models: every decision is consistent. Replay a
   * failure with {@code -Dmigctl.seed=<seed>}.
   */
  @Test
  void randomDecisionsAreConsistent() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    int assignedJobs = 0;
    int waitingJobs = 0;
    for (int n = 0; n < CASES; n++) {
      GpuModel model = Catalog.models().get(random.nextInt(Catalog.models().size()));
      List<MigSlot> all = randomSlots(model, random);
      List<MigSlot> free = new ArrayList<>();
      for (MigSlot s : all) {
        if (random.nextInt(3) != 0) {
          free.add(s);
        }
      }
      Collections.shuffle(free, random);
      Instant now = NOW;
      List<Job> queued = new ArrayList<>();
      int jobs = random.nextInt(12);
      long largest =
          model.profiles().stream().mapToLong(GpuInstanceProfile::memoryMiB).max().orElseThrow();
      for (int i = 0; i < jobs; i++) {
        long mib = random.nextInt(5) == 0 ? 0 : 1 + random.nextLong(largest + largest / 10);
        int compute = random.nextInt(3) == 0 ? 1 + random.nextInt(7) : 1;
        int priority = List.of(-5, 0, 0, 5).get(random.nextInt(4));
        Instant submitted = now.minusSeconds(random.nextInt(30 * 60));
        queued.add(Jobs.queued(100 + i, mib, compute, priority, submitted));
      }
      String what =
          String.format(
              "seed %d, case %d, %s: %s on %s of %s",
              seed, n, model.key(), describe(queued), free, all);

      Decision d = Scheduler.decide(queued, free, all, now, POLICY);

      Map<Long, Job> byId = new HashMap<>();
      queued.forEach(j -> byId.put(j.id(), j));
      Set<Long> decided = new HashSet<>();
      Set<String> taken = new HashSet<>();
      for (Assignment a : d.assignments()) {
        Job j = byId.get(a.jobId());
        assertThat(j).as("%s: unknown job %d", what, a.jobId()).isNotNull();
        assertThat(decided.add(a.jobId())).as("%s: job %d twice", what, a.jobId()).isTrue();
        if (j.needsGpu()) {
          MigSlot s =
              a.slot().orElseThrow(() -> new AssertionError(what + ": no slot for " + j.id()));
          assertThat(free).as(what).contains(s);
          assertThat(s.foreignBusy()).as("%s: foreign-busy %s", what, s.uuid()).isFalse();
          assertThat(j.requirement().orElseThrow().fits(s))
              .as("%s: %d on %s", what, j.id(), s)
              .isTrue();
          assertThat(taken.add(s.uuid())).as("%s: %s twice", what, s.uuid()).isTrue();
          // Best fit: no device still free at its turn is smaller.
          for (MigSlot other : free) {
            if (!other.foreignBusy()
                && !taken.contains(other.uuid())
                && j.requirement().get().fits(other)) {
              assertThat(smaller(other, s))
                  .as("%s: job %d took %s over %s", what, j.id(), s, other)
                  .isFalse();
            }
          }
        } else {
          assertThat(a.slot()).as(what).isEmpty();
        }
      }
      for (Map.Entry<Long, Map<String, Integer>> w : explained(d).entrySet()) {
        Job j = byId.get(w.getKey());
        assertThat(j).as(what).isNotNull();
        assertThat(j.needsGpu()).as("%s: job %d without GPU waits", what, j.id()).isTrue();
        assertThat(decided.add(w.getKey()))
            .as("%s: job %d assigned and waiting", what, j.id())
            .isTrue();
        Requirement need = j.requirement().orElseThrow();
        long fitting = all.stream().filter(need::fits).count();
        assertThat(w.getValue().values().stream().mapToInt(Integer::intValue).sum())
            .as("%s: devices that fit job %d", what, j.id())
            .isEqualTo(fitting);
        // Nobody waits while a free device it fits is left over.
        for (MigSlot s : free) {
          if (!s.foreignBusy() && !taken.contains(s.uuid())) {
            assertThat(need.fits(s))
                .as("%s: job %d waits though %s is left", what, j.id(), s.uuid())
                .isFalse();
          }
        }
        // No job after it in the order took a device it fits.
        for (Assignment a : d.assignments()) {
          Job later = byId.get(a.jobId());
          if (a.slot().isPresent() && order(now).compare(later, j) > 0) {
            assertThat(need.fits(a.slot().get()))
                .as(
                    "%s: job %d took %s before job %d",
                    what, later.id(), a.slot().get().uuid(), j.id())
                .isFalse();
          }
        }
      }
      assertThat(decided).as("%s: every job is decided", what).isEqualTo(byId.keySet());
      // Assignments come in the order of the queue.
      List<Long> expected =
          queued.stream()
              .filter(j -> assigned(d).containsKey(j.id()))
              .sorted(order(now))
              .map(Job::id)
              .toList();
      assertThat(d.assignments())
          .extracting(Assignment::jobId)
          .as(what)
          .containsExactlyElementsOf(expected);
      assignedJobs += d.assignments().size();
      waitingJobs += d.waiting().size();
    }
    assertThat(assignedJobs).as("seed %d: assigned", seed).isGreaterThan(CASES);
    assertThat(waitingJobs).as("seed %d: waiting", seed).isGreaterThan(CASES / 2);
  }

  /** The order the scheduler promises: starving first, then priority, then age, then id. */
  private static Comparator<Job> order(Instant now) {
    return Comparator.<Job>comparingInt(
            j ->
                Duration.between(j.submittedAt(), now).compareTo(POLICY.starvationAfter()) >= 0
                    ? 0
                    : 1)
        .thenComparing(Comparator.comparingInt((Job j) -> j.spec().priority()).reversed())
        .thenComparing(Job::submittedAt)
        .thenComparingLong(Job::id);
  }

  private static boolean smaller(MigSlot a, MigSlot b) {
    return a.memoryMiB() < b.memoryMiB()
        || (a.memoryMiB() == b.memoryMiB() && a.computeSlices() < b.computeSlices());
  }

  private static String describe(List<Job> jobs) {
    return jobs.stream()
        .map(
            j ->
                j.id()
                    + ":"
                    + j.requirement().map(Requirement::toString).orElse("no GPU")
                    + "/p"
                    + j.spec().priority()
                    + "/"
                    + Duration.between(j.submittedAt(), NOW).toSeconds()
                    + "s")
        .toList()
        .toString();
  }

  /** Devices of one to three GPUs of a model, some subdivided, some held by strangers. */
  private static List<MigSlot> randomSlots(GpuModel model, Random random) {
    List<MigSlot> out = new ArrayList<>();
    int gpus = 1 + random.nextInt(3);
    int uuid = 0;
    for (int g = 0; g < gpus; g++) {
      int devices = random.nextInt(6);
      for (int i = 0; i < devices; i++) {
        GpuInstanceProfile p = model.profiles().get(random.nextInt(model.profiles().size()));
        int compute =
            random.nextInt(4) == 0 ? 1 + random.nextInt(p.computeSlices()) : p.computeSlices();
        String name =
            compute == p.computeSlices()
                ? p.name().toString()
                : p.name().withComputeSlices(compute).toString();
        out.add(
            Jobs.slot(
                "MIG-" + g + "-" + (uuid++),
                g,
                name,
                p.memoryMiB(),
                compute,
                i,
                random.nextInt(8) == 0));
      }
    }
    return out;
  }
}
