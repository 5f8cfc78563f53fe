package io.migctl.daemon;

import io.javalin.Javalin;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.cdi.CdiSpec;
import io.migctl.core.access.HostAllowList;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.tenant.TenantDirectory;
import io.migctl.daemon.confine.Confinement;
import io.migctl.daemon.confine.HostIsolation;
import io.migctl.daemon.confine.Isolation;
import io.migctl.daemon.container.ContainerJob;
import io.migctl.daemon.container.ContainerRuntime;
import io.migctl.daemon.container.ContainerRuntimes;
import io.migctl.daemon.container.MigDeviceNodes;
import io.migctl.daemon.store.AuditRecords;
import io.migctl.daemon.store.Database;
import io.migctl.daemon.store.LayoutRecords;
import io.migctl.daemon.store.SqliteJobStore;
import io.migctl.daemon.store.TenantRecords;
import io.migctl.daemon.store.TenantStore;
import io.migctl.daemon.store.TokenRecords;
import io.migctl.daemon.web.WebPage;
import io.migctl.env.builds.EnvironmentBuilds;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.home.MigctlHome;
import io.migctl.home.PrivateFiles;
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.dev.DeviceNode;
import io.migctl.process.SystemToolRunner;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place a daemon is built: from a node (driver, telemetry, description) and its options,
 * the store, the job service, telemetry and metrics, the API with the web page, and {@code
 * daemon.json}. {@code migctl serve}, {@code migctl up}, the tests and the benchmarks all start
 * their daemons here.
 *
 * <p>Start-up is all or nothing: when a step fails, everything the steps before it opened (the
 * lock, the database, the job service, the sampler, a listening API) is closed again, in reverse
 * order, before the error is thrown, so the port is free and the home can be used at once.
 */
public final class DaemonAssembly {

  private static final Logger LOG = Logger.getLogger(DaemonAssembly.class.getName());

  /** How long one tool run of an environment build may take. */
  private static final Duration BUILD_TIMEOUT = Duration.ofHours(2);

  /** Readings the charts keep: an hour at the default interval. */
  private static final int HISTORY = 1800;

  private DaemonAssembly() {}

  /** The daemon's tools (getconf, environment builds): real processes. */
  private static final ToolRunner TOOLS = new SystemToolRunner();

  /**
   * The environment store under {@code home}, as every command and the daemon use it.
   *
   * @return a store of builds in {@link MigctlHome#environments()}, on the system clock
   */
  public static EnvironmentStore environments(MigctlHome home, ToolRunner tools) {
    return new EnvironmentStore(home.environments(), Clock.systemUTC(), tools, BUILD_TIMEOUT);
  }

  /**
   * A daemon on the system clock serving the API and the web page, as {@code serve} and {@code up}
   * start it.
   *
   * @see #start(NodeDaemon.Options, GpuNode, Clock, Consumer)
   */
  public static NodeDaemon start(NodeDaemon.Options options, GpuNode node) {
    return start(options, node, Clock.systemUTC(), app -> {});
  }

