package io.migctl.daemon.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobState;
import io.migctl.core.tenant.Tenant;
import io.migctl.daemon.NodeDaemon;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.home.MigctlHome;
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code up}'s flow without the command line: on a simulated node, a workload of jobs without
 * environments is planned, applied, run and watched to its end, each step reported as a value.
 */
class UpIT {

  private static final String WORKLOAD =
      """
      version: v1
      name: demo
      jobs:
        - name: small
          gpu: 1g.5gb
          replicas: 2
          command: ["true"]
        - name: cpu
          command: ["true"]
      """;

  @TempDir Path temp;

  /** Environments are not used by these workloads: any use is a failure of the test. */
  private static final Up.Environments NO_ENVIRONMENTS =
      new Up.Environments() {
        @Override
        public Optional<String> problem(String specFile) {
          throw new AssertionError("no environment to check: " + specFile);
        }

        @Override
        public EnvironmentStore.Created build(String name, String specFile) {
          throw new AssertionError("no environment to build: " + specFile);
        }
      };

  private Up.Request request(Path workload, MigctlHome home, SimulatedMigDriver driver) {
    return new Up.Request(
        Optional.of(workload),
        home,
        Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")),
        o -> o.withPort(0),
        w -> GpuNode.simulated(driver));
  }

  @Test
  void aWorkloadIsPlannedAppliedRunAndWatchedToItsEnd() throws Exception {
    Path file = temp.resolve("workload.yml");
    Files.writeString(file, WORKLOAD);
    MigctlHome home = new MigctlHome(temp.resolve("home"));
    SimulatedMigDriver driver = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    List<Up.Step> steps = new ArrayList<>();

    Up.Outcome outcome =
        new Up(NO_ENVIRONMENTS, steps::add, Clock.systemUTC()).run(request(file, home, driver));

    assertThat(outcome).isInstanceOf(Up.Outcome.Finished.class);
    Up.Outcome.Finished finished = (Up.Outcome.Finished) outcome;
    try (NodeDaemon daemon = finished.daemon()) {
      assertThat(finished.jobs()).extracting(Job::state).containsOnly(JobState.SUCCEEDED);
      assertThat(finished.jobs()).extracting(j -> j.spec().name()).hasSize(3);
      assertThat(finished.allSucceeded()).isTrue();
      assertThat(daemon.home().daemonFile()).exists();
    }
    assertThat(steps.getFirst()).isInstanceOf(Up.Step.Planned.class);
    assertThat(((Up.Step.Planned) steps.getFirst()).node()).isEqualTo("simulated a100-40gb:1");
    assertThat(steps)
        .filteredOn(s -> !(s instanceof Up.Step.Applying || s instanceof Up.Step.Watching))
        .extracting(s -> s.getClass().getSimpleName())
        .containsExactly("Planned", "Applied", "DaemonStarted", "Submitted");
    assertThat(steps.getLast()).isInstanceOf(Up.Step.Watching.class);
    assertThat(driver.gpuInstances(0)).as("the planned instances").hasSizeGreaterThanOrEqualTo(2);
    assertThat(home.daemonFile()).as("removed when the daemon closed").doesNotExist();
  }

  @Test
  void theWorkloadsTenantsAreAddedWithTheirQuotasAndExistingRecordsAreKept() throws Exception {
    Path file = temp.resolve("workload.yml");
    Files.writeString(
        file,
        WORKLOAD
            .replace("jobs:\n", "tenants:\n  ml: {max-slices: 1, weight: 2}\njobs:\n")
            .replace("replicas: 2\n", "replicas: 2\n    tenant: ml\n"));
    MigctlHome home = new MigctlHome(temp.resolve("home"));
    SimulatedMigDriver driver = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));

    Up.Outcome outcome =
        new Up(NO_ENVIRONMENTS, s -> {}, Clock.systemUTC()).run(request(file, home, driver));

    Up.Outcome.Finished finished = (Up.Outcome.Finished) outcome;
    try (NodeDaemon daemon = finished.daemon()) {
      assertThat(finished.allSucceeded()).isTrue();
      assertThat(finished.jobs())
          .filteredOn(j -> j.spec().name().startsWith("small"))
          .extracting(j -> j.spec().tenant())
          .containsOnly("ml");
      HttpResponse<String> ml =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(daemon.url().resolve("/api/v1/tenants/ml"))
                      .header("Authorization", "Bearer " + Files.readString(home.token()).strip())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(ml.statusCode()).as(ml.body()).isEqualTo(200);
      assertThat(ml.body()).contains("\"maxSlices\":1", "\"weight\":2");
      assertThat(daemon.declareTenants(List.of(Tenant.named("ml"))))
          .as("a record that exists is kept, not replaced")
          .isEmpty();
      assertThat(daemon.declareTenants(List.of(Tenant.named("ml"), Tenant.named("new"))))
          .containsExactly("new");
    }
  }

  @Test
  void aWorkloadThatCannotRunChangesNothing() throws IOException {
    Path file = temp.resolve("workload.yml");
    Files.writeString(file, WORKLOAD.replace("1g.5gb", "9g.99gb"));
    MigctlHome home = new MigctlHome(temp.resolve("home"));
    SimulatedMigDriver driver = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    List<Up.Step> steps = new ArrayList<>();

    assertThatThrownBy(
            () ->
                new Up(NO_ENVIRONMENTS, steps::add, Clock.systemUTC())
                    .run(request(file, home, driver)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(file + ": the workload cannot run here; nothing was changed")
        .hasMessageContaining("9g.99gb");
    assertThat(steps).isEmpty();
    assertThat(home.root()).doesNotExist();
    assertThat(driver.gpuInstances(0)).isEmpty();
  }

  @Test
  void aJobOnWholeGpusGetsGpusTurnedWholeBesideTheSlicesAndOneThatNeverFitsIsRefused()
      throws Exception {
    Path file = temp.resolve("workload.yml");
    Files.writeString(
        file,
        WORKLOAD
            + """
              - name: pair
                gpus: 2
                command: ["true"]
            """);
    MigctlHome home = new MigctlHome(temp.resolve("home"));
    SimulatedMigDriver driver = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:3"));

    Up.Outcome outcome =
        new Up(NO_ENVIRONMENTS, s -> {}, Clock.systemUTC()).run(request(file, home, driver));

    Up.Outcome.Finished finished = (Up.Outcome.Finished) outcome;
    try (NodeDaemon daemon = finished.daemon()) {
      assertThat(finished.allSucceeded()).isTrue();
      Job pair =
          finished.jobs().stream().filter(j -> j.spec().name().equals("pair")).findFirst().get();
      assertThat(daemon.jobs().require(pair.id()).devices())
          .extracting(Job.Device::gpu)
          .containsExactly(1, 2);
    }
    assertThat(driver.gpus())
        .extracting(g -> g.migMode().current())
        .containsExactly(true, false, false);

    Path tooBig = temp.resolve("too-big.yml");
    Files.writeString(tooBig, WORKLOAD + "  - name: eight\n    gpus: 8\n    command: [\"true\"]\n");
    MigctlHome other = new MigctlHome(temp.resolve("other"));
    assertThatThrownBy(
            () ->
                new Up(NO_ENVIRONMENTS, s -> {}, Clock.systemUTC())
                    .run(request(tooBig, other, driver)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("job eight needs 8 whole GPUs and cannot run here");
  }
}
