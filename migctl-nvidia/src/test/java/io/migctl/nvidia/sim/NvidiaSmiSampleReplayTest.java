package io.migctl.nvidia.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays real {@code nvidia-smi mig} sessions from {@code shared/reference/mig/nvidia-smi-samples}
 * on the simulated node: every command the sample runs is run on the simulator, and every line the
 * real driver printed — the GPU-instance ids it assigned, compute-instance ids, failures, and the
 * {@code -lgi}/{@code -lci} tables with their placements — must come out the same.
 */
class NvidiaSmiSampleReplayTest {

  private static final Pattern COMMAND = Pattern.compile("nvidia-smi mig (.*)$");
  private static final Pattern CREATED_GI =
      Pattern.compile(
          "Successfully created GPU instance ID +(\\d+) on GPU +\\d+ using profile MIG (\\S+) \\(ID +(\\d+)\\)");
  private static final Pattern CREATED_CI =
      Pattern.compile(
          "Successfully created compute instance (?:ID +(\\d+) )?on GPU +\\d+ GPU instance ID +(\\d+)"
              + " using profile MIG (\\S+) \\(ID +(\\d+)\\)");
  private static final Pattern CGI_FAILED =
      Pattern.compile("Unable to create a GPU instance on GPU +\\d+ using profile (\\S+): (.+)$");
  private static final Pattern DESTROYED_CI =
      Pattern.compile(
          "Successfully destroyed compute instance ID +(\\d+) from GPU +\\d+ GPU instance ID +(\\d+)");
  private static final Pattern DESTROYED_GI =
      Pattern.compile("Successfully destroyed GPU instance ID +(\\d+) from GPU +\\d+");
  private static final Pattern LGI_ROW =
      Pattern.compile("\\|\\s+\\d+\\s+MIG (\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+:\\d+)\\s+\\|");
  private static final Pattern LCI_ROW =
      Pattern.compile(
          "\\|\\s+\\d+\\s+(\\d+)\\s+MIG (\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(?:(\\d+:\\d+)\\s+)?\\|");

  static Stream<Arguments> samples() {
    return Stream.of(
        sample(
            "mig-user-guide_a100-40gb_cgi_insufficient-resources_error.txt", "a100-40gb", d -> {}),
        sample("mig-user-guide_a100-40gb_cgi-9-19-14-19_and_lgi.txt", "a100-40gb", d -> {}),
        sample("mig-user-guide_a100-40gb_cgi-14-19x5_and_lgi.txt", "a100-40gb", d -> {}),
        sample(
            "mig-user-guide_a100-40gb_cgi-19-14-5_4-2-1-geometry_and_lgi.txt",
            "a100-40gb",
            d -> {}),
        sample("mig-user-guide_a100-40gb_cgi-with-C_success.txt", "a100-40gb", d -> {}),
        sample("a100-pcie-40gb_cgi_cgi-C_lgi_dgi_pre-r525.txt", "a100-40gb", d -> {}),
        sample("h100-80gb-hbm3_cgi-7x19-C_lgi_lci_dci_dgi.txt", "h100-80gb", d -> {}),
        sample(
            "a30-24gb_session_lgi-empty_cgi-C_lgi_nvidia-smi-L_535.183.01.txt",
            "a30-24gb",
            d -> {}),
        // GI 1 = 3g.20gb at 0:4 before the sample's commands run.
        sample(
            "mig-user-guide_a100-40gb_cci-and-lci_3x1c.3g.20gb.txt",
            "a100-40gb",
            d -> d.createGpuInstance(0, 9, Optional.of(new Placement(0, 4)))),
        // GI 1 = 3g.20gb with its default CI, GI 2 = an empty 3g.20gb.
        sample(
            "a100-pcie-40gb_lcip_cci_lci_dci_pre-r525.txt",
            "a100-40gb",
            d -> {
              d.createGpuInstance(0, 9, Optional.of(new Placement(0, 4)));
              d.createComputeInstance(0, 1, 2, Optional.empty());
              d.createGpuInstance(0, 9, Optional.of(new Placement(4, 4)));
            }),
        // GI 1 = 3g.20gb holding three 1c CIs (ids 0, 1, 2).
        sample(
            "mig-user-guide_a100-40gb_dci-success.txt",
            "a100-40gb",
            d -> {
              d.createGpuInstance(0, 9, Optional.of(new Placement(0, 4)));
              for (int i = 0; i < 3; i++) {
                d.createComputeInstance(0, 1, 0, Optional.empty());
              }
            }),
        // GIs 1 and 2, both 3g.20gb without CIs.
        sample(
            "mig-user-guide_a100-40gb_dgi-success.txt",
            "a100-40gb",
            d -> {
              d.createGpuInstance(0, 9, Optional.of(new Placement(0, 4)));
              d.createGpuInstance(0, 9, Optional.of(new Placement(4, 4)));
            }));
  }

