package io.migctl.slurm;

import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real one-node Slurm cluster of a test's own: {@code munged} as the munge user, {@code
 * slurmctld} and {@code slurmd} as child processes, all on loopback with private ports, sockets,
 * state, spool and logs in one folder, configured with {@code ProctrackType=proctrack/cgroup} and
 * {@code TaskPlugin=task/cgroup} on cgroup v1. The system's Slurm and munge are never touched.
 *
 * <pre>{@code
 * Path dir = SlurmCluster.newDir();          // mknod device nodes, write prologs in it
 * try (SlurmCluster slurm = SlurmCluster.start(dir, SlurmCluster.Options.of("gpu:1g.5gb:2", gresConf))) {
 *   SlurmCluster.Result r = slurm.run("srun", "--gres=gpu:1g.5gb:1", "env");
 * }
 * }</pre>
 *
 * <p>Starting waits until the node is {@code IDLE}. {@link #close} cancels the jobs, stops the
 * daemons by pid (those it started, and those a {@link #daemonRestart()} started) and {@code
 * munged}, removes the node's cgroups and the folder. Needs root, Debian's {@code slurmctld slurmd
 * slurm-client munge} and {@code setpriv}; without them the test is skipped (fails under {@code
 * MIGCTL_REQUIRE_TOOLS=1}).
 */
public final class SlurmCluster implements AutoCloseable {

  private static final Duration COMMAND_LIMIT = Duration.ofSeconds(60);
  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  /**
   * What the cluster is made of.
   *
   * @param nodeName the node's name; its cgroups are {@code slurm_<name>}, so clusters of different
   *     names do not meet there. Blank: a name made from the cluster's folder, unique on the
   *     machine
   * @param gres the node's {@code Gres=} in {@code slurm.conf}, e.g. {@code gpu:1g.5gb:2}
   * @param gresConf the whole text of {@code gres.conf}
   * @param cpus the CPUs the node declares ({@code config_overrides}: more than the machine has is
   *     fine), so that CPUs are not what jobs wait for
   * @param constrainDevices {@code ConstrainDevices=yes} in {@code cgroup.conf}
   * @param taskProlog {@code TaskProlog=}, when given
   * @param prolog {@code Prolog=}, when given
   * @param epilog {@code Epilog=}, when given
   */
  public record Options(
      String nodeName,
      String gres,
      String gresConf,
      int cpus,
      boolean constrainDevices,
      Optional<Path> taskProlog,
      Optional<Path> prolog,
      Optional<Path> epilog) {

    /** A node named after the folder, with 8 CPUs, devices not constrained, no prologs. */
    public static Options of(String gres, String gresConf) {
      return new Options(
          "", gres, gresConf, 8, false, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Options withConstrainDevices(boolean on) {
      return new Options(nodeName, gres, gresConf, cpus, on, taskProlog, prolog, epilog);
    }

    public Options withTaskProlog(Path script) {
      return new Options(
          nodeName, gres, gresConf, cpus, constrainDevices, Optional.of(script), prolog, epilog);
    }

    public Options withPrologEpilog(Path prologScript, Path epilogScript) {
      return new Options(
          nodeName,
          gres,
          gresConf,
          cpus,
          constrainDevices,
          taskProlog,
          Optional.of(prologScript),
          Optional.of(epilogScript));
    }

    public Options withNodeName(String name) {
      return new Options(name, gres, gresConf, cpus, constrainDevices, taskProlog, prolog, epilog);
    }

    public Options withGres(String nodeGres, String gresConfText) {
      return new Options(
          nodeName, nodeGres, gresConfText, cpus, constrainDevices, taskProlog, prolog, epilog);
    }
  }

  /**
   * How a client command ended.
   *
   * @param exitCode its exit status
   * @param output standard output and error, interleaved
   */
  public record Result(int exitCode, String output) {}

  private final Path dir;
  private final Path mungeSocket;
  private final int ctldPort;
  private final int slurmdPort;
  private Options options;
  private final List<Process> children = new ArrayList<>();

  private SlurmCluster(Path dir, Options options) throws IOException {
    this.dir = dir;
    this.options = options;
    this.mungeSocket = dir.resolve("munge/munge.socket");
    this.ctldPort = freePort();
    this.slurmdPort = freePort();
  }

  /**
   * A new folder for a cluster, which every user may enter (munged checks that its socket can be
   * reached): make device nodes and prologs in it, then {@link #start} the cluster there. Skips the
   * test when the tools are missing.
   */
  public static Path newDir() throws IOException {
    requireTools();
    Path dir = Files.createTempDirectory("migctl-slurm");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  /** Starts the cluster in {@code dir} (from {@link #newDir}) and waits until its node is idle. */
  public static SlurmCluster start(Path dir, Options options)
      throws IOException, InterruptedException {
    requireTools();
    SlurmCluster c =
        new SlurmCluster(
            dir, options.nodeName().isBlank() ? options.withNodeName(nodeNameFor(dir)) : options);
    try {
      c.startMunged();
      c.writeConfig();
      Process ctld = c.startChild("slurmctld", "slurmctld", "-D", "-i", "-f", c.conf().toString());
      c.await(
          "slurmctld to answer",
          () ->
              c.alive(ctld, "slurmctld") && call(() -> c.run("scontrol", "ping")).exitCode() == 0);
      Process slurmd =
          c.startChild("slurmd", "slurmd", "-D", "-N", c.nodeName(), "-f", c.conf().toString());
      c.await(
          "node " + c.nodeName() + " to be IDLE",
          () -> c.alive(slurmd, "slurmd") && c.nodeState().equals("IDLE"));
      return c;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  /** {@code migctl} and the last digits of the folder's random name. */
  private static String nodeNameFor(Path dir) {
    String digits = dir.getFileName().toString().replaceAll("[^0-9]", "");
    return "migctl" + digits.substring(Math.max(0, digits.length() - 6));
  }

  /** A character device node at {@code path} ({@code mknod path c major minor}). */
  public static void mknod(Path path, int major, int minor)
      throws IOException, InterruptedException {
    Files.createDirectories(path.getParent());
    Result r = exec(List.of("mknod", path.toString(), "c", "" + major, "" + minor), Map.of());
    if (r.exitCode() != 0) {
      throw new IOException("mknod " + path + " failed: " + r.output());
    }
  }

  /** The cluster's folder. */
  public Path dir() {
    return dir;
  }

  /** Its {@code slurm.conf}. */
  public Path conf() {
    return dir.resolve("slurm.conf");
  }

  /** Its {@code gres.conf}. */
  public Path gresConf() {
    return dir.resolve("gres.conf");
  }

  /** The node's name. */
  public String nodeName() {
    return options.nodeName();
  }

  /** The variables a Slurm client needs to reach this cluster. */
  public Map<String, String> environment() {
    return Map.of("SLURM_CONF", conf().toString());
  }

  /** Runs a Slurm client ({@code srun}, {@code sbatch}, {@code squeue}, {@code scontrol}, …). */
  public Result run(String... argv) throws IOException, InterruptedException {
    return exec(List.of(argv), environment());
  }

  /** Runs {@code srun} with {@code args}. */
  public Result srun(String... args) throws IOException, InterruptedException {
    return run(prepend("srun", args));
  }

  /** Runs {@code scontrol} with {@code args}. */
  public Result scontrol(String... args) throws IOException, InterruptedException {
    return run(prepend("scontrol", args));
  }

  /** Runs {@code squeue} with {@code args}. */
  public Result squeue(String... args) throws IOException, InterruptedException {
    return run(prepend("squeue", args));
  }

  /** Submits a batch job ({@code sbatch --parsable args}) and returns its id. */
  public String sbatch(String... args) throws IOException, InterruptedException {
    // The batch output goes into the cluster's folder, not the working directory.
    List<String> argv =
        new ArrayList<>(List.of("sbatch", "--parsable", "--output=" + dir.resolve("slurm-%j.out")));
    argv.addAll(List.of(args));
    Result r = exec(argv, environment());
    if (r.exitCode() != 0) {
      throw new IllegalStateException(
          "sbatch " + String.join(" ", args) + " failed: " + r.output());
    }
    return r.output().strip().split(";")[0];
  }

  /**
   * Submits a batch job on {@code gres} (e.g. {@code gpu:1g.5gb:1}) that sleeps until cancelled,
   * waits until it runs and returns its id: a job that holds GPUs.
   */
  public String hold(String gres) throws IOException, InterruptedException {
    String id = sbatch("--gres=" + gres, "--output=/dev/null", "--wrap=sleep 600");
    awaitJobState(id, "RUNNING");
    return id;
  }

  /** The state of job {@code id} as {@code squeue} prints it ({@code %T}), empty once gone. */
  public String jobState(String id) throws IOException, InterruptedException {
    return squeue("--noheader", "--jobs=" + id, "--format=%T").output().strip();
  }

  /** Why job {@code id} waits ({@code squeue %r}), e.g. {@code Resources}. */
  public String jobReason(String id) throws IOException, InterruptedException {
    return squeue("--noheader", "--jobs=" + id, "--format=%r").output().strip();
  }

  /** Waits until job {@code id} is in {@code state} ({@code RUNNING}, {@code PENDING}, …). */
  public void awaitJobState(String id, String state) throws InterruptedException {
    await("job " + id + " to be " + state, () -> state.equals(call(() -> jobState(id))));
  }

  /** Waits until job {@code id} waits for {@code reason} ({@code squeue %r}, e.g. Resources). */
  public void awaitJobReason(String id, String reason) throws InterruptedException {
    await("job " + id + " to wait for " + reason, () -> reason.equals(call(() -> jobReason(id))));
  }

  /** Waits until no job is left in the queue. */
  public void awaitNoJobs() throws InterruptedException {
    await("the jobs to end", () -> call(() -> squeue("--noheader")).output().isBlank());
  }

  /** Waits until the node's state is exactly {@code IDLE} (no drain, responding). */
  public void awaitIdle() throws InterruptedException {
    await("node " + nodeName() + " to be IDLE", () -> nodeState().equals("IDLE"));
  }

  /**
   * The node's {@code State=} as {@code scontrol show node} prints it, e.g. {@code MIXED+DRAIN}.
   */
  public String nodeState() {
    String line = call(() -> scontrol("show", "node", "-o", nodeName())).output();
    for (String field : line.split("\\s+")) {
      if (field.startsWith("State=")) {
        return field.substring("State=".length());
      }
    }
    return "";
  }

  /**
   * Rewrites the node's {@code Gres=} in {@code slurm.conf} and {@code gres.conf}; the daemons read
   * them when they restart ({@link #daemonRestart()}).
   */
  public void reconfigure(String gres, String gresConfText) throws IOException {
    options = options.withGres(gres, gresConfText);
    writeConfig();
  }

  /**
   * The restart of this cluster's daemons, as programs a {@link SlurmController} runs: scripts in
   * the folder that stop {@code slurmd} by pid, restart {@code slurmctld} (daemonized, waiting
   * until it answers) and start {@code slurmd} (daemonized).
   */
  public DaemonRestart daemonRestart() throws IOException {
    String conf = conf().toString();
    String stop =
        """
        stop() {
          pid=$(cat "$1" 2>/dev/null) || return 0
          kill "$pid" 2>/dev/null || return 0
          i=0
          while kill -0 "$pid" 2>/dev/null; do
            i=$((i + 1)); [ "$i" -le 300 ] || { echo "$2 (pid $pid) did not stop" >&2; exit 1; }
            sleep 0.1
          done
        }
        """;
    Path stopSlurmd = script("stop-slurmd.sh", stop + "stop '" + pidFile("slurmd") + "' slurmd\n");
    Path restartCtld =
        script(
            "restart-slurmctld.sh",
            stop
                + "stop '"
                + pidFile("slurmctld")
                + "' slurmctld\n"
                + "slurmctld -i -f '"
                + conf
                + "' || exit 1\n"
                + "i=0\n"
                + "until SLURM_CONF='"
                + conf
                + "' scontrol ping >/dev/null 2>&1; do\n"
                + "  i=$((i + 1)); [ \"$i\" -le 300 ] || { echo 'slurmctld does not answer' >&2;"
                + " exit 1; }\n"
                + "  sleep 0.1\n"
                + "done\n");
    Path startSlurmd =
        script("start-slurmd.sh", "exec slurmd -N '" + nodeName() + "' -f '" + conf + "'\n");
    return new DaemonRestart(
        List.of("sh", stopSlurmd.toString()),
        List.of("sh", restartCtld.toString()),
        List.of("sh", startSlurmd.toString()));
  }

  /** What the daemons wrote to their logs, for failure messages. */
  public String logs() {
    StringBuilder b = new StringBuilder();
    for (String name :
        List.of("slurmctld.log", "slurmd.log", "slurmctld.out", "slurmd.out", "munged.out")) {
      Path p = name.endsWith(".log") ? dir.resolve("log").resolve(name) : dir.resolve(name);
      if (Files.exists(p)) {
        List<String> lines = call(() -> Files.readAllLines(p));
        b.append("== ").append(name).append(" (last 30 lines)\n");
        lines
            .subList(Math.max(0, lines.size() - 30), lines.size())
            .forEach(l -> b.append(l).append('\n'));
      }
    }
    return b.toString();
  }

  /** Waits, up to a minute, until {@code condition} holds; fails naming {@code what} otherwise. */
  public void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(START_LIMIT);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            "timed out after " + START_LIMIT + " waiting for " + what + "\n" + logs());
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      cancelAllJobs();
      stopDaemon("slurmd");
      stopDaemon("slurmctld");
      for (Process p : children) {
        stop(p.toHandle());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping the Slurm cluster in " + dir, e);
    } finally {
      removeCgroups();
      deleteDir();
    }
  }

  // --- starting

  private static void requireTools() {
    RequiredTools tools = RequiredTools.fromEnvironment();
    tools.require(
        "root".equals(System.getProperty("user.name")),
        () ->
            "a private Slurm cluster runs its daemons as root; this test runs as "
                + System.getProperty("user.name"));
    for (String program :
        List.of("slurmctld", "slurmd", "munged", "srun", "sbatch", "squeue", "scontrol")) {
      tools.require(
          findProgram(program).isPresent(),
          () ->
              program
                  + " was not found. Install Slurm and munge with 'apt-get install slurmctld"
                  + " slurmd slurm-client munge' (Debian)");
    }
    tools.require(
        findProgram("setpriv").isPresent(),
        () -> "setpriv was not found; it comes with util-linux");
  }

  private static Optional<Path> findProgram(String name) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
    return Stream.of(path.split(":"))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private void startMunged() throws IOException, InterruptedException {
    Path munge = dir.resolve("munge");
    Files.createDirectories(munge);
    Path key = munge.resolve("munge.key");
    byte[] bytes = new byte[1024];
    new SecureRandom().nextBytes(bytes);
    Files.write(key, bytes);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));
    Files.setPosixFilePermissions(munge, PosixFilePermissions.fromString("rwxr-xr-x"));
    ownByMunge(munge);
    ownByMunge(key);
    Process munged =
        startChild(
            "munged",
            "setpriv",
            "--reuid=munge",
            "--regid=munge",
            "--init-groups",
            "munged",
            "--foreground",
            "--socket=" + mungeSocket,
            "--key-file=" + key,
            "--pid-file=" + munge.resolve("munged.pid"),
            "--log-file=" + munge.resolve("munged.log"),
            "--seed-file=" + munge.resolve("munged.seed"));
    await(
        "munged to open " + mungeSocket,
        () -> alive(munged, "munged") && Files.exists(mungeSocket));
  }

  private static void ownByMunge(Path p) throws IOException {
    UserPrincipalLookupService users = p.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal user = users.lookupPrincipalByName("munge");
    GroupPrincipal group = users.lookupPrincipalByGroupName("munge");
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    view.setOwner(user);
    view.setGroup(group);
  }

  private void writeConfig() throws IOException {
    for (String sub : List.of("state", "spool", "log")) {
      Files.createDirectories(dir.resolve(sub));
    }
    StringBuilder c = new StringBuilder();
    c.append(
        """
        ClusterName=migctltest
        SlurmctldHost=%s(127.0.0.1)
        SlurmctldPort=%d
        SlurmdPort=%d
        SlurmUser=root
        SlurmdUser=root
        AuthType=auth/munge
        CredType=cred/munge
        AuthInfo=socket=%s
        StateSaveLocation=%s
        SlurmdSpoolDir=%s
        SlurmctldPidFile=%s
        SlurmdPidFile=%s
        SlurmctldLogFile=%s
        SlurmdLogFile=%s
        ProctrackType=proctrack/cgroup
        TaskPlugin=task/cgroup
        SelectType=select/cons_tres
        SelectTypeParameters=CR_Core
        SlurmdParameters=config_overrides
        ReturnToService=2
        MpiDefault=none
        MailProg=/bin/true
        SchedulerType=sched/backfill
        AccountingStorageType=accounting_storage/none
        JobCompType=jobcomp/none
        JobAcctGatherType=jobacct_gather/none
        GresTypes=gpu
        """
            .formatted(
                hostname(),
                ctldPort,
                slurmdPort,
                mungeSocket,
                dir.resolve("state"),
                dir.resolve("spool"),
                pidFile("slurmctld"),
                pidFile("slurmd"),
                dir.resolve("log/slurmctld.log"),
                dir.resolve("log/slurmd.log")));
    options.taskProlog().ifPresent(p -> c.append("TaskProlog=").append(p).append('\n'));
    options.prolog().ifPresent(p -> c.append("Prolog=").append(p).append('\n'));
    options.epilog().ifPresent(p -> c.append("Epilog=").append(p).append('\n'));
    c.append("NodeName=")
        .append(options.nodeName())
        .append(" NodeAddr=127.0.0.1 NodeHostname=")
        .append(options.nodeName())
        .append(" CPUs=")
        .append(options.cpus())
        .append(options.gres().isEmpty() ? "" : " Gres=" + options.gres())
        .append(" State=UNKNOWN\n")
        .append("PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n");
    Files.writeString(conf(), c.toString());
    Files.writeString(
        dir.resolve("cgroup.conf"),
        "CgroupPlugin=cgroup/v1\nCgroupMountpoint=/sys/fs/cgroup\nConstrainDevices="
            + (options.constrainDevices() ? "yes" : "no")
            + "\n");
    Files.writeString(gresConf(), options.gresConf());
  }

  private static String hostname() throws IOException {
    try {
      return exec(List.of("hostname", "-s"), Map.of()).output().strip();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted reading the host name", e);
    }
  }

  private Process startChild(String name, String... argv) throws IOException {
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".out").toFile())
            .start();
    children.add(p);
    return p;
  }

  /** True while {@code p} runs; a daemon that exited while starting fails at once, with logs. */
  private boolean alive(Process p, String name) {
    if (!p.isAlive()) {
      throw new AssertionError(name + " exited with status " + p.exitValue() + "\n" + logs());
    }
    return true;
  }

  private Path script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body);
    return p;
  }

  private Path pidFile(String daemon) {
    return dir.resolve(daemon + ".pid");
  }

  // --- stopping

  /** Cancels every job of the cluster and waits until they are gone. */
  public void cancelAllJobs() throws IOException, InterruptedException {
    if (run("scontrol", "ping").exitCode() != 0) {
      return;
    }
    String ids = squeue("--noheader", "--format=%i").output().strip();
    if (!ids.isEmpty()) {
      List<String> argv = new ArrayList<>(List.of("scancel"));
      argv.addAll(List.of(ids.split("\\s+")));
      exec(argv, environment());
      awaitNoJobs();
    }
  }

  /** Stops the daemon whose pid file names it, when that process is this cluster's. */
  private void stopDaemon(String daemon) throws IOException, InterruptedException {
    Path pidFile = pidFile(daemon);
    if (!Files.exists(pidFile)) {
      return;
    }
    String text = Files.readString(pidFile).strip();
    if (!text.matches("\\d+")) {
      return;
    }
    Optional<ProcessHandle> h = ProcessHandle.of(Long.parseLong(text));
    if (h.isPresent() && isOurs(h.get(), daemon)) {
      stop(h.get());
    }
  }

  private boolean isOurs(ProcessHandle h, String daemon) {
    ProcessHandle.Info info = h.info();
    // Debian installs the daemons as slurmd-wlm and slurmctld-wlm behind alternatives.
    return info.command()
            .map(c -> Path.of(c).getFileName().toString().startsWith(daemon))
            .orElse(false)
        && info.arguments().map(a -> List.of(a).contains(conf().toString())).orElse(false);
  }

  private static void stop(ProcessHandle h) throws InterruptedException {
    if (!h.isAlive()) {
      return;
    }
    h.destroy();
    try {
      h.onExit().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      h.destroyForcibly();
    }
  }

  private void removeCgroups() throws IOException {
    Path root = Path.of("/sys/fs/cgroup");
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> controllers = Files.list(root)) {
      for (Path controller : controllers.toList()) {
        Path mine = controller.resolve("slurm_" + options.nodeName());
        if (Files.isDirectory(mine)) {
          try (Stream<Path> all = Files.walk(mine)) {
            all.filter(Files::isDirectory)
                .sorted(Comparator.reverseOrder())
                .forEach(d -> d.toFile().delete());
          }
        }
      }
    }
  }

  private void deleteDir() throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  // --- helpers

  private static Result exec(List<String> argv, Map<String, String> env)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("migctl-slurm-cmd", ".out");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new IllegalStateException(
            String.join(" ", argv) + " ran past " + COMMAND_LIMIT + ": " + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static String[] prepend(String program, String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = program;
    System.arraycopy(args, 0, argv, 1, args.length);
    return argv;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @FunctionalInterface
  private interface IoCall<T> {
    T call() throws IOException, InterruptedException;
  }

  private static <T> T call(IoCall<T> c) {
    try {
      return c.call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
