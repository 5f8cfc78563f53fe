package io.migctl.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.access.HostAllowList;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request that meets a bug gets a 500 with an error document, never an empty body or Java's own
 * text: the routes here fail as a bug would, with an exception and with an error (the kind a stack
 * overflow is, which bypasses exception handlers).
 */
class ApiLastResortIT {

  private static ApiServer server;

  @BeforeAll
  static void start() {
    server =
        new ApiServer(
                null,
                null,
                token -> true,
                Map.of(),
                "openapi: 3.0.0\n",
                HostAllowList.forBind(
                    HostAllowList.Bind.LOOPBACK, "127.0.0.1", List.of(), List.of()),
                Optional.empty(),
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
                })
            .start("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/test/exception", "/test/error"})
  void aBugIsA500WithAnErrorDocument(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(500);
    JsonNode error = new ObjectMapper().readTree(r.body());
    assertThat(error.get("code").asText()).isEqualTo("internal");
    assertThat(error.get("message").asText())
        .contains("a bug in migctl")
        .doesNotContain("java.")
        .doesNotContain("Secret");
  }
}
