package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.daemon.DaemonAssembly;
import io.migctl.daemon.NodeDaemon;
import io.migctl.daemon.TlsFiles;
import io.migctl.home.MigctlHome;
import io.migctl.nvidia.GpuNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's reads need the daemon's token; a refusal says where the token is and how to give it.
 */
class DaemonAccessCliIT {

  @TempDir Path home;
  @TempDir Path elsewhere;

  private NodeDaemon daemon;
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void start() {
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("MIGCTL_SIMULATE", "a100-40gb:1");
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    daemon =
        DaemonAssembly.start(
            NodeDaemon.Options.defaults(new MigctlHome(home), env).withPort(0),
            GpuNode.simulated(sim));
  }

  @AfterEach
  void stop() {
    daemon.close();
  }

  @Test
  void readsOnTheDaemonsHomeSendItsToken() {
    Invocations.Result jobs = new Invocations(home, env).run("jobs", "--json");

    assertThat(jobs.code()).as(jobs.err()).isZero();
    assertThat(jobs.json().size()).isZero();
  }

  @Test
  void aReadWithoutTheTokenSaysWhereItIs() {
    Map<String, String> client = new HashMap<>(env);
    client.put("MIGCTL_URL", daemon.url().toString());

    Invocations.Result jobs = new Invocations(elsewhere, client).run("jobs");

    assertThat(jobs.code()).isEqualTo(1);
    assertThat(jobs.err())
        .contains("needs its token")
        .contains(elsewhere.resolve("token").toString())
        .contains("MIGCTL_TOKEN")
        .contains("migctl serve");
  }

  @Test
  void overTlsTheDaemonsOwnHomeTrustsItsCertificateAndOthersNeedMigctlCaCert() {
    Path tlsHome = elsewhere.resolve("tls-home");
    SimulatedMigDriver sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    try (NodeDaemon tls =
        DaemonAssembly.start(
            NodeDaemon.Options.defaults(new MigctlHome(tlsHome), env)
                .withPort(0)
                .withTransport(
                    new NodeDaemon.Transport(
                        List.of(),
                        Optional.of(
                            new TlsFiles(
                                ServeCommandTest.tls("cert.pem"),
                                ServeCommandTest.tls("key.pem"))))),
            GpuNode.simulated(sim))) {
      assertThat(tls.url().getScheme()).isEqualTo("https");
      Invocations.Result local = new Invocations(tlsHome, env).run("jobs", "--json");
      assertThat(local.code()).as(local.err()).isZero();

      Map<String, String> remote = new HashMap<>(env);
      remote.put("MIGCTL_URL", tls.url().toString());
      remote.put("MIGCTL_TOKEN", token(tlsHome));
      Invocations.Result untrusted = new Invocations(home, remote).run("jobs");
      assertThat(untrusted.code()).isEqualTo(ExitCode.DAEMON_UNREACHABLE);
      assertThat(untrusted.err())
          .contains("does not trust", "MIGCTL_CA_CERT")
          .doesNotContain("PKIX");

      remote.put("MIGCTL_CA_CERT", ServeCommandTest.tls("cert.pem").toString());
      Invocations.Result trusted = new Invocations(home, remote).run("jobs", "--json");
      assertThat(trusted.code()).as(trusted.err()).isZero();

      remote.put("MIGCTL_CA_CERT", ServeCommandTest.tls("key.pem").toString());
      Invocations.Result notACert = new Invocations(home, remote).run("jobs");
      assertThat(notACert.code()).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(notACert.err()).contains("MIGCTL_CA_CERT=", "no PEM certificate");
    }
  }

  private static String token(Path home) {
    try {
      return Files.readString(home.resolve("token")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aRefusedTokenFromTheEnvironmentSaysSo() {
    Map<String, String> client = new HashMap<>(env);
    client.put("MIGCTL_TOKEN", "not-the-token");

    Invocations.Result jobs = new Invocations(home, client).run("jobs");

    assertThat(jobs.code()).isEqualTo(1);
    assertThat(jobs.err())
        .contains("refused the token in MIGCTL_TOKEN")
        .contains("$MIGCTL_HOME/token");
  }
}