  private static Arguments sample(String file, String model, Consumer<SimulatedMigDriver> setup) {
    return Arguments.of(file, model, setup);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void replaysTheSampleWithTheSameOutcome(
      String file, String model, Consumer<SimulatedMigDriver> setup) throws IOException {
    Path path = SharedReference.path("reference/mig/nvidia-smi-samples/" + file);
    List<String> lines = Files.readAllLines(path).stream().filter(l -> !l.startsWith("#")).toList();
    SimulatedMigDriver driver = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(model + ":1"));
    setup.accept(driver);
    GpuModel gpu = driver.migModel(0);

    Deque<String> expected = new ArrayDeque<>();
    List<String> lgiRows = new ArrayList<>();
    List<String> lciRows = new ArrayList<>();
    String listing = null;
    int checkedLines = 0;
    for (String raw : lines) {
      String line = raw.strip();
      Matcher cmd = COMMAND.matcher(line);
      if (cmd.find()
          && (line.contains("$") || line.startsWith("nvidia-smi") || line.startsWith("sudo"))) {
        checkListing(driver, gpu, listing, lgiRows, lciRows, file);
        lgiRows.clear();
        lciRows.clear();
        assertThat(expected).as("%s: output lines left unmatched", file).isEmpty();
        listing = run(driver, gpu, cmd.group(1).strip(), expected);
        continue;
      }
      Matcher row = LGI_ROW.matcher(line);
      if ("lgi".equals(listing) && row.find()) {
        lgiRows.add(row.group(2) + " " + row.group(3) + " " + row.group(4));
        continue;
      }
      Matcher ci = LCI_ROW.matcher(line);
      if ("lci".equals(listing) && ci.find()) {
        lciRows.add(
            ci.group(1)
                + " "
                + ci.group(3)
                + " "
                + ci.group(4)
                + (ci.group(5) == null ? "" : " " + ci.group(5)));
        continue;
      }
      if (isOutcomeLine(line)) {
        assertThat(expected)
            .as("%s: the simulator printed fewer lines than: %s", file, line)
            .isNotEmpty();
        String printed = expected.removeFirst();
        Matcher createdCi = CREATED_CI.matcher(line);
        if (createdCi.find() && createdCi.group(1) == null) {
          // Older guides print the line without the compute instance's id.
          printed = printed.replaceFirst("compute instance ID \\d+ on", "compute instance on");
        }
        assertThat(printed).as("%s", file).isEqualTo(normalise(line));
        checkedLines++;
      }
    }
    checkListing(driver, gpu, listing, lgiRows, lciRows, file);
    assertThat(expected).as("%s: output lines left unmatched", file).isEmpty();
    assertThat(checkedLines + lgiRows.size())
        .as("%s: the sample checked nothing", file)
        .isPositive();
  }

  private static boolean isOutcomeLine(String line) {
    return CREATED_GI.matcher(line).find()
        || CREATED_CI.matcher(line).find()
        || CGI_FAILED.matcher(line).find()
        || DESTROYED_CI.matcher(line).find()
        || DESTROYED_GI.matcher(line).find();
  }

