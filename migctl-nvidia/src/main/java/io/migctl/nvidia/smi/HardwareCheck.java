package io.migctl.nvidia.smi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.mig.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares what migctl's NVML driver reports ({@code migctl --driver nvml gpus --json} and {@code
 * profiles --json}) with what {@code nvidia-smi} prints on the same machine, file by file in one
 * folder (written by {@code scripts/hw-readonly-check.sh}): GPU names, UUIDs, memory, MIG mode, and
 * on MIG-enabled GPUs the profile table (ids, names, free/total), placements and GPU instances.
 * Reads files only.
 */
public final class HardwareCheck {

  private final List<String> findings = new ArrayList<>();
  private int checks;

  HardwareCheck() {}

  /** Usage: {@code HardwareCheck FOLDER}; prints one line per check and a verdict; exit 0 or 1. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: HardwareCheck FOLDER (written by scripts/hw-readonly-check.sh)");
      System.exit(2);
    }
    HardwareCheck check = run(Path.of(args[0]));
    check.findings.forEach(System.out::println);
    System.out.println(check.verdict());
    System.exit(check.passed() ? 0 : 1);
  }

  /** Compares the files in {@code dir}. */
  public static HardwareCheck run(Path dir) throws IOException {
    HardwareCheck c = new HardwareCheck();
    ObjectMapper json = new ObjectMapper();
    JsonNode gpus = json.readTree(Files.readString(dir.resolve("migctl-gpus.json")));
    JsonNode profiles = json.readTree(Files.readString(dir.resolve("migctl-profiles.json")));
    List<NvidiaSmiXml.Gpu> xml =
        NvidiaSmiXml.gpus(Files.readString(dir.resolve("nvidia-smi-q.xml")));
    c.compareGpus(xml, gpus);
    c.compareProfiles(read(dir, "lgip.txt"), read(dir, "lgipp.txt"), gpus, profiles);
    c.compareInstances(read(dir, "lgi.txt"), gpus);
    return c;
  }

  private static String read(Path dir, String name) throws IOException {
    Path p = dir.resolve(name);
    return Files.exists(p) ? Files.readString(p) : "";
  }

  /** Whether every check matched. */
  public boolean passed() {
    return findings.stream().noneMatch(f -> f.startsWith("MISMATCH"));
  }

  /** The result lines, {@code ok …} or {@code MISMATCH …}. */
  public List<String> findings() {
    return List.copyOf(findings);
  }

  /** {@code verdict: PASS (n checks)} or {@code verdict: FAIL (m of n checks differ)}. */
  public String verdict() {
    long bad = findings.stream().filter(f -> f.startsWith("MISMATCH")).count();
    return bad == 0
        ? "verdict: PASS (" + checks + " checks)"
        : "verdict: FAIL (" + bad + " of " + checks + " checks differ)";
  }

  void compareGpus(List<NvidiaSmiXml.Gpu> smi, JsonNode migctl) {
    same("GPU count", smi.size(), migctl.size());
    for (int i = 0; i < Math.min(smi.size(), migctl.size()); i++) {
      NvidiaSmiXml.Gpu s = smi.get(i);
      JsonNode m = migctl.get(i);
      String g = "GPU " + i;
      same(g + " name", s.productName(), m.get("name").asText());
      same(g + " UUID", s.uuid(), m.get("uuid").asText());
      long memory = m.get("memoryMiB").asLong();
      check(
          g + " memory MiB (nvidia-smi " + s.memoryTotalMiB() + ", migctl " + memory + ")",
          Math.abs(s.memoryTotalMiB() - memory) <= Math.max(1, s.memoryTotalMiB() / 100));
      same(g + " MIG mode", enabled(s.migCurrent()), m.get("migEnabled").asBoolean());
      same(g + " pending MIG mode", enabled(s.migPending()), m.get("migPending").asBoolean());
    }
  }

  void compareProfiles(String lgip, String lgipp, JsonNode gpus, JsonNode profiles) {
    for (JsonNode gpu : profiles) {
      int index = gpu.get("index").asInt();
      if (!gpu.get("migEnabled").asBoolean()) {
        continue;
      }
      Set<String> smi = new TreeSet<>();
      for (NvidiaSmiText.ProfileRow r : NvidiaSmiText.profiles(lgip)) {
        if (r.gpu() == index) {
          smi.add(r.name() + " id " + r.id() + " " + r.free() + "/" + r.total());
        }
      }
      Set<String> ours = new TreeSet<>();
      Set<String> ourPlacements = new TreeSet<>();
      for (JsonNode p : gpu.get("profiles")) {
        ours.add(
            p.get("name").asText()
                + " id "
                + p.get("id").asInt()
                + " "
                + p.get("free").asInt()
                + "/"
                + p.get("maxCount").asInt());
        List<Placement> list = new ArrayList<>();
        p.get("placements")
            .forEach(
                pl -> list.add(new Placement(pl.get("start").asInt(), pl.get("size").asInt())));
        ourPlacements.add(p.get("id").asInt() + " " + list);
      }
      same("GPU " + index + " profiles (name, id, free/total)", smi, ours);
      Set<String> smiPlacements = new TreeSet<>();
      for (NvidiaSmiText.PlacementsRow r : NvidiaSmiText.placements(lgipp)) {
        if (r.gpu() == index) {
          smiPlacements.add(r.profileId() + " " + r.placements());
        }
      }
      same("GPU " + index + " placements", smiPlacements, ourPlacements);
    }
  }

  void compareInstances(String lgi, JsonNode gpus) {
    for (JsonNode gpu : gpus) {
      int index = gpu.get("index").asInt();
      if (!gpu.get("migEnabled").asBoolean()) {
        continue;
      }
      Set<String> smi = new TreeSet<>();
      for (NvidiaSmiText.GpuInstanceRow r : NvidiaSmiText.gpuInstances(lgi)) {
        if (r.gpu() == index) {
          smi.add("GI " + r.instanceId() + " " + r.name() + " at " + r.placement());
        }
      }
      Set<String> ours = new TreeSet<>();
      for (JsonNode i : gpu.get("instances")) {
        ours.add(
            "GI "
                + i.get("gi").asInt()
                + " "
                + i.get("gpuInstanceProfile").asText()
                + " at "
                + i.get("start").asInt()
                + ":"
                + i.get("size").asInt());
      }
      same("GPU " + index + " GPU instances", smi, ours);
    }
  }

  private static boolean enabled(String mode) {
    return mode.strip().toLowerCase(Locale.ROOT).equals("enabled");
  }

  private void same(String what, Object smi, Object migctl) {
    checks++;
    if (smi.equals(migctl)) {
      findings.add("ok " + what + ": " + smi);
    } else {
      findings.add("MISMATCH " + what + ": nvidia-smi " + smi + ", migctl " + migctl);
    }
  }

  private void check(String what, boolean ok) {
    checks++;
    findings.add((ok ? "ok " : "MISMATCH ") + what);
  }
}
