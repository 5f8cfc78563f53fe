package io.migctl.bench;

import io.migctl.core.mig.GpuModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's results: per model, the transitions and what each tool did on each; rendered as a
 * Markdown table with one row per (model, tool) and the operations ratio on the transitions both
 * tools completed.
 *
 * @param seed the seed the transitions were drawn with
 * @param models one result per model, in the order asked for
 */
record TransitionReport(long seed, List<ModelResult> models) {

  static final String BASELINE = "mig-parted";
  static final String MIGCTL = "migctl";

  TransitionReport {
    models = List.copyOf(models);
  }

  /**
   * One model's transitions and the two tools' measurements, index by index.
   *
   * @param model the GPU model
   * @param transitions the transitions
   * @param baseline mig-parted's measurement of each transition
   * @param migctl migctl's measurement of each transition
   */
  record ModelResult(
      GpuModel model,
      List<Transition> transitions,
      List<Measurement> baseline,
      List<Measurement> migctl) {

    ModelResult {
      transitions = List.copyOf(transitions);
      baseline = List.copyOf(baseline);
      migctl = List.copyOf(migctl);
      if (baseline.size() != transitions.size() || migctl.size() != transitions.size()) {
        throw new IllegalArgumentException(
            "one measurement per transition and tool: "
                + transitions.size()
                + " transitions, "
                + baseline.size()
                + " baseline and "
                + migctl.size()
                + " migctl measurements");
      }
    }

    ToolStats baselineStats() {
      return ToolStats.of(baseline);
    }

    ToolStats migctlStats() {
      return ToolStats.of(migctl);
    }

    /** Indices of the transitions both tools ended at the target. */
    List<Integer> bothReached() {
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < transitions.size(); i++) {
        if (baseline.get(i).reachedTarget() && migctl.get(i).reachedTarget()) {
          out.add(i);
        }
      }
      return out;
    }
  }

  /** The report as Markdown: a heading, the table, the ratio lines and notes. */
  String markdown() {
    StringBuilder b = new StringBuilder();
    int perModel = models.isEmpty() ? 0 : models.getFirst().transitions().size();
    b.append("## MIG reconfiguration: migctl apply vs mig-parted's algorithm\n\n");
    b.append("Seed ")
        .append(seed)
        .append(", ")
        .append(perModel)
        .append(" random transitions per model on the simulated driver; each transition runs on")
        .append(" two identical fresh GPUs, once per tool.\n\n");
    for (ModelResult m : models) {
      long busy = m.transitions().stream().filter(Transition::hasBusyDevice).count();
      long near = m.transitions().stream().filter(Transition::nearCurrent).count();
      b.append("- ")
          .append(m.model().key())
          .append(": ")
          .append(busy)
          .append(" transitions start with at least one busy MIG device; ")
          .append(near)
          .append(" targets are the current layout with one or two instances changed.\n");
    }
    b.append('\n');
    b.append(
        "| model | tool | transitions | ops mean | ops p50 | ops max | failed driver calls"
            + " | refused | failed | reached target | busy MIG devices destroyed"
            + " | emptied, target missed | idle MIG devices destroyed, target missed |\n");
    b.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (ModelResult m : models) {
      row(b, m.model().key(), BASELINE, m.baselineStats());
      row(b, m.model().key(), MIGCTL, m.migctlStats());
    }
    b.append('\n');
    long baselineSum = 0;
    long migctlSum = 0;
    int both = 0;
    for (ModelResult m : models) {
      List<Integer> common = m.bothReached();
      long bs = common.stream().mapToLong(i -> m.baseline().get(i).operations()).sum();
      long ms = common.stream().mapToLong(i -> m.migctl().get(i).operations()).sum();
      baselineSum += bs;
      migctlSum += ms;
      both += common.size();
      b.append(ratioLine(m.model().key(), common.size(), ms, bs));
    }
    if (models.size() > 1) {
      b.append(ratioLine("all models", both, migctlSum, baselineSum));
    }
    b.append('\n');
    b.append("Notes:\n\n");
    b.append(
        "- Operations are driver calls that changed the GPU and succeeded (create or destroy a"
            + " GPU or compute instance). Failed driver calls are counted apart; mig-parted's"
            + " include destroys refused because a device is busy, creates that found no room,"
            + " and, for each further MIG device of the profile just created, its try to put the"
            + " device into the previous GPU instance before making a new one.\n");
    b.append(
        "- Busy MIG devices destroyed stays 0 for both tools because the driver itself refuses"
            + " (In use) to destroy a device a process holds. mig-parted clears the whole GPU"
            + " first, so a busy device makes it fail (its attempts are among its failed calls);"
            + " migctl plans around busy devices, or refuses before touching anything.\n");
    b.append(
        "- Emptied counts transitions that missed the target and left a GPU that had idle MIG"
            + " devices with none: mig-parted's clear after every ordering failed. Its clear"
            + " stops at the first busy device, so idle devices after it in NVML's walk order"
            + " survive; the last column counts every idle MIG device destroyed on transitions"
            + " that missed the target.\n");
    for (ModelResult m : models) {
      long lucky = 0;
      for (Measurement r : m.baseline()) {
        lucky += r.failed() && r.reachedTarget() ? 1 : 0;
      }
      b.append("- ")
          .append(m.model().key())
          .append(": on ")
          .append(lucky)
          .append(" transitions mig-parted failed yet left the GPU at the target's counts (its")
          .append(" clear destroyed exactly the surplus before stopping at a busy device);")
          .append(" they count as reached and as failed.\n");
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String model, String tool, ToolStats s) {
    b.append("| ")
        .append(model)
        .append(" | ")
        .append(tool)
        .append(" | ")
        .append(s.transitions())
        .append(" | ")
        .append(String.format(Locale.ROOT, "%.2f", s.meanOperations()))
        .append(" | ")
        .append(s.p50Operations())
        .append(" | ")
        .append(s.maxOperations())
        .append(" | ")
        .append(s.failedCalls())
        .append(" | ")
        .append(s.refused())
        .append(" | ")
        .append(s.failed())
        .append(" | ")
        .append(s.reachedTarget())
        .append(" | ")
        .append(s.busyDestroyed())
        .append(" | ")
        .append(s.emptied())
        .append(" | ")
        .append(s.collateralDestroyed())
        .append(" |\n");
  }

  private static String ratioLine(String what, int both, long migctlOps, long baselineOps) {
    String ratio =
        baselineOps == 0
            ? "n/a (mig-parted made no operations on them)"
            : String.format(Locale.ROOT, "%.3f", (double) migctlOps / baselineOps);
    String means =
        both == 0
            ? ""
            : String.format(
                Locale.ROOT,
                " (mean %.2f vs %.2f operations)",
                (double) migctlOps / both,
                (double) baselineOps / both);
    return "- "
        + what
        + ": migctl / mig-parted mean operations on the "
        + both
        + " transitions both reached = "
        + ratio
        + means
        + "\n";
  }
}
