package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.GpuInstance;
import io.migctl.daemon.confine.HostIsolation;
import io.migctl.daemon.confine.IsolationChoice;
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.dev.DeviceNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tenants with Unix users of their own on a simulated {@code a100-40gb:2} with one 3g.20gb on
 * each GPU, made by the operator through the API and acting with their own tokens, their jobs
 * confined by real cgroup v1 controllers and real device nodes: what tenant A can see of B through
 * the API, what a job of tenant A can and cannot reach on the host, and what its limits do. Needs
 * root, {@code useradd}, {@code setpriv}, {@code /usr/bin/python3} and the v1 devices, memory, cpu
 * and pids controllers; the users and the cgroups it makes are removed after each test.
 */
class ConfinementIT {

  private static final String PYTHON = "/usr/bin/python3";
  private static final String LAYOUT =
      """
      version: v1
      mig-configs:
        halves:
          - devices: all
            mig-enabled: true
            mig-devices: {"3g.20gb": 1}
      """;

  /** Opens each NAME PATH pair read-only and prints NAME and the errno (or "opened"). */
  private static final String PROBE =
      """
      import errno, os, sys
      print("uid", os.getuid())
      for line in open("/proc/self/status"):
          if line.startswith(("NoNewPrivs", "CapEff", "CapBnd")):
              print(" ".join(line.split()))
      for name, path in zip(sys.argv[1::2], sys.argv[2::2]):
          try:
              os.close(os.open(path, os.O_RDONLY))
              print(name, "opened")
          except OSError as e:
              print(name, errno.errorcode[e.errno])
      print("env", dict(os.environ))
      """;

  @TempDir Path home;

  private final String suffix = Integer.toString(100000 + new Random().nextInt(900000));
  private final String parent = "migctl-it-" + suffix;
  private final List<String> users = new ArrayList<>();
  private SimulatedMigDriver sim;
  private GpuNode node;
  private TestDaemon daemon;
  private String alice;
  private String bob;
  private String tokenA;
  private String tokenB;

