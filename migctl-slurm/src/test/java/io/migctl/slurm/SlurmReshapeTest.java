package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.apply.ApplyJournal;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.DeviceSelection;
import io.migctl.core.slurm.GresNaming;
import io.migctl.nvidia.dev.DeviceNode;
import io.migctl.nvidia.dev.DeviceNodes;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reshape's steps against a Slurm controller in memory and a simulated a100-40gb:1. */
class SlurmReshapeTest {

  private static final String NODE = "gpu01";
  private static final DaemonRestart RESTART =
      new DaemonRestart(
          List.of("stop-slurmd"), List.of("restart-slurmctld"), List.of("start-slurmd"));

  @TempDir Path dir;

  private final SimulatedMigDriver driver =
      SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
  private final InMemorySlurmController slurm =
      new InMemorySlurmController(SlurmVersion.parse("22.05.8"));
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-12-07T01:00:00Z"));
  private final Clock clock =
      new Clock() {
        @Override
        public Instant instant() {
          return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }
      };
  private final ReshapeLog log = ReshapeLog.inMemory(clock);
  private final List<String> progress = new ArrayList<>();
  private Runnable whileWaiting = () -> {};

  /** Device files named by their numbers: enough for gres.conf, no nodes made. */
  private static final DeviceNodes FILES =
      new DeviceNodes() {
        @Override
        public List<DeviceNode> migDevice(int gpu, int gi, int ci) {
          return List.of(
              new DeviceNode(Path.of("/dev/nvidiactl"), 195, 255),
              new DeviceNode(Path.of("/dev/nvidia-uvm"), 511, 0),
              new DeviceNode(Path.of("/dev/nvidia-uvm-tools"), 511, 1),
              new DeviceNode(Path.of("/dev/nvidia" + gpu), 195, gpu),
              new DeviceNode(Path.of("/dev/nvidia-caps/nvidia-cap" + (10 + gi)), 237, 10 + gi),
              new DeviceNode(
                  Path.of("/dev/nvidia-caps/nvidia-cap" + (100 + gi * 8 + ci)),
                  237,
                  100 + gi * 8 + ci));
        }

        @Override
        public List<DeviceNode> wholeGpu(int gpu) {
          return List.of(new DeviceNode(Path.of("/dev/nvidia" + gpu), 195, gpu));
        }
      };

  private SlurmReshape reshape() {
    AtomicInteger ids = new AtomicInteger();
    return new SlurmReshape(
        slurm,
        driver,
        FILES,
        ApplyJournal.inMemory(clock),
        log,
        () -> "r" + ids.incrementAndGet(),
        clock,
        d -> {
          now.set(now.get().plus(d));
          whileWaiting.run();
        },
        progress::add);
  }

  private Map<Integer, DesiredGpu> desired(Map<String, Integer> wish) {
    Map<ProfileName, Integer> devices = new LinkedHashMap<>();
    wish.forEach((k, v) -> devices.put(ProfileName.parse(k), v));
    return DesiredLayouts.resolve(
        List.of(
            new ConfigEntry(
                "mig-configs.c[0]", List.of(), new DeviceSelection.All(), true, devices)),
        GpuSnapshot.readAll(driver));
  }

  private SlurmReshape.Request request(Map<String, Integer> wish, Optional<DaemonRestart> restart) {
    return new SlurmReshape.Request(
        NODE,
        "c",
        desired(wish),
        dir,
        GresNaming.PROFILE,
        restart,
        RESTART,
        Duration.ofMinutes(10),
        Duration.ofSeconds(5));
  }

  private void startWith(Map<String, Integer> wish) {
    slurm.addNode(NODE, "");
    assertThat(reshape().run(request(wish, Optional.of(RESTART))).outcome())
        .isEqualTo(SlurmReshape.Outcome.DONE);
  }

  private List<String> steps() {
    return log.read().stream()
        .filter(l -> l.get("phase").equals("begin"))
        .map(l -> l.get("step"))
        .toList();
  }

