package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.apply.ApplyJournal;
import io.migctl.core.mig.DriverError;
import io.migctl.core.plan.ReshapeGate;
import io.migctl.nvidia.sim.SimOperation;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --repartition} with a driver error that keeps recurring: the daemon retries a GPU's
 * reshape after 2 s, 4 s, 8 s … (never in a loop), records one event per failure streak, and each
 * failed attempt is undone. Time is a test clock; scheduling rounds are driven by the test.
 */
class ReshapeBackoffIT {

  @TempDir Path home;

  private final VirtualClock clock = new VirtualClock(Instant.parse("2026-12-01T10:00:00Z"));

  @Test
  void aRecurringDriverErrorIsRetriedWithExponentialBackoffAndUndoneEachTime() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    try (TestDaemon d =
        new TestDaemon(
            home,
            sim,
            new Repartition(true, new ReshapeGate.Params(Duration.ofSeconds(60), Duration.ZERO)),
            clock)) {
      TestDaemon.Reply seven =
          d.postJson("/api/v1/layout/apply", Map.of("config", RepartitionIT.SEVEN_SMALL));
      assertThat(seven.status()).as(seven.body()).isEqualTo(200);
      List<String> smallOnes = uuids(d);
      // Six attempts fail, the seventh succeeds. Each attempt destroys 1g.5gb@4:1, @5:1 and @6:1
      // and creates 3g.20gb@4:4 (one create-gi call), which fails; its undo creates the three
      // 1g.5gb again (three create-gi calls): the faults hit every fourth call.
      for (int attempt = 0; attempt < 6; attempt++) {
        sim.failNext(SimOperation.CREATE_GI, DriverError.UNKNOWN, 1, 4 * attempt);
      }
      long journalBefore = journalBytes();

      long job =
          d.submit(Map.of("name", "big", "command", List.of("sleep", "60"), "gpu", "3g.20gb"));
      rounds(d, 20);
      long firstMinuteStart = journalBytes();
      assertThat(attempts()).as("attempts without the clock moving").isEqualTo(1);
      // The attempt destroyed three idle 1g.5gb, then failed: they are back (new UUIDs).
      assertThat(d.get("/api/v1/gpus").json().findValuesAsText("profile"))
          .containsOnly("1g.5gb")
          .hasSize(7);
      assertThat(uuids(d)).hasSize(7).containsAnyElementsOf(smallOnes.subList(0, 4));

      // One simulated minute of scheduling rounds every 2 s: retries at 2, 6, 14 and 30 s.
      for (int t = 0; t < 30; t++) {
        clock.advance(Duration.ofSeconds(2));
        rounds(d, 1);
      }
      assertThat(attempts()).as("attempts in the first simulated minute").isEqualTo(5);
      long perMinute = journalBytes() - journalBefore;
      System.out.println(
          "ReshapeBackoffIT: journal bytes in the first simulated minute of a recurring fault: "
              + perMinute
              + " ("
              + (journalBytes() - firstMinuteStart)
              + " after the first attempt), "
              + attempts()
              + " attempts");
      assertThat(events(d, job, "reshape-failed")).hasSize(1);
      assertThat(events(d, job, "reshape-failed").getFirst())
          .contains("reshape of GPU 0 failed", "undone", "retrying in 2s");

      // The sixth attempt at 62 s fails (next in 64 s); the seventh, at 126 s, succeeds.
      clock.advance(Duration.ofSeconds(2));
      rounds(d, 1);
      assertThat(attempts()).isEqualTo(6);
      clock.advance(Duration.ofSeconds(63));
      rounds(d, 3);
      assertThat(attempts()).isEqualTo(6);
      clock.advance(Duration.ofSeconds(1));
      rounds(d, 1);
      d.awaitState(job, "running");
      assertThat(d.get("/api/v1/jobs/" + job).json().get("device").get("profile").asText())
          .isEqualTo("3g.20gb");
      assertThat(events(d, job, "reshape-failed")).hasSize(1);
      assertThat(events(d, job, "reshape")).last().asString().contains("after 6 failed attempts");
      d.post("/api/v1/jobs/" + job + "/cancel", "{}");
    }
  }

  /** Runs {@code n} scheduling rounds on the job thread, each to its end. */
  private static void rounds(TestDaemon d, int n) {
    JobService jobs = d.daemon().jobs();
    for (int i = 0; i < n; i++) {
      jobs.exclusive(() -> null);
      jobs.reschedule();
      jobs.exclusive(() -> null);
    }
  }

  /** Reshape attempts so far: each one's failed step (or its success) is journaled. */
  private long attempts() {
    return new ApplyJournal(home.resolve("mig/journal.jsonl"), clock)
        .read().stream().filter(e -> "step-failed".equals(e.event())).count();
  }

  private long journalBytes() throws IOException {
    Path f = home.resolve("mig/journal.jsonl");
    return Files.exists(f) ? Files.size(f) : 0;
  }

  private static List<String> uuids(TestDaemon d) {
    return d.get("/api/v1/gpus").json().findValuesAsText("uuid").stream()
        .filter(u -> u.startsWith("MIG-"))
        .toList();
  }

  private static List<String> events(TestDaemon d, long job, String kind) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : d.get("/api/v1/jobs/" + job + "/events").json()) {
      if (e.get("kind").asText().equals(kind)) {
        out.add(e.get("detail").asText());
      }
    }
    return out;
  }
}
