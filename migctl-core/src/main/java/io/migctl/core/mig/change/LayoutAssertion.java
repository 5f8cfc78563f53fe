package io.migctl.core.mig.change;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether a GPU is as desired, judged as mig-parted's {@code assert} judges it: the MIG mode (in
 * effect and pending), and how many MIG devices of each profile exist — placements do not matter. A
 * GPU instance without compute instances is a difference too (an apply would remove it).
 */
public final class LayoutAssertion {

  private LayoutAssertion() {}

  /**
   * The differences between {@code live} and {@code desired}, one sentence each; empty when equal.
   */
  public static List<String> differences(GpuSnapshot live, DesiredGpu desired) {
    List<String> out = new ArrayList<>();
    String gpu = "GPU " + live.device().index();
    boolean current = live.device().migMode().current();
    boolean pending = live.device().migMode().pending();
    if (current != desired.migEnabled() || pending != desired.migEnabled()) {
      out.add(
          gpu
              + ": MIG mode is "
              + (current ? "enabled" : "disabled")
              + (current != pending
                  ? " (" + (pending ? "enabled" : "disabled") + " after a reset)"
                  : "")
              + ", "
              + desired.source()
              + " wants it "
              + (desired.migEnabled() ? "enabled" : "disabled"));
    }
    if (!current || !desired.migEnabled()) {
      return out;
    }
    Map<String, Integer> have = new TreeMap<>();
    for (GpuSnapshot.Instance inst : live.instances()) {
      if (inst.computeInstances().isEmpty()) {
        out.add(
            gpu
                + ": GPU instance "
                + inst.profile().name()
                + "@"
                + inst.gpuInstance().placement()
                + " has no compute instance");
      }
      for (GpuSnapshot.Compute c : inst.computeInstances()) {
        have.merge(c.profile().name().toString(), 1, Integer::sum);
      }
    }
    Map<String, Integer> want = new TreeMap<>();
    for (DesiredInstance d : desired.instances()) {
      for (ComputeInstanceProfile c : d.computeInstances()) {
        want.merge(c.name().toString(), 1, Integer::sum);
      }
    }
    if (!have.equals(want)) {
      out.add(
          gpu
              + ": has MIG devices "
              + text(have)
              + ", "
              + desired.source()
              + " wants "
              + text(want));
    }
    return out;
  }

  private static String text(Map<String, Integer> counts) {
    if (counts.isEmpty()) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    counts.forEach((k, v) -> parts.add(k + " ×" + v));
    return String.join(", ", parts);
  }
}
