package io.migctl.daemon.store;

import static io.migctl.daemon.store.Fixtures.apply;
import static io.migctl.daemon.store.Fixtures.insertCpu;
import static io.migctl.daemon.store.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobRetention;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.job.JobStore;
import io.migctl.core.job.JobTrigger;
import io.migctl.core.job.MigSlot;
import io.migctl.core.job.Transition;
import io.migctl.core.job.WholeGpu;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link JobStore} must do, run against each: {@link SqliteJobStoreIT} (SQLite on disk)
 * and {@link InMemoryJobStoreTest}.
 */
abstract class JobStoreContract {

  @TempDir Path dir;

  JobStore store;

  /** A new, empty store; {@code dir} is a fresh folder it may use. */
  abstract JobStore open(Path dir);

  /** Releases what {@link #open} took. */
  abstract void close();

  @BeforeEach
  void openStore() {
    store = open(dir);
  }

  @AfterEach
  void closeStore() {
    close();
  }

  /** Records the transition, checks the stored job equals its after, and returns that. */
  private Job step(Transition t, List<Transition> log) {
    JobEvent e = store.record(t);
    assertThat(e.seq()).isPositive();
    assertThat(store.find(t.after().id())).contains(t.after());
    log.add(t);
    return t.after();
  }

  @Test
  void everyFieldOfAJobRoundTripsThroughItsWholeLife() {
    List<Transition> log = new ArrayList<>();
    JobSpec spec = Fixtures.fullSpec();
    Job job =
        store.insert(
            spec, Optional.of(Fixtures.requirement(20 * 1024, 1)), Optional.of("3f2a9c"), t(0));
    assertThat(job.id()).isPositive();
    assertThat(job.state()).isEqualTo(JobState.QUEUED);
    assertThat(store.find(job.id())).contains(job);

    var slot = Fixtures.slot("MIG-11111111-2222-3333-4444-555555555555", "1c.3g.20gb", 20480, 1);
    job = step(apply(job, new JobTrigger.Place(Optional.of(slot)), t(1)), log);
    assertThat(job.device()).isPresent();
    Instant processStart = Instant.parse("2026-03-04T05:06:09.000000001Z");
    job =
        step(
            apply(
                job,
                new JobTrigger.Launched(new Job.Supervisor(4242, Optional.of(processStart))),
                t(2)),
            log);
    assertThat(job.state()).isEqualTo(JobState.RUNNING);
    // Exit status 3 with one retry left: back to the queue, attempt 2, status and reason kept.
    job = step(apply(job, new JobTrigger.Exited(1, 3), t(3)), log);
    assertThat(job.state()).isEqualTo(JobState.QUEUED);
    assertThat(job.attempt()).isEqualTo(2);
    assertThat(job.exitStatus()).isEqualTo(OptionalInt.of(3));
    assertThat(job.reason()).isPresent();
    job = step(apply(job, new JobTrigger.Place(Optional.of(slot)), t(4)), log);
    job =
        step(
            apply(job, new JobTrigger.Launched(new Job.Supervisor(4343, Optional.empty())), t(5)),
            log);
    job = step(apply(job, new JobTrigger.Cancel("operator"), t(6)), log);
    assertThat(job.stopCause()).contains(Job.StopCause.CANCEL);
    job = step(apply(job, new JobTrigger.Exited(2, 143), t(7)), log);
    assertThat(job.state()).isEqualTo(JobState.CANCELLED);
    assertThat(job.finishedAt()).contains(t(7));
    assertThat(job.exitStatus()).isEqualTo(OptionalInt.of(143));

    List<JobEvent> events = store.events(job.id());
    assertThat(events).hasSize(1 + log.size());
    assertThat(events.getFirst().kind()).isEqualTo("submitted");
    assertThat(events.getFirst().at()).isEqualTo(t(0));
    for (int i = 0; i < log.size(); i++) {
      JobEvent want = log.get(i).event();
      JobEvent got = events.get(i + 1);
      assertThat(withSeq(want, got.seq())).isEqualTo(got);
    }
    assertThat(events).extracting(JobEvent::seq).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void aTimedOutMemoryJobAndAJobWithoutGpuRoundTrip() {
    List<Transition> log = new ArrayList<>();
    JobSpec timed =
        new JobSpec(
            "timed",
            List.of("sleep", "100"),
            Optional.empty(),
            Optional.empty(),
            new GpuNeed.Memory(8192, 2),
            0,
            "t1",
            Optional.of(Duration.ofMinutes(90)),
            0,
            Map.of());
    Job job =
        store.insert(timed, Optional.of(Fixtures.requirement(8192, 2)), Optional.empty(), t(0));
    var slot = Fixtures.slot("MIG-aaaa", "2g.20gb", 20480, 2);
    job = step(apply(job, new JobTrigger.Place(Optional.of(slot)), t(1)), log);
    job =
        step(
            apply(job, new JobTrigger.Launched(new Job.Supervisor(7, Optional.empty())), t(2)),
            log);
    job = step(apply(job, new JobTrigger.TimedOut(1), t(3)), log);
    assertThat(job.stopCause()).contains(Job.StopCause.TIMEOUT);
    job = step(apply(job, new JobTrigger.KillDue(1), t(4)), log);
    job = step(apply(job, new JobTrigger.Exited(1, 137), t(5)), log);
    assertThat(job.state()).isEqualTo(JobState.FAILED);

    Job cpu = insertCpu(store, "cpu-only", "t1", t(10));
    cpu = step(apply(cpu, new JobTrigger.Place(Optional.empty()), t(11)), log);
    cpu = step(apply(cpu, new JobTrigger.Vanished(1, "supervisor 9 is gone"), t(12)), log);
    assertThat(cpu.state()).isEqualTo(JobState.LOST);
    assertThat(cpu.device()).isEmpty();
  }

  @Test
  void aJobOnSeveralDevicesKeepsThemAllInOrder() {
    List<Transition> log = new ArrayList<>();
    Job gang =
        store.insert(
            Fixtures.spec("gang", "t1", new GpuNeed.WholeGpus(2)),
            Optional.of(Fixtures.requirement(40960, 7)),
            Optional.empty(),
            t(0));
    List<WholeGpu> gpus =
        List.of(
            new WholeGpu(3, "GPU-3333", "a100-40gb", 40960, 7, false, 0, false),
            new WholeGpu(2, "GPU-2222", "a100-40gb", 40960, 7, false, 0, false));
    gang = step(apply(gang, new JobTrigger.Place(List.of(), gpus), t(1)), log);
    assertThat(gang.devices()).extracting(Job.Device::uuid).containsExactly("GPU-3333", "GPU-2222");
    assertThat(gang.devices()).allMatch(Job.Device::whole);

    GpuNeed one = new GpuNeed.Profile(io.migctl.core.mig.ProfileName.parse("1g.5gb"));
    Job trio =
        store.insert(
            Fixtures.spec("trio", "t1", new GpuNeed.MigDevices(one, 3)),
            Optional.of(Fixtures.requirement(4864, 1)),
            Optional.empty(),
            t(2));
    List<MigSlot> slots =
        List.of(
            Fixtures.slot("MIG-c", "1g.5gb", 4864, 1),
            Fixtures.slot("MIG-a", "1g.5gb", 4864, 1),
            Fixtures.slot("MIG-b", "1g.5gb", 4864, 1));
    trio = step(apply(trio, new JobTrigger.Place(slots, List.of()), t(3)), log);
    assertThat(trio.devices())
        .extracting(Job.Device::uuid)
        .containsExactly("MIG-c", "MIG-a", "MIG-b");
  }

  @Test
  void aStaleTransitionIsRefusedAndNothingIsStored() {
    Job queued = insertCpu(store, "a", "t", t(0));
    Transition place = apply(queued, new JobTrigger.Place(Optional.empty()), t(1));
    Transition staleCancel = apply(queued, new JobTrigger.Cancel("operator"), t(2));
    store.record(place);

    assertThatThrownBy(() -> store.record(staleCancel))
        .isInstanceOf(JobStore.ConcurrentTransitionException.class)
        .hasMessageContaining("job " + queued.id() + " changed since it was read")
        .hasMessageContaining("stored is starting");
    assertThat(store.find(queued.id())).contains(place.after());
    assertThat(store.events(queued.id()))
        .extracting(JobEvent::kind)
        .containsExactly("submitted", "placed");
    assertThat(store.eventsAfter(0, 100)).hasSize(2);
  }

  @Test
  void aStaleTransitionIsRefusedEvenWhenStateAndAttemptAreUnchanged() {
    // STARTING -cancel-> STOPPING (no supervisor) -launched-> STOPPING (with supervisor):
    // a "never launched" decided on the first STOPPING version must not cancel the running job.
    Job job = insertCpu(store, "b", "t", t(0));
    job = store.find(job.id()).orElseThrow();
    Transition place = apply(job, new JobTrigger.Place(Optional.empty()), t(1));
    store.record(place);
    Transition cancel = apply(place.after(), new JobTrigger.Cancel("operator"), t(2));
    store.record(cancel);
    Job stoppingUnlaunched = cancel.after();
    Transition launched =
        apply(
            stoppingUnlaunched,
            new JobTrigger.Launched(new Job.Supervisor(99, Optional.empty())),
            t(3));
    store.record(launched);
    assertThat(launched.after().state()).isEqualTo(stoppingUnlaunched.state());
    assertThat(launched.after().attempt()).isEqualTo(stoppingUnlaunched.attempt());

    Transition stale = apply(stoppingUnlaunched, new JobTrigger.NeverLaunched(), t(4));
    assertThatThrownBy(() -> store.record(stale))
        .isInstanceOf(JobStore.ConcurrentTransitionException.class);
    assertThat(store.find(job.id())).contains(launched.after());
    assertThat(store.events(job.id())).hasSize(4);
  }

  @Test
  void recordingForAJobThatDoesNotExistFails() {
    Job real = insertCpu(store, "c", "t", t(0));
    Job ghost =
        Job.accepted(
            real.id() + 1000, real.spec(), Optional.empty(), Optional.empty(), real.submittedAt());
    Transition t = apply(ghost, new JobTrigger.Cancel("operator"), t(1));
    assertThatThrownBy(() -> store.record(t))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not exist");
    assertThat(store.eventsAfter(0, 100)).hasSize(1);
  }

  @Test
  void theEventSequenceIsOneIncreasingOrderAcrossJobs() {
    Job a = insertCpu(store, "a", "t", t(0));
    Job b = insertCpu(store, "b", "t", t(1));
    Transition pa = apply(a, new JobTrigger.Place(Optional.empty()), t(2));
    store.record(pa);
    Transition pb = apply(b, new JobTrigger.Place(Optional.empty()), t(3));
    store.record(pb);
    store.record(apply(pa.after(), new JobTrigger.Cancel("operator"), t(4)));
    store.record(apply(pb.after(), new JobTrigger.Cancel("operator"), t(5)));

    List<JobEvent> all = store.eventsAfter(0, 100);
    assertThat(all)
        .extracting(JobEvent::jobId)
        .containsExactly(a.id(), b.id(), a.id(), b.id(), a.id(), b.id());
    assertThat(all).extracting(JobEvent::seq).isSorted().doesNotHaveDuplicates();
    assertThat(all).extracting(JobEvent::at).containsExactly(t(0), t(1), t(2), t(3), t(4), t(5));

    long second = all.get(1).seq();
    assertThat(store.eventsAfter(second, 2)).containsExactly(all.get(2), all.get(3));
    assertThat(store.eventsAfter(all.getLast().seq(), 10)).isEmpty();
    assertThat(store.events(b.id())).containsExactly(all.get(1), all.get(3), all.get(5));
  }

  @Test
  void listFiltersByStatesTenantAndNameNewestFirstAndHonoursTheLimit() {
    Job a1 = insertCpu(store, "alpha", "t1", t(0));
    Job b1 = insertCpu(store, "beta", "t1", t(1));
    Job a2 = insertCpu(store, "alpha", "t2", t(2));
    Job c2 = insertCpu(store, "gamma", "t2", t(3));
    Job placedB1 = apply(b1, new JobTrigger.Place(Optional.empty()), t(4)).after();
    store.record(apply(b1, new JobTrigger.Place(Optional.empty()), t(4)));
    Job cancelledC2 = apply(c2, new JobTrigger.Cancel("operator"), t(5)).after();
    store.record(apply(c2, new JobTrigger.Cancel("operator"), t(5)));

    assertThat(store.list(JobQuery.all())).containsExactly(cancelledC2, a2, placedB1, a1);
    assertThat(store.list(query(Set.of(JobState.QUEUED), null, null, 100))).containsExactly(a2, a1);
    assertThat(store.list(query(Set.of(JobState.QUEUED, JobState.CANCELLED), null, null, 100)))
        .containsExactly(cancelledC2, a2, a1);
    assertThat(store.list(query(Set.of(), "t1", null, 100))).containsExactly(placedB1, a1);
    assertThat(store.list(query(Set.of(), null, "alpha", 100))).containsExactly(a2, a1);
    assertThat(store.list(query(Set.of(JobState.QUEUED), "t2", "alpha", 100))).containsExactly(a2);
    assertThat(store.list(query(Set.of(JobState.RUNNING), null, null, 100))).isEmpty();
    assertThat(store.list(query(Set.of(), "nobody", null, 100))).isEmpty();
    assertThat(store.list(query(Set.of(), null, null, 2))).containsExactly(cancelledC2, a2);

    assertThat(store.unfinished()).containsExactly(a1, placedB1, a2);
  }

  private static JobQuery query(Set<JobState> states, String tenant, String name, int limit) {
    return new JobQuery(states, Optional.ofNullable(tenant), Optional.ofNullable(name), limit);
  }

  @Test
  void countByStateCountsEachStateAndLeavesOutEmptyOnes() {
    assertThat(store.countByState()).isEmpty();
    Job a = insertCpu(store, "a", "t", t(0));
    insertCpu(store, "b", "t", t(0));
    insertCpu(store, "c", "t", t(0));
    Job d = insertCpu(store, "d", "t", t(0));
    store.record(apply(a, new JobTrigger.Place(Optional.empty()), t(1)));
    store.record(apply(d, new JobTrigger.Cancel("operator"), t(1)));

    assertThat(store.countByState())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(JobState.QUEUED, 2L, JobState.STARTING, 1L, JobState.CANCELLED, 1L));
  }

