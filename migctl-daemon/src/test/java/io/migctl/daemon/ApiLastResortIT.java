package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request that meets a bug gets a 500 with an error document, never an empty body or Java's own
 * text: the routes here fail as a bug would, with an exception and with an error (the kind a stack
 * overflow is, which bypasses exception handlers).
 */
class ApiLastResortIT {

  @TempDir static Path home;
  private static TestDaemon daemon;

  @BeforeAll
  static void start() throws Exception {
    daemon =
        new TestDaemon(
            home,
            SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1")),
            app -> {
              app.get(
                  "/test/exception",
                  ctx -> {
                    throw new IllegalStateException("java.lang.Secret: internal detail");
                  });
              app.get(
                  "/test/error",
                  ctx -> {
                    throw new StackOverflowError();
                  });
            });
  }

  @AfterAll
  static void stop() {
    daemon.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/test/exception", "/test/error"})
  void aBugIsA500WithAnErrorDocument(String path) {
    TestDaemon.Reply r = daemon.get(path);
    assertThat(r.status()).as(r.body()).isEqualTo(500);
    assertThat(r.json().get("code").asText()).isEqualTo("internal");
    assertThat(r.json().get("message").asText())
        .contains("a bug in migctl")
        .doesNotContain("java.")
        .doesNotContain("Secret");
  }
}