  @Test
  void aReshapeWaitsForTheJobsThenChangesRestartsInOrderAndResumes() throws IOException {
    slurm.addNode(NODE, "");
    slurm.start(NODE, new SlurmJob("41", "RUNNING", "ana", "train"));
    AtomicInteger looks = new AtomicInteger();
    whileWaiting =
        () -> {
          if (looks.incrementAndGet() == 3) {
            slurm.end(NODE, "41");
          }
        };
    slurm.configure(NODE, "gpu:3g.20gb:2");

    SlurmReshape.Result r = reshape().run(request(Map.of("3g.20gb", 2), Optional.of(RESTART)));

    assertThat(r.outcome()).isEqualTo(SlurmReshape.Outcome.DONE);
    assertThat(looks.get()).isEqualTo(3);
    assertThat(steps()).containsExactly("drain", "wait", "apply", "files", "restart", "resume");
    assertThat(slurm.stepsRun())
        .extracting(DaemonRestart.Step::action)
        .containsExactly(
            DaemonRestart.Action.STOP_SLURMD,
            DaemonRestart.Action.RESTART_SLURMCTLD,
            DaemonRestart.Action.START_SLURMD);
    assertThat(slurm.node(NODE).drainSet()).isFalse();
    assertThat(slurm.node(NODE).gres()).isEqualTo("gpu:3g.20gb:2");
    assertThat(Files.readString(dir.resolve(GresFiles.GRES_CONF))).contains("Type=3g.20gb");
    assertThat(Files.readString(dir.resolve(GresFiles.NODE_FRAGMENT)))
        .isEqualTo("NodeName=" + NODE + " Gres=gpu:3g.20gb:2\n");
    assertThat(progress).contains("waiting for 1 job(s) on gpu01: [41]");
  }

  @Test
  void gpusAlreadyAsDesiredAreNotDrained() {
    startWith(Map.of("1g.5gb", 7));

    SlurmReshape.Result r = reshape().run(request(Map.of("1g.5gb", 7), Optional.of(RESTART)));

    assertThat(r.outcome()).isEqualTo(SlurmReshape.Outcome.AS_DESIRED);
    assertThat(slurm.node(NODE).drainSet()).isFalse();
  }

  @Test
  void aNodeThatDoesNotDrainInTimeIsResumedAndNothingChanges() {
    slurm.addNode(NODE, "");
    slurm.start(NODE, new SlurmJob("7", "RUNNING", "bo", "forever"));

    SlurmReshape.Result r = reshape().run(request(Map.of("3g.20gb", 2), Optional.of(RESTART)));

    assertThat(r.outcome()).isEqualTo(SlurmReshape.Outcome.TIMED_OUT);
    assertThat(r.message()).contains("did not drain within PT10M").contains("[7]");
    assertThat(slurm.node(NODE).drainSet()).isFalse();
    assertThat(GpuSnapshot.readAll(driver).getFirst().instances()).isEmpty();
    assertThat(dir.resolve(GresFiles.GRES_CONF)).doesNotExist();
  }

  @Test
  void aRefusedApplyLeavesTheNodeDrainedWithTheReasonAndTheFilesAsTheyWere() throws IOException {
    startWith(Map.of("1g.5gb", 7));
    String before = Files.readString(dir.resolve(GresFiles.GRES_CONF));
    String held =
        GpuSnapshot.readAll(driver)
            .getFirst()
            .instances()
            .getFirst()
            .computeInstances()
            .getFirst()
            .computeInstance()
            .uuid();
    driver.hold(held, 999);

    SlurmReshape.Result r = reshape().run(request(Map.of("7g.40gb", 1), Optional.of(RESTART)));

    assertThat(r.outcome()).isEqualTo(SlurmReshape.Outcome.REFUSED);
    SlurmNode node = slurm.node(NODE);
    assertThat(node.drained()).isTrue();
    assertThat(node.reason())
        .hasValueSatisfying(x -> assertThat(x).contains("refused").contains("pid 999"));
    assertThat(Files.readString(dir.resolve(GresFiles.GRES_CONF))).isEqualTo(before);
    assertThat(slurm.stepsRun()).hasSize(3); // only the first reshape's restart
  }

  @Test
  void whenMigctlMayNotRestartTheDaemonsItSaysTheStepsAndKeepsTheNodeDrained() {
    slurm.addNode(NODE, "");

    SlurmReshape.Result r = reshape().run(request(Map.of("3g.20gb", 2), Optional.empty()));

    assertThat(r.outcome()).isEqualTo(SlurmReshape.Outcome.RESTART_BY_HAND);
    assertThat(r.manualSteps())
        .extracting(DaemonRestart.Step::display)
        .containsExactly("stop-slurmd", "restart-slurmctld", "start-slurmd");
    assertThat(slurm.stepsRun()).isEmpty();
    assertThat(slurm.node(NODE).reason())
        .hasValueSatisfying(x -> assertThat(x).contains("restart the Slurm daemons"));
  }

  @Test
  void aFailedRestartKeepsTheNodeDrainedAndSaysWhatIsLeft() {
    slurm.addNode(NODE, "");
    slurm.failNextRestart(DaemonRestart.Action.RESTART_SLURMCTLD);

    SlurmReshape.Result r = reshape().run(request(Map.of("3g.20gb", 2), Optional.of(RESTART)));

    assertThat(r.outcome()).isEqualTo(SlurmReshape.Outcome.FAILED);
    assertThat(r.message()).contains("restarting the daemons failed");
    assertThat(slurm.node(NODE).drainSet()).isTrue();
  }
}
