package io.migctl.daemon;

import io.migctl.apply.ApplyJournal;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobTrigger;
import io.migctl.core.job.Scheduler;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.change.DesiredGpu;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Turns MIG off on idle GPUs a job was granted whole ({@code serve --allow-mig-mode-switch}): a
 * layout change like a reshape — stored as a {@code reshape} event on the job first, then applied
 * through the journaled {@code LayoutApplier}, which refuses a GPU anything holds. Runs on the job
 * thread, before the job is placed.
 */
final class MigModeSwitch {

  private static final Logger LOG = Logger.getLogger(MigModeSwitch.class.getName());

  private final MigDriver driver;
  private final ApplyJournal journal;
  private final Supplier<String> applyIds;
  private final EffectRunner runner;
  private final Runnable layoutChanged;

  MigModeSwitch(
      MigDriver driver,
      ApplyJournal journal,
      Supplier<String> applyIds,
      EffectRunner runner,
      Runnable layoutChanged) {
    this.driver = driver;
    this.journal = journal;
    this.applyIds = applyIds;
    this.runner = runner;
    this.layoutChanged = layoutChanged;
  }

  /**
   * Makes the grant's MIG GPUs whole GPUs for {@code job}.
   *
   * @return whether the job may be placed now: nothing to switch, or the switch succeeded
   */
  boolean prepare(Job job, Scheduler.WholeGpuGrant grant) {
    List<Integer> gpus = grant.turnMigOff();
    if (gpus.isEmpty()) {
      return true;
    }
    String what =
        "turn MIG off on GPU"
            + (gpus.size() == 1 ? " " : "s ")
            + gpus
            + " ("
            + grant.instancesToDestroy()
            + " idle GPU instance(s) destroyed) so that this job gets them whole";
    runner.fire(job, new JobTrigger.Reshaped(what));
    Map<Integer, DesiredGpu> desired = new TreeMap<>();
    gpus.forEach(g -> desired.put(g, new DesiredGpu(g, false, List.of(), "job " + job.id())));
    Optional<String> failure = Reshaper.applyLayout(driver, journal, applyIds, desired);
    layoutChanged.run();
    if (failure.isEmpty()) {
      LOG.info("job " + job.id() + ": " + what);
      return true;
    }
    String event = "could not " + what + ": " + failure.get();
    LOG.warning("job " + job.id() + ": " + event);
    runner.fire(job.id(), new JobTrigger.ReshapeFailed(event));
    return false;
  }
}
