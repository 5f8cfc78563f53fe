package io.migctl.node.daemon;

import io.javalin.Javalin;
import io.migctl.core.access.HostAllowList;
import io.migctl.core.job.ExecLimits;
import io.migctl.core.job.JobEnvironment;
import io.migctl.core.job.JobRetention;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.Scheduler;
import io.migctl.core.metrics.TelemetrySource;
import io.migctl.core.mig.MigDriver;
import io.migctl.env.EnvironmentBuilds;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.node.home.PrivateFiles;
import io.migctl.node.metrics.DcgmJobMapping;
import io.migctl.node.metrics.Metrics;
import io.migctl.node.metrics.TelemetryService;
import io.migctl.node.mig.ApplyJournal;
import io.migctl.node.run.JobProcesses;
import io.migctl.node.store.Database;
import io.migctl.node.store.LayoutRecords;
import io.migctl.node.store.SqliteJobStore;
import io.migctl.node.store.TokenRecords;
import io.migctl.process.SystemToolRunner;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The node daemon, assembled: the store, the job service, the API. One per {@code $MIGCTL_HOME}; a
 * second one on the same home is refused.
 *
 * <p>Files under the home: {@code migctl.db} (SQLite), {@code token}, {@code daemon.json} (where
 * clients find it), {@code daemon.lock}, {@code jobs/<id>/attempt-<n>/}. The home is private: a
 * home others can write, or another user's, is refused before anything is written; folders are
 * created 0700 and files 0600 ({@link PrivateFiles}).
 */
