package io.migctl.core.plan;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.PlacedComputeInstance;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredInstance;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.DeviceSelection;
import io.migctl.core.mig.config.MigPartedConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@link DemandPlanner}'s answer: a layout per GPU, which job runs on which new instance, the
 * jobs that run without a GPU, the jobs that could not be placed and why, the jobs their tenants'
 * quotas hold back, and the reasoning in sentences.
 *
 * @param gpus one layout per GPU of the node, in the order given; untouched GPUs have nothing to
 *     create
 * @param assignments one per placed job, in the order the demands were given
 * @param withoutGpu the jobs that need no GPU, in the order given
 * @param unplaced the jobs that got no instance, in the order given
 * @param optimal whether the search finished, so that the number of GPUs used is the fewest
 *     possible and the room left the most; false when it stopped at its budget with the best
 *     arrangement found
 * @param reasoning what was decided and why, one sentence per line
 * @param quotaCuts the jobs left out because their tenant's quota would not let them run beside its
 *     jobs planned before them, in the order given; each is also in {@code unplaced}, queueing (a
 *     job without a GPU too, then not in {@code withoutGpu}); empty when no quota cut anything
 */
public record DemandPlan(
    List<GpuLayout> gpus,
    List<Assignment> assignments,
    List<String> withoutGpu,
    List<UnplacedJob> unplaced,
    boolean optimal,
    List<String> reasoning,
    List<QuotaCut> quotaCuts) {

  private static final Pattern CONFIG_NAME = Pattern.compile("[A-Za-z0-9_.+-]+");

  public DemandPlan {
    gpus = List.copyOf(gpus);
    assignments = List.copyOf(assignments);
    withoutGpu = List.copyOf(withoutGpu);
    unplaced = List.copyOf(unplaced);
    reasoning = List.copyOf(reasoning);
    quotaCuts = List.copyOf(quotaCuts);
  }

  /** How many GPUs the plan creates instances on. */
  public int gpusUsed() {
    return (int) gpus.stream().filter(GpuLayout::touched).count();
  }

  /** Whether every job that needs a GPU got an instance. */
  public boolean placedAll() {
    return unplaced.isEmpty();
  }

  /** The assignment of {@code job}, if it was placed. */
  public Optional<Assignment> assignmentOf(String job) {
    return assignments.stream().filter(a -> a.job().equals(job)).findFirst();
  }

  /** The reasoning as one text, a sentence per line. */
  public String explain() {
    return String.join("\n", reasoning);
  }

  /**
   * The plan as {@code mig apply} takes it: for every touched GPU, MIG on, the kept instances and
   * the created ones pinned at their placements, each created one with its default compute
   * instance. Untouched GPUs are absent, so applying leaves them as they are.
   */
  public Map<Integer, DesiredGpu> desiredGpus() {
    Map<Integer, DesiredGpu> out = new LinkedHashMap<>();
    for (GpuLayout g : gpus) {
      if (!g.touched()) {
        continue;
      }
      List<DesiredInstance> instances = new ArrayList<>();
      for (PlacedInstance p : g.layout().instances()) {
        if (p.computeInstances().isEmpty()) {
          instances.add(
              new DesiredInstance(
                  p.profile(),
                  List.of(defaultComputeInstance(p.profile())),
                  Optional.of(p.placement()),
                  List.of()));
        } else {
          instances.add(
              new DesiredInstance(
                  p.profile(),
                  p.computeInstances().stream().map(PlacedComputeInstance::profile).toList(),
                  Optional.of(p.placement()),
                  p.computeInstances().stream().map(PlacedComputeInstance::placement).toList()));
        }
      }
      out.put(g.gpu(), new DesiredGpu(g.gpu(), true, instances, "the demand plan"));
    }
    return out;
  }

  /**
   * The plan as a mig-parted {@code version: v1} config named {@code name}: one entry per group of
   * touched GPUs with the same MIG devices ({@code devices: [0, 1]}, {@code mig-enabled: true}).
   * mig-parted has no placements, so applying this file gives the same instances but lets the tool
   * choose where; {@link #desiredGpus()} keeps the planned placements.
   *
   * @throws IllegalArgumentException when {@code name} is not a plain config name or the plan
   *     touches no GPU
   */
  public MigPartedConfig migPartedConfig(String name) {
    requireConfigName(name);
    Map<Map<ProfileName, Integer>, List<Integer>> groups = new LinkedHashMap<>();
    for (GpuLayout g : gpus) {
      if (g.touched()) {
        groups.computeIfAbsent(migDevices(g), k -> new ArrayList<>()).add(g.gpu());
      }
    }
    if (groups.isEmpty()) {
      throw new IllegalArgumentException(
          "the plan creates no instance on any GPU, so there is no config to write");
    }
    List<ConfigEntry> entries = new ArrayList<>();
    groups.forEach(
        (devices, indices) ->
            entries.add(
                new ConfigEntry(
                    "mig-configs." + name + "[" + entries.size() + "]",
                    List.of(),
                    new DeviceSelection.Indices(indices),
                    true,
                    devices)));
    return new MigPartedConfig(Map.of(name, entries));
  }

  /**
   * @throws IllegalArgumentException when {@code name} is not a plain mig-parted config name
   */
  static void requireConfigName(String name) {
    if (name == null || !CONFIG_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "\"" + name + "\" is not a config name; use letters, digits, '.', '_', '+' or '-'");
    }
  }

  /** MIG devices by profile name as mig-parted counts them, in the model's profile order. */
  private static Map<ProfileName, Integer> migDevices(GpuLayout g) {
    Map<ProfileName, Integer> counts = new LinkedHashMap<>();
    for (GpuInstanceProfile profile : g.model().profiles()) {
      for (PlacedInstance p : g.layout().instances()) {
        if (!p.profile().equals(profile)) {
          continue;
        }
        if (p.computeInstances().isEmpty()) {
          counts.merge(profile.name(), 1, Integer::sum);
        } else {
          p.computeInstances().forEach(ci -> counts.merge(ci.profile().name(), 1, Integer::sum));
        }
      }
    }
    return counts;
  }

  private static ComputeInstanceProfile defaultComputeInstance(GpuInstanceProfile profile) {
    return ComputeInstanceProfile.of(profile).stream()
        .filter(ComputeInstanceProfile::isDefault)
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException(profile.name() + " has no default compute instance"));
  }
}
