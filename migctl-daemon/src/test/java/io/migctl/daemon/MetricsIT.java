package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} of a daemon running jobs on the simulated node, read back and checked. */
class MetricsIT {

  /** DCGM's profiling ratios: per MIG device on Hopper, absent (never 0) on Ampere. */
  private static final List<String> PROF_RATIOS =
      DeployFilesIT.DCGM_METRICS.stream()
          .filter(n -> n.startsWith("DCGM_FI_PROF_") && !n.startsWith("DCGM_FI_PROF_PCIE_"))
          .sorted()
          .toList();

  @TempDir Path home;
  @TempDir Path mapping;

  @Test
  void dcgmAndMigctlSeriesMatchTheDriverAndTheStore() throws Exception {
    SimulatedMigDriver sim =
        SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1,h100-80gb:1"));
    try (TestDaemon d = new TestDaemon(home, sim, mapping)) {
      String layout =
          """
          version: v1
          mig-configs:
            mixed:
              - devices: [0]
                mig-enabled: true
                mig-devices: {"3g.20gb": 1, "1g.5gb": 2}
              - devices: [1]
                mig-enabled: true
                mig-devices: {"1g.10gb": 3}
          """;
      assertThat(d.postJson("/api/v1/layout/apply", Map.of("config", layout)).status())
          .isEqualTo(200);
      long a =
          d.submit(
              Map.<String, Object>of(
                  "name",
                  "a",
                  "gpu",
                  "1g.5gb",
                  "tenant",
                  "research",
                  "command",
                  List.of("sleep", "60")));
      long b =
          d.submit(
              Map.<String, Object>of(
                  "name",
                  "b",
                  "gpu",
                  "1g.10gb",
                  "tenant",
                  "prod",
                  "command",
                  List.of("sleep", "60")));
      long queued =
          d.submit(
              Map.<String, Object>of("name", "big", "gpu", "7g.80gb", "command", List.of("true")));
      d.awaitState(a, "running");
      d.awaitState(b, "running");
      d.daemon().telemetry().sampleNow();

      // The daemon samples on its own too: compare with the reading the scrape was made from,
      // scraping again when a new reading came in between.
      TelemetryService.Reading reading;
      String text;
      do {
        reading = d.daemon().telemetry().latest();
        text = scrape(d.url(), "text/plain");
      } while (reading != d.daemon().telemetry().latest());
      PromText.Parsed m = PromText.parse(text);
      promtoolCheck(text);

      // DCGM series: the label set, and one series per MIG device the driver has
      List<GpuSnapshot> gpus = GpuSnapshot.readAll(sim);
      Set<String> driverDevices = new HashSet<>();
      gpus.forEach(
          g ->
              g.instances()
                  .forEach(
                      i ->
                          i.computeInstances()
                              .forEach(
                                  c ->
                                      driverDevices.add(
                                          g.device().uuid() + "/" + i.gpuInstance().id()))));
      List<PromText.Sample> fbUsed = m.named("DCGM_FI_DEV_FB_USED");
      Set<String> seen = new HashSet<>();
      for (PromText.Sample s : fbUsed) {
        assertThat(s.labels())
            .containsKeys(
                "gpu",
                "UUID",
                "pci_bus_id",
                "device",
                "modelName",
                "Hostname",
                "DCGM_FI_DRIVER_VERSION",
                "GPU_I_PROFILE",
                "GPU_I_ID");
        assertThat(s.labels()).containsEntry("simulated", "true");
        assertThat(s.labels().get("pci_bus_id")).matches("[0-9A-F]{8}:[0-9A-F]{2}:00\\.0");
        seen.add(s.labels().get("UUID") + "/" + s.labels().get("GPU_I_ID"));
      }
      assertThat(seen).isEqualTo(driverDevices);
      // values: as the daemon's reading, which is the simulated driver's telemetry
      for (GpuTelemetry g : reading.sample().gpus()) {
        for (MigTelemetry dev : g.instances()) {
          Map<String, String> want =
              Map.of("UUID", g.uuid(), "GPU_I_ID", Integer.toString(dev.gpuInstanceId()));
          assertThat(value(m, "DCGM_FI_DEV_FB_USED", want)).isEqualTo(dev.fbUsedMiB());
          assertThat(value(m, "DCGM_FI_DEV_FB_USED", want) + value(m, "DCGM_FI_DEV_FB_FREE", want))
              .isEqualTo(dev.fbTotalMiB());
          // Ampere has no GPM: absent, never 0; Hopper reports it
          boolean hopper = g.productName().contains("H100");
          assertThat(PROF_RATIOS).hasSize(8);
          for (String ratio : PROF_RATIOS) {
            assertThat(m.named(ratio).stream().anyMatch(s -> matches(s, want)))
                .as("%s of %s", ratio, want)
                .isEqualTo(hopper);
          }
          if (hopper) {
            assertThat(value(m, "DCGM_FI_PROF_SM_ACTIVE", want))
                .isEqualTo(dev.activity().smActive().orElseThrow());
          }
        }
        // with MIG on NVML reports no engine utilisation: left out; PCIe rates once per GPU
        Map<String, String> whole = Map.of("UUID", g.uuid());
        assertThat(m.named("DCGM_FI_DEV_GPU_UTIL").stream().anyMatch(s -> matches(s, whole)))
            .isFalse();
        assertThat(m.named("DCGM_FI_DEV_MEM_COPY_UTIL").stream().anyMatch(s -> matches(s, whole)))
            .isFalse();
        assertThat(value(m, "DCGM_FI_PROF_PCIE_RX_BYTES", whole))
            .isEqualTo(g.utilization().pcieRxBytesPerSecond().orElseThrow());
        assertThat(value(m, "DCGM_FI_PROF_PCIE_TX_BYTES", whole)).isPositive();
        // parent values once per GPU, without instance labels
        List<PromText.Sample> temp =
            m.named("DCGM_FI_DEV_GPU_TEMP").stream()
                .filter(s -> s.labels().get("UUID").equals(g.uuid()))
                .toList();
        assertThat(temp).hasSize(1);
        assertThat(temp.getFirst().labels()).doesNotContainKeys("GPU_I_ID", "GPU_I_PROFILE");
        assertThat(temp.getFirst().value()).isEqualTo(g.temperatureC().orElseThrow());
      }
      // the running jobs' devices use memory; the free ones none
      JsonNode jobA = d.get("/api/v1/jobs/" + a).json();
      String uuidA = jobA.get("device").get("uuid").asText();
      PromText.Sample infoA =
          m.named("migctl_slice_info").stream()
              .filter(s -> s.labels().get("job_id").equals(Long.toString(a)))
              .findFirst()
              .orElseThrow();
      assertThat(infoA.labels())
          .containsEntry("job_name", "a")
          .containsEntry("tenant", "research")
          .containsEntry("GPU_I_PROFILE", "1g.5gb");
      // every per-slice series carries the tenant of the job on it, DCGM's included
      assertThat(value(m, "migctl_slice_allocated", Map.of("UUID", uuidA, "tenant", "research")))
          .isEqualTo(1.0);
      String giA = Integer.toString(jobA.get("device").get("gpuInstanceId").asInt());
      assertThat(
              m.named("DCGM_FI_DEV_FB_USED").stream()
                  .filter(s -> s.labels().get("GPU_I_ID").equals(giA))
                  .filter(s -> s.labels().get("gpu").equals(jobA.get("device").get("gpu").asText()))
                  .map(s -> s.labels().get("tenant")))
          .containsExactly("research");
      // per tenant: running and queued jobs, compute slices held
      assertThat(value(m, "migctl_tenant_running_jobs", Map.of("tenant", "research")))
          .isEqualTo(1.0);
      assertThat(value(m, "migctl_tenant_compute_slices", Map.of("tenant", "research")))
          .isEqualTo(1.0);
      assertThat(value(m, "migctl_tenant_compute_slices", Map.of("tenant", "prod"))).isEqualTo(1.0);
      assertThat(value(m, "migctl_tenant_queued_jobs", Map.of("tenant", "default"))).isEqualTo(1.0);
      assertThat(value(m, "migctl_tenant_queued_jobs", Map.of("tenant", "research")))
          .isEqualTo(0.0);

      // migctl series match the store
      Map<String, Double> jobsByStateTenant = new HashMap<>();
      for (PromText.Sample s : m.named("migctl_jobs")) {
        jobsByStateTenant.put(s.labels().get("state") + "/" + s.labels().get("tenant"), s.value());
      }
      Map<String, Double> fromApi = new HashMap<>();
      for (JsonNode j : d.get("/api/v1/jobs").json()) {
        fromApi.merge(j.get("state").asText() + "/" + j.get("tenant").asText(), 1.0, Double::sum);
      }
      assertThat(jobsByStateTenant).isEqualTo(fromApi);
      assertThat(m.named("migctl_queue_depth").getFirst().value()).isEqualTo(1.0);
      assertThat(value(m, "migctl_slices", Map.of("state", "allocated"))).isEqualTo(2.0);
      assertThat(value(m, "migctl_slices", Map.of("state", "free")))
          .isEqualTo(driverDevices.size() - 2.0);
      assertThat(
              m.named("migctl_slice_allocated").stream()
                  .filter(s -> s.value() == 1.0)
                  .map(s -> s.labels().get("UUID")))
          .hasSize(2);
      assertThat(m.named("migctl_build_info")).hasSize(1);
      assertThat(m.types()).containsEntry("migctl_queue_wait_seconds", "histogram");
      assertThat(value(m, "migctl_queue_wait_seconds_count", Map.of())).isEqualTo(2.0);

      // DCGM job mapping files: <gpu>.<GPU_I_ID> holds the job id
      String gi = Integer.toString(jobA.get("device").get("gpuInstanceId").asInt());
      Path fileA = mapping.resolve(jobA.get("device").get("gpu").asInt() + "." + gi);
      assertThat(Files.readString(fileA).strip()).isEqualTo(Long.toString(a));
      assertThat(uuidA).startsWith("MIG-");

      // the JSON API: the same figures, absent where not reported
      for (JsonNode g : d.get("/api/v1/telemetry").json().get("gpus")) {
        boolean hopper = g.get("productName").asText().contains("H100");
        assertThat(g.has("utilizationPercent")).as("not with MIG on").isFalse();
        assertThat(g.get("pcieRxBytesPerSecond").asDouble()).isPositive();
        assertThat(g.has("activity")).as("per GPU instance with MIG on").isFalse();
        for (JsonNode i : g.get("instances")) {
          assertThat(i.has("activity")).isEqualTo(hopper);
          if (hopper) {
            assertThat(i.get("activity").get("tensorActive").asDouble())
                .isLessThanOrEqualTo(i.get("activity").get("smActive").asDouble());
          }
        }
      }

      // OpenMetrics when asked for
      String om = scrape(d.url(), "application/openmetrics-text; version=1.0.0");
      assertThat(om).contains("# EOF").contains("DCGM_FI_DEV_FB_USED");

      // cancelling frees the slice, and the next reading says so
      d.post("/api/v1/jobs/" + a + "/cancel", "{}");
      d.awaitState(a, "cancelled");
      d.daemon().telemetry().sampleNow();
      PromText.Parsed after = PromText.parse(scrape(d.url(), "text/plain"));
      assertThat(value(after, "migctl_slices", Map.of("state", "allocated"))).isEqualTo(1.0);
      assertThat(Files.exists(fileA)).isFalse();
      assertThat(queued).isPositive();
    }
  }