  /**
   * Opens the store, reconciles, and starts serving the API and the web page.
   *
   * @param node the GPUs: their driver, telemetry (for metrics) and description (for health)
   * @param clock the daemon's time (a test clock in tests)
   * @param moreRoutes routes served beside the API and the web page (tests add their own)
   * @throws IllegalStateException when another daemon runs on the same home, or the port is in use
   * @throws IllegalArgumentException when the home is another user's or others can write it, the
   *     TLS files cannot be used, or the bind address is no address; nothing was changed then
   * @throws UncheckedIOException when a file under the home cannot be written
   */
  public static NodeDaemon start(
      NodeDaemon.Options options, GpuNode node, Clock clock, Consumer<Javalin> moreRoutes) {
    MigctlHome home = options.home();
    // Checked before anything changes: bad TLS files or a bind address of no interface.
    Optional<TlsFiles.Material> tls = options.transport().tls().map(TlsFiles::load);
    HostAllowList.Bind bind = NetworkNames.bindKind(options.bind());
    HostAllowList hosts =
        HostAllowList.forBind(
            bind, options.bind(), NetworkNames.machineNames(), options.transport().allowedHosts());
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      PrivateFiles.prepareHome(home.root()).ifPresent(LOG::warning);
      FileChannel channel =
          PrivateFiles.open(home.daemonLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      opened.push(channel);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new IllegalStateException(
            "another migctl daemon is running on "
                + home
                + " (see "
                + home.daemonFile()
                + "); stop it first, or give this one another MIGCTL_HOME");
      }
      Database database = Database.open(home.database());
      opened.push(database);
      TokenRecords tokens = DaemonHomeFiles.ownToken(home, new TokenRecords(database), clock);
      EnvironmentStore environments = environments(home, TOOLS);
      TenantStore tenants = new TenantRecords(database);
      Audit audit = new Audit(new AuditRecords(database), clock);
      ContainerRuntime containers = new ContainerRuntimes(TOOLS).choose(options.containers());
      LOG.info("containers: " + containers.description());
      Confinement confinement =
          HostIsolation.confinement(options.isolation(), HostIsolation.probe(), TOOLS);
      Isolation isolation = confinement.isolation();
      if (isolation.confined()) {
        LOG.info("job isolation: " + isolation.describe());
      } else {
        LOG.warning("job isolation: " + isolation.describe());
      }
      if (isolation.confined()) {
        // Jobs of other users reach their own folders by name; nothing here can be listed.
        HostIsolation.letJobsEnter(List.of(home.root(), home.jobs()));
      }
      JobService jobs =
          jobService(
              options,
              node,
              new SqliteJobStore(database),
              environments,
              clock,
              tenants,
              // Unconfined jobs need no device nodes: none are named (nor made, on the simulator).
              new JobConfinement(
                  confinement,
                  isolation.confined() ? device -> deviceNodes(node, device) : device -> List.of()),
              containers);
      opened.push(jobs);
      jobs.start();
      options
          .containers()
          .cdiSpec()
          .ifPresent(
              file -> {
                CdiSpecFile spec = new CdiSpecFile(file, node);
                spec.refresh();
                jobs.onLayoutChange(spec::refresh);
              });
      LayoutRecords layoutRecords = new LayoutRecords(database);
      LayoutService layouts =
          new LayoutService(
              jobs,
              environments,
              new ApplyJournal(home.journal(), clock),
              (request, view) ->
                  layoutRecords.append(
                      clock.instant(),
                      "api: " + view.config(),
                      request.config(),
                      DaemonJson.MAPPER.valueToTree(view).toString(),
                      view.succeeded() ? "applied" : "failed"));
      Map<String, Object> health = new LinkedHashMap<>();
      health.put("driver", node.description());
      health.put("version", version());
      health.put("home", home.toString());
      health.put(
          "isolation",
          Map.of(
              "mode", isolation.mode(),
              "confined", isolation.confined(),
              "detail", isolation.detail()));
      health.put("containers", containers.description());
      TelemetryService telemetry =
          new TelemetryService(
              node.telemetry(),
              TelemetryService.ActiveJobs.of(jobs),
              clock,
              options.sampleInterval(),
              HISTORY);
      opened.push(telemetry);
      Metrics metrics =
          new Metrics(telemetry, jobs, version(), node.description(), NetworkNames.hostname());
      TelemetryApi telemetryApi = new TelemetryApi(telemetry, jobs);
      options
          .dcgmJobMappingDir()
          .ifPresent(dir -> telemetry.onReading(new DcgmJobMapping(dir)::update));
      telemetry.start();
      ApiServer api =
          new ApiServer(
              jobs,
              layouts,
              tokens::resolve,
              tenants,
              audit,
              health,
              openApi(),
              hosts,
              tls,
              app -> {
                metrics.register(app);
                telemetryApi.register(app);
                new EnvironmentApi(
                        new EnvironmentBuilds(
                            environments, options.environment(), EnvironmentBuilds.hostPlatform()),
                        tenants,
                        audit)
                    .register(app);
                new TenantApi(tenants, tokens, jobs, audit, clock).register(app);
                WebPage.register(app);
                moreRoutes.accept(app);
              });
      listen(api, options);
      opened.push(api);
      metrics.logStreams(api::logStreams);
      URI url = NetworkNames.localUrl(tls.isPresent(), options.bind(), api.port());
      NodeDaemon.Listening listening =
          new NodeDaemon.Listening(
              NetworkNames.address(options.bind(), api.port()),
              url,
              bind != HostAllowList.Bind.LOOPBACK,
              tls.isPresent(),
              List.copyOf(hosts.names()));
      DaemonHomeFiles.writeDaemonFile(home, url, options.transport().tls());
      return new NodeDaemon(
          channel, lock, database, jobs, telemetry, metrics, api, listening, home, tenants, audit,
          clock);
    } catch (IOException e) {
      closeAll(opened);
      throw new UncheckedIOException(
          "cannot start the daemon in " + home + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeAll(opened);
      throw e;
    }
  }

