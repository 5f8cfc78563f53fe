package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.apply.ApplyJournal;
import io.migctl.core.job.ExecLimits;
import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobRetention;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobState;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.Scheduler;
import io.migctl.core.job.WaitingReason;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.tenant.Principal;
import io.migctl.core.tenant.TenantDirectory;
import io.migctl.daemon.container.ContainerRuntime;
import io.migctl.daemon.container.FakeContainerRuntime;
import io.migctl.daemon.container.MigDeviceNodes;
import io.migctl.daemon.run.FakeProcessLauncher;
import io.migctl.daemon.store.InMemoryJobStore;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import io.migctl.process.ScriptedToolRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole job runtime on virtual time, for scenario tests: the in-memory store, the fake process
 * launcher, the simulated driver (in memory), an inline job thread and virtual timers. Nothing
 * sleeps: {@link #advance} moves the clock and runs what falls due; every call returns once the
 * runtime has settled. {@link #crash} drops the runtime (its timers and job thread) and starts
 * another on the same store, processes and driver, as a daemon restarted after {@code kill -9}.
 */
final class RuntimeScenario implements AutoCloseable {

  static final Instant T0 = Instant.parse("2026-05-01T08:00:00Z");

  final VirtualClock clock = new VirtualClock(T0);
  final InMemoryJobStore store = new InMemoryJobStore();
  final FakeProcessLauncher launcher = new FakeProcessLauncher(clock);
  final FakeContainerRuntime fakeContainers = new FakeContainerRuntime();

  /** What runs jobs with an image; a scenario may set another before {@link #start}. */
  ContainerRuntime containers = fakeContainers;

  final SimulatedMigDriver sim;
  final Duration killGrace;
  private final Path home;
  private final Scheduler.Policy policy;
  private final Repartition repartition;

  /** Who shares the node; a scenario may set tenants before {@link #start}. */
  TenantDirectory tenants = TenantDirectory.of(java.util.List.of());

  /** What confines each attempt; a scenario may set it before {@link #start}. */
  JobConfinement confinement = JobConfinement.none("a scenario without confinement");

  private VirtualTimers timers;
  private InlineJobThread thread;
  private JobService jobs;

  /**
   * @param home a folder for the jobs' folders and the reshape journal (nothing else is written)
   */
  RuntimeScenario(
      Path home,
      String node,
      Scheduler.Policy policy,
      Repartition repartition,
      Duration killGrace) {
    this.home = home;
    this.sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse(node));
    this.policy = policy;
    this.repartition = repartition;
    this.killGrace = killGrace;
  }

  RuntimeScenario(Path home, String node) {
    this(home, node, Scheduler.Policy.DEFAULT, Repartition.OFF, Duration.ofSeconds(10));
  }

  /** Starts a runtime (reconciling what the store holds) and lets it settle. */
  RuntimeScenario start() {
    timers = new VirtualTimers(clock);
    thread = new InlineJobThread();
    RuntimePorts ports =
        new RuntimePorts(
            store,
            launcher,
            DeviceClaims.simulated(sim),
            clock,
            thread,
            timers,
            timers,
            new Ids("apply-")::next,
            tenants,
            confinement,
            containers,
            MigDeviceNodes.NONE);
    RuntimeSettings settings =
        new RuntimeSettings(
            home.resolve("jobs"),
            new JobStateMachine(killGrace),
            policy,
            Map.of("PATH", "/usr/bin:/bin"),
            repartition,
            new JobGuards(JobRetention.DEFAULT, Set.of(), ExecLimits.DEFAULT),
            JobService.TICK);
    jobs =
        new JobService(
            ports,
            new EnvironmentStore(
                home.resolve("envs"), clock, new ScriptedToolRunner(), Duration.ofMinutes(1)),
            new ApplyJournal(home.resolve("mig/journal.jsonl"), clock),
            settings);
    jobs.start();
    settle();
    return this;
  }

  /** The daemon dies; {@link #start} brings up another on the same store, processes and driver. */
  RuntimeScenario down() {
    jobs.close();
    return this;
  }

  /** The daemon dies (nothing it had in memory survives) and a new one starts. */
  RuntimeScenario crash() {
    jobs.close();
    return start();
  }

  JobService jobs() {
    return jobs;
  }

  /** Moves virtual time forward, running every timer that falls due on the way. */
  void advance(Duration by) {
    timers.advance(by);
    settle();
  }

  /** Runs what is due now. */
  void settle() {
    timers.advance(Duration.ZERO);
    assertThat(thread.failures()).as("tasks that failed on the job thread").isEmpty();
  }

  long submit(JobSpec spec) {
    long id = jobs.submit(spec, Principal.OPERATOR).id();
    settle();
    return id;
  }

  static JobSpec spec(String name, String profile) {
    return JobSpec.of(name, List.of("train"), new GpuNeed.Profile(ProfileName.parse(profile)));
  }

  Job job(long id) {
    return jobs.require(id);
  }

  JobState state(long id) {
    return job(id).state();
  }

  Optional<WaitingReason> waiting(long id) {
    return jobs.waitingReason(id);
  }

  List<String> kinds(long id) {
    return jobs.events(id).stream().map(JobEvent::kind).toList();
  }

  /** The fake process of a job's current attempt. */
  FakeProcessLauncher.FakeProcess process(long id) {
    return launcher.process(jobs.attemptDir(job(id))).orElseThrow();
  }

  /** The profile of the MIG device a job holds. */
  String profileOf(long id) {
    return job(id).device().orElseThrow().profile();
  }

  /** Creates a GPU instance (and its default compute instance) of {@code profile} at start. */
  void create(int gpu, String profile, int start) {
    create(sim, gpu, profile, start);
  }

  /** As {@link #create(int, String, int)}, on any simulated node. */
  static void create(SimulatedMigDriver sim, int gpu, String profile, int start) {
    GpuModel model = sim.migModel(gpu);
    var p = model.profile(ProfileName.parse(profile)).orElseThrow();
    GpuInstance gi =
        sim.createGpuInstance(gpu, p.id(), Optional.of(new Placement(start, p.memorySlices())));
    int ci =
        model.computeInstanceProfiles(p).stream()
            .filter(ComputeInstanceProfile::isDefault)
            .findFirst()
            .orElseThrow()
            .id();
    sim.createComputeInstance(gpu, gi.id(), ci, Optional.empty());
  }

  @Override
  public void close() {
    if (jobs != null) {
      jobs.close();
    }
  }

  /** Ids with a prefix and a counter: injected where the runtime would draw random ones. */
  private static final class Ids {
    private final String prefix;
    private long next;

    Ids(String prefix) {
      this.prefix = prefix;
    }

    String next() {
      return prefix + ++next;
    }
  }
}