  @Test
  void withMigOffAGpusRatiosAndUtilisationArePerGpu() throws Exception {
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("h100-80gb:1"));
    sim.setMigMode(0, false);
    try (TestDaemon d = new TestDaemon(home, sim)) {
      d.daemon().telemetry().sampleNow();
      PromText.Parsed m = PromText.parse(scrape(d.url(), "text/plain"));
      for (String name :
          List.of(
              "DCGM_FI_PROF_SM_ACTIVE",
              "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
              "DCGM_FI_DEV_GPU_UTIL",
              "DCGM_FI_DEV_MEM_COPY_UTIL",
              "DCGM_FI_DEV_ENC_UTIL",
              "DCGM_FI_DEV_DEC_UTIL",
              "DCGM_FI_PROF_PCIE_TX_BYTES")) {
        assertThat(m.named(name))
            .as(name)
            .singleElement()
            .satisfies(
                s ->
                    assertThat(s.labels()).containsEntry("gpu", "0").doesNotContainKey("GPU_I_ID"));
      }
    }
  }

  private static boolean matches(PromText.Sample s, Map<String, String> want) {
    return want.entrySet().stream().allMatch(e -> e.getValue().equals(s.labels().get(e.getKey())));
  }

  private static double value(PromText.Parsed m, String name, Map<String, String> want) {
    List<PromText.Sample> hits = m.named(name).stream().filter(s -> matches(s, want)).toList();
    assertThat(hits).as("%s%s", name, want).hasSize(1);
    return hits.getFirst().value();
  }

  private static String scrape(URI base, String accept) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(base.resolve("/metrics"))
                    .header("Accept", accept)
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** promtool's own parser and linter, when it is installed (CI installs it). */
  private static void promtoolCheck(String text) {
    assertThat(Promtool.require().checkMetrics(text).output())
        .doesNotContain("error while linting");
  }
}
