package io.migctl.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The monitoring files under {@code deploy/}: the Prometheus rules and configuration pass {@code
 * promtool}, the alerts fire in their unit tests when they should and not otherwise, the Grafana
 * dashboard has the structure Grafana needs and queries that parse, and everything uses only metric
 * and label names the daemon exports. Each check is also shown failing on a broken copy.
 */
class DeployFilesIT {

  /** Per MIG device or per GPU, named and labelled like NVIDIA's dcgm-exporter. */
  static final Set<String> DCGM_METRICS =
      Set.of(
          "DCGM_FI_DEV_FB_USED",
          "DCGM_FI_DEV_FB_FREE",
          "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
          "DCGM_FI_DEV_GPU_TEMP",
          "DCGM_FI_DEV_POWER_USAGE",
          "DCGM_FI_DEV_SM_CLOCK",
          "DCGM_FI_DEV_MEM_CLOCK",
          "DCGM_FI_DEV_XID_ERRORS",
          "DCGM_FI_DEV_GPU_UTIL",
          "DCGM_FI_DEV_MEM_COPY_UTIL",
          "DCGM_FI_DEV_ENC_UTIL",
          "DCGM_FI_DEV_DEC_UTIL",
          "DCGM_FI_PROF_SM_ACTIVE",
          "DCGM_FI_PROF_SM_OCCUPANCY",
          "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
          "DCGM_FI_PROF_DRAM_ACTIVE",
          "DCGM_FI_PROF_PIPE_FP64_ACTIVE",
          "DCGM_FI_PROF_PIPE_FP32_ACTIVE",
          "DCGM_FI_PROF_PIPE_FP16_ACTIVE",
          "DCGM_FI_PROF_PCIE_TX_BYTES",
          "DCGM_FI_PROF_PCIE_RX_BYTES");

  /** The daemon's own gauges and counters. */
  static final Set<String> MIGCTL_METRICS =
      Set.of(
          "migctl_build_info",
          "migctl_jobs",
          "migctl_queue_depth",
          "migctl_queue_oldest_wait_seconds",
          "migctl_slice_info",
          "migctl_slices",
          "migctl_slice_allocated",
          "migctl_slice_idle_seconds",
          "migctl_slice_memory_used_ratio",
          "migctl_tenant_running_jobs",
          "migctl_tenant_queued_jobs",
          "migctl_tenant_compute_slices",
          "migctl_layout_changes_total",
          "migctl_env_builds_total",
          "migctl_api_requests_total",
          "migctl_telemetry_sample_duration_seconds");

  /** The daemon's histograms: only their _bucket, _sum and _count series exist. */
  static final Set<String> MIGCTL_HISTOGRAMS =
      Set.of(
          "migctl_queue_wait_seconds",
          "migctl_env_build_duration_seconds",
          "migctl_api_request_duration_seconds");

  /** Series Prometheus itself records for every target or alert. */
  static final Set<String> PROMETHEUS_BUILTINS =
      Set.of(
          "up",
          "scrape_duration_seconds",
          "scrape_samples_scraped",
          "scrape_samples_post_metric_relabeling",
          "scrape_series_added",
          "ALERTS",
          "ALERTS_FOR_STATE");

  static final Set<String> KNOWN_LABELS =
      Set.of(
          // dcgm-exporter's
          "gpu",
          "UUID",
          "device",
          "modelName",
          "Hostname",
          "DCGM_FI_DRIVER_VERSION",
          "GPU_I_PROFILE",
          "GPU_I_ID",
          "simulated",
          // migctl's
          "version",
          "driver",
          "state",
          "tenant",
          "job_id",
          "job_name",
          "backend",
          "outcome",
          "method",
          "route",
          "status",
          "le",
          // the target's, added by Prometheus
          "instance",
          "job",
          // ALERTS
          "alertname",
          "alertstate",
          "severity");

