package io.migctl.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NVIDIA's own Grafana dashboard ({@code dcgm-exporter-dashboard.json} from dcgm-exporter, a test
 * fixture with its source in the README beside it) against a daemon on a simulated {@code
 * a100-40gb:1,h100-80gb:1} with jobs running: every PromQL query of it, template variables filled
 * as Grafana fills them, evaluated by promtool over the scraped samples, returns series; and every
 * default counter of dcgm-exporter that DCGM reports for MIG devices is there for each MIG device
 * of the H100.
 *
 * <p>The A100 runs with MIG off: with MIG on NVML reports no GPU utilisation and migctl, as DCGM,
 * leaves {@code DCGM_FI_DEV_GPU_UTIL} out, so the dashboard's utilisation panel is filled by a GPU
 * with MIG off, as it would be on a real node. The H100's MIG devices fill the tensor panel (the
 * A100 has no GPM).
 */
class NvidiaDashboardIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INSTANCE = "127.0.0.1:7468";
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\(\\s*(\\w+)\\s*,\\s*(\\w+)\\s*\\)\\s*$");

  /**
   * The default counters DCGM reports per MIG device (GPU instance): framebuffer and the profiling
   * ratios. PCIe, clocks, power, temperature, utilisation and XID belong to the whole GPU.
   */
  private static final Pattern PER_MIG_DEVICE =
      Pattern.compile("DCGM_FI_DEV_FB_(FREE|USED)|DCGM_FI_PROF_(?!PCIE_).*");

  @TempDir Path home;
  @TempDir Path work;

  @Test
  void everyQueryOfNvidiasDashboardReturnsSeriesAndEveryMigCounterIsThere() throws Exception {
    SimulatedMigDriver sim =
        SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1,h100-80gb:1"));
    sim.setMigMode(0, false);
    sim.resetGpu(0);
    String text;
    try (TestDaemon d = new TestDaemon(home, sim)) {
      String layout =
          """
          version: v1
          mig-configs:
            h100:
              - devices: [1]
                mig-enabled: true
                mig-devices: {"3g.40gb": 1, "1g.10gb": 2}
          """;
      assertThat(d.postJson("/api/v1/layout/apply", Map.of("config", layout)).status())
          .isEqualTo(200);
      for (String profile : List.of("3g.40gb", "1g.10gb")) {
        long id =
            d.submit(
                Map.<String, Object>of(
                    "name", "job-" + profile, "gpu", profile, "command", List.of("sleep", "60")));
        d.awaitState(id, "running");
      }
      d.daemon().telemetry().sampleNow();
      TestDaemon.Reply r = d.get("/metrics");
      assertThat(r.status()).isEqualTo(200);
      text = r.body();
    }
    PromText.Parsed m = PromText.parse(text);

    everyDefaultMigCounterIsThereForEachMigDevice(m);

    JsonNode dashboard;
    try (InputStream in =
        NvidiaDashboardIT.class.getResourceAsStream("dcgm-exporter/dcgm-exporter-dashboard.json")) {
      dashboard = JSON.readTree(in);
    }
    List<PromText.Sample> scraped = scrapedByPrometheus(m);
    Map<String, String> variables = variables(dashboard, scraped);
    assertThat(variables).containsKeys("instance", "gpu");
    List<GrafanaDashboard.Query> queries = GrafanaDashboard.queries(dashboard);
    assertThat(queries).as("NVIDIA's dashboard's panels and variables").hasSizeGreaterThan(6);
    Map<String, String> exprs = new LinkedHashMap<>();
    for (GrafanaDashboard.Query q : queries) {
      exprs.put(q.where(), substitute(q.expanded(), variables));
    }
    Promtool.Result result = evaluate(exprs, scraped);
    assertThat(result.ok())
        .as("promtool test rules, queries %s:%n%s", exprs, result.output())
        .isTrue();
  }

  private static void everyDefaultMigCounterIsThereForEachMigDevice(PromText.Parsed m)
      throws IOException {
    Set<String> perMig = new TreeSet<>();
    for (String line :
        Files.readAllLines(
            Path.of(System.getProperty("migctl.shared.dir", "../../shared"))
                .resolve("reference/monitoring/dcgm-default-counters.csv"),
            UTF_8)) {
      String name = line.split(",")[0].strip();
      if (!line.isBlank() && !line.startsWith("#") && PER_MIG_DEVICE.matcher(name).matches()) {
        perMig.add(name);
      }
    }
    assertThat(perMig)
        .contains(
            "DCGM_FI_DEV_FB_USED", "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "DCGM_FI_PROF_DRAM_ACTIVE");
    Set<String> h100Devices = h100Instances(m, "DCGM_FI_DEV_FB_USED");
    assertThat(h100Devices).hasSize(3);
    for (String name : perMig) {
      assertThat(h100Instances(m, name))
          .as("%s of each H100 MIG device", name)
          .isEqualTo(h100Devices);
    }
  }

  /** The GPU instance ids of the H100's series of this name. */
  private static Set<String> h100Instances(PromText.Parsed m, String name) {
    Set<String> out = new TreeSet<>();
    for (PromText.Sample s : m.named(name)) {
      if (s.labels().get("modelName").contains("H100") && s.labels().containsKey("GPU_I_ID")) {
        out.add(s.labels().get("GPU_I_ID"));
      }
    }
    return out;
  }

  /**
   * The samples as Prometheus stores them after scraping: with {@code instance} and {@code job}.
   */
  private static List<PromText.Sample> scrapedByPrometheus(PromText.Parsed m) {
    List<PromText.Sample> out = new ArrayList<>();
    for (PromText.Sample s : m.samples()) {
      Map<String, String> labels = new LinkedHashMap<>(s.labels());
      labels.put("instance", INSTANCE);
      labels.put("job", "migctl");
      out.add(new PromText.Sample(s.name(), labels, s.value()));
    }
    return out;
  }

  /**
   * Each {@code label_values(metric, label)} variable as Grafana fills it with "All" selected: the
   * regex alternation of every value, escaped for a PromQL string.
   */
  private static Map<String, String> variables(JsonNode dashboard, List<PromText.Sample> samples) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      Matcher lv = LABEL_VALUES.matcher(v.path("query").asText(""));
      if (!lv.matches()) {
        continue;
      }
      Set<String> values = new LinkedHashSet<>();
      for (PromText.Sample s : samples) {
        if (s.name().equals(lv.group(1)) && s.labels().containsKey(lv.group(2))) {
          values.add(Pattern.quote(s.labels().get(lv.group(2))).replace("\\", "\\\\"));
        }
      }
      assertThat(values).as("values of variable %s", v.path("name").asText()).isNotEmpty();
      out.put(v.path("name").asText(), "(" + String.join("|", values) + ")");
    }
    return out;
  }

  private static String substitute(String expr, Map<String, String> variables) {
    String out = expr;
    for (Map.Entry<String, String> e : variables.entrySet()) {
      out =
          out.replace("${" + e.getKey() + "}", e.getValue())
              .replace("$" + e.getKey(), e.getValue());
    }
    assertThat(out).as("every variable of %s filled", expr).doesNotContain("$");
    return out;
  }

  /**
   * Each query as a recording rule, the scraped samples as input series, and one test per query
   * that its rule has at least one series ({@code group()} of nothing is nothing, and the test
   * fails).
   */
  private Promtool.Result evaluate(Map<String, String> exprs, List<PromText.Sample> samples)
      throws IOException {
    ObjectNode rulesFile = JSON.createObjectNode();
    ArrayNode rules =
        rulesFile.putArray("groups").addObject().put("name", "nvidia-dashboard").putArray("rules");
    ObjectNode testFile = JSON.createObjectNode();
    testFile.putArray("rule_files").add("rules.yml");
    testFile.put("evaluation_interval", "1m");
    ObjectNode test = testFile.putArray("tests").addObject().put("interval", "1m");
    ArrayNode input = test.putArray("input_series");
    for (PromText.Sample s : samples) {
      input
          .addObject()
          .put("series", series(s))
          .put("values", new BigDecimal(s.value()).toPlainString() + "x10");
    }
    ArrayNode checks = test.putArray("promql_expr_test");
    int i = 0;
    for (Map.Entry<String, String> e : exprs.entrySet()) {
      String record = "nvidia_dashboard:query_" + i++;
      rules.addObject().put("record", record).put("expr", e.getValue());
      ObjectNode check = checks.addObject().put("expr", "group(" + record + ")");
      check.put("eval_time", "5m");
      check.putArray("exp_samples").addObject().put("labels", "{}").put("value", 1);
    }
    Files.writeString(work.resolve("rules.yml"), JSON.writeValueAsString(rulesFile), UTF_8);
    Files.writeString(work.resolve("test.yml"), JSON.writeValueAsString(testFile), UTF_8);
    return Promtool.require().run(work, "test", "rules", "test.yml");
  }

  private static String series(PromText.Sample s) {
    return s.name()
        + s.labels().entrySet().stream()
            .map(
                e ->
                    e.getKey()
                        + "=\""
                        + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"")
                        + "\"")
            .collect(Collectors.joining(",", "{", "}"));
  }
}
