package io.migctl.cli;

import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.MigDriver;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl profiles}: the GPU-instance profiles with counts and placements. */
@Command(
    name = "profiles",
    mixinStandardHelpOptions = true,
    description = {
      "MIG profiles with free counts and placements (nvidia-smi mig -lgip and -lgipp).",
      "",
      "For each GPU, like 'nvidia-smi mig -lgip' and '-lgipp' together:",
      "profile id, free/total instances, memory, SMs, engines, and every placement",
      "(start slices and size on the memory-slice axis). Values marked * were not",
      "confirmed by a real nvidia-smi output in migctl's reference catalog."
    })
final class ProfilesCommand implements Runnable {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Option(names = "--gpu", paramLabel = "N", description = "Only this GPU (its index).")
  Integer gpu;

  @Option(names = "--json", description = "Print JSON: a list with one object per GPU.")
  boolean json;

  /** One GPU in {@code profiles --json}. */
  record GpuProfilesJson(
      int index,
      String uuid,
      String model,
      String name,
      int computeSlices,
      int memorySlices,
      boolean migEnabled,
      List<ProfileJson> profiles) {}

  /** One GPU-instance profile in {@code profiles --json}. */
  record ProfileJson(
      String name,
      int id,
      int computeSlices,
      int memorySlices,
      long memoryMiB,
      int maxCount,
      int free,
      int multiprocessors,
      EnginesJson engines,
      List<PlacementJson> placements,
      List<ComputeProfileJson> computeInstanceProfiles,
      List<String> unverified) {}

  /** Engine counts of a profile. */
  record EnginesJson(int copy, int decoders, int encoders, int jpeg, int ofa) {}

  /** A placement: start and size on the slice axis. */
  record PlacementJson(int start, int size) {}

  /** A compute-instance profile inside the GPU instance. */
  record ComputeProfileJson(
      String name, int id, int computeSlices, int maxCount, boolean isDefault) {}

  @Override
  public void run() {
    MigDriver driver = root.driver();
    List<GpuDevice> devices = driver.gpus();
    if (gpu != null && (gpu < 0 || gpu >= devices.size())) {
      throw new InvalidInputException(
          "--gpu "
              + gpu
              + ": there is no such GPU; this node has GPUs 0.."
              + (devices.size() - 1)
              + " (see 'migctl gpus')");
    }
    List<GpuProfilesJson> result = new ArrayList<>();
    for (GpuDevice d : devices) {
      if (gpu == null || gpu == d.index()) {
        result.add(describe(driver, d));
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json.print(out, result);
      return;
    }
    for (GpuProfilesJson g : result) {
      printText(out, g);
    }
    out.flush();
  }

  private static GpuProfilesJson describe(MigDriver driver, GpuDevice d) {
    GpuModel model = driver.migModel(d.index());
    boolean mig = d.migMode().current();
    List<ProfileJson> profiles = new ArrayList<>();
    for (GpuInstanceProfile p : model.profiles()) {
      int free = mig ? driver.remainingCapacity(d.index(), p.id()) : 0;
      profiles.add(
          new ProfileJson(
              p.name().toString(),
              p.id(),
              p.computeSlices(),
              p.memorySlices(),
              p.memoryMiB(),
              p.maxCount(),
              free,
              p.multiprocessors(),
              new EnginesJson(
                  p.engines().copy(),
                  p.engines().decoders(),
                  p.engines().encoders(),
                  p.engines().jpeg(),
                  p.engines().ofa()),
              p.placements().stream().map(pl -> new PlacementJson(pl.start(), pl.size())).toList(),
              ComputeInstanceProfile.of(p).stream()
                  .map(
                      c ->
                          new ComputeProfileJson(
                              c.name().toString(),
                              c.id(),
                              c.computeSlices(),
                              c.maxCount(),
                              c.isDefault()))
                  .toList(),
              List.copyOf(p.unverified().stream().sorted().toList())));
    }
    return new GpuProfilesJson(
        d.index(),
        d.uuid(),
        model.name(),
        d.productName(),
        model.computeSlices(),
        model.memorySlices(),
        mig,
        profiles);
  }

  private static void printText(PrintWriter out, GpuProfilesJson g) {
    out.printf(
        Locale.ROOT,
        "GPU %d: %s (UUID: %s)  %d compute slices, %d memory slices%s%n",
        g.index(),
        g.name(),
        g.uuid(),
        g.computeSlices(),
        g.memorySlices(),
        g.migEnabled() ? "" : "  (MIG disabled: nothing can be created)");
    out.printf(
        Locale.ROOT,
        "  %-12s %4s %10s %11s %5s %4s %4s %4s %5s %4s  %s%n",
        "PROFILE",
        "ID",
        "FREE/TOTAL",
        "MEMORY MiB",
        "SM",
        "CE",
        "DEC",
        "ENC",
        "JPEG",
        "OFA",
        "PLACEMENTS");
    boolean anyUnverified = false;
    for (ProfileJson p : g.profiles()) {
      Set<String> u = Set.copyOf(p.unverified());
      anyUnverified |= !u.isEmpty();
      out.printf(
          Locale.ROOT,
          "  %-12s %4d %10s %11s %5s %4s %4s %4s %5s %4s  %s%n",
          p.name(),
          p.id(),
          (g.migEnabled() ? Integer.toString(p.free()) : "-") + "/" + p.maxCount(),
          mark(p.memoryMiB(), u.contains("memoryMiB")),
          mark(p.multiprocessors(), u.contains("multiprocessors")),
          mark(p.engines().copy(), u.contains("copyEngines")),
          mark(p.engines().decoders(), u.contains("decoders")),
          mark(p.engines().encoders(), u.contains("encoders")),
          mark(p.engines().jpeg(), u.contains("jpeg")),
          mark(p.engines().ofa(), u.contains("ofa")),
          placementsText(p) + (u.contains("placements") ? " *" : ""));
    }
    if (anyUnverified) {
      out.println("  * not confirmed by a real nvidia-smi output (see the reference catalog)");
    }
    out.println();
  }

  private static String mark(long value, boolean unverified) {
    return value + (unverified ? "*" : "");
  }

  private static String placementsText(ProfileJson p) {
    List<String> starts = new ArrayList<>();
    for (PlacementJson pl : p.placements()) {
      starts.add(Integer.toString(pl.start()));
    }
    return "{" + String.join(",", starts) + "}:" + p.memorySlices();
  }
}
