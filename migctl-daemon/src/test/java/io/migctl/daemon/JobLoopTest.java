package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class JobLoopTest {

  private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

  /** A job thread whose posted tasks wait until the test runs them; a call runs at once. */
  private static final class HeldThread implements JobThread {
    final ArrayDeque<Runnable> posted = new ArrayDeque<>();

    @Override
    public void post(Runnable work) {
      posted.add(work);
    }

    @Override
    public <T> T call(Supplier<T> work) {
      return work.get();
    }

    void runPosted() {
      for (Runnable r = posted.poll(); r != null; r = posted.poll()) {
        r.run();
      }
    }

    @Override
    public void close() {}
  }

  private final HeldThread thread = new HeldThread();
  private final JobLoop loop =
      new JobLoop(thread, new VirtualTimers(new VirtualClock(T0)), Duration.ofSeconds(10));
  private final List<String> seen = new ArrayList<>();

  private static Job job(long id) {
    return Job.accepted(
        id,
        JobSpec.of("j" + id, List.of("true"), new GpuNeed.None()),
        Optional.empty(),
        Optional.empty(),
        T0);
  }

  @Test
  void aCallThatOvertakesTheRoundFindsTheJobsThatArrivedTracked() {
    loop.start(j -> seen.add("track " + j.id()), () -> seen.add("round"));
    thread.runPosted();
    seen.clear();

    loop.arrived(job(1));
    loop.arrived(job(2));
    loop.call(
        () -> {
          seen.add("cancel 2");
          return null;
        });
    thread.runPosted();

    assertThat(seen).containsExactly("track 1", "track 2", "cancel 2", "round");
  }

  @Test
  void jobsThatArriveBeforeTheStartWaitForTheTracker() {
    loop.arrived(job(7));
    loop.call(
        () -> {
          seen.add("reconcile");
          return null;
        });
    loop.start(j -> seen.add("track " + j.id()), () -> seen.add("round"));
    thread.runPosted();

    assertThat(seen).containsExactly("reconcile", "track 7", "round");
  }

  @Test
  void onePostedRoundServesEveryArrivalBeforeIt() {
    loop.start(j -> seen.add("track " + j.id()), () -> seen.add("round"));
    thread.runPosted();
    seen.clear();

    for (long id = 1; id <= 3; id++) {
      loop.arrived(job(id));
    }
    assertThat(thread.posted).hasSize(1);
    thread.runPosted();

    assertThat(seen).containsExactly("track 1", "track 2", "track 3", "round");
  }
}
