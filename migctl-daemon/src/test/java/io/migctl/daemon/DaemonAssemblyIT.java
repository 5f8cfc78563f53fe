package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as {@link DaemonAssembly} builds it for {@code serve}, {@code up} and the tests: the
 * node's description and the web page, and a start-up that fails after the API listens leaves
 * nothing behind (the port is free again, and a daemon can start on the same home and port).
 */
class DaemonAssemblyIT {

  @TempDir Path temp;

  @Test
  void theTestsDaemonIsServesDaemonWithItsNodesDescriptionAndTheWebPage() throws IOException {
    SimulatedMigDriver driver =
        SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1,h100-80gb:1"));

    try (TestDaemon d = new TestDaemon(temp.resolve("home"), driver)) {
      assertThat(d.get("/api/v1/health").json().get("driver").asText())
          .isEqualTo("simulated a100-40gb:1,h100-80gb:1");
      TestDaemon.Reply page = d.get("/");
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.body()).contains("<html");
    }
  }

  @Test
  void theApiServerIsClosedWhenAStepAfterItListensFails() throws IOException {
    Path home = temp.resolve("home");
    SimulatedMigDriver driver = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1"));
    int port = freePort();
    // daemon.json is written last, through daemon.json.tmp: a folder there, not empty, makes the
    // step after the API listens fail (even for root, who may write anywhere).
    Files.createDirectories(home.resolve("daemon.json.tmp").resolve("in-the-way"));

    assertThatThrownBy(() -> new TestDaemon(home, driver, onPort(port)).close())
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot start the daemon in " + home);

    assertThatCode(
            () -> {
              try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
              }
            })
        .as("port %d is free again", port)
        .doesNotThrowAnyException();
    Files.delete(home.resolve("daemon.json.tmp").resolve("in-the-way"));
    Files.delete(home.resolve("daemon.json.tmp"));
    try (TestDaemon again = new TestDaemon(home, driver, onPort(port))) {
      assertThatCode(() -> again.get("/api/v1/health")).doesNotThrowAnyException();
    }
  }

  private static UnaryOperator<NodeDaemon.Options> onPort(int port) {
    return o -> o.withPort(port);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
