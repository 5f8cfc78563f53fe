package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.apply.ApplyJournal;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.change.GpuState;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process dies in the middle of a layout change (abruptly, as {@code kill -9} kills it); a daemon
 * started on that home finds the change unfinished in the journal and, before it schedules
 * anything, finishes it when the recorded target is still reachable, or else undoes it — with
 * journal lines and a log line saying what it did.
 */
class LayoutRecoveryIT {

  private static final String SPEC = "a100-40gb:2";

  @TempDir Path home;
  @TempDir Path work;

  private final List<String> logged = new ArrayList<>();
  private final Logger log = Logger.getLogger(Reconciler.class.getName());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          synchronized (logged) {
            logged.add(r.getMessage());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLog() {
    log.addHandler(capture);
  }

  @AfterEach
  void stopCapture() {
    log.removeHandler(capture);
  }

  @Test
  void aChangeInterruptedMidwayIsFinishedWhenItsTargetIsReachable() throws Exception {
    apply(RepartitionIT.SEVEN_SMALL);
    // 7 compute + 7 GPU instances go, then 2 + 2 come on GPU 0, then GPU 1: die after 9 calls.
    dieDuring(LayoutFaultsIT.HALVES, 9);
    ApplyJournal journal = journal();
    assertThat(journal.interrupted()).isPresent();
    GpuState target = state(node(), 0);
    assertThat(target.layout().instances()).hasSizeLessThan(7);

    try (TestDaemon d = new TestDaemon(home, node())) {
      // Done by the time the daemon serves: the start waits for it.
      SimulatedMigDriver sim = node();
      for (int gpu = 0; gpu < 2; gpu++) {
        assertThat(state(sim, gpu).layout().instances())
            .extracting(i -> i.profile().name().toString() + "@" + i.placement())
            .containsExactlyInAnyOrder("3g.20gb@0:4", "3g.20gb@4:4");
      }
      assertThat(journal.interrupted()).isEmpty();
      List<ApplyJournal.Entry> lines = journal.read();
      assertThat(lines).extracting(ApplyJournal.Entry::event).contains("recovery");
      assertThat(lines.getLast().message()).contains("recovered", "GPU 0 has its new layout");
      assertThat(loggedLines()).anyMatch(l -> l.contains("did not finish") && l.contains("GPU 0"));
      assertThat(d.get("/api/v1/health").status()).isEqualTo(200);
    }
  }

  @Test
  void aChangeWhoseTargetABusyDeviceNowBlocksIsUndone() throws Exception {
    apply(RepartitionIT.SEVEN_SMALL);
    // Die after destroying the first 1g.5gb's compute instance and GPU instance.
    dieDuring(LayoutFaultsIT.HALVES, 2);
    SimulatedMigDriver sim = node();
    GpuSnapshot gpu0 = GpuSnapshot.read(sim, sim.gpus().getFirst());
    // A process (this one, alive) holds 1g.5gb@6:1, where 3g.20gb@4:4 would go.
    String busy =
        gpu0.instances().stream()
            .filter(i -> i.gpuInstance().placement().start() == 6)
            .findFirst()
            .orElseThrow()
            .computeInstances()
            .getFirst()
            .computeInstance()
            .uuid();
    sim.hold(busy, ProcessHandle.current().pid());

    try (TestDaemon d = new TestDaemon(home, node())) {
      SimulatedMigDriver after = node();
      assertThat(state(after, 0).layout().instances())
          .extracting(i -> i.profile().name().toString())
          .containsOnly("1g.5gb")
          .hasSize(7);
      assertThat(d.get("/api/v1/gpus").json().findValuesAsText("uuid")).contains(busy);
      List<ApplyJournal.Entry> lines = journal().read();
      assertThat(lines)
          .filteredOn(e -> "recovery".equals(e.event()))
          .extracting(ApplyJournal.Entry::message)
          .anyMatch(m -> m.contains("undoing GPU 0") && m.contains("busy"));
      assertThat(lines).extracting(ApplyJournal.Entry::event).contains("undo-done");
      assertThat(lines.getLast().message()).contains("GPU 0 has its old layout again");
      // GPU 1's change had not started: it is not touched.
      assertThat(lines.getLast().message()).doesNotContain("GPU 1 has its new layout");
      assertThat(state(after, 1).layout().instances()).hasSize(7);
    }
  }

  // ------------------------------------------------------------------------------------------

  private SimulatedMigDriver node() {
    return SimulatedMigDriver.persistent(SimulatedNodeSpec.parse(SPEC), home.resolve("sim"));
  }

  private ApplyJournal journal() {
    return new ApplyJournal(home.resolve("mig/journal.jsonl"), Clock.systemUTC());
  }

  private static GpuState state(SimulatedMigDriver sim, int gpu) {
    return GpuState.of(GpuSnapshot.read(sim, sim.gpus().get(gpu)));
  }

  private List<String> loggedLines() {
    synchronized (logged) {
      return List.copyOf(logged);
    }
  }

  /** Applies a config to completion in another process. */
  private void apply(String config) throws IOException, InterruptedException {
    assertThat(run(config, Integer.MAX_VALUE)).isZero();
  }

  /** Applies a config in another process that dies after {@code calls} driver calls. */
  private void dieDuring(String config, int calls) throws IOException, InterruptedException {
    assertThat(run(config, calls)).isEqualTo(ApplyThatDies.KILLED);
  }

  private int run(String config, int calls) throws IOException, InterruptedException {
    Path file = work.resolve("config-" + System.nanoTime() + ".yaml");
    Files.writeString(file, config);
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ApplyThatDies.class.getName(),
                home.toString(),
                SPEC,
                file.toString(),
                Integer.toString(calls))
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("child.log").toFile())
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }
}