  /** The job service of a daemon: the one place it is constructed. */
  private static JobService jobService(
      NodeDaemon.Options options,
      GpuNode node,
      SqliteJobStore store,
      EnvironmentStore environments,
      Clock clock,
      TenantDirectory tenants,
      JobConfinement confinement,
      ContainerRuntime containers) {
    MigctlHome home = options.home();
    DeviceClaims claims =
        node.simulator()
            .map(DeviceClaims::simulated)
            .orElseGet(() -> DeviceClaims.recorded(node.driver()));
    return JobService.real(
        store,
        claims,
        environments,
        home.jobs(),
        clock,
        new JobStateMachine(options.killGrace()),
        options.policy().withCpuJobLimit(options.jobs().cpuJobs()),
        options.environment(),
        options.repartition(),
        new ApplyJournal(home.journal(), clock),
        new JobGuards(
            options.jobs().keepFinished(),
            options.jobs().passEnvironment(),
            ExecLimitsProbe.read(TOOLS, home.root())),
        tenants,
        confinement,
        containers,
        containerDeviceNodes(node));
  }

  /**
   * The device nodes of a job's device: a whole GPU's, or a MIG device's (of its compute instance,
   * found by its UUID).
   */
  private static List<DeviceNode> deviceNodes(GpuNode node, Job.Device device) {
    if (device.whole()) {
      return node.deviceNodes().wholeGpu(device.gpu());
    }
    int ci =
        node.driver().computeInstances(device.gpu(), device.gpuInstanceId()).stream()
            .filter(c -> c.uuid().equals(device.uuid()))
            .mapToInt(ComputeInstance::id)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "MIG device "
                            + device.uuid()
                            + " is no longer on GPU "
                            + device.gpu()
                            + " instance "
                            + device.gpuInstanceId()));
    return node.deviceNodes().migDevice(device.gpu(), device.gpuInstanceId(), ci);
  }

  /**
   * The nodes of a job's MIG device, as {@link #deviceNodes} finds them, each where the container
   * sees it.
   */
  private static MigDeviceNodes containerDeviceNodes(GpuNode node) {
    return device ->
        deviceNodes(node, device).stream()
            .map(n -> new ContainerJob.Node(n.path(), CdiSpec.containerPath(n.path())))
            .toList();
  }

  /** Starts listening; a port in use is said in words with the way out. */
  private static void listen(ApiServer api, NodeDaemon.Options options) {
    try {
      api.start(options.bind(), options.port());
    } catch (RuntimeException e) {
      try {
        api.close();
      } catch (RuntimeException c) {
        e.addSuppressed(c);
      }
      if (e.getCause() instanceof BindException
          || e.getMessage() != null && e.getMessage().contains("Failed to bind")) {
        throw new IllegalStateException(
            "cannot listen on "
                + options.bind()
                + ":"
                + options.port()
                + " (in use?); choose another with --port, or stop what uses it",
            e);
      }
      throw e;
    }
  }

  private static String openApi() throws IOException {
    try (InputStream in = DaemonAssembly.class.getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IOException("openapi.yaml is missing from the daemon's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String version() {
    String v = DaemonAssembly.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Closes what start-up opened, the last first; a failure to close is logged, not thrown. */
  private static void closeAll(Deque<AutoCloseable> opened) {
    while (!opened.isEmpty()) {
      AutoCloseable c = opened.pop();
      try {
        c.close();
      } catch (Exception e) {
        LOG.log(Level.WARNING, "closing " + c + " after a failed start failed: " + e, e);
      }
    }
  }
}