  /** Runs one {@code nvidia-smi mig} command; queues the lines the real driver would print. */
  private static String run(SimulatedMigDriver d, GpuModel gpu, String args, Deque<String> out) {
    List<String> words = List.of(args.split("\\s+"));
    if (words.contains("-lgi")) {
      return "lgi";
    }
    if (words.contains("-lci")) {
      return "lci";
    }
    if (words.contains("-cgi")) {
      boolean withCi = words.contains("-C");
      for (String item : value(words, "-cgi").split(",")) {
        GpuInstanceProfile p = profile(gpu, item);
        GpuInstance gi;
        try {
          gi = d.createGpuInstance(0, p.id(), Optional.empty());
        } catch (MigDriverException e) {
          out.add(
              "Unable to create a GPU instance on GPU 0 using profile "
                  + item
                  + ": "
                  + e.error().text());
          break;
        }
        out.add(
            "Successfully created GPU instance ID "
                + gi.id()
                + " on GPU 0 using profile MIG "
                + p.name()
                + " (ID "
                + p.id()
                + ")");
        if (withCi) {
          ComputeInstanceProfile def =
              ComputeInstanceProfile.of(p).stream()
                  .filter(ComputeInstanceProfile::isDefault)
                  .findFirst()
                  .orElseThrow();
          ComputeInstance ci = d.createComputeInstance(0, gi.id(), def.id(), Optional.empty());
          out.add(
              "Successfully created compute instance ID "
                  + ci.id()
                  + " on GPU 0 GPU instance ID "
                  + gi.id()
                  + " using profile MIG "
                  + def.name()
                  + " (ID "
                  + def.id()
                  + ")");
        }
      }
      return null;
    }
    if (words.contains("-cci")) {
      int giId = Integer.parseInt(value(words, "-gi"));
      GpuInstanceProfile p =
          gpu.profile(
                  d.gpuInstances(0).stream()
                      .filter(g -> g.id() == giId)
                      .findFirst()
                      .orElseThrow()
                      .profileId())
              .orElseThrow();
      for (String item : value(words, "-cci").split(",")) {
        ComputeInstanceProfile cp =
            ComputeInstanceProfile.of(p).stream()
                .filter(c -> c.id() == Integer.parseInt(item))
                .findFirst()
                .orElseThrow();
        ComputeInstance ci = d.createComputeInstance(0, giId, cp.id(), Optional.empty());
        out.add(
            "Successfully created compute instance ID "
                + ci.id()
                + " on GPU 0 GPU instance ID "
                + giId
                + " using profile MIG "
                + cp.name()
                + " (ID "
                + cp.id()
                + ")");
      }
      return null;
    }
    if (words.contains("-dci")) {
      List<GpuInstance> gis =
          d.gpuInstances(0).stream().sorted((a, b) -> Integer.compare(a.id(), b.id())).toList();
      for (GpuInstance gi : gis) {
        if (words.contains("-gi") && gi.id() != Integer.parseInt(value(words, "-gi"))) {
          continue;
        }
        for (ComputeInstance ci : d.computeInstances(0, gi.id())) {
          d.destroyComputeInstance(0, gi.id(), ci.id());
          out.add(
              "Successfully destroyed compute instance ID "
                  + ci.id()
                  + " from GPU 0 GPU instance ID "
                  + gi.id());
        }
      }
      return null;
    }
    if (words.contains("-dgi")) {
      List<GpuInstance> gis =
          d.gpuInstances(0).stream().sorted((a, b) -> Integer.compare(a.id(), b.id())).toList();
      for (GpuInstance gi : gis) {
        if (words.contains("-gi") && gi.id() != Integer.parseInt(value(words, "-gi"))) {
          continue;
        }
        d.destroyGpuInstance(0, gi.id());
        out.add("Successfully destroyed GPU instance ID " + gi.id() + " from GPU 0");
      }
      return null;
    }
    return null; // -lgip, -lcip and others list only; not replayed here
  }

  private static void checkListing(
      SimulatedMigDriver d,
      GpuModel gpu,
      String listing,
      List<String> lgiRows,
      List<String> lciRows,
      String file) {
    if ("lgi".equals(listing)) {
      List<String> actual =
          d.gpuInstances(0).stream()
              .map(g -> g.profileId() + " " + g.id() + " " + g.placement())
              .toList();
      assertThat(actual).as("%s: -lgi", file).containsExactlyInAnyOrderElementsOf(lgiRows);
    }
    if ("lci".equals(listing)) {
      List<String> actual = new ArrayList<>();
      boolean withPlacement = lciRows.stream().anyMatch(r -> r.split(" ").length == 4);
      for (GpuInstance gi : d.gpuInstances(0)) {
        for (ComputeInstance ci : d.computeInstances(0, gi.id())) {
          actual.add(
              gi.id()
                  + " "
                  + ci.profileId()
                  + " "
                  + ci.id()
                  + (withPlacement ? " " + ci.placement() : ""));
        }
      }
      if (!lciRows.isEmpty()) {
        // A listing filtered with -gi shows one GPU instance only.
        List<String> giIds = lciRows.stream().map(r -> r.split(" ")[0]).distinct().toList();
        actual = actual.stream().filter(r -> giIds.contains(r.split(" ")[0])).toList();
      }
      assertThat(actual).as("%s: -lci", file).containsExactlyInAnyOrderElementsOf(lciRows);
    }
  }

  private static String value(List<String> words, String flag) {
    int i = words.indexOf(flag);
    if (i < 0 || i + 1 >= words.size()) {
      fail("sample command has no value after " + flag + ": " + words);
    }
    return words.get(i + 1);
  }

  private static GpuInstanceProfile profile(GpuModel gpu, String item) {
    if (item.chars().allMatch(Character::isDigit)) {
      return gpu.profile(Integer.parseInt(item)).orElseThrow();
    }
    return gpu.profile(ProfileName.parse(item)).orElseThrow();
  }

  /** nvidia-smi pads numbers to two columns; compare with single spaces. */
  private static String normalise(String line) {
    return line.replaceAll(" +", " ").replace("Failed to create GPU instances", "").strip();
  }
}
