package io.migctl.daemon;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.ApplyResult;
import io.migctl.apply.GpuResult;
import io.migctl.apply.LayoutApplier;
import io.migctl.apply.MigPartedFiles;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobState;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.MigPartedConfig;
import io.migctl.env.store.EnvironmentStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * GPUs, environments and layout changes through the API. A layout apply runs on the job thread, so
 * no job is placed on an instance while it is being reshaped, and it goes through the same planner
 * as {@code migctl mig apply}: a busy instance is never touched.
 */
public final class LayoutService {

  private final JobService jobs;
  private final EnvironmentStore environments;
  private final ApplyJournal journal;
  private final BiConsumer<ApplyRequest, ApplyView> record;

  /**
   * @param record called with every apply that was not a dry run, to keep it in the store
   */
  public LayoutService(
      JobService jobs,
      EnvironmentStore environments,
      ApplyJournal journal,
      BiConsumer<ApplyRequest, ApplyView> record) {
    this.jobs = jobs;
    this.environments = environments;
    this.journal = journal;
    this.record = record;
  }

  /**
   * The body of {@code POST /api/v1/layout/apply}.
   *
   * @param config the text of a mig-parted v1 file
   * @param select which of its configs (may be left out when it has one)
   * @param dryRun plan only
   */
  public record ApplyRequest(String config, String select, Boolean dryRun) {}

  /**
   * What an apply planned and did, per GPU: each GPU's steps and outcome ({@link GpuResult}).
   *
   * @param failure the failed step, the driver's error and the state reached, when a step failed
   */
  public record ApplyView(
      String config,
      boolean dryRun,
      boolean succeeded,
      List<GpuResult> gpus,
      List<String> refused,
      String failure,
      int operations) {}

  /**
   * The error document of an apply whose driver step failed: {@code apply-failed}, the message
   * (step, error, state reached per GPU), and every GPU's outcome.
   */
  public record ApplyFailedView(
      String code, String message, String config, List<GpuResult> gpus, int operations) {

    /** The error document for a failed apply. */
    public static ApplyFailedView of(ApplyView view) {
      return new ApplyFailedView(
          "apply-failed", view.failure(), view.config(), view.gpus(), view.operations());
    }
  }

  public List<Views.GpuView> gpus() {
    Map<String, Job> byDevice = new HashMap<>();
    for (Job j :
        jobs.list(
            new io.migctl.core.job.JobQuery(
                Set.of(JobState.STARTING, JobState.RUNNING, JobState.STOPPING),
                Optional.empty(),
                Optional.empty(),
                JobQuery.MAX_LIMIT))) {
      j.device().ifPresent(d -> byDevice.put(d.uuid(), j));
    }
    return Views.gpus(jobs.gpus(), byDevice);
  }

  public List<Views.EnvironmentView> environments() {
    return environments.list().stream().map(Views.EnvironmentView::of).toList();
  }

  /**
   * Plans and (unless a dry run) applies a config. A driver step that fails is undone on its GPU
   * (see {@link LayoutApplier}); the view then has the failure, which the API answers with 500 and
   * {@link ApplyFailedView}.
   *
   * @throws DaemonException {@code invalid} for a file that does not parse or does not fit the GPUs
   *     (a GPU index the node lacks included), {@code conflict} when the plan would touch a busy
   *     instance
   */
  public ApplyView apply(ApplyRequest request) {
    if (request.config() == null || request.config().isBlank()) {
      throw DaemonException.invalid("config: give the text of a mig-parted v1 file");
    }
    boolean dryRun = Boolean.TRUE.equals(request.dryRun());
    MigPartedConfig parsed;
    List<ConfigEntry> entries;
    String name;
    try {
      parsed = MigPartedFiles.readConfig(request.config(), "request body");
      entries = parsed.select(Optional.ofNullable(request.select()));
      name = parsed.selectedName(Optional.ofNullable(request.select()));
    } catch (IllegalArgumentException e) {
      throw DaemonException.invalid("config: " + e.getMessage());
    }
    ApplyView view =
        jobs.exclusive(
            () -> {
              List<GpuSnapshot> live = jobs.gpus();
              Map<Integer, DesiredGpu> desired;
              try {
                desired = DesiredLayouts.resolve(entries, live);
              } catch (ConfigException e) {
                throw DaemonException.invalid("config: " + e.getMessage());
              }
              LayoutApplier applier =
                  new LayoutApplier(
                      jobs.driver(),
                      journal,
                      ApplyHooks.NONE,
                      () -> UUID.randomUUID().toString(),
                      line -> {});
              ApplyResult result = dryRun ? applier.plan(desired, live) : applier.apply(desired);
              return new ApplyView(
                  name,
                  dryRun,
                  result.succeeded(),
                  result.gpus(),
                  result.refusals(),
                  result.failure().orElse(null),
                  result.operations());
            });
    if (!dryRun) {
      record.accept(request, view);
      jobs.layoutChanged();
      jobs.reschedule();
    }
    if (!view.refused().isEmpty()) {
      throw DaemonException.conflict(String.join("; ", view.refused()) + "; nothing was changed");
    }
    return view;
  }
}