  /** Alerts the issue asks for; each must exist and have firing and quiet unit-test cases. */
  static final Set<String> REQUIRED_ALERTS =
      Set.of(
          "MigSliceMemoryHigh",
          "MigSliceAllocatedIdle",
          "MigSliceAllocatedLowSmActivity",
          "MigctlJobsWaitingLong",
          "GpuXidError",
          "MigctlDown",
          "MigctlMetricsAbsent");

  static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TEMPLATE_LABEL = Pattern.compile("\\$labels\\.(\\w+)");

  static final Path ROOT = repoRoot();
  static final Path DEPLOY = ROOT.resolve("deploy");
  static final Path PROMETHEUS = DEPLOY.resolve("prometheus");
  static final Path DASHBOARD = DEPLOY.resolve("grafana/migctl-mig-dashboard.json");

  @TempDir Path tmp;

  enum Kind {
    RULES,
    CONFIG,
    UNIT_TESTS
  }

  // ---------------------------------------------------------------- promtool

  @Test
  void ruleFilesPassPromtoolCheckRules() {
    Promtool promtool = Promtool.require();
    List<Path> rules = files(Kind.RULES);
    assertThat(rules)
        .extracting(p -> p.getFileName().toString())
        .contains("migctl-alerts.yml", "migctl-recording.yml");
    List<String> args = new ArrayList<>(List.of("check", "rules", "--lint-fatal"));
    rules.forEach(p -> args.add(p.toString()));
    Promtool.Result r = promtool.run(PROMETHEUS, args);
    assertThat(r.ok()).as("promtool %s:%n%s", args, r.output()).isTrue();
  }