  @Test
  void countsAskedBetweenWritesFollowEveryWrite() {
    assertThat(store.countByState()).isEmpty();
    Job a = insertCpu(store, "a", "t", t(0));
    assertThat(store.countByState()).isEqualTo(Map.of(JobState.QUEUED, 1L));
    assertThat(store.countByState()).isEqualTo(Map.of(JobState.QUEUED, 1L));
    insertCpu(store, "b", "u", t(0));
    assertThat(store.countByStateAndTenant())
        .isEqualTo(Map.of(JobState.QUEUED, Map.of("t", 1L, "u", 1L)));
    store.record(apply(a, new JobTrigger.Cancel("operator"), t(1)));
    assertThat(store.countByState()).isEqualTo(Map.of(JobState.QUEUED, 1L, JobState.CANCELLED, 1L));
    assertThat(store.removeFinished(List.of(a.id()))).containsExactly(a.id());
    assertThat(store.countByState()).isEqualTo(Map.of(JobState.QUEUED, 1L));
  }

  @Test
  void removingFinishedJobsTakesTheirEventsAndNeverAJobThatHasNotFinished() {
    Job queued = insertCpu(store, "queued", "t", t(0));
    Job starting = insertCpu(store, "starting", "t", t(0));
    Job cancelled = insertCpu(store, "cancelled", "t", t(0));
    Job kept = insertCpu(store, "kept", "t", t(0));
    store.record(apply(starting, new JobTrigger.Place(Optional.empty()), t(1)));
    store.record(apply(cancelled, new JobTrigger.Cancel("operator"), t(2)));
    store.record(apply(kept, new JobTrigger.Cancel("operator"), t(3)));

    assertThat(store.finished())
        .containsExactlyInAnyOrder(
            new JobRetention.Finished(cancelled.id(), t(2)),
            new JobRetention.Finished(kept.id(), t(3)));

    // Asked for every job (and one that never existed): only the finished one asked for goes.
    List<Long> removed =
        store.removeFinished(List.of(queued.id(), starting.id(), cancelled.id(), 999L));
    assertThat(removed).containsExactly(cancelled.id());
    assertThat(store.find(cancelled.id())).isEmpty();
    assertThat(store.events(cancelled.id())).isEmpty();
    assertThat(store.find(queued.id())).isPresent();
    assertThat(store.find(starting.id())).isPresent();
    assertThat(store.events(starting.id())).hasSize(2);
    assertThat(store.finished()).containsExactly(new JobRetention.Finished(kept.id(), t(3)));
    assertThat(store.removeFinished(List.of())).isEmpty();
  }

