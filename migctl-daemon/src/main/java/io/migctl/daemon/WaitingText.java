package io.migctl.daemon;

import io.migctl.core.job.Requirement;
import io.migctl.core.job.WaitingReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Waiting reasons at the edge: the sentence the API's {@code waiting} field, the command line and
 * the web page show, and the API's structured {@code wait} object ({@code kind} and its fields).
 */
public final class WaitingText {
  private WaitingText() {}

  /** The reason in words, for people. */
  public static String describe(WaitingReason why) {
    return switch (why) {
      case WaitingReason.NoFreeDevice n -> noFreeDevice(n);
      case WaitingReason.CpuJobSlots s ->
          "waits for a CPU-job slot: "
              + s.inUse()
              + " of "
              + s.limit()
              + " in use (serve --cpu-jobs)";
      case WaitingReason.DriverUnavailable d -> "the driver cannot list devices: " + d.message();
      case WaitingReason.QuotaReached q -> quotaReached(q);
      case WaitingReason.NoWholeGpus g -> noWholeGpus(g);
      case WaitingReason.ReshapeCooling c ->
          noFreeDevice(c.waiting())
              + "; reshaping idle instances of GPU "
              + c.gpu()
              + " would make room, but it was reshaped less than "
              + c.cooldown().toSeconds()
              + "s ago (next chance in "
              + seconds(c.left())
              + "s)";
      case WaitingReason.ReshapeMinimumWait m ->
          noFreeDevice(m.waiting())
              + "; reshaping idle instances for it is considered once it has waited "
              + m.minimumWait().toSeconds()
              + "s (in "
              + seconds(m.left())
              + "s)";
    };
  }

  /** The reason as the API's {@code wait} object: {@code kind} first, then its fields. */
  public static Map<String, Object> json(WaitingReason why) {
    Map<String, Object> out = new LinkedHashMap<>();
    switch (why) {
      case WaitingReason.NoFreeDevice n -> {
        out.put("kind", "no-free-device");
        noFreeDeviceFields(n, out);
      }
      case WaitingReason.CpuJobSlots s -> {
        out.put("kind", "cpu-job-slots");
        out.put("inUse", s.inUse());
        out.put("limit", s.limit());
      }
      case WaitingReason.DriverUnavailable d -> {
        out.put("kind", "driver-unavailable");
        out.put("message", d.message());
      }
      case WaitingReason.QuotaReached q -> {
        out.put("kind", "quota");
        out.put("tenant", q.tenant());
        out.put("limit", q.limit().option());
        out.put("inUse", q.inUse());
        out.put("wouldUse", q.wouldUse());
        out.put("max", q.max());
      }
      case WaitingReason.NoWholeGpus g -> {
        out.put("kind", "no-whole-gpus");
        out.put("gpus", g.need().count());
        out.put("free", g.free());
        out.put("matching", g.matching());
        out.put("reserved", g.reserved());
        g.startBy().ifPresent(t -> out.put("startBy", t.toString()));
      }
      case WaitingReason.ReshapeCooling c -> {
        out.put("kind", "reshape-cooling");
        noFreeDeviceFields(c.waiting(), out);
        out.put("gpu", c.gpu());
        out.put("cooldownSeconds", c.cooldown().toSeconds());
        out.put("nextChanceSeconds", seconds(c.left()));
      }
      case WaitingReason.ReshapeMinimumWait m -> {
        out.put("kind", "reshape-minimum-wait");
        noFreeDeviceFields(m.waiting(), out);
        out.put("minimumWaitSeconds", m.minimumWait().toSeconds());
        out.put("leftSeconds", seconds(m.left()));
      }
    }
    return out;
  }

  private static void noFreeDeviceFields(WaitingReason.NoFreeDevice n, Map<String, Object> out) {
    Requirement need = n.need();
    out.put("memoryMiB", need.memoryMiB());
    out.put("computeSlices", need.computeSlices());
    out.put("fittingInUse", n.fittingInUse());
    out.put("free", n.freeByProfile());
  }

  private static String noFreeDevice(WaitingReason.NoFreeDevice n) {
    if (!n.layoutOffers()) {
      return "no MIG device in the current layout offers "
          + n.need()
          + "; apply a layout with a large enough instance";
    }
    List<String> parts = new ArrayList<>();
    n.fittingInUse().forEach((p, count) -> parts.add(count + " × " + p));
    int fitting = n.fitting();
    return "all "
        + fitting
        + " device"
        + (fitting == 1 ? "" : "s")
        + " that fit ("
        + String.join(", ", parts)
        + ") are in use";
  }

  private static String noWholeGpus(WaitingReason.NoWholeGpus g) {
    int asked = g.need().count();
    String text =
        "needs " + asked + " whole GPU" + (asked == 1 ? "" : "s") + ", " + g.free() + " free";
    if (g.matching() < asked) {
      return text
          + "; only "
          + g.matching()
          + " GPU"
          + (g.matching() == 1 ? "" : "s")
          + " of this node can serve it (MIG off, or MIG on with the mode switch allowed)";
    }
    if (!g.reserved().isEmpty()) {
      text += "; GPUs " + g.reserved() + " are reserved for it";
      text += g.startBy().map(t -> ", all free by " + t).orElse("");
    }
    return text;
  }

  private static String quotaReached(WaitingReason.QuotaReached q) {
    String unit =
        switch (q.limit()) {
          case SLICES -> " compute slice" + (q.max() == 1 ? "" : "s");
          case GPU_MEMORY -> " MiB of GPU memory";
          case RUNNING -> " running job" + (q.max() == 1 ? "" : "s");
        };
    String more =
        switch (q.limit()) {
          case SLICES -> q.wouldUse() + " more";
          case GPU_MEMORY -> q.wouldUse() + " MiB more";
          case RUNNING -> "to run too";
        };
    return "tenant "
        + q.tenant()
        + " is at its limit of "
        + q.max()
        + unit
        + " ("
        + q.inUse()
        + (q.limit() == WaitingReason.QuotaLimit.GPU_MEMORY ? " MiB" : "")
        + " in use; this job needs "
        + more
        + ")";
  }

  /** Whole seconds left, at least 1 (a wait that is due within the second still waits). */
  private static long seconds(Duration left) {
    return Math.max(1, left.toSeconds());
  }
}