  @Test
  void scrapeConfigPassesPromtoolCheckConfigAndScrapesTheDaemon() {
    Promtool promtool = Promtool.require();
    Path config = PROMETHEUS.resolve("prometheus-scrape.yml");
    assertThat(files(Kind.CONFIG)).containsExactly(config);
    Promtool.Result r =
        promtool.run(PROMETHEUS, "check", "config", "--lint-fatal", config.toString());
    assertThat(r.ok()).as("promtool check config:%n%s", r.output()).isTrue();

    JsonNode c = yaml(config);
    JsonNode job = null;
    for (JsonNode sc : c.path("scrape_configs")) {
      if (sc.path("job_name").asText().equals("migctl")) {
        job = sc;
      }
    }
    assertThat(job).as("a scrape job named migctl").isNotNull();
    assertThat(job.path("metrics_path").asText("/metrics")).isEqualTo("/metrics");
    assertThat(job.path("static_configs").findValues("targets").toString())
        .contains("127.0.0.1:7468");
    List<String> ruleFiles = new ArrayList<>();
    c.path("rule_files").forEach(f -> ruleFiles.add(f.asText()));
    assertThat(ruleFiles)
        .containsExactlyInAnyOrderElementsOf(
            files(Kind.RULES).stream().map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void alertUnitTestsPass() {
    Promtool promtool = Promtool.require();
    List<Path> tests = files(Kind.UNIT_TESTS);
    assertThat(tests).contains(PROMETHEUS.resolve("migctl-alerts.test.yml"));
    for (Path t : tests) {
      Promtool.Result r = promtool.run(PROMETHEUS, "test", "rules", t.toString());
      assertThat(r.ok()).as("promtool test rules %s:%n%s", t.getFileName(), r.output()).isTrue();
    }
  }

  /** Weakening any of the alerts makes its unit test fail: the tests do pin the behaviour. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "MigSliceMemoryHigh    | '> 0.9'                                     | '> 0.99'",
        "MigSliceAllocatedIdle | 'migctl_slice_idle_seconds >= 1800'         | 'migctl_slice_idle_seconds >= 0'",
        "MigSliceAllocatedLowSmActivity | '< 0.1)'                          | '< 0.01)'",
        "MigctlJobsWaitingLong | 'migctl_queue_oldest_wait_seconds > 900'    | 'migctl_queue_oldest_wait_seconds > 9000'",
        "GpuXidError           | 'changes(DCGM_FI_DEV_XID_ERRORS[10m]) > 0' | 'changes(DCGM_FI_DEV_XID_ERRORS[10m]) >= 0'",
        "MigctlDown            | 'up{job=\"migctl\"} == 0'                   | 'up{job=\"migctl\"} == 1'",
      })
  void unitTestsFailWhenAnAlertIsChanged(String alert, String from, String to) throws IOException {
    Promtool promtool = Promtool.require();
    String rules = Files.readString(PROMETHEUS.resolve("migctl-alerts.yml"), UTF_8);
    String changed = rules.replace(from, to);
    assertThat(changed).as("the alerts contain %s", from).isNotEqualTo(rules);
    Files.writeString(tmp.resolve("migctl-alerts.yml"), changed, UTF_8);
    Files.copy(PROMETHEUS.resolve("migctl-alerts.test.yml"), tmp.resolve("migctl-alerts.test.yml"));

    Promtool.Result r = promtool.run(tmp, "test", "rules", "migctl-alerts.test.yml");
    assertThat(r.ok()).as("promtool test rules with %s changed:%n%s", alert, r.output()).isFalse();
    assertThat(r.output()).contains("alertname: " + alert);
  }

  @Test
  void promtoolRejectsABrokenRuleFile() throws IOException {
    Promtool promtool = Promtool.require();
    String rules = Files.readString(PROMETHEUS.resolve("migctl-alerts.yml"), UTF_8);
    String broken = rules.replaceFirst("\\{\\{ \\$labels\\.gpu }}", "{{ \\$labels.gpu }");
    assertThat(broken).isNotEqualTo(rules);
    Path file = Files.writeString(tmp.resolve("broken.yml"), broken, UTF_8);
    Promtool.Result r = promtool.run(tmp, "check", "rules", file.toString());
    assertThat(r.ok()).as(r.output()).isFalse();
  }

  // ---------------------------------------------------------------- alert rules

  @Test
  void alertsHaveASeverityASummaryAndADescription() {
    assertThat(alertProblems(files(Kind.RULES))).isEmpty();
    assertThat(rules(files(Kind.RULES)).keySet()).containsAll(REQUIRED_ALERTS);
  }

  @Test
  void everyAlertHasUnitTestsWhereItFiresAndWhereItDoesNot() {
    Set<String> alerts = rules(files(Kind.RULES)).keySet();
    List<JsonNode> tests = files(Kind.UNIT_TESTS).stream().map(DeployFilesIT::yaml).toList();
    assertThat(coverageProblems(alerts, tests)).isEmpty();
  }

  @Test
  void alertChecksCatchMissingSeverityAndAnnotations() throws IOException {
    String rules = Files.readString(PROMETHEUS.resolve("migctl-alerts.yml"), UTF_8);
    Path noSeverity =
        Files.writeString(
            tmp.resolve("a.yml"), rules.replaceFirst("severity: warning", "team: gpu"), UTF_8);
    assertThat(alertProblems(List.of(noSeverity))).anyMatch(p -> p.contains("severity"));
    Path noSummary =
        Files.writeString(tmp.resolve("b.yml"), rules.replaceFirst("summary:", "note:"), UTF_8);
    assertThat(alertProblems(List.of(noSummary))).anyMatch(p -> p.contains("summary"));
  }

  @Test
  void coverageCheckCatchesAnAlertWithoutAQuietCase() {
    JsonNode firingOnly =
        yamlText(
            """
            tests:
              - alert_rule_test:
                  - alertname: GpuXidError
                    exp_alerts: [{exp_labels: {severity: critical}}]
            """);
    assertThat(coverageProblems(Set.of("GpuXidError"), List.of(firingOnly)))
        .singleElement(STRING)
        .contains("GpuXidError", "does not fire");
    assertThat(coverageProblems(Set.of("MigctlDown"), List.of(firingOnly)))
        .containsExactly(
            "MigctlDown has no unit test where it fires",
            "MigctlDown has no unit test where it does not fire");
  }

  // ---------------------------------------------------------------- dashboard

  @Test
  void dashboardIsAValidGrafanaDashboard() {
    JsonNode d = dashboard();
    assertThat(GrafanaDashboard.problems(d)).isEmpty();
    List<String> types = new ArrayList<>();
    GrafanaDashboard.allPanels(d).forEach(p -> types.add(p.path("type").asText()));
    assertThat(types).contains("timeseries", "stat", "table", "bargauge");
    assertThat(GrafanaDashboard.queries(d)).hasSizeGreaterThan(20);
  }

  @Test
  void everyDashboardQueryParses() {
    Promtool promtool = Promtool.require();
    List<GrafanaDashboard.Query> queries = GrafanaDashboard.queries(dashboard());
    Promtool.Result r = parseWithPromtool(promtool, queries);
    assertThat(r.ok()).as("promtool could not parse a dashboard query:%n%s", r.output()).isTrue();
    assertThat(r.output()).contains(queries.size() + " rules found");
  }

  @Test
  void promtoolParsingCatchesABrokenQuery() {
    Promtool promtool = Promtool.require();
    List<GrafanaDashboard.Query> queries =
        List.of(
            new GrafanaDashboard.Query("good", "rate(up[$__rate_interval])"),
            new GrafanaDashboard.Query("unbalanced", "sum(rate(migctl_jobs[5m])"));
    Promtool.Result r = parseWithPromtool(promtool, queries);
    assertThat(r.ok()).isFalse();
    assertThat(r.output()).contains("dashboard:query_1");
  }

  @Test
  void dashboardStructureChecksCatchEachMistake() {
    expectProblem(d -> d.remove("uid"), "uid");
    expectProblem(d -> d.remove("title"), "no title");
    expectProblem(d -> d.put("schemaVersion", 27), "schemaVersion");
    expectProblem(d -> panel(d, 1).put("id", panel(d, 2).path("id").asInt()), "duplicate panel id");
    expectProblem(d -> panel(d, 1).put("type", "graph"), "unknown type 'graph'");
    expectProblem(d -> gridPos(d, 1).put("x", 20).put("w", 8), "outside the 24 columns");
    expectProblem(d -> gridPos(d, 1).put("w", 0), "outside the 24 columns");
    expectProblem(d -> panel(d, 2).set("gridPos", gridPos(d, 1).deepCopy()), "overlaps");
    expectProblem(
        d -> ((ObjectNode) panel(d, 1).path("datasource")).put("uid", "prometheus-prod"),
        "must use the data source");
    expectProblem(
        d -> ((ObjectNode) panel(d, 1).path("targets").get(0).path("datasource")).put("uid", "x"),
        "must use the data source");
    expectProblem(d -> target(d, 1).put("expr", " "), "has no expr");
    expectProblem(d -> target(d, 1).remove("refId"), "has no refId");
    expectProblem(d -> target(d, 1).remove("legendFormat"), "has no legendFormat");
    expectProblem(d -> ((ArrayNode) panel(d, 1).path("targets")).removeAll(), "has no targets");
    expectProblem(d -> removeVariable(d, "gpu"), "variable gpu is missing");
    expectProblem(d -> removeVariable(d, "DS_PROMETHEUS"), "DS_PROMETHEUS is missing");
    expectProblem(
        d -> target(d, 1).put("expr", "sum(migctl_jobs{tenant=~\"$team\"})"),
        "$team, which the dashboard does not define");
    expectProblem(d -> d.set("panels", JSON.createArrayNode()), "no panels");
  }

  // ---------------------------------------------------------------- names

  @Test
  void dashboardAndRulesUseOnlyExportedMetricsAndLabels() {
    List<String> problems = new ArrayList<>();
    JsonNode d = dashboard();
    for (GrafanaDashboard.Query q : GrafanaDashboard.queries(d)) {
      problems.addAll(nameProblems(q.where(), q.expr(), Set.of()));
    }
    for (GrafanaDashboard.LabelUse use : GrafanaDashboard.labelUses(d)) {
      if (!KNOWN_LABELS.contains(use.label())) {
        problems.add(use.where() + " names the unknown label " + use.label());
      }
    }
    // Rule files may use what other rules record; the dashboard may not (they are optional).
    Map<String, JsonNode> rules = rules(files(Kind.RULES));
    Set<String> recorded = new LinkedHashSet<>();
    rules.values().forEach(r -> recorded.add(r.path("record").asText()));
    for (Map.Entry<String, JsonNode> e : rules.entrySet()) {
      JsonNode rule = e.getValue();
      problems.addAll(nameProblems(e.getKey(), rule.path("expr").asText(), recorded));
      Matcher m = TEMPLATE_LABEL.matcher(rule.path("annotations").toString());
      while (m.find()) {
        if (!KNOWN_LABELS.contains(m.group(1))) {
          problems.add(e.getKey() + " annotations name the unknown label " + m.group(1));
        }
      }
    }
    assertThat(problems).isEmpty();
    Set<String> used = new LinkedHashSet<>();
    GrafanaDashboard.queries(d).forEach(q -> used.addAll(PromQlNames.of(q.expr()).metrics()));
    assertThat(used)
        .as("the dashboard shows per-slice memory, slices, queue, layout, GPUs, API and builds")
        .contains(
            "DCGM_FI_DEV_FB_USED",
            "DCGM_FI_DEV_FB_FREE",
            "migctl_slice_info",
            "migctl_queue_depth",
            "migctl_queue_wait_seconds_bucket",
            "migctl_slice_idle_seconds",
            "migctl_layout_changes_total",
            "DCGM_FI_DEV_GPU_TEMP",
            "DCGM_FI_DEV_POWER_USAGE",
            "migctl_api_requests_total",
            "migctl_env_builds_total");
  }

  @Test
  void nameChecksCatchUnknownMetricsAndLabels() {
    assertThat(nameProblems("q", "DCGM_FI_DEV_FB_USED_TOTAL{GPU_I_ID!=\"\"}", Set.of()))
        .singleElement(STRING)
        .contains("DCGM_FI_DEV_FB_USED_TOTAL");
    assertThat(
            nameProblems(
                "q",
                "histogram_quantile(0.9, sum by (le) (rate(migctl_queue_wait_seconds[5m])))",
                Set.of()))
        .singleElement(STRING)
        .contains("migctl_queue_wait_seconds");
    assertThat(nameProblems("q", "sum by (gpu_id) (DCGM_FI_DEV_GPU_TEMP{GPU_ID=\"1\"})", Set.of()))
        .hasSize(2)
        .anyMatch(p -> p.contains("gpu_id"))
        .anyMatch(p -> p.contains("GPU_ID"));
    assertThat(nameProblems("q", "instance:x:sum > 1", Set.of("instance:x:sum"))).isEmpty();
  }

  @Test
  void tokenizerFindsMetricAndLabelNames() {
    PromQlNames n =
        PromQlNames.of(
            """
            sum by (gpu, UUID) (
              rate(migctl_api_requests_total{route=~"/api/v1/jobs|{x}", status!="5.."}[$__rate_interval] offset 1h)
            ) / on(instance) group_left(version) migctl_build_info
            or max without (GPU_I_ID) (DCGM_FI_DEV_GPU_TEMP{Hostname=~"$Hostname"}) > bool 0.5e3
            unless topk(3, up{job='migctl'}) and {__name__="x"} # a comment with fake_metric
            """);
    assertThat(n.metrics())
        .containsExactlyInAnyOrder(
            "migctl_api_requests_total", "migctl_build_info", "DCGM_FI_DEV_GPU_TEMP", "up");
    assertThat(n.labels())
        .containsExactlyInAnyOrder(
            "gpu",
            "UUID",
            "route",
            "status",
            "instance",
            "version",
            "GPU_I_ID",
            "Hostname",
            "job",
            "__name__");
  }

  @Test
  void readmeDescribesEveryFileAndAlert() throws IOException {
    String readme = Files.readString(DEPLOY.resolve("README.md"), UTF_8);
    try (Stream<Path> all = Files.walk(DEPLOY)) {
      for (Path f : all.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (!name.equals("README.md")) {
          assertThat(readme).as("deploy/README.md mentions %s", name).contains(name);
        }
      }
    }
    for (String alert : rules(files(Kind.RULES)).keySet()) {
      if (!alert.contains(":")) {
        assertThat(readme).as("deploy/README.md describes the alert %s", alert).contains(alert);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  static boolean isKnownMetric(String name) {
    if (DCGM_METRICS.contains(name)
        || MIGCTL_METRICS.contains(name)
        || PROMETHEUS_BUILTINS.contains(name)) {
      return true;
    }
    for (String h : MIGCTL_HISTOGRAMS) {
      if (name.equals(h + "_bucket") || name.equals(h + "_sum") || name.equals(h + "_count")) {
        return true;
      }
    }
    return false;
  }

  static List<String> nameProblems(String where, String expr, Set<String> alsoKnown) {
    List<String> problems = new ArrayList<>();
    PromQlNames n = PromQlNames.of(expr);
    for (String m : n.metrics()) {
      if (!isKnownMetric(m) && !alsoKnown.contains(m)) {
        problems.add(where + " uses the metric " + m + ", which the daemon does not export");
      }
    }
    for (String l : n.labels()) {
      if (!KNOWN_LABELS.contains(l)) {
        problems.add(where + " uses the label " + l + ", which no exported series has");
      }
    }
    return problems;
  }

  /** Every alerting and recording rule, by "file: alert NAME" / "file: record NAME". */
  static Map<String, JsonNode> rules(List<Path> ruleFiles) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (Path f : ruleFiles) {
      for (JsonNode group : yaml(f).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          String key =
              rule.has("alert")
                  ? rule.path("alert").asText()
                  : f.getFileName() + ": record " + rule.path("record").asText();
          if (out.put(key, rule) != null) {
            fail("two rules named " + key);
          }
        }
      }
    }
    return out;
  }

