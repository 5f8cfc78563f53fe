package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.daemon.NodeDaemon;
import io.migctl.home.MigctlHome;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code serve} prints about where it listens, and how it refuses bad transport options. */
class ServeCommandTest {

  @TempDir Path home;

  /** The committed test certificate and keys of migctl-daemon's tests. */
  static Path tls(String name) {
    return Path.of(System.getProperty("basedir", "."))
        .toAbsolutePath()
        .resolveSibling("migctl-daemon/src/test/resources/io/migctl/daemon/tls")
        .resolve(name);
  }

  @Test
  void aDaemonOnEveryAddressPrintsThatAddressAndWarnsWithoutTls() {
    NodeDaemon.Listening l =
        new NodeDaemon.Listening(
            "0.0.0.0:7468",
            URI.create("http://127.0.0.1:7468"),
            true,
            false,
            List.of("localhost", "127.0.0.1", "::1", "gpu01", "10.1.2.3"));

    assertThat(ServeCommand.banner(l, new MigctlHome(home), "simulated a100-40gb:1"))
        .containsExactly(
            "migctl daemon listening on 0.0.0.0:7468 (every address of this machine)"
                + " (simulated a100-40gb:1)",
            "  clients on this machine: http://127.0.0.1:7468 (in "
                + home.resolve("daemon.json")
                + ")",
            "  requests may name it as: localhost, 127.0.0.1, ::1, gpu01, 10.1.2.3 (more:"
                + " --allow-host)",
            "  every request but health and /metrics needs the token in " + home.resolve("token"),
            "  stop with Ctrl-C; running jobs keep running");
    assertThat(ServeCommand.warning(l))
        .hasValueSatisfying(
            w ->
                assertThat(w)
                    .startsWith("WARNING: the daemon listens on 0.0.0.0:7468")
                    .contains("WITHOUT TLS", "--tls-cert FILE --tls-key FILE"));
  }

  @Test
  void aLoopbackDaemonOrOneWithTlsHasNoWarning() {
    NodeDaemon.Listening loopback =
        new NodeDaemon.Listening(
            "127.0.0.1:7468", URI.create("http://127.0.0.1:7468"), false, false, List.of());
    NodeDaemon.Listening tls =
        new NodeDaemon.Listening(
            "10.1.2.3:7468", URI.create("https://10.1.2.3:7468"), true, true, List.of());

    assertThat(ServeCommand.warning(loopback)).isEmpty();
    assertThat(ServeCommand.warning(tls)).isEmpty();
    assertThat(ServeCommand.banner(tls, new MigctlHome(home), "NVML").getFirst())
        .isEqualTo("migctl daemon listening on 10.1.2.3:7468 with TLS (NVML)");
  }

  @Test
  void halfOfTlsIsInvalidInput() {
    Invocations.Result r =
        new Invocations(home, "a100-40gb:1").run("serve", "--tls-cert", "cert.pem");

    assertThat(r.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err()).contains("--tls-cert without --tls-key");
  }

  @Test
  void aKeyOfAnotherCertificateIsInvalidInputAndChangesNothing() {
    Path daemonHome = home.resolve("daemon-home");
    Invocations.Result r =
        new Invocations(daemonHome, Map.of("MIGCTL_SIMULATE", "a100-40gb:1"))
            .run(
                "serve",
                "--port",
                "0",
                "--tls-cert",
                tls("cert.pem").toString(),
                "--tls-key",
                tls("other-key.pem").toString());

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err()).contains("is not the key of the certificate").doesNotContain("Exception");
    assertThat(Files.exists(daemonHome)).isFalse();
  }

  @Test
  void anUnknownIsolationIsInvalidInputAndChangesNothing() {
    Path daemonHome = home.resolve("daemon-home");
    Invocations.Result r =
        new Invocations(daemonHome, Map.of("MIGCTL_SIMULATE", "a100-40gb:1"))
            .run("serve", "--port", "0", "--isolation", "chroot");

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err()).contains("--isolation chroot: use auto, cgroup-v1, systemd or none");
    assertThat(Files.exists(daemonHome)).isFalse();
  }
}
