package io.migctl.daemon;

import io.migctl.core.access.HostAllowList;
import io.migctl.core.job.JobEnvironment;
import io.migctl.core.job.JobRetention;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.Scheduler;
import io.migctl.core.tenant.Principal;
import io.migctl.core.tenant.Tenant;
import io.migctl.daemon.confine.IsolationChoice;
import io.migctl.daemon.container.ContainerOptions;
import io.migctl.daemon.store.Database;
import io.migctl.daemon.store.TenantStore;
import io.migctl.home.MigctlHome;
import io.migctl.home.PrivateFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The node daemon, running: the store, the job service, the API, as {@link DaemonAssembly} built
 * them; {@link #close()} stops it. One per {@code $MIGCTL_HOME}; a second one on the same home is
 * refused.
 *
 * <p>Its files under the home are {@link MigctlHome}'s. The home is private: a home others can
 * write, or another user's, is refused before anything is written; folders are created 0700 and
 * files 0600 ({@link PrivateFiles}).
 */
public final class NodeDaemon implements AutoCloseable {

  /** The port clients try when nothing else is known. */
  public static final int DEFAULT_PORT = 7468;

  /**
   * @param home {@code $MIGCTL_HOME}
   * @param bind the address to listen on (127.0.0.1 unless asked otherwise)
   * @param port 0 for any free port
   * @param environment the variables jobs start from
   * @param repartition whether and how the daemon reshapes idle instances for waiting jobs
   * @param jobs what the daemon allows its jobs: CPU-job slots, retention, inherited variables
   * @param transport the names clients may use beyond the bind address's, and TLS
   * @param isolation how jobs are confined (their user, cgroups, device nodes)
   * @param containers how jobs that name an image run: the engine, its network, the CDI spec
   */
  public record Options(
      MigctlHome home,
      String bind,
      int port,
      Duration killGrace,
      Scheduler.Policy policy,
      Map<String, String> environment,
      Duration sampleInterval,
      Optional<Path> dcgmJobMappingDir,
      Repartition repartition,
      JobOptions jobs,
      Transport transport,
      IsolationChoice isolation,
      ContainerOptions containers) {

    /** How often the GPUs are sampled for metrics, unless configured otherwise. */
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(2);

    /**
     * Listening on 127.0.0.1 at {@link #DEFAULT_PORT}, jobs starting from {@code env}, every other
     * setting its default.
     */
    public static Options defaults(MigctlHome home, Map<String, String> env) {
      return new Options(
          home,
          "127.0.0.1",
          DEFAULT_PORT,
          JobStateMachine.DEFAULT_KILL_GRACE,
          Scheduler.Policy.DEFAULT,
          env,
          DEFAULT_SAMPLE_INTERVAL,
          Optional.empty(),
          Repartition.OFF,
          JobOptions.defaults(),
          Transport.PLAIN,
          IsolationChoice.NONE,
          ContainerOptions.DEFAULTS);
    }

    public Options withPort(int p) {
      return change(o -> o.port = p);
    }

    public Options withBind(String b) {
      return change(o -> o.bind = b);
    }

    public Options withKillGrace(Duration g) {
      return change(o -> o.killGrace = g);
    }

    public Options withDcgmJobMappingDir(Optional<Path> dir) {
      return change(o -> o.dcgmJobMappingDir = dir);
    }

    /** With dynamic repartitioning as given (off by default). */
    public Options withRepartition(Repartition r) {
      return change(o -> o.repartition = r);
    }

    /**
     * Whether an idle GPU with MIG on may be turned into a whole GPU for a job ({@code serve
     * --allow-mig-mode-switch}; off by default).
     */
    public Options withMigModeSwitch(boolean allow) {
      return change(o -> o.policy = o.policy.withMigModeSwitch(allow));
    }

    /** With the job options as given. */
    public Options withJobs(JobOptions j) {
      return change(o -> o.jobs = j);
    }

    /** With these names allowed and this TLS (plain HTTP, no extra names by default). */
    public Options withTransport(Transport t) {
      return change(o -> o.transport = t);
    }

    /**
     * With jobs confined as {@code i} says ({@link IsolationChoice#NONE} by default; {@code serve}
     * asks for {@link IsolationChoice#AUTO}).
     */
    public Options withIsolation(IsolationChoice i) {
      return change(o -> o.isolation = i);
    }

    /** With these container settings (auto, no network, no CDI spec by default). */
    public Options withContainers(ContainerOptions c) {
      return change(o -> o.containers = c);
    }

    /** A copy with what {@code edit} sets on the copy's fields. */
    private Options change(Consumer<Fields> edit) {
      Fields f = new Fields(this);
      edit.accept(f);
      return f.options();
    }

    /** The components, settable, for {@link #change}. */
    private static final class Fields {
      MigctlHome home;
      String bind;
      int port;
      Duration killGrace;
      Scheduler.Policy policy;
      Map<String, String> environment;
      Duration sampleInterval;
      Optional<Path> dcgmJobMappingDir;
      Repartition repartition;
      JobOptions jobs;
      Transport transport;
      IsolationChoice isolation;
      ContainerOptions containers;

      Fields(Options o) {
        home = o.home;
        bind = o.bind;
        port = o.port;
        killGrace = o.killGrace;
        policy = o.policy;
        environment = o.environment;
        sampleInterval = o.sampleInterval;
        dcgmJobMappingDir = o.dcgmJobMappingDir;
        repartition = o.repartition;
        jobs = o.jobs;
        transport = o.transport;
        isolation = o.isolation;
        containers = o.containers;
      }

      Options options() {
        return new Options(
            home,
            bind,
            port,
            killGrace,
            policy,
            environment,
            sampleInterval,
            dcgmJobMappingDir,
            repartition,
            jobs,
            transport,
            isolation,
            containers);
      }
    }
  }

  /**
   * What the daemon allows its jobs.
   *
   * @param cpuJobs how many jobs without a GPU may run at once ({@code serve --cpu-jobs})
   * @param keepFinished which finished jobs are removed, rows, events and folders ({@code serve
   *     --keep-finished})
   * @param passEnvironment variables of the daemon's environment that jobs get beyond {@link
   *     JobEnvironment#ALLOWED} ({@code serve --pass-env})
   */
  public record JobOptions(int cpuJobs, JobRetention keepFinished, Set<String> passEnvironment) {

    public JobOptions {
      if (cpuJobs < 1) {
        throw new IllegalArgumentException(
            "at least one job without a GPU must be able to run, was " + cpuJobs);
      }
      passEnvironment.forEach(JobEnvironment::checkPassable);
      passEnvironment = Collections.unmodifiableSet(new TreeSet<>(passEnvironment));
    }

    /** As many CPU-job slots as the node has cores, finished jobs kept 30 days, nothing passed. */
    public static JobOptions defaults() {
      return new JobOptions(
          Runtime.getRuntime().availableProcessors(), JobRetention.DEFAULT, Set.of());
    }

    public JobOptions withCpuJobs(int n) {
      return new JobOptions(n, keepFinished, passEnvironment);
    }

    public JobOptions withKeepFinished(JobRetention r) {
      return new JobOptions(cpuJobs, r, passEnvironment);
    }

    public JobOptions withPassEnvironment(Set<String> names) {
      return new JobOptions(cpuJobs, keepFinished, names);
    }
  }

  /**
   * How clients reach the daemon beyond its bind address.
   *
   * @param allowedHosts names a request's {@code Host} may carry besides those of the bind address
   *     ({@code serve --allow-host}); see {@link HostAllowList}
   * @param tls the certificate and key to serve HTTPS with ({@code --tls-cert}, {@code --tls-key});
   *     plain HTTP without
   */
  public record Transport(List<String> allowedHosts, Optional<TlsFiles> tls) {

    /** Plain HTTP, the bind address's names only. */
    public static final Transport PLAIN = new Transport(List.of(), Optional.empty());

    /** Copies the names. */
    public Transport {
      allowedHosts = List.copyOf(allowedHosts);
      Objects.requireNonNull(tls, "tls");
    }
  }

  /**
   * Where the daemon listens, as bound.
   *
   * @param address the bind address and port, e.g. {@code 0.0.0.0:7468}
   * @param url where clients on this machine reach it (a loopback address for a wildcard bind);
   *     what {@code daemon.json} holds
   * @param exposed whether machines other than this one can reach it
   * @param tls whether it serves HTTPS
   * @param hostNames the names a request's {@code Host} may carry
   */
  public record Listening(
      String address, URI url, boolean exposed, boolean tls, List<String> hostNames) {}

  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Database database;
  private final JobService jobs;
  private final TelemetryService telemetry;
  private final Metrics metrics;
  private final ApiServer api;
  private final Listening listening;
  private final MigctlHome home;
  private final TenantStore tenants;
  private final Audit audit;
  private final Clock clock;

  /** Made by {@link DaemonAssembly}, which opened everything given here. */
  NodeDaemon(
      FileChannel lockChannel,
      FileLock lock,
      Database database,
      JobService jobs,
      TelemetryService telemetry,
      Metrics metrics,
      ApiServer api,
      Listening listening,
      MigctlHome home,
      TenantStore tenants,
      Audit audit,
      Clock clock) {
    this.tenants = tenants;
    this.audit = audit;
    this.clock = clock;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.database = database;
    this.jobs = jobs;
    this.telemetry = telemetry;
    this.metrics = metrics;
    this.api = api;
    this.listening = listening;
    this.home = home;
  }

  /**
   * Adds the tenants of {@code declared} that have no record yet, as the operator, each audited
   * before it is stored; a tenant that has a record keeps it (the operator may have changed it
   * since), so a workload cannot loosen limits set with {@code migctl tenant}.
   *
   * @return the names of the tenants added
   */
  public List<String> declareTenants(List<Tenant> declared) {
    List<String> added = new ArrayList<>();
    for (Tenant t : declared) {
      if (tenants.find(t.name()).isEmpty()) {
        audit.record(
            Principal.OPERATOR,
            "tenant-add",
            "tenant " + t.name(),
            TenantViews.TenantView.summary(t) + " (declared by a workload)");
        tenants.add(t, clock.instant());
        added.add(t.name());
      }
    }
    if (!added.isEmpty()) {
      jobs.reschedule();
    }
    return added;
  }

  /** Where clients on this machine reach the daemon. */
  public URI url() {
    return listening.url();
  }

  /** Where the daemon listens, as bound. */
  public Listening listening() {
    return listening;
  }

  public JobService jobs() {
    return jobs;
  }

  public TelemetryService telemetry() {
    return telemetry;
  }

  public Metrics metrics() {
    return metrics;
  }

  public MigctlHome home() {
    return home;
  }

  @Override
  public void close() {
    try {
      api.close();
    } finally {
      telemetry.close();
      jobs.close();
      database.close();
      try {
        Files.deleteIfExists(home.daemonFile());
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        // the lock goes with the process anyway
      }
    }
  }
}
