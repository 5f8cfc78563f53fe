package io.migctl.daemon;

import io.javalin.Javalin;
import io.migctl.apply.ApplyJournal;
import io.migctl.core.access.HostAllowList;
import io.migctl.core.job.ExecLimits;
import io.migctl.core.job.JobStateMachine;
import io.migctl.daemon.store.Database;
import io.migctl.daemon.store.LayoutRecords;
import io.migctl.daemon.store.SqliteJobStore;
import io.migctl.daemon.store.TokenRecords;
import io.migctl.daemon.web.WebPage;
import io.migctl.env.EnvironmentBuilds;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.home.MigctlHome;
import io.migctl.home.PrivateFiles;
import io.migctl.nvidia.GpuNode;
import io.migctl.process.SystemToolRunner;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

  private static final String OWN_TOKEN = "the daemon's own token, ";

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
    HostAllowList.Bind bind = bindKind(options.bind());
    HostAllowList hosts =
        HostAllowList.forBind(
            bind, options.bind(), machineNames(), options.transport().allowedHosts());
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
      TokenRecords tokens = ownToken(home, new TokenRecords(database), clock);
      EnvironmentStore environments = environments(home, TOOLS);
      JobService jobs =
          jobService(options, node, new SqliteJobStore(database), environments, clock);
      opened.push(jobs);
      jobs.start();
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
      TelemetryService telemetry =
          new TelemetryService(node.telemetry(), jobs, clock, options.sampleInterval(), HISTORY);
      opened.push(telemetry);
      Metrics metrics = new Metrics(telemetry, jobs, version(), node.description(), hostname());
      TelemetryApi telemetryApi = new TelemetryApi(telemetry, jobs);
      options
          .dcgmJobMappingDir()
          .ifPresent(dir -> telemetry.onReading(new DcgmJobMapping(dir)::update));
      telemetry.start();
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
                telemetryApi.register(app);
                new EnvironmentApi(
                        new EnvironmentBuilds(
                            environments, options.environment(), EnvironmentBuilds.hostPlatform()))
                    .register(app);
                WebPage.register(app);
                moreRoutes.accept(app);
              });
      listen(api, options);
      opened.push(api);
      metrics.logStreams(api::logStreams);
      URI url =
          URI.create(
              (tls.isPresent() ? "https://" : "http://")
                  + hostForUrl(options.bind())
                  + ":"
                  + api.port());
      NodeDaemon.Listening listening =
          new NodeDaemon.Listening(
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
      Clock clock) {
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
            execLimits(TOOLS, home.root())));
  }

  /**
   * The token records with the home's token file among them; a token the file held before it was
   * replaced no longer opens the API.
   */
  private static TokenRecords ownToken(MigctlHome home, TokenRecords tokens, Clock clock)
      throws IOException {
    String token = Tokens.loadOrCreate(home.token());
    if (!tokens.matches(token)) {
      for (TokenRecords.TokenRecord old : tokens.list()) {
        if (old.description().startsWith(OWN_TOKEN)) {
          tokens.remove(old.id());
        }
      }
      tokens.add(token, OWN_TOKEN + home.token(), clock.instant());
    }
    return tokens;
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

  /**
   * {@code daemon.json}: the URL for clients on this machine, the pid, and with TLS the
   * certificate's path, which local clients trust without being told.
   */
  private static void writeDaemonFile(MigctlHome home, URI url, Optional<TlsFiles> tls)
      throws IOException {
    Path file = home.daemonFile();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("url", url.toString());
    content.put("pid", ProcessHandle.current().pid());
    tls.ifPresent(t -> content.put("tlsCertificate", t.certificate().toAbsolutePath().toString()));
    String json = DaemonJson.MAPPER.writeValueAsString(content);
    PrivateFiles.writeString(tmp, json + "\n");
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
    try (InputStream in = DaemonAssembly.class.getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IOException("openapi.yaml is missing from the daemon's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
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
