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
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.process.SystemToolRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code slurm reshape} on a real one-node Slurm 22.05 ({@link SlurmCluster}) whose GPUs are a
 * simulated {@code a100-40gb:1} with real device nodes: under a running job it waits, changes the
 * layout, restarts the daemons in order and resumes, and a job asking for the new type runs; around
 * a slice a process outside Slurm holds it refuses and leaves the node drained, files unchanged.
 */
class SlurmReshapeIT {

  private Path dir;
  private SlurmCluster slurm;
  private SimulatedMigDriver driver;
  private GpuNode gpus;
  private SlurmController controller;
  private final List<String> progress = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException, InterruptedException {
    dir = SlurmCluster.newDir();
    driver = new SimulatedLayouts("a100-40gb:1").gi(0, "3g.20gb").gi(0, "3g.20gb").driver();
    gpus = GpuNode.simulated(driver, dir.resolve("sim-dev"), new SystemToolRunner());
    String name = "migctl-reshape-" + dir.getFileName().toString().replaceAll("[^a-z0-9]", "");
    GresFiles.Written first =
        new GresFiles(gpus.driver(), gpus.deviceNodes()).write(gresDir(), name, GresNaming.PROFILE);
    slurm =
        SlurmCluster.start(
            dir,
            SlurmCluster.Options.of(
                    gresOf(first.nodeFragment()), Files.readString(first.gresConf()))
                .withNodeName(name));
    SlurmController real =
        new ScontrolSlurmController(
            new SystemToolRunner(), Optional.of(slurm.conf()), Duration.ofSeconds(60));
    // slurm.conf Includes gres-node.conf on a real node; the test cluster writes its NodeName line
    // itself, so the restart first carries the fragment the reshape wrote into it.
    controller =
        new DelegatingController(real) {
          @Override
          public List<DaemonRestart.Step> restartDaemons(DaemonRestart restart) {
            try {
              slurm.reconfigure(
                  gresOf(gresDir().resolve(GresFiles.NODE_FRAGMENT)),
                  Files.readString(gresDir().resolve(GresFiles.GRES_CONF)));
              return super.restartDaemons(slurm.daemonRestart());
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        };
  }

  @AfterEach
  void stop() throws IOException {
    if (slurm != null) {
      slurm.close();
    }
    if (gpus != null) {
      gpus.close();
    }
  }

  private Path gresDir() {
    return dir.resolve("gres");
  }

  private static String gresOf(Path fragment) throws IOException {
    String line = Files.readString(fragment).strip();
    return line.substring(line.indexOf("Gres=") + "Gres=".length());
  }

  private SlurmReshape reshape() {
    return new SlurmReshape(
        controller,
        gpus.driver(),
        gpus.deviceNodes(),
        new ApplyJournal(dir.resolve("journal.jsonl"), Clock.systemUTC()),
        ReshapeLog.file(dir.resolve("reshape.jsonl"), Clock.systemUTC()),
        () -> "it",
        Clock.systemUTC(),
        d -> {
          try {
            Thread.sleep(d);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        },
        progress::add);
  }

  private SlurmReshape.Request to(Map<String, Integer> wish) {
    Map<ProfileName, Integer> devices = new LinkedHashMap<>();
    wish.forEach((k, v) -> devices.put(ProfileName.parse(k), v));
    Map<Integer, DesiredGpu> desired =
        DesiredLayouts.resolve(
            List.of(
                new ConfigEntry(
                    "mig-configs.c[0]", List.of(), new DeviceSelection.All(), true, devices)),
            GpuSnapshot.readAll(driver));
    return new SlurmReshape.Request(
        slurm.nodeName(),
        "c",
        desired,
        gresDir(),
        GresNaming.PROFILE,
        Optional.of(DaemonRestart.systemd()),
        DaemonRestart.systemd(),
        Duration.ofSeconds(90),
        Duration.ofMillis(200));
  }

  private List<String> steps() {
    List<String> out = new ArrayList<>();
    ReshapeLog.file(dir.resolve("reshape.jsonl"), Clock.systemUTC()).read().stream()
        .filter(l -> l.get("phase").equals("begin"))
        .forEach(l -> out.add(l.get("step")));
    return out;
  }

  @Test
  void aReshapeWaitsForTheRunningJobChangesTheLayoutAndTheNewTypeRuns() throws Exception {
    String job = slurm.sbatch("--gres=gpu:3g.20gb:1", "--wrap", "sleep 600");
    slurm.awaitJobState(job, "RUNNING");

    CompletableFuture<SlurmReshape.Result> running =
        CompletableFuture.supplyAsync(() -> reshape().run(to(Map.of("1g.5gb", 7))));
    slurm.await("the node to drain", () -> controller.node(slurm.nodeName()).draining());
    assertThat(GpuSnapshot.readAll(driver).getFirst().instances()).hasSize(2); // not yet
    slurm.run("scancel", job);

    SlurmReshape.Result r = running.get(120, TimeUnit.SECONDS);

    assertThat(r.outcome())
        .as(r.message() + "\n" + progress + "\n" + slurm.logs())
        .isEqualTo(SlurmReshape.Outcome.DONE);
    assertThat(steps()).containsExactly("drain", "wait", "apply", "files", "restart", "resume");
    assertThat(GpuSnapshot.readAll(driver).getFirst().instances()).hasSize(7);
    slurm.awaitIdle();
    SlurmNode node = controller.node(slurm.nodeName());
    assertThat(node.gres()).startsWith("gpu:1g.5gb:7");
    assertThat(node.drainSet()).isFalse();
    SlurmCluster.Result next = slurm.srun("--gres=gpu:1g.5gb:1", "true");
    assertThat(next.exitCode()).as(next.output()).isZero();
  }

  @Test
  void aReshapeRefusedAroundABusySliceLeavesTheNodeDrainedAndEverythingElseAsItWas()
      throws Exception {
    String held =
        GpuSnapshot.readAll(driver)
            .getFirst()
            .instances()
            .getFirst()
            .computeInstances()
            .getFirst()
            .computeInstance()
            .uuid();
    driver.hold(held, 4242); // a process Slurm does not know about
    String gresBefore = Files.readString(gresDir().resolve(GresFiles.GRES_CONF));

    SlurmReshape.Result r = reshape().run(to(Map.of("7g.40gb", 1)));

    assertThat(r.outcome()).isEqualTo(SlurmReshape.Outcome.REFUSED);
    SlurmNode node = controller.node(slurm.nodeName());
    assertThat(node.drained()).isTrue();
    assertThat(node.reason()).hasValueSatisfying(x -> assertThat(x).contains("refused"));
    assertThat(Files.readString(gresDir().resolve(GresFiles.GRES_CONF))).isEqualTo(gresBefore);
    assertThat(GpuSnapshot.readAll(driver).getFirst().instances()).hasSize(2);
    assertThat(node.gres()).startsWith("gpu:3g.20gb:2");
  }

  /** Passes every call on; tests override what they change. */
  private static class DelegatingController implements SlurmController {
    private final SlurmController to;

    DelegatingController(SlurmController to) {
      this.to = to;
    }

    @Override
    public SlurmVersion version() {
      return to.version();
    }

    @Override
    public SlurmNode node(String name) {
      return to.node(name);
    }

    @Override
    public void drain(String name, String reason) {
      to.drain(name, reason);
    }

    @Override
    public void resume(String name) {
      to.resume(name);
    }

    @Override
    public List<SlurmJob> jobsOn(String name) {
      return to.jobsOn(name);
    }

    @Override
    public List<DaemonRestart.Step> restartDaemons(DaemonRestart restart) {
      return to.restartDaemons(restart);
    }
  }
}
