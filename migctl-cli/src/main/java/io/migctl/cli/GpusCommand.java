package io.migctl.cli;

import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.GpuTopology;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl gpus}: GPUs, MIG mode, and every instance with its MIG UUID. */
@Command(
    name = "gpus",
    mixinStandardHelpOptions = true,
    description = {
      "GPUs, their MIG mode and instances with MIG device UUIDs.",
      "",
      "For each GPU: MIG mode (current, and pending until a reset), a map of its memory",
      "slices, and every instance: profile, placement (start:size on the memory slices),",
      "GPU and compute instance ids, the MIG device UUID (what CUDA_VISIBLE_DEVICES takes)",
      "and whether a process holds it. With --topo: how the GPUs are connected."
    })
final class GpusCommand implements Runnable {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print JSON: a list with one object per GPU.")
  boolean json;

  @Option(
      names = "--topo",
      description = {
        "Print how the GPUs are connected instead: a matrix like nvidia-smi topo -m",
        "(NV for NVLink, else the PCIe common ancestor: PIX, PXB, PHB, NODE, SYS), as the",
        "driver reports it; with --json, every pair with its level, NVLink and distance."
      })
  boolean topology;

  /** One GPU in {@code gpus --json}. */
  record GpuJson(
      int index,
      String uuid,
      String model,
      String name,
      String pciBusId,
      long memoryMiB,
      boolean migEnabled,
      boolean migPending,
      List<InstanceJson> instances) {}

  /**
   * One MIG device (or a GPU instance without compute instances, with {@code ci} and {@code uuid}
   * null) in {@code gpus --json}.
   */
  record InstanceJson(
      String profile,
      String gpuInstanceProfile,
      int start,
      int size,
      int gi,
      Integer ci,
      Integer ciStart,
      Integer ciSize,
      String uuid,
      boolean busy,
      List<Long> pids) {}

  @Override
  public void run() {
    if (topology) {
      printTopology();
      return;
    }
    List<GpuSnapshot> gpus = GpuSnapshot.readAll(root.driver());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json.print(out, gpus.stream().map(GpusCommand::toJson).toList());
      return;
    }
    for (GpuSnapshot gpu : gpus) {
      printText(out, gpu);
    }
    out.flush();
  }

  private void printTopology() {
    GpuTopology t = root.driver().topology();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json.print(out, TopologyView.toJson(t));
    } else {
      TopologyView.printText(out, t);
    }
  }

  static GpuJson toJson(GpuSnapshot gpu) {
    GpuDevice d = gpu.device();
    List<InstanceJson> instances = new ArrayList<>();
    for (GpuSnapshot.Instance inst : gpu.instances()) {
      String giName = inst.profile().name().toString();
      if (inst.computeInstances().isEmpty()) {
        instances.add(
            new InstanceJson(
                giName,
                giName,
                inst.gpuInstance().placement().start(),
                inst.gpuInstance().placement().size(),
                inst.gpuInstance().id(),
                null,
                null,
                null,
                null,
                false,
                List.of()));
      }
      for (GpuSnapshot.Compute c : inst.computeInstances()) {
        instances.add(
            new InstanceJson(
                c.profile().name().toString(),
                giName,
                inst.gpuInstance().placement().start(),
                inst.gpuInstance().placement().size(),
                inst.gpuInstance().id(),
                c.computeInstance().id(),
                c.computeInstance().placement().start(),
                c.computeInstance().placement().size(),
                c.computeInstance().uuid(),
                c.isBusy(),
                c.processes().stream().map(DeviceProcess::pid).toList()));
      }
    }
    return new GpuJson(
        d.index(),
        d.uuid(),
        gpu.model().name(),
        d.productName(),
        d.pciBusId(),
        d.memoryMiB(),
        d.migMode().current(),
        d.migMode().pending(),
        instances);
  }

  private static void printText(PrintWriter out, GpuSnapshot gpu) {
    GpuDevice d = gpu.device();
    out.printf(
        Locale.ROOT,
        "GPU %d: %s (UUID: %s)  %d MiB  MIG %s%n",
        d.index(),
        d.productName(),
        d.uuid(),
        d.memoryMiB(),
        migModeText(d));
    if (!d.migMode().current()) {
      out.println();
      return;
    }
    boolean anyBusy = gpu.instances().stream().anyMatch(GpuSnapshot.Instance::isBusy);
    out.println("  memory slices " + SliceMap.render(gpu) + (anyBusy ? "  (* busy)" : ""));
    if (gpu.instances().isEmpty()) {
      out.println("  no GPU instances");
      out.println();
      return;
    }
    out.printf(
        Locale.ROOT,
        "  %-3s %-3s %-14s %-9s %-9s %-40s %s%n",
        "GI",
        "CI",
        "PROFILE",
        "PLACEMENT",
        "CI SLICES",
        "MIG DEVICE",
        "STATE");
    for (GpuSnapshot.Instance inst : gpu.instances()) {
      if (inst.computeInstances().isEmpty()) {
        out.printf(
            Locale.ROOT,
            "  %-3d %-3s %-14s %-9s %-9s %-40s %s%n",
            inst.gpuInstance().id(),
            "-",
            inst.profile().name(),
            inst.gpuInstance().placement(),
            "-",
            "(no compute instance: not usable yet)",
            "-");
      }
      for (GpuSnapshot.Compute c : inst.computeInstances()) {
        out.printf(
            Locale.ROOT,
            "  %-3d %-3d %-14s %-9s %-9s %-40s %s%n",
            inst.gpuInstance().id(),
            c.computeInstance().id(),
            c.profile().name(),
            inst.gpuInstance().placement(),
            c.computeInstance().placement(),
            c.computeInstance().uuid(),
            c.isBusy()
                ? "busy (pid "
                    + String.join(
                        ", ", c.processes().stream().map(p -> Long.toString(p.pid())).toList())
                    + ")"
                : "idle");
      }
    }
    out.println();
  }

  private static String migModeText(GpuDevice d) {
    String now = d.migMode().current() ? "enabled" : "disabled";
    if (!d.migMode().isChangePending()) {
      return now;
    }
    return now + " (" + (d.migMode().pending() ? "enabled" : "disabled") + " after a GPU reset)";
  }
}