  @BeforeEach
  void tenants() throws Exception {
    RequiredTools tools = RequiredTools.fromEnvironment();
    tools.require(
        isRoot(), () -> "confining jobs (users, cgroups, mknod) needs root; run the ITs as root");
    IsolationChoice.Host host = HostIsolation.probe();
    tools.require(
        host.cgroupV1(),
        () -> "the cgroup v1 devices, memory, cpu and pids controllers are not mounted");
    tools.require(host.setpriv().isPresent(), () -> "setpriv (util-linux) is not installed");
    tools.require(Files.isExecutable(Path.of("/usr/sbin/useradd")), () -> "useradd is missing");
    tools.require(Files.isExecutable(Path.of(PYTHON)), () -> PYTHON + " is missing");
    alice = addUser("mca" + suffix);
    bob = addUser("mcb" + suffix);
    sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));
    node = GpuNode.simulated(sim);
    daemon =
        new TestDaemon(
            home,
            node,
            // A root daemon's own tools, as a service manager gives them: the interpreter a venv
            // links to must be one the tenants' users can reach (not one under /root).
            Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
            o -> o.withIsolation(new IsolationChoice(IsolationChoice.Mode.CGROUP_V1, parent)));
    tokenA = addTenant("ta", alice);
    tokenB = addTenant("tb", bob);
    TestDaemon.Reply health = daemon.get("/api/v1/health");
    assertThat(health.json().at("/isolation/mode").asText()).isEqualTo("cgroup-v1");
    assertThat(health.json().at("/isolation/confined").asBoolean()).isTrue();
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    if (node != null) {
      node.close();
    }
    // Whatever a failed test left: processes in the test's cgroups, the cgroups, the users.
    for (String controller : List.of("devices", "memory", "cpu", "pids")) {
      Path dir = HostIsolation.CGROUP_ROOT.resolve(controller).resolve(parent);
      if (Files.isDirectory(dir)) {
        try (Stream<Path> children = Files.list(dir)) {
          for (Path child : children.filter(Files::isDirectory).toList()) {
            for (String pid : Files.readAllLines(child.resolve("cgroup.procs"))) {
              ProcessHandle.of(Long.parseLong(pid))
                  .ifPresent(
                      p -> {
                        p.destroyForcibly();
                        p.onExit().join();
                      });
            }
            Files.deleteIfExists(child);
          }
        }
        Files.deleteIfExists(dir);
      }
    }
    for (String user : users) {
      run("userdel", user);
    }
  }

  @Test
  void
      tenantASeesNothingOfBsJobAndItsJobReachesItsOwnDevicesButNotTheTokenTheDatabaseBsLogsOrBsDevice()
          throws Exception {
    TestDaemon.Reply applied =
        daemon.postJson("/api/v1/layout/apply", Map.of("config", LAYOUT, "select", "halves"));
    assertThat(applied.status()).as(applied.body()).isEqualTo(200);

    Map<String, Object> bJob = job("tb", "3g.20gb", "sh", "-c", waitForRelease("echo secret-of-b"));
    bJob.put("env", Map.of("B_SECRET", "b-variable-value"));
    long b = daemon.submit(bJob, tokenB);
    daemon.awaitState(b, "running");

    // Through the API, B's job does not exist for A; the operator sees it.
    String missing = daemon.get("/api/v1/jobs/999999", tokenA).body();
    for (String path :
        List.of(
            "/api/v1/jobs/" + b, "/api/v1/jobs/" + b + "/logs", "/api/v1/jobs/" + b + "/events")) {
      TestDaemon.Reply r = daemon.get(path, tokenA);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.body()).as(path).isEqualTo(missing.replace("999999", Long.toString(b)));
      assertThat(daemon.get(path, daemon.token).status()).as(path).isEqualTo(200);
    }
    assertThat(daemon.get("/api/v1/jobs", tokenA).body()).doesNotContain("secret-of-b", "\"tb\"");
    assertThat(daemon.post("/api/v1/jobs/" + b + "/cancel", "{}", tokenA).status()).isEqualTo(404);
    assertThat(daemon.get("/api/v1/jobs/" + b, tokenB).json().get("state").asText())
        .isEqualTo("running");
    JsonNode bDevice = daemon.get("/api/v1/jobs/" + b).json().get("device");
    List<DeviceNode> bNodes = nodesOf(bDevice.get("gpu").asInt());
    List<DeviceNode> aNodes = nodesOf(1 - bDevice.get("gpu").asInt());
    Path bStdout = home.resolve("jobs").resolve(Long.toString(b)).resolve("attempt-1/stdout.log");
    TestDaemon.await(
        "B's output", Duration.ofSeconds(30), () -> read(bStdout).contains("secret-of-b"));

    List<String> probe =
        new ArrayList<>(
            List.of(
                PYTHON,
                "-c",
                PROBE,
                "token",
                home.resolve("token").toString(),
                "database",
                home.resolve("migctl.db").toString(),
                "b-stdout",
                bStdout.toString(),
                "b-gpu",
                bNodes.get(3).path().toString(),
                "b-gi-cap",
                bNodes.get(4).path().toString(),
                "b-ci-cap",
                bNodes.get(5).path().toString(),
                "own-ctl",
                aNodes.get(0).path().toString(),
                "own-gpu",
                aNodes.get(3).path().toString(),
                "own-gi-cap",
                aNodes.get(4).path().toString(),
                "own-ci-cap",
                aNodes.get(5).path().toString()));
    long a = daemon.submit(job("ta", "3g.20gb", probe.toArray(String[]::new)), tokenA);
    daemon.awaitState(a, "succeeded");
    String out = daemon.get("/api/v1/jobs/" + a + "/logs?stream=stdout").body();

    assertThat(out)
        .contains("uid " + uid(alice) + "\n")
        .contains("NoNewPrivs: 1\n", "CapEff: 0000000000000000\n", "CapBnd: 0000000000000000\n")
        .contains("token EACCES\n", "database EACCES\n", "b-stdout EACCES\n")
        .contains("b-gpu EPERM\n", "b-gi-cap EPERM\n", "b-ci-cap EPERM\n")
        .contains("own-ctl ENXIO\n", "own-gpu ENXIO\n", "own-gi-cap ENXIO\n", "own-ci-cap ENXIO\n")
        .doesNotContain("B_SECRET", "b-variable-value", daemon.token);
    assertThat(owner(bStdout)).isEqualTo(bob);

    Files.writeString(workdir(b).resolve("release"), "");
    daemon.awaitState(b, "succeeded");
    assertThat(cgroup("devices", a)).doesNotExist();
    assertThat(cgroup("devices", b)).doesNotExist();
  }

  @Test
  void aConfinedJobRunsInTheEnvironmentItsTenantBuiltButCannotListTheStore() {
    TestDaemon.Reply built =
        daemon.post(
            EnvironmentApi.PATH,
            "{\"spec\": \"name: probe-env\\ndependencies:\\n  - python\\n\", \"backend\": \"venv\"}",
            tokenA);
    assertThat(built.status()).as(built.body()).isEqualTo(201);
    String id = built.json().get("build").get("id").asText();
    Map<String, Object> job =
        job(
            "ta",
            "none",
            "sh",
            "-c",
            "command -v python; python -c 'import sys; print(sys.prefix)'; ls "
                + home.resolve("envs")
                + " || echo cannot-list");
    job.put("environment", id);
    long a = daemon.submit(job, tokenA);
    daemon.awaitState(a, "succeeded");

    String prefix = home.resolve("envs").resolve(id).resolve("prefix").toString();
    assertThat(daemon.get("/api/v1/jobs/" + a + "/logs?stream=stdout", tokenA).body())
        .isEqualTo(prefix + "/bin/python\n" + prefix + "\ncannot-list\n");
  }

  @Test
  void aJobOverItsMemoryLimitIsKilledAndItsRecordSaysSo() {
    Map<String, Object> hog = job("ta", "none", PYTHON, "-c", "b = b'x' * (512 << 20)");
    hog.put("memory", "64MiB");
    long id = daemon.submit(hog);
    daemon.awaitState(id, "failed");

    JsonNode job = daemon.get("/api/v1/jobs/" + id).json();
    assertThat(job.get("reason").asText()).startsWith("killed: out of memory (limit 64 MiB); ");
    assertThat(job.get("limits").toString()).isEqualTo("{\"memoryMiB\":64}");
    assertThat(job.get("exitStatus").asInt()).isEqualTo(137);
    assertThat(cgroup("memory", id)).doesNotExist();
  }

  @Test
  void aForkBombStopsAtItsProcessLimitWhileAnotherJobRunsAndSucceeds() throws Exception {
    String bomb =
        """
        import errno, os, sys, time
        kids = 0
        try:
            while True:
                if os.fork() == 0:
                    time.sleep(600)
                    os._exit(0)
                kids += 1
        except OSError as e:
            print("fork refused after", kids, "children:", errno.errorcode[e.errno], flush=True)
        while not os.path.exists("release"):
            time.sleep(0.05)
        """;
    Map<String, Object> bombJob = job("ta", "none", PYTHON, "-c", bomb);
    bombJob.put("maxProcs", 64);
    long a = daemon.submit(bombJob);
    TestDaemon.await(
        "the bomb to reach its limit",
        Duration.ofSeconds(60),
        () -> daemon.get("/api/v1/jobs/" + a + "/logs?stream=stdout").body().contains("EAGAIN"));
    assertThat(daemon.get("/api/v1/jobs/" + a + "/logs?stream=stdout").body())
        .contains("fork refused after 63 children: EAGAIN");

    long b =
        daemon.submit(
            job(
                "tb",
                "none",
                "sh",
                "-c",
                "i=0; while [ $i -lt 100 ]; do /bin/true || exit 1; i=$((i+1)); done; echo spawned"));
    daemon.awaitState(b, "succeeded");
    assertThat(daemon.get("/api/v1/jobs/" + b + "/logs?stream=stdout").body())
        .isEqualTo("spawned\n");
    assertThat(daemon.get("/api/v1/jobs/" + a).json().get("state").asText()).isEqualTo("running");

    Files.writeString(workdir(a).resolve("release"), "");
    daemon.awaitState(a, "succeeded");
    assertThat(daemon.get("/api/v1/jobs/" + a).json().get("reason").asText())
        .startsWith("reached its process limit (64): ");
    // Its 63 orphans were killed with its cgroups.
    assertThat(
            ProcessHandle.allProcesses()
                .filter(p -> p.info().user().filter(alice::equals).isPresent())
                .toList())
        .isEmpty();
    assertThat(cgroup("pids", a)).doesNotExist();
  }

  // ---------------------------------------------------------------- helpers

  private static Map<String, Object> job(String tenant, String gpu, String... command) {
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("tenant", tenant);
    job.put("gpu", gpu);
    job.put("command", List.of(command));
    return job;
  }

  /** Runs {@code first}, then waits in the job's own folder for a file named release. */
  private static String waitForRelease(String first) {
    return first + "; while [ ! -e release ]; do sleep 0.05; done";
  }

  private List<DeviceNode> nodesOf(int gpu) {
    GpuInstance gi = sim.gpuInstances(gpu).getFirst();
    ComputeInstance ci = sim.computeInstances(gpu, gi.id()).getFirst();
    return node.deviceNodes().migDevice(gpu, gi.id(), ci.id());
  }

  private Path workdir(long id) {
    return home.resolve("jobs").resolve(Long.toString(id)).resolve("work");
  }

  private Path cgroup(String controller, long id) {
    return HostIsolation.CGROUP_ROOT.resolve(controller).resolve(parent).resolve(id + "-1");
  }

  /** The operator adds tenant {@code name} run as {@code user}; its new token. */
  private String addTenant(String name, String user) {
    TestDaemon.Reply added = daemon.postJson("/api/v1/tenants", Map.of("name", name, "user", user));
    assertThat(added.status()).as(added.body()).isEqualTo(201);
    TestDaemon.Reply token = daemon.post("/api/v1/tenants/" + name + "/token", "{}");
    assertThat(token.status()).as(token.body()).isIn(200, 201);
    return token.json().get("token").asText();
  }

  private String addUser(String name) throws Exception {
    run("useradd", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", name);
    users.add(name);
    return name;
  }

  private static String uid(String user) throws Exception {
    return run("id", "-u", user).strip();
  }

  private static String owner(Path file) throws IOException {
    return Files.getOwner(file).getName();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean isRoot() throws IOException {
    return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
  }

  private static String run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
    }
    return out;
  }
}
