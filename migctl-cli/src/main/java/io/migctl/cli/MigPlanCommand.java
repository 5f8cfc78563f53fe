package io.migctl.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.migctl.apply.MigPartedWriter;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.plan.DemandPlan;
import io.migctl.core.plan.DemandPlanner;
import io.migctl.core.plan.NodeGpu;
import io.migctl.core.plan.WholeGpuPlan;
import io.migctl.core.tenant.TenantDirectory;
import io.migctl.core.workload.Workload;
import io.migctl.input.TextFiles;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import io.migctl.workload.WorkloadFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl mig plan}: MIG layouts from what a workload's jobs need. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Choose MIG layouts for a workload's jobs.",
      "",
      "Each job gets the smallest profile that fits its need; all are placed on the fewest",
      "GPUs, leaving the most contiguous room (an exact search per GPU, branch and bound across",
      "GPUs). Prints the reasoning and a mig-parted v1 file that 'mig apply' takes; jobs that",
      "cannot be placed are named with the reason. No tenant of the workload's tenants: is",
      "planned more than its quota lets it hold at once; the jobs a quota leaves out queue.",
      "Exit 1 when some job could never run on these GPUs.",
      "",
      "Plans for this node's GPUs (keeping instances in use), or for --gpus SPEC.",
      "Jobs that need whole GPUs (gpus: N in the workload, or --whole-gpus) are placed first on GPUs left",
      "with MIG off (listed, and given mig-enabled: false in the file), the slices on the rest."
    })
final class MigPlanCommand implements Callable<Integer> {

  @ParentCommand MigCommand mig;
  @Spec CommandSpec spec;

  @Option(
      names = "--workload",
      paramLabel = "FILE",
      required = true,
      description = "The workload file (the format of 'migctl up').")
  Path workload;