  static List<String> alertProblems(List<Path> ruleFiles) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : rules(ruleFiles).entrySet()) {
      JsonNode rule = e.getValue();
      if (!rule.has("alert")) {
        continue;
      }
      String a = "alert " + e.getKey();
      if (rule.path("expr").asText("").isBlank()) {
        problems.add(a + " has no expr");
      }
      if (!SEVERITIES.contains(rule.path("labels").path("severity").asText(""))) {
        problems.add(a + " needs labels.severity, one of " + SEVERITIES);
      }
      for (String key : List.of("summary", "description")) {
        if (rule.path("annotations").path(key).asText("").isBlank()) {
          problems.add(a + " needs annotations." + key);
        }
      }
    }
    return problems;
  }

  /** Alerts without a unit-test case where they fire, or without one where they stay quiet. */
  static List<String> coverageProblems(Set<String> alerts, List<JsonNode> unitTestFiles) {
    Set<String> firing = new LinkedHashSet<>();
    Set<String> quiet = new LinkedHashSet<>();
    for (JsonNode file : unitTestFiles) {
      for (JsonNode test : file.path("tests")) {
        for (JsonNode c : test.path("alert_rule_test")) {
          String name = c.path("alertname").asText();
          (c.path("exp_alerts").isEmpty() ? quiet : firing).add(name);
        }
      }
    }
    List<String> problems = new ArrayList<>();
    for (String alert : alerts) {
      if (alert.contains(": record ")) {
        continue;
      }
      if (!firing.contains(alert)) {
        problems.add(alert + " has no unit test where it fires");
      }
      if (!quiet.contains(alert)) {
        problems.add(alert + " has no unit test where it does not fire");
      }
    }
    return problems;
  }

  /** Writes each query as a recording rule (JSON is YAML) and lets promtool parse them all. */
  static Promtool.Result parseWithPromtool(
      Promtool promtool, List<GrafanaDashboard.Query> queries) {
    ObjectNode file = JSON.createObjectNode();
    ObjectNode group = file.putArray("groups").addObject().put("name", "dashboard-queries");
    ArrayNode rules = group.putArray("rules");
    Map<String, String> where = new LinkedHashMap<>();
    for (int i = 0; i < queries.size(); i++) {
      String record = "dashboard:query_" + i;
      rules.addObject().put("record", record).put("expr", queries.get(i).expanded());
      where.put(record, queries.get(i).where());
    }
    try {
      Path dir = Files.createTempDirectory("migctl-dashboard-queries");
      Path f = dir.resolve("queries.yml");
      Files.writeString(f, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(file), UTF_8);
      Promtool.Result r = promtool.run(dir, "check", "rules", f.toString());
      Files.delete(f);
      Files.delete(dir);
      return new Promtool.Result(r.exitCode(), r.output() + "\nqueries: " + where);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The YAML files under deploy/prometheus, each of a known kind (else the test fails). */
  static List<Path> files(Kind kind) {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> list = Files.list(PROMETHEUS)) {
      for (Path f : list.sorted().toList()) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".yml") && !name.endsWith(".yaml")) {
          continue;
        }
        JsonNode y = yaml(f);
        Kind k =
            y.has("groups")
                ? Kind.RULES
                : y.has("tests") ? Kind.UNIT_TESTS : y.has("scrape_configs") ? Kind.CONFIG : null;
        if (k == null) {
          fail(
              f
                  + " is neither rules (groups), unit tests (tests) nor a configuration (scrape_configs)");
        }
        if (k == kind) {
          out.add(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static JsonNode yaml(Path f) {
    try {
      return yamlText(Files.readString(f, UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode yamlText(String text) {
    Object tree = new Load(LoadSettings.builder().build()).loadFromString(text);
    return JSON.valueToTree(tree);
  }

  static JsonNode dashboard() {
    try {
      return JSON.readTree(DASHBOARD.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + DASHBOARD, e);
    }
  }

  private void expectProblem(Consumer<ObjectNode> breakIt, String expected) {
    ObjectNode d = (ObjectNode) dashboard().deepCopy();
    breakIt.accept(d);
    assertThat(GrafanaDashboard.problems(d))
        .as("problems after a change that should give one containing '%s'", expected)
        .anyMatch(p -> p.contains(expected));
  }

  /** The n-th panel that is not a row (1-based). */
  private static ObjectNode panel(ObjectNode d, int n) {
    int seen = 0;
    for (JsonNode p : d.path("panels")) {
      if (!p.path("type").asText().equals("row") && ++seen == n) {
        return (ObjectNode) p;
      }
    }
    throw new IllegalStateException("fewer than " + n + " panels");
  }

  private static ObjectNode gridPos(ObjectNode d, int n) {
    return (ObjectNode) panel(d, n).path("gridPos");
  }

  private static ObjectNode target(ObjectNode d, int n) {
    return (ObjectNode) panel(d, n).path("targets").get(0);
  }

  private static void removeVariable(ObjectNode d, String name) {
    ArrayNode list = (ArrayNode) d.path("templating").path("list");
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).path("name").asText().equals(name)) {
        list.remove(i);
        return;
      }
    }
    throw new IllegalStateException("no variable " + name);
  }

  private static Path repoRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy/prometheus"))
          && Files.isRegularFile(p.resolve("mvnw"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "no deploy/prometheus above " + Path.of("").toAbsolutePath() + ": run from the repository");
  }
}
