package io.migctl.daemon.up;

import io.migctl.core.job.Admission;
import io.migctl.core.job.JobSpec;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.plan.DemandPlan;
import io.migctl.core.plan.NodeGpu;
import io.migctl.core.plan.UnplacedJob;
import io.migctl.core.plan.WholeGpuPlan;
import io.migctl.core.workload.Workload;
import io.migctl.core.workload.WorkloadJob;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What keeps a workload from running on this node, found before {@code migctl up} changes anything:
 * environment files that do not parse or that no backend here can build, jobs no GPU of the node
 * can ever serve (by the plan, and by the admission rule the daemon applies), and commands whose
 * program does not exist (a path that is not there, relative to the workload's folder; a program
 * found on no PATH folder, for a job without an environment, whose programs come from the
 * environment once it is built).
 *
 * @param environmentProblem why an environment file cannot be built here, if it cannot
 * @param path the {@code PATH} programs are looked up on
 */
record WorkloadChecks(Function<String, Optional<String>> environmentProblem, String path) {

  /**
   * Every problem, each naming its environment or job; empty when the workload can run.
   *
   * @param workdir the workload file's folder, where its jobs run
   */
  List<String> problems(Workload workload, Path workdir, WholeGpuPlan both, List<NodeGpu> gpus) {
    DemandPlan plan = both.slices();
    Set<String> problems = new LinkedHashSet<>();
    workload
        .environments()
        .forEach((name, file) -> environmentProblem.apply(file).ifPresent(problems::add));
    List<String> never = new ArrayList<>();
    for (UnplacedJob u : plan.unplaced()) {
      if (!u.queues()) {
        problems.add(
            "job " + u.job() + " needs " + u.need() + " and can never run here: " + u.reason());
        never.add(u.job());
      }
    }
    for (WholeGpuPlan.UnplacedWhole u : both.unplacedWhole()) {
      problems.add(
          "job "
              + u.job()
              + " needs "
              + u.gpus()
              + " whole GPUs and cannot run here: "
              + u.reason());
      never.add(u.job());
    }
    List<GpuModel> models = gpus.stream().map(NodeGpu::model).distinct().toList();
    for (WorkloadJob job : workload.jobs()) {
      for (JobSpec replica : job.replicas(Optional.of(workdir.toString()))) {
        if (never.contains(replica.name())) {
          continue;
        }
        try {
          Admission.requirement(Up.asPlanned(replica, plan, gpus), models);
        } catch (IllegalArgumentException e) {
          problems.add("job " + replica.name() + ": " + e.getMessage());
        }
      }
      command(job, workdir).ifPresent(problems::add);
    }
    return List.copyOf(problems);
  }

  /** Why a job's program cannot be started, if that can be known before its environment is. */
  private Optional<String> command(WorkloadJob job, Path workdir) {
    String program = job.command().getFirst();
    String where = "job " + job.name() + ": command " + program;
    if (program.contains("/")) {
      Path file = workdir.resolve(program).normalize();
      if (!Files.isRegularFile(file)) {
        return Optional.of(where + ": no such file (looked for " + file + ")");
      }
      if (!Files.isExecutable(file)) {
        return Optional.of(
            where + ": not executable; chmod +x " + file + ", or run it by its interpreter");
      }
      return Optional.empty();
    }
    if (job.environment().isPresent()) {
      return Optional.empty();
    }
    for (String folder : path.split(File.pathSeparator)) {
      if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, program))) {
        return Optional.empty();
      }
    }
    return Optional.of(
        where
            + ": not found on PATH; install it, give its path, or give the job an environment"
            + " that has it");
  }
}
