package io.migctl.core.mig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The set of (profile, placement) on one GPU, with the compute instances inside each GPU instance.
 *
 * <p>A layout is valid on a model iff every profile is the model's, every placement is one of its
 * profile's, no two GPU instances overlap on the memory-slice axis, no profile exceeds its max
 * count, media extensions appear at most once, only {@code -me} instances are beside a {@code
 * +me.all} one, and every GPU instance's compute instances use its compute-instance profiles at
 * their placements without overlapping.
 */
public record Layout(List<PlacedInstance> instances) {

  public Layout {
    instances = List.copyOf(instances);
  }

  /** Checks this layout on {@code model}, collecting every violation rather than the first. */
  public LayoutCheck checkOn(GpuModel model) {
    List<LayoutViolation> out = new ArrayList<>();
    Map<GpuInstanceProfile, Integer> counts = new HashMap<>();
    List<PlacedInstance> media = new ArrayList<>();
    int computeSlices = 0;
    for (PlacedInstance inst : instances) {
      if (!model.profiles().contains(inst.profile())) {
        out.add(new LayoutViolation.UnknownProfile(inst, model));
        continue;
      }
      if (!inst.profile().allows(inst.placement())) {
        out.add(new LayoutViolation.NotAPlacement(inst));
      }
      counts.merge(inst.profile(), 1, Integer::sum);
      if (inst.profile().hasMediaExtensions()) {
        media.add(inst);
      }
      computeSlices += inst.profile().computeSlices();
      checkComputeInstances(inst, out);
    }
    for (int i = 0; i < instances.size(); i++) {
      for (int j = i + 1; j < instances.size(); j++) {
        Placement common = instances.get(i).placement().intersection(instances.get(j).placement());
        if (common != null) {
          out.add(new LayoutViolation.Overlap(instances.get(i), instances.get(j), common));
        }
        GpuInstanceProfile a = instances.get(i).profile();
        GpuInstanceProfile b = instances.get(j).profile();
        if (!a.leavesMediaFor(b) && !(a.hasMediaExtensions() && b.hasMediaExtensions())) {
          out.add(new LayoutViolation.AllMediaTaken(instances.get(i), instances.get(j)));
        }
      }
    }
    for (GpuInstanceProfile p : model.profiles()) {
      int n = counts.getOrDefault(p, 0);
      if (n > p.maxCount()) {
        out.add(new LayoutViolation.TooMany(p, n));
      }
    }
    if (media.size() > 1) {
      out.add(new LayoutViolation.MediaExtensionsTwice(media));
    }
    if (computeSlices > model.computeSlices()) {
      out.add(new LayoutViolation.ComputeSlicesExceeded(computeSlices, model.computeSlices()));
    }
    return new LayoutCheck(out);
  }

  private static void checkComputeInstances(PlacedInstance gi, List<LayoutViolation> out) {
    List<ComputeInstanceProfile> allowed = ComputeInstanceProfile.of(gi.profile());
    List<PlacedComputeInstance> cis = gi.computeInstances();
    Map<ComputeInstanceProfile, Integer> counts = new HashMap<>();
    for (PlacedComputeInstance ci : cis) {
      if (!allowed.contains(ci.profile())) {
        out.add(
            new LayoutViolation.ComputeInstanceMisfit(
                gi,
                ci.profile().name()
                    + " is not a compute-instance profile of "
                    + gi.profile().name()
                    + "; its profiles are "
                    + allowed.stream().map(p -> p.name().toString()).toList()));
        continue;
      }
      if (!ci.profile().allows(ci.placement())) {
        out.add(
            new LayoutViolation.ComputeInstanceMisfit(
                gi,
                ci
                    + ": "
                    + ci.placement()
                    + " is not a placement of "
                    + ci.profile().name()
                    + "; allowed: "
                    + ci.profile().placements()));
      }
      counts.merge(ci.profile(), 1, Integer::sum);
    }
    counts.forEach(
        (p, n) -> {
          if (n > p.maxCount()) {
            out.add(
                new LayoutViolation.ComputeInstanceMisfit(
                    gi, n + " × " + p.name() + ", but at most " + p.maxCount() + " fit"));
          }
        });
    for (int i = 0; i < cis.size(); i++) {
      for (int j = i + 1; j < cis.size(); j++) {
        Placement common = cis.get(i).placement().intersection(cis.get(j).placement());
        if (common != null) {
          out.add(
              new LayoutViolation.ComputeInstanceMisfit(
                  gi,
                  cis.get(i)
                      + " and "
                      + cis.get(j)
                      + " collide on compute slice"
                      + (common.size() == 1 ? " " : "s ")
                      + common.slicesText()));
        }
      }
    }
  }
}