public final class NodeDaemon implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(NodeDaemon.class.getName());

  private static final String OWN_TOKEN = "the daemon's own token, ";

  /** The port clients try when nothing else is known. */
  public static final int DEFAULT_PORT = 7468;

  /**
   * @param home {@code $MIGCTL_HOME}
   * @param bind the address to listen on (127.0.0.1 unless asked otherwise)
   * @param port 0 for any free port
   * @param driverDescription for the health endpoint, e.g. {@code simulated a100-40gb:2}
   * @param environment the variables jobs start from
   * @param repartition whether and how the daemon reshapes idle instances for waiting jobs
   * @param jobs what the daemon allows its jobs: CPU-job slots, retention, inherited variables
   * @param transport the names clients may use beyond the bind address's, and TLS
   */
  public record Options(
      Path home,
      String bind,
      int port,
      Duration killGrace,
      Scheduler.Policy policy,
      String driverDescription,
      Map<String, String> environment,
      Duration sampleInterval,
      Optional<Path> dcgmJobMappingDir,
      JobService.Repartition repartition,
      JobOptions jobs,
      Transport transport) {

    /** How often the GPUs are sampled for metrics, unless configured otherwise. */
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(2);

    public static Options defaults(Path home, String driverDescription, Map<String, String> env) {
      return new Options(
          home,
          "127.0.0.1",
          DEFAULT_PORT,
          JobStateMachine.DEFAULT_KILL_GRACE,
          Scheduler.Policy.DEFAULT,
          driverDescription,
          env,
          DEFAULT_SAMPLE_INTERVAL,
          Optional.empty(),
          JobService.Repartition.OFF,
          JobOptions.defaults(),
          Transport.PLAIN);
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
    public Options withRepartition(JobService.Repartition r) {
      return change(o -> o.repartition = r);
    }

    /** With the job options as given. */
    public Options withJobs(JobOptions j) {
      return change(o -> o.jobs = j);
    }

    /** With these names allowed and this TLS (plain HTTP, no extra names by default). */
    public Options withTransport(Transport t) {
      return change(o -> o.transport = t);
    }

    /** A copy with what {@code edit} sets on the copy's fields. */
    private Options change(Consumer<Fields> edit) {
      Fields f = new Fields(this);
      edit.accept(f);
      return f.options();
    }

    /** The components, settable, for {@link #change}. */
    private static final class Fields {
      Path home;
      String bind;
      int port;
      Duration killGrace;
      Scheduler.Policy policy;
      String driverDescription;
      Map<String, String> environment;
      Duration sampleInterval;
      Optional<Path> dcgmJobMappingDir;
      JobService.Repartition repartition;
      JobOptions jobs;
      Transport transport;

      Fields(Options o) {
        home = o.home;
        bind = o.bind;
        port = o.port;
        killGrace = o.killGrace;
        policy = o.policy;
        driverDescription = o.driverDescription;
        environment = o.environment;
        sampleInterval = o.sampleInterval;
        dcgmJobMappingDir = o.dcgmJobMappingDir;
        repartition = o.repartition;
        jobs = o.jobs;
        transport = o.transport;
      }

      Options options() {
        return new Options(
            home,
            bind,
            port,
            killGrace,
            policy,
            driverDescription,
            environment,
            sampleInterval,
            dcgmJobMappingDir,
            repartition,
            jobs,
            transport);
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
  private final Path home;

  private NodeDaemon(
      FileChannel lockChannel,
      FileLock lock,
      Database database,
      JobService jobs,
      TelemetryService telemetry,
      Metrics metrics,
      ApiServer api,
      Listening listening,
      Path home) {
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
   * Opens the store, reconciles, and starts serving.
   *
   * @param telemetry reads the GPUs for metrics (the simulated node's or NVML's)
   * @param routes adds more routes (the web page) to the server
   * @throws IllegalStateException when another daemon runs on the same home
   * @throws IllegalArgumentException when the home is another user's or others can write it, the
   *     TLS files cannot be used, or the bind address is no address; nothing was changed then
   */
  public static NodeDaemon start(
      Options options,
      MigDriver driver,
      EnvironmentStore environments,
      TelemetrySource telemetrySource,
      Clock clock,
      Consumer<Javalin> routes) {
    Path home = options.home();
    // Checked before anything changes: bad TLS files or a bind address of no interface.
    Optional<TlsFiles.Material> tls = options.transport().tls().map(TlsFiles::load);
    HostAllowList.Bind bind = bindKind(options.bind());
    HostAllowList hosts =
        HostAllowList.forBind(
            bind, options.bind(), machineNames(), options.transport().allowedHosts());
    FileChannel channel = null;
    Database database = null;
    JobService jobs = null;
    TelemetryService telemetry = null;
    try {
      PrivateFiles.prepareHome(home).ifPresent(LOG::warning);
      channel =
          PrivateFiles.open(
              home.resolve("daemon.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new IllegalStateException(
            "another migctl daemon is running on "
                + home
                + " (see "
                + home.resolve("daemon.json")
                + "); stop it first, or give this one another MIGCTL_HOME");
      }
      database = Database.open(home.resolve("migctl.db"));
      SqliteJobStore store = new SqliteJobStore(database);
      String token = Tokens.loadOrCreate(home.resolve("token"));
      TokenRecords tokens = new TokenRecords(database);
      if (!tokens.matches(token)) {
        // The file was replaced: the token it held before no longer opens the API.
        for (TokenRecords.TokenRecord old : tokens.list()) {
          if (old.description().startsWith(OWN_TOKEN)) {
            tokens.remove(old.id());
          }
        }
        tokens.add(token, OWN_TOKEN + home.resolve("token"), clock.instant());
      }
      jobs =
          new JobService(
              store,
              driver,
              new JobProcesses(),
              environments,
              home.resolve("jobs"),
              clock,
              new JobStateMachine(options.killGrace()),
              options.policy().withCpuJobLimit(options.jobs().cpuJobs()),
              options.environment(),
              options.repartition(),
              new ApplyJournal(home.resolve("mig/journal.jsonl"), clock),
              new JobService.Guards(
                  options.jobs().keepFinished(),
                  options.jobs().passEnvironment(),
                  execLimits(new SystemToolRunner(), home)));
      jobs.start();
      LayoutRecords layoutRecords = new LayoutRecords(database);
      LayoutService layouts =
          new LayoutService(
              jobs,
              environments,
              new ApplyJournal(home.resolve("mig/journal.jsonl"), clock),
              (request, view) ->
                  layoutRecords.append(
                      clock.instant(),
                      "api: " + view.config(),
                      request.config(),
                      DaemonJson.MAPPER.valueToTree(view).toString(),
                      view.succeeded() ? "applied" : "failed"));
      Map<String, Object> health = new LinkedHashMap<>();
      health.put("driver", options.driverDescription());
      health.put("version", version());
      health.put("home", home.toString());
      TelemetryService sampler =
          new TelemetryService(telemetrySource, jobs, clock, options.sampleInterval(), HISTORY);
      telemetry = sampler;
      Metrics metrics =
          new Metrics(sampler, jobs, version(), options.driverDescription(), hostname());
      options
          .dcgmJobMappingDir()
          .ifPresent(
              dir -> {
                DcgmJobMapping mapping = new DcgmJobMapping(dir);
                sampler.onReading(mapping::update);
              });
      sampler.start();
      ApiServer api =
          new ApiServer(
                  jobs,
                  layouts,
                  tokens::matches,
                  health,
                  openApi(),
                  hosts,
                  tls,
                  app -> {
                    metrics.register(app);
                    new EnvironmentApi(
                            new EnvironmentBuilds(
                                environments,
                                options.environment(),
                                EnvironmentBuilds.hostPlatform()))
                        .register(app);
                    routes.accept(app);
                  })
              .start(options.bind(), options.port());
      metrics.logStreams(api::logStreams);
      URI url =
          URI.create(
              (tls.isPresent() ? "https://" : "http://")
                  + hostForUrl(options.bind())
                  + ":"
                  + api.port());
      Listening listening =
          new Listening(
              hostForUrl(options.bind().isBlank() ? "0.0.0.0" : options.bind(), false)
                  + ":"
                  + api.port(),
              url,
              bind != HostAllowList.Bind.LOOPBACK,
              tls.isPresent(),
              List.copyOf(hosts.names()));
      writeDaemonFile(home, url, options.transport().tls());
      return new NodeDaemon(
          channel, lock, database, jobs, telemetry, metrics, api, listening, home);
    } catch (IOException e) {
      closeQuietly(telemetry, jobs, database, channel);
      throw new UncheckedIOException(
          "cannot start the daemon in " + home + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(telemetry, jobs, database, channel);
      throw e;
    }
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

  public Path home() {
    return home;
  }

  public Path tokenFile() {
    return home.resolve("token");
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
        Files.deleteIfExists(home.resolve("daemon.json"));
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        // the lock goes with the process anyway
      }
    }
  }

  /**
   * {@code daemon.json}: the URL for clients on this machine, the pid, and with TLS the
   * certificate's path, which local clients trust without being told.
   */
  private static void writeDaemonFile(Path home, URI url, Optional<TlsFiles> tls)
      throws IOException {
    Path tmp = home.resolve("daemon.json.tmp");
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("url", url.toString());
    content.put("pid", ProcessHandle.current().pid());
    tls.ifPresent(t -> content.put("tlsCertificate", t.certificate().toAbsolutePath().toString()));
    String json = DaemonJson.MAPPER.writeValueAsString(content);
    PrivateFiles.writeString(tmp, json + "\n");
    Files.move(
        tmp,
        home.resolve("daemon.json"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** The host of the URL for local clients: a wildcard bind is reached through 127.0.0.1. */
  private static String hostForUrl(String bind) {
    return hostForUrl(bind, true);
  }

  private static String hostForUrl(String bind, boolean loopbackForWildcard) {
    if (loopbackForWildcard && (bind.equals("0.0.0.0") || bind.equals("::") || bind.isBlank())) {
      return "127.0.0.1";
    }
    return bind.contains(":") ? "[" + bind + "]" : bind;
  }

  /**
   * The node's {@code execve} limits: {@code ARG_MAX} as {@code getconf} reports it, read once per
   * daemon; {@link ExecLimits#DEFAULT} (the least Linux gives) when it cannot be read.
   */
  static ExecLimits execLimits(ToolRunner runner, Path home) {
    try {
      ToolResult r =
          runner.run(
              ToolCommand.of("getconf", "ARG_MAX")
                  .withWorkdir(home)
                  .withTimeout(Duration.ofSeconds(10)));
      String out = r.stdout().strip();
      if (r.succeeded() && out.matches("\\d{6,18}")) {
        return new ExecLimits(Long.parseLong(out));
      }
      LOG.warning("getconf ARG_MAX said '" + out + "' (" + r.ending() + "); " + ARG_MAX_DEFAULT);
    } catch (IOException | IllegalArgumentException e) {
      LOG.warning("cannot use getconf ARG_MAX: " + e.getMessage() + "; " + ARG_MAX_DEFAULT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ExecLimits.DEFAULT;
  }

  private static final String ARG_MAX_DEFAULT =
      "jobs are held to Linux's least ARG_MAX, " + ExecLimits.DEFAULT_ARG_MAX + " bytes";

  /** Whether {@code bind} is a loopback address, every address, or one other. */
  private static HostAllowList.Bind bindKind(String bind) {
    if (bind.isBlank()) {
      return HostAllowList.Bind.WILDCARD;
    }
    try {
      InetAddress address = InetAddress.getByName(bind);
      return address.isAnyLocalAddress()
          ? HostAllowList.Bind.WILDCARD
          : address.isLoopbackAddress() ? HostAllowList.Bind.LOOPBACK : HostAllowList.Bind.ADDRESS;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "--bind "
              + bind
              + ": no such address or name; give an address of this machine, e.g."
              + " 127.0.0.1 or 0.0.0.0");
    }
  }

  /** This machine's names and the addresses of its interfaces, for the Host check. */
  private static List<String> machineNames() {
    Set<String> names = new LinkedHashSet<>();
    try {
      InetAddress local = InetAddress.getLocalHost();
      names.add(local.getHostName());
      names.add(local.getCanonicalHostName());
    } catch (UnknownHostException e) {
      // no name resolves for this machine: its addresses still count
    }
    try {
      for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
        nic.inetAddresses().forEach(a -> names.add(a.getHostAddress()));
      }
    } catch (SocketException e) {
      // no interfaces to list: the names above and --allow-host remain
    }
    return List.copyOf(names);
  }

  private static String openApi() throws IOException {
    try (InputStream in = NodeDaemon.class.getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IOException("openapi.yaml is missing from the daemon's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Readings the charts keep: an hour at the default interval. */
  private static final int HISTORY = 1800;

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  private static String version() {
    String v = NodeDaemon.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static void closeQuietly(
      TelemetryService telemetry, JobService jobs, Database database, FileChannel channel) {
    if (telemetry != null) {
      telemetry.close();
    }
    if (jobs != null) {
      jobs.close();
    }
    if (database != null) {
      database.close();
    }
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }
}
