package io.migctl.apply;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.migctl.core.input.InvalidTextException;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.LayoutCheck;
import io.migctl.core.mig.PlacedComputeInstance;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredInstance;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.input.LimitedJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's exact MIG layout, by GPU UUID: mode, every GPU instance's profile and placement, every
 * compute instance's profile and placement. Restoring it recreates the same placements (after a
 * reboot, on empty GPUs) with the same minimal, busy-safe plans as {@code mig apply}.
 */
public record Checkpoint(int version, String taken, List<Gpu> gpus) {

  /** One GPU. */
  public record Gpu(
      String uuid, int index, String model, boolean migEnabled, List<Instance> instances) {}

  /** One GPU instance. */
  public record Instance(
      String profile, int profileId, int start, int size, List<Compute> computeInstances) {}

  /** One compute instance (its UUID is recorded for people; a restore makes new ones). */
  public record Compute(String profile, int profileId, int start, int size, String uuid) {}

  /**
   * Written indented; read strictly and within the input bounds ({@link LimitedJson}), every field
   * required.
   */
  private static final ObjectMapper JSON =
      LimitedJson.mapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);

  /** The checkpoint of {@code gpus}, taken at {@code taken} (ISO-8601). */
  public static Checkpoint of(List<GpuSnapshot> gpus, String taken) {
    List<Gpu> out = new ArrayList<>();
    for (GpuSnapshot g : gpus) {
      List<Instance> instances = new ArrayList<>();
      for (GpuSnapshot.Instance i : g.instances()) {
        List<Compute> cis = new ArrayList<>();
        for (GpuSnapshot.Compute c : i.computeInstances()) {
          Placement p = c.computeInstance().placement();
          cis.add(
              new Compute(
                  c.profile().name().toString(),
                  c.profile().id(),
                  p.start(),
                  p.size(),
                  c.computeInstance().uuid()));
        }
        Placement p = i.gpuInstance().placement();
        instances.add(
            new Instance(
                i.profile().name().toString(), i.profile().id(), p.start(), p.size(), cis));
      }
      out.add(
          new Gpu(
              g.device().uuid(),
              g.device().index(),
              g.model().name(),
              g.device().migMode().current(),
              instances));
    }
    return new Checkpoint(1, taken, out);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the checkpoint", e);
    }
  }

  /**
   * Reads a checkpoint.
   *
   * @param source how messages name the text: the file's path, {@code <stdin>}
   * @throws IllegalArgumentException saying what is wrong with the file, after its name: {@link
   *     io.migctl.core.input.InvalidTextException} for text that is not a checkpoint's JSON, {@link
   *     ConfigException} for a version migctl does not read
   */
  public static Checkpoint parse(String text, String source) {
    JsonNode tree = LimitedJson.readTree(JSON, text, source);
    if (!tree.isObject()) {
      throw new InvalidTextException(
          source
              + ": the file holds "
              + LimitedJson.describe(tree)
              + "; a checkpoint is the JSON object that migctl mig checkpoint writes");
    }
    Checkpoint c = LimitedJson.convert(JSON, tree, Checkpoint.class, source + ": ");
    if (c.version() != 1) {
      throw new ConfigException(
              "version",
              "checkpoint version " + c.version() + " is not supported; migctl writes version 1")
          .in(source);
    }
    if (c.gpus() == null) {
      throw new ConfigException("gpus", "missing; a checkpoint lists its GPUs").in(source);
    }
    return c;
  }

  /**
   * What each GPU should look like to match the checkpoint, by index on this node.
   *
   * @throws ConfigException when a GPU of the checkpoint is not on this node or does not have its
   *     profiles or placements
   */
  public Map<Integer, DesiredGpu> desired(List<GpuSnapshot> live) {
    Map<Integer, DesiredGpu> out = new LinkedHashMap<>();
    for (int g = 0; g < gpus.size(); g++) {
      Gpu gpu = gpus.get(g);
      String path = "gpus[" + g + "]";
      GpuSnapshot target =
          live.stream()
              .filter(s -> s.device().uuid().equalsIgnoreCase(gpu.uuid()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new ConfigException(
                          path + ".uuid",
                          gpu.uuid()
                              + " ("
                              + gpu.model()
                              + ", GPU "
                              + gpu.index()
                              + " then) is not on this node; its GPUs are "
                              + live.stream().map(s -> s.device().uuid()).toList()));
      List<DesiredInstance> instances = new ArrayList<>();
      for (int i = 0; i < gpu.instances().size(); i++) {
        Instance inst = gpu.instances().get(i);
        String ipath = path + ".instances[" + i + "]";
        GpuInstanceProfile p =
            target
                .model()
                .profile(profileName(inst.profile(), ipath + ".profile"))
                .orElseThrow(
                    () ->
                        new ConfigException(
                            ipath + ".profile",
                            "\""
                                + inst.profile()
                                + "\" is not a profile of "
                                + target.device().productName()));
        List<ComputeInstanceProfile> cis = new ArrayList<>();
        List<Placement> at = new ArrayList<>();
        for (int c = 0; c < inst.computeInstances().size(); c++) {
          Compute ci = inst.computeInstances().get(c);
          String cpath = ipath + ".computeInstances[" + c + "]";
          ComputeInstanceProfile cp =
              ComputeInstanceProfile.of(p).stream()
                  .filter(x -> x.name().equals(profileName(ci.profile(), cpath + ".profile")))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new ConfigException(
                              cpath + ".profile",
                              "\""
                                  + ci.profile()
                                  + "\" is not a compute-instance profile of "
                                  + p.name()));
          cis.add(cp);
          try {
            at.add(new Placement(ci.start(), ci.size()));
          } catch (IllegalArgumentException e) {
            throw new ConfigException(cpath, e.getMessage());
          }
        }
        try {
          instances.add(
              new DesiredInstance(
                  p, cis, Optional.of(new Placement(inst.start(), inst.size())), at));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(ipath, e.getMessage());
        }
      }
      Layout layout =
          new Layout(
              instances.stream()
                  .map(
                      d -> {
                        List<PlacedComputeInstance> cis = new ArrayList<>();
                        for (int c = 0; c < d.computeInstances().size(); c++) {
                          cis.add(
                              new PlacedComputeInstance(
                                  d.computeInstances().get(c), d.computePlacements().get(c)));
                        }
                        return new PlacedInstance(d.profile(), d.placement().orElseThrow(), cis);
                      })
                  .toList());
      LayoutCheck check = layout.checkOn(target.model());
      if (!check.isValid()) {
        throw new ConfigException(
            path + ".instances",
            "not a valid layout on " + target.device().productName() + ": " + check.message());
      }
      out.put(
          target.device().index(),
          new DesiredGpu(
              target.device().index(),
              gpu.migEnabled(),
              gpu.migEnabled() ? instances : List.of(),
              path));
    }
    return out;
  }

  private static ProfileName profileName(String text, String path) {
    try {
      return ProfileName.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, e.getMessage());
    }
  }
}