  @Test
  void insertRefusesARequirementThatDoesNotMatchTheNeedAndStoresNothing() {
    assertThatThrownBy(
            () ->
                store.insert(
                    Fixtures.cpuSpec("x"),
                    Optional.of(Fixtures.requirement(1024, 1)),
                    Optional.empty(),
                    t(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("job x needs none but was given the requirement 1024 MiB");
    assertThat(store.list(JobQuery.all())).isEmpty();
    assertThat(store.eventsAfter(0, 10)).isEmpty();
  }

  @Test
  void eightThreadsInsertingAndTransitioningAtOnceLoseNothing() throws Exception {
    int threads = 8;
    int perThread = 40;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<Long>>> results = new ArrayList<>();
    try {
      for (int th = 0; th < threads; th++) {
        String tenant = "tenant" + th;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  List<Long> ids = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    Job j = insertCpu(store, "job" + i, tenant, t(i));
                    store.record(apply(j, new JobTrigger.Place(Optional.empty()), t(i + 1)));
                    ids.add(j.id());
                  }
                  return ids;
                }));
      }
      go.countDown();
      List<Long> ids = new ArrayList<>();
      for (Future<List<Long>> f : results) {
        ids.addAll(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(ids).hasSize(threads * perThread).doesNotHaveDuplicates();
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.countByState())
        .isEqualTo(Map.of(JobState.STARTING, (long) threads * perThread));
    List<JobEvent> all = store.eventsAfter(0, JobQuery.MAX_LIMIT);
    assertThat(all).hasSize(2 * threads * perThread);
    assertThat(all).extracting(JobEvent::seq).isSorted().doesNotHaveDuplicates();
    for (Job j : store.list(JobQuery.all())) {
      assertThat(store.events(j.id()))
          .extracting(JobEvent::kind)
          .containsExactly("submitted", "placed");
    }
    for (int th = 0; th < threads; th++) {
      assertThat(
              store.list(
                  new JobQuery(Set.of(), Optional.of("tenant" + th), Optional.empty(), 1000)))
          .hasSize(perThread);
    }
  }

  private static JobEvent withSeq(JobEvent e, long seq) {
    return new JobEvent(
        seq, e.jobId(), e.at(), e.from(), e.to(), e.attempt(), e.kind(), e.detail(), e.device());
  }
}
