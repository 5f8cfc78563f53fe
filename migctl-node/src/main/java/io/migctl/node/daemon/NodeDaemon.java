package io.migctl.node.daemon;

import io.javalin.Javalin;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.Scheduler;
import io.migctl.core.metrics.TelemetrySource;
import io.migctl.core.mig.MigDriver;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The node daemon, assembled: the store, the job service, the API. One per {@code $MIGCTL_HOME}; a
 * second one on the same home is refused.
 *
 * <p>Files under the home: {@code migctl.db} (SQLite), {@code token}, {@code daemon.json} (where
 * clients find it), {@code daemon.lock}, {@code jobs/<id>/attempt-<n>/}.
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
      JobService.Repartition repartition) {

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
          JobService.Repartition.OFF);
    }

    public Options withPort(int p) {
      return new Options(
          home,
          bind,
          p,
          killGrace,
          policy,
          driverDescription,
          environment,
          sampleInterval,
          dcgmJobMappingDir,
          repartition);
    }

    public Options withBind(String b) {
      return new Options(
          home,
          b,
          port,
          killGrace,
          policy,
          driverDescription,
          environment,
          sampleInterval,
          dcgmJobMappingDir,
          repartition);
    }

    public Options withKillGrace(Duration g) {
      return new Options(
          home,
          bind,
          port,
          g,
          policy,
          driverDescription,
          environment,
          sampleInterval,
          dcgmJobMappingDir,
          repartition);
    }

    public Options withDcgmJobMappingDir(Optional<Path> dir) {
      return new Options(
          home,
          bind,
          port,
          killGrace,
          policy,
          driverDescription,
          environment,
          sampleInterval,
          dir,
          repartition);
    }

    /** With dynamic repartitioning as given (off by default). */
    public Options withRepartition(JobService.Repartition r) {
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
          r);
    }
  }

  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Database database;
  private final JobService jobs;
  private final TelemetryService telemetry;
  private final Metrics metrics;
  private final ApiServer api;
  private final URI url;
  private final Path home;

  private NodeDaemon(
      FileChannel lockChannel,
      FileLock lock,
      Database database,
      JobService jobs,
      TelemetryService telemetry,
      Metrics metrics,
      ApiServer api,
      URI url,
      Path home) {
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.database = database;
    this.jobs = jobs;
    this.telemetry = telemetry;
    this.metrics = metrics;
    this.api = api;
    this.url = url;
    this.home = home;
  }

  /**
   * Opens the store, reconciles, and starts serving.
   *
   * @param telemetry reads the GPUs for metrics (the simulated node's or NVML's)
   * @param routes adds more routes (the web page) to the server
   * @throws IllegalStateException when another daemon runs on the same home
   * @throws IllegalArgumentException when the home is another user's or others can write it
   */
  public static NodeDaemon start(
      Options options,
      MigDriver driver,
      EnvironmentStore environments,
      TelemetrySource telemetrySource,
      Clock clock,
      Consumer<Javalin> routes) {
    Path home = options.home();
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
              options.policy(),
              options.environment(),
              options.repartition(),
              new ApplyJournal(home.resolve("mig/journal.jsonl"), clock));
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
                  app -> {
                    metrics.register(app);
                    routes.accept(app);
                  })
              .start(options.bind(), options.port());
      metrics.logStreams(api::logStreams);
      URI url = URI.create("http://" + hostForUrl(options.bind()) + ":" + api.port());
      writeDaemonFile(home, url);
      return new NodeDaemon(channel, lock, database, jobs, telemetry, metrics, api, url, home);
    } catch (IOException e) {
      closeQuietly(telemetry, jobs, database, channel);
      throw new UncheckedIOException(
          "cannot start the daemon in " + home + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(telemetry, jobs, database, channel);
      throw e;
    }
  }

  public URI url() {
    return url;
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

  private static void writeDaemonFile(Path home, URI url) throws IOException {
    Path tmp = home.resolve("daemon.json.tmp");
    String json =
        DaemonJson.MAPPER.writeValueAsString(
            Map.of("url", url.toString(), "pid", ProcessHandle.current().pid()));
    PrivateFiles.writeString(tmp, json + "\n");
    Files.move(
        tmp,
        home.resolve("daemon.json"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  private static String hostForUrl(String bind) {
    if (bind.equals("0.0.0.0") || bind.equals("::") || bind.isBlank()) {
      return "127.0.0.1";
    }
    return bind.contains(":") ? "[" + bind + "]" : bind;
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
