package io.migctl.nvidia.smi;

import io.migctl.core.mig.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers of {@code nvidia-smi} text output, for checking migctl against the real tool. Pure
 * functions of the text; lines they do not recognise (headers, borders, prompts, comments) are
 * skipped.
 */
public final class NvidiaSmiText {

  private NvidiaSmiText() {}

  /** A row of {@code nvidia-smi mig -lgip}. */
  public record ProfileRow(int gpu, String name, int id, int free, int total, double memoryGiB) {}

  /** A line of {@code nvidia-smi mig -lgipp}. */
  public record PlacementsRow(int gpu, int profileId, List<Placement> placements) {
    public PlacementsRow {
      placements = List.copyOf(placements);
    }
  }

  /** A row of {@code nvidia-smi mig -lgi}. */
  public record GpuInstanceRow(
      int gpu, String name, int profileId, int instanceId, Placement placement) {}

  /** A row of {@code nvidia-smi mig -lci} (older drivers print no placement). */
  public record ComputeInstanceRow(
      int gpu,
      int gpuInstanceId,
      String name,
      int profileId,
      int instanceId,
      Optional<Placement> placement) {}

  /** A GPU of {@code nvidia-smi -L} with its MIG devices. */
  public record ListedGpu(int index, String name, String uuid, List<ListedMigDevice> migDevices) {
    public ListedGpu {
      migDevices = List.copyOf(migDevices);
    }
  }

  /** A MIG device line of {@code nvidia-smi -L}. */
  public record ListedMigDevice(String profile, int device, String uuid) {}

  private static final Pattern LGIP =
      Pattern.compile("^\\|\\s+(\\d+)\\s+MIG\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)/(\\d+)\\s+([0-9.]+)\\s");
  private static final Pattern LGIPP =
      Pattern.compile(
          "GPU\\s+(\\d+)\\s+Profile ID\\s+(\\d+)\\s+Placements?\\s*:\\s*\\{([0-9,]+)\\}:(\\d+)");
  private static final Pattern LGI =
      Pattern.compile(
          "^\\|\\s+(\\d+)\\s+MIG\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+):(\\d+)\\s+\\|");
  private static final Pattern LCI =
      Pattern.compile(
          "^\\|\\s+(\\d+)\\s+(\\d+)\\s+MIG\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(?:(\\d+):(\\d+)\\s+)?\\|");
  private static final Pattern LIST_GPU =
      Pattern.compile("^GPU\\s+(\\d+):\\s+(.+?)\\s+\\(UUID:\\s+(GPU-[^)]+)\\)");
  private static final Pattern LIST_MIG =
      Pattern.compile("^\\s+MIG\\s+(\\S+)\\s+Device\\s+(\\d+):\\s+\\(UUID:\\s+(MIG-[^)]+)\\)");

  /** The profile rows of {@code -lgip} output. */
  public static List<ProfileRow> profiles(String text) {
    List<ProfileRow> out = new ArrayList<>();
    for (String line : text.lines().toList()) {
      Matcher m = LGIP.matcher(line);
      if (m.find()) {
        out.add(
            new ProfileRow(
                Integer.parseInt(m.group(1)),
                m.group(2),
                Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)),
                Integer.parseInt(m.group(5)),
                Double.parseDouble(m.group(6))));
      }
    }
    return out;
  }

  /** The lines of {@code -lgipp} output. */
  public static List<PlacementsRow> placements(String text) {
    List<PlacementsRow> out = new ArrayList<>();
    for (String line : text.lines().toList()) {
      Matcher m = LGIPP.matcher(line);
      if (m.find()) {
        int size = Integer.parseInt(m.group(4));
        List<Placement> placements = new ArrayList<>();
        for (String start : m.group(3).split(",")) {
          placements.add(new Placement(Integer.parseInt(start), size));
        }
        out.add(
            new PlacementsRow(
                Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), placements));
      }
    }
    return out;
  }

  /** The rows of {@code -lgi} output. */
  public static List<GpuInstanceRow> gpuInstances(String text) {
    List<GpuInstanceRow> out = new ArrayList<>();
    for (String line : text.lines().toList()) {
      Matcher m = LGI.matcher(line);
      if (m.find()) {
        out.add(
            new GpuInstanceRow(
                Integer.parseInt(m.group(1)),
                m.group(2),
                Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)),
                new Placement(Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)))));
      }
    }
    return out;
  }

  /** The rows of {@code -lci} output. */
  public static List<ComputeInstanceRow> computeInstances(String text) {
    List<ComputeInstanceRow> out = new ArrayList<>();
    for (String line : text.lines().toList()) {
      Matcher m = LCI.matcher(line);
      if (m.find()) {
        Optional<Placement> placement =
            m.group(6) == null
                ? Optional.empty()
                : Optional.of(
                    new Placement(Integer.parseInt(m.group(6)), Integer.parseInt(m.group(7))));
        out.add(
            new ComputeInstanceRow(
                Integer.parseInt(m.group(1)),
                Integer.parseInt(m.group(2)),
                m.group(3),
                Integer.parseInt(m.group(4)),
                Integer.parseInt(m.group(5)),
                placement));
      }
    }
    return out;
  }

  /** The GPUs and MIG devices of {@code nvidia-smi -L} output. */
  public static List<ListedGpu> list(String text) {
    List<ListedGpu> out = new ArrayList<>();
    String name = null;
    String uuid = null;
    int index = -1;
    List<ListedMigDevice> devices = new ArrayList<>();
    for (String line : text.lines().toList()) {
      Matcher g = LIST_GPU.matcher(line);
      if (g.find()) {
        if (name != null) {
          out.add(new ListedGpu(index, name, uuid, devices));
        }
        index = Integer.parseInt(g.group(1));
        name = g.group(2);
        uuid = g.group(3);
        devices = new ArrayList<>();
        continue;
      }
      Matcher d = LIST_MIG.matcher(line);
      if (d.find() && name != null) {
        devices.add(new ListedMigDevice(d.group(1), Integer.parseInt(d.group(2)), d.group(3)));
      }
    }
    if (name != null) {
      out.add(new ListedGpu(index, name, uuid, devices));
    }
    return out;
  }
}