  @Option(
      names = "--gpus",
      paramLabel = "SPEC",
      description = "Plan for these GPUs instead of this node's, e.g. a100-40gb:8 or h100-80gb:2.")
  String gpus;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "Write the mig-parted file there (default: standard output, after the reasoning).")
  Path output;

  @Option(
      names = "--config-name",
      paramLabel = "NAME",
      description = "The config's name in the file (default: the workload's name).")
  String configName;

  @Option(names = "--json", description = "Print the plan as JSON.")
  boolean json;

  @Option(
      names = "--whole-gpus",
      paramLabel = "JOB=N",
      split = ",",
      description = {
        "Also plan job JOB, not in the workload, needing N whole GPUs at once (MIG off on them),",
        "e.g. --whole-gpus nccl-train=4,render=1."
      })
  List<String> wholeGpus = new ArrayList<>();

  /**
   * {@code mig plan --json}; {@code quotaCuts} only when a tenant's quota left jobs out, so that
   * plans without tenants print as before.
   */
  record PlanJson(
      boolean placedAll,
      boolean optimal,
      int gpusUsed,
      List<String> reasoning,
      List<AssignmentJson> assignments,
      List<String> withoutGpu,
      List<UnplacedJson> unplaced,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<QuotaCutJson> quotaCuts,
      String migParted,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<WholeGpusJson> wholeGpus,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> migOff) {}

  /** A job given whole GPUs ({@code --whole-gpus}). */
  record WholeGpusJson(String job, List<Integer> gpus) {}

  record AssignmentJson(String job, String need, int gpu, String profile, int start, int size) {}

  record UnplacedJson(String job, String need, boolean queues, String reason) {}

  /** A job its tenant's quota left out: which limit, its value, the tenant's planned use, more. */
  record QuotaCutJson(
      String job, String tenant, String limit, long max, long inUse, long wouldUse) {}

  @Override
  public Integer call() {
    if (!Files.isRegularFile(workload)) {
      throw new InvalidInputException("--workload " + workload + ": no such file");
    }
    Workload w = WorkloadFiles.read(workload.toAbsolutePath());
    List<NodeGpu> node = new ArrayList<>();
    if (gpus != null) {
      List<GpuModel> models;
      try {
        models = SimulatedNodeSpec.parse(gpus).gpus();
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("--gpus: " + e.getMessage(), e);
      }
      for (int i = 0; i < models.size(); i++) {
        node.add(new NodeGpu(i, models.get(i)));
      }
    } else {
      for (GpuSnapshot s : GpuSnapshot.readAll(mig.driver())) {
        node.add(NodeGpu.keepingBusy(s));
      }
    }
    WholeGpuPlan.Split split = WholeGpuPlan.split(w.demands());
    List<WholeGpuPlan.WholeGpuDemand> whole = new ArrayList<>(split.whole());
    whole.addAll(wholeDemands());
    WholeGpuPlan both;
    try {
      both =
          WholeGpuPlan.plan(
              new DemandPlanner(), split.slices(), whole, node, TenantDirectory.of(w.tenants()));
    } catch (IllegalArgumentException e) {
      if (whole.isEmpty()) {
        throw e;
      }
      throw new InvalidInputException("--whole-gpus: " + e.getMessage(), e);
    }
    DemandPlan plan = both.slices();
    String name = configName != null ? configName : w.name();
    String yaml = MigPartedWriter.yaml(both.migPartedConfig(name));
    List<UnplacedJson> unplaced = new ArrayList<>();
    both.unplacedWhole()
        .forEach(
            u ->
                unplaced.add(
                    new UnplacedJson(
                        u.job(), u.gpus() + " whole GPUs", u.gpus() <= node.size(), u.reason())));
    plan.unplaced()
        .forEach(
            u ->
                unplaced.add(
                    new UnplacedJson(u.job(), u.need().toString(), u.queues(), u.reason())));
    PrintWriter out = spec.commandLine().getOut();
    if (output != null) {
      try {
        Files.writeString(output, yaml);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + output + ": " + TextFiles.problem(e), e);
      }
    }
    if (json) {
      Json.print(
          out,
          new PlanJson(
              plan.placedAll(),
              plan.optimal(),
              plan.gpusUsed(),
              plan.reasoning(),
              plan.assignments().stream()
                  .map(
                      a ->
                          new AssignmentJson(
                              a.job(),
                              a.need().toString(),
                              a.gpu(),
                              a.instance().profile().name().toString(),
                              a.instance().placement().start(),
                              a.instance().placement().size()))
                  .toList(),
              plan.withoutGpu(),
              unplaced,
              plan.quotaCuts().stream()
                  .map(
                      c ->
                          new QuotaCutJson(
                              c.job(),
                              c.tenant(),
                              c.reached().limit().option(),
                              c.reached().max(),
                              c.reached().inUse(),
                              c.reached().wouldUse()))
                  .toList(),
              yaml,
              both.whole().stream().map(x -> new WholeGpusJson(x.job(), x.gpus())).toList(),
              both.migOff()));
    } else {
      both.reasoning().forEach(l -> out.println("# " + l));
      both.unplacedWhole().forEach(u -> out.println("# " + u.job() + ": " + u.reason()));
      if (!both.migOff().isEmpty()) {
        out.println("# GPUs left with MIG off (whole): " + both.migOff());
      }
      if (output == null) {
        out.print(yaml);
      } else {
        out.println(
            "# written to "
                + output
                + "; apply with: migctl mig apply -f "
                + output
                + " -c "
                + name);
      }
      out.flush();
    }
    // Jobs that wait for a slice are fine; a job no GPU here could ever run is a failure.
    return unplaced.stream().allMatch(UnplacedJson::queues) ? ExitCode.OK : ExitCode.FAILURE;
  }

  /** {@code --whole-gpus JOB=N,...}. */
  private List<WholeGpuPlan.WholeGpuDemand> wholeDemands() {
    List<WholeGpuPlan.WholeGpuDemand> out = new ArrayList<>();
    for (String item : wholeGpus) {
      String[] f = item.split("=", -1);
      int n;
      try {
        n = f.length == 2 ? Integer.parseInt(f[1].strip()) : -1;
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 1) {
        throw new InvalidInputException(
            "--whole-gpus " + item + ": write JOB=N with N whole GPUs, 1 or more, e.g. train=4");
      }
      out.add(new WholeGpuPlan.WholeGpuDemand(f[0].strip(), n, 0));
    }
    return out;
  }
}
