package io.migctl.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The label-change comparison's results: per node, per change, what migctl's agent and NVIDIA's
 * manager did; rendered as Markdown (a row per change and manager, totals per manager, the time
 * model) or JSON.
 *
 * @param configFile the mig-parted file the configs come from
 * @param nodes one result per node, in the order asked for
 */
record K8sBenchReport(String configFile, List<NodeResult> nodes) {

  static final String MIGCTL = "migctl agent";
  static final String NVIDIA = "NVIDIA mig-manager";

  K8sBenchReport {
    nodes = List.copyOf(nodes);
  }

  /** One change on one node, run by both managers from identical nodes. */
  record Row(LabelChange change, ManagerRun migctl, ManagerRun nvidia) {}

  /** One node's changes, in order. */
  record NodeResult(String spec, List<Row> rows) {
    NodeResult {
      rows = List.copyOf(rows);
    }

    List<ManagerRun> migctlRuns() {
      return rows.stream().map(Row::migctl).toList();
    }

    List<ManagerRun> nvidiaRuns() {
      return rows.stream().map(Row::nvidia).toList();
    }
  }

  /** Sums over a manager's runs. */
  record Totals(
      int changes,
      int operations,
      int failedCalls,
      int resetGpus,
      double pausedSeconds,
      int operatorPods,
      int userPodsLostDevice,
      Map<ManagerRun.Outcome, Integer> outcomes) {

    static Totals of(List<ManagerRun> runs) {
      Map<ManagerRun.Outcome, Integer> outcomes = new LinkedHashMap<>();
      for (ManagerRun.Outcome o : ManagerRun.Outcome.values()) {
        outcomes.put(o, 0);
      }
      runs.forEach(r -> outcomes.merge(r.outcome(), 1, Integer::sum));
      return new Totals(
          runs.size(),
          runs.stream().mapToInt(ManagerRun::operations).sum(),
          runs.stream().mapToInt(ManagerRun::failedCalls).sum(),
          runs.stream().mapToInt(ManagerRun::resetGpus).sum(),
          runs.stream().mapToDouble(ManagerRun::pausedSeconds).sum(),
          runs.stream().mapToInt(ManagerRun::operatorPods).sum(),
          runs.stream().mapToInt(ManagerRun::userPodsLostDevice).sum(),
          Map.copyOf(outcomes));
    }

    int podsDisturbed() {
      return operatorPods + userPodsLostDevice;
    }
  }

  List<ManagerRun> allMigctl() {
    return nodes.stream().flatMap(n -> n.migctlRuns().stream()).toList();
  }

  List<ManagerRun> allNvidia() {
    return nodes.stream().flatMap(n -> n.nvidiaRuns().stream()).toList();
  }

  /** The report as Markdown. */
  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("## Label changes: migctl's agent vs NVIDIA's MIG manager\n\n");
    b.append("Configs from ")
        .append(configFile)
        .append(" plus the bench's per-GPU ")
        .append(LabelChange.ONE_GPU_SPLIT)
        .append(" and ")
        .append(LabelChange.ONE_GPU_OFF)
        .append("; every change runs twice, on two identically prepared simulated nodes.\n\n");
    MarkdownTable rows =
        new MarkdownTable(
            3,
            "node",
            "change",
            "manager",
            "operations",
            "failed calls",
            "reset GPUs",
            "paused s",
            "pods disturbed",
            "outcome");
    for (NodeResult n : nodes) {
      for (Row r : n.rows()) {
        row(rows, n.spec(), r.change().text(), MIGCTL, r.migctl());
        row(rows, n.spec(), r.change().text(), NVIDIA, r.nvidia());
      }
    }
    b.append(rows.render()).append('\n');
    MarkdownTable totals =
        new MarkdownTable(
            2,
            "node",
            "manager",
            "changes",
            "operations",
            "failed calls",
            "reset GPUs",
            "paused s",
            "operator pods restarted",
            "user pods that lost their device",
            "applied",
            "as desired",
            "pending",
            "failed");
    for (NodeResult n : nodes) {
      total(totals, n.spec(), MIGCTL, Totals.of(n.migctlRuns()));
      total(totals, n.spec(), NVIDIA, Totals.of(n.nvidiaRuns()));
    }
    total(totals, "all nodes", MIGCTL, Totals.of(allMigctl()));
    total(totals, "all nodes", NVIDIA, Totals.of(allNvidia()));
    b.append(totals.render()).append('\n');
    b.append("Notes:\n\n");
    b.append(
        "- Operations: driver calls that changed a GPU and succeeded (create or destroy a GPU or"
            + " compute instance, set the MIG mode, reset a GPU); failed calls are the ones the"
            + " driver refused (mig-parted's creates that did not fit, destroys of a busy device).\n");
    b.append(
        "- Paused s: how long the GPU Operator's clients are paused, from this time model"
            + " (assumptions, not measurements):\n");
    K8sTimeModel.describe().forEach(line -> b.append("  - ").append(line).append('\n'));
    b.append(
        "- migctl pauses only when its plan has steps; NVIDIA's manager pauses whenever"
            + " `mig-parted assert` fails, and when any GPU's MIG mode differs it clears every"
            + " MIG-enabled GPU the config selects and, if a mode change is pending (Ampere),"
            + " resets every GPU of the node (NVIDIA/mig-parted `cmd/nvidia-mig-parted/apply/"
            + "mode.go`, `ResetAllGPUs`).\n");
    b.append(
        "- Pods disturbed: the operator's client pods restarted by a pause plus user pods whose"
            + " kubelet-allocated MIG device was destroyed (mig-parted cannot see an allocation"
            + " without a process). A device held by a process makes NVIDIA's apply fail"
            + " (outcome failed); migctl stays pending instead and disturbs nothing.\n");
    b.append(
        "- A pending change costs nothing until its holder is gone; each node's last row is the"
            + " same change with nothing in use, which is what migctl then does.\n");
    return b.toString();
  }

  private static void row(MarkdownTable t, String node, String change, String who, ManagerRun r) {
    String pods =
        r.outcome() == ManagerRun.Outcome.PENDING
            ? "0 (pending)"
            : r.podsDisturbed()
                + (r.userPodsLostDevice() > 0
                    ? " (" + r.userPodsLostDevice() + " user pod lost its device)"
                    : "");
    t.row(
        node,
        change,
        who,
        Integer.toString(r.operations()),
        Integer.toString(r.failedCalls()),
        Integer.toString(r.resetGpus()),
        seconds(r.pausedSeconds()),
        pods,
        r.outcome().word() + (r.detail().isEmpty() ? "" : ": " + r.detail()));
  }

  private static void total(MarkdownTable t, String node, String who, Totals s) {
    t.row(
        node,
        who,
        Integer.toString(s.changes()),
        Integer.toString(s.operations()),
        Integer.toString(s.failedCalls()),
        Integer.toString(s.resetGpus()),
        seconds(s.pausedSeconds()),
        Integer.toString(s.operatorPods()),
        Integer.toString(s.userPodsLostDevice()),
        Integer.toString(s.outcomes().get(ManagerRun.Outcome.APPLIED)),
        Integer.toString(s.outcomes().get(ManagerRun.Outcome.AS_DESIRED)),
        Integer.toString(s.outcomes().get(ManagerRun.Outcome.PENDING)),
        Integer.toString(s.outcomes().get(ManagerRun.Outcome.FAILED)));
  }

  private static String seconds(double s) {
    return String.format(Locale.ROOT, "%.2f", s);
  }

  /** The report as JSON: every row, the totals and the time model. */
  String json() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("configFile", configFile);
    List<Object> nodeList = new ArrayList<>();
    for (NodeResult n : nodes) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("node", n.spec());
      List<Object> changes = new ArrayList<>();
      for (Row r : n.rows()) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("from", r.change().from());
        c.put("to", r.change().to());
        c.put("holder", r.change().holder().map(LabelChange.Holder::text).orElse(null));
        c.put("migctl", run(r.migctl()));
        c.put("nvidia", run(r.nvidia()));
        changes.add(c);
      }
      node.put("changes", changes);
      node.put(
          "totals",
          Map.of(
              "migctl",
              totals(Totals.of(n.migctlRuns())),
              "nvidia",
              totals(Totals.of(n.nvidiaRuns()))));
      nodeList.add(node);
    }
    root.put("nodes", nodeList);
    root.put(
        "totals",
        Map.of("migctl", totals(Totals.of(allMigctl())), "nvidia", totals(Totals.of(allNvidia()))));
    root.put("timeModel", K8sTimeModel.describe());
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the report could not be written as JSON", e);
    }
  }

  private static Map<String, Object> run(ManagerRun r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("outcome", r.outcome().word());
    m.put("detail", r.detail());
    counts(m, Totals.of(List.of(r)));
    return m;
  }

  private static Map<String, Object> totals(Totals s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("changes", s.changes());
    counts(m, s);
    for (ManagerRun.Outcome o : ManagerRun.Outcome.values()) {
      m.put(o.word().replace(' ', '-'), s.outcomes().get(o));
    }
    return m;
  }

  private static void counts(Map<String, Object> m, Totals s) {
    m.put("operations", s.operations());
    m.put("failedCalls", s.failedCalls());
    m.put("resetGpus", s.resetGpus());
    m.put("pausedSeconds", s.pausedSeconds());
    m.put("operatorPods", s.operatorPods());
    m.put("userPodsLostDevice", s.userPodsLostDevice());
  }
}
