package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the daemon is reached: only by the names it serves (DNS rebinding), on the address it was
 * bound to, and over TLS when given a certificate.
 */
class TransportIT {

  @TempDir Path temp;

  @Test
  void aLoopbackDaemonRefusesOtherHostNamesWith421() throws Exception {
    try (TestDaemon d = daemon(temp.resolve("home"), UnaryOperator.identity())) {
      int port = d.url().getPort();
      for (String host : new String[] {"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port}) {
        assertThat(statusLine(raw(port, host, "/api/v1/health", null))).as(host).contains(" 200 ");
      }
      for (String host : new String[] {"evil.example:" + port, "evil.example", "127.0.0.2"}) {
        String response = raw(port, host, "/api/v1/jobs", d.token);
        assertThat(statusLine(response)).as(host).contains(" 421 ");
        assertThat(response)
            .contains("\"code\":\"misdirected\"")
            .contains("not a name this daemon serves")
            .contains("--allow-host");
      }
      assertThat(d.daemon().listening())
          .isEqualTo(
              new NodeDaemon.Listening(
                  "127.0.0.1:" + port,
                  d.url(),
                  false,
                  false,
                  List.of("localhost", "127.0.0.1", "::1")));
    }
  }

  @Test
  void aDaemonOnEveryAddressSaysSoAndAnswersToTheMachinesNamesAndAllowedOnes() throws Exception {
    UnaryOperator<NodeDaemon.Options> everywhere =
        o ->
            o.withBind("0.0.0.0")
                .withTransport(
                    new NodeDaemon.Transport(List.of("migctl.example.org"), Optional.empty()));
    try (TestDaemon d = daemon(temp.resolve("home"), everywhere)) {
      int port = d.url().getPort();
      NodeDaemon.Listening l = d.daemon().listening();

      assertThat(l.address()).isEqualTo("0.0.0.0:" + port);
      assertThat(l.exposed()).isTrue();
      assertThat(d.url().toString())
          .as("local clients reach it on loopback")
          .isEqualTo("http://127.0.0.1:" + port);
      String hostname = InetAddress.getLocalHost().getHostName();
      for (String host : List.of(hostname, "migctl.example.org", "localhost")) {
        assertThat(statusLine(raw(port, host + ":" + port, "/api/v1/health", null)))
            .as(host)
            .contains(" 200 ");
      }
      assertThat(statusLine(raw(port, "evil.example:" + port, "/metrics", null))).contains(" 421 ");
    }
  }

  @Test
  void withACertificateTheDaemonSpeaksOnlyTlsAndTellsLocalClientsWhichCertificateToTrust()
      throws Exception {
    Path cert = TlsFilesTest.tls("cert.pem");
    Path home = temp.resolve("home");
    try (TestDaemon d = daemon(home, tls(cert, TlsFilesTest.tls("key.pem")))) {
      int port = d.url().getPort();
      assertThat(d.url().toString()).isEqualTo("https://127.0.0.1:" + port);
      assertThat(d.daemon().listening().tls()).isTrue();
      JsonNode file = TestDaemon.JSON.readTree(home.resolve("daemon.json").toFile());
      assertThat(file.get("url").asText()).isEqualTo(d.url().toString());
      assertThat(file.get("tlsCertificate").asText()).isEqualTo(cert.toString());

      HttpClient https = HttpClient.newBuilder().sslContext(trusting(cert)).build();
      HttpResponse<String> jobs =
          https.send(
              HttpRequest.newBuilder(d.url().resolve("/api/v1/jobs"))
                  .header("Authorization", "Bearer " + d.token)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(jobs.statusCode()).as(jobs.body()).isEqualTo(200);
      assertThat(jobs.body()).isEqualTo("[]");

      assertThatThrownBy(
              () ->
                  HttpClient.newHttpClient()
                      .send(
                          HttpRequest.newBuilder(d.url().resolve("/api/v1/health")).build(),
                          HttpResponse.BodyHandlers.ofString()))
          .as("a client that does not trust the certificate")
          .isInstanceOf(IOException.class);
      String plain = raw(port, "127.0.0.1:" + port, "/api/v1/health", null);
      assertThat(plain).as("plain HTTP on the TLS port").doesNotContain("\"status\":\"ok\"");
    }
  }

  @Test
  void aFollowerOverTlsThatLeavesIsNoticedAtOnce() throws Exception {
    Path cert = TlsFilesTest.tls("cert.pem");
    try (TestDaemon d = daemon(temp.resolve("home"), tls(cert, TlsFilesTest.tls("key.pem")))) {
      long job = d.submit(Map.of("name", "silent", "command", List.of("sleep", "600")));
      int port = d.url().getPort();
      HttpClient https = HttpClient.newBuilder().sslContext(trusting(cert)).build();
      try (SSLSocket s =
          (SSLSocket) trusting(cert).getSocketFactory().createSocket("127.0.0.1", port)) {
        OutputStream out = s.getOutputStream();
        out.write(
            ("GET /api/v1/jobs/"
                    + job
                    + "/logs?follow=true HTTP/1.1\r\nHost: 127.0.0.1:"
                    + port
                    + "\r\nAuthorization: Bearer "
                    + d.token
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(new String(s.getInputStream().readNBytes(15), StandardCharsets.US_ASCII))
            .isEqualTo("HTTP/1.1 200 OK");
        TestDaemon.await(
            "the stream to open", Duration.ofSeconds(10), () -> streams(https, d) == 1);
      }
      TestDaemon.await(
          "the stream to end after its client left",
          Duration.ofSeconds(10),
          () -> streams(https, d) == 0);
      d.post("/api/v1/jobs/" + job + "/cancel", "{}");
    }
  }

  @Test
  void unusableTlsFilesAreRefusedBeforeAnythingChanges() throws IOException {
    Path home = temp.resolve("home");
    Path cert = TlsFilesTest.tls("cert.pem");
    Path other = TlsFilesTest.tls("other-key.pem");

    assertThatIllegalArgumentException()
        .isThrownBy(() -> daemon(home, tls(cert, other)))
        .withMessageContaining("--tls-key " + other + " is not the key of the certificate");
    assertThat(Files.exists(home)).isFalse();
  }

  private static UnaryOperator<NodeDaemon.Options> tls(Path cert, Path key) {
    return o ->
        o.withTransport(new NodeDaemon.Transport(List.of(), Optional.of(new TlsFiles(cert, key))));
  }

  /** An SSL context that trusts {@code cert} alone. */
  static SSLContext trusting(Path cert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trust.setCertificateEntry(
          "daemon", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private static int streams(HttpClient https, TestDaemon d) {
    try {
      return LogStreamsIT.openStreams(
          https
              .send(
                  HttpRequest.newBuilder(d.url().resolve("/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static TestDaemon daemon(Path home, UnaryOperator<NodeDaemon.Options> change) throws IOException {
    return new TestDaemon(
        home, SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1")), change);
  }

  static String statusLine(String response) {
    return response.lines().findFirst().orElse("");
  }

  /** A GET with this {@code Host} header, over a plain socket; the whole response. */
  static String raw(int port, String host, String path, String token) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: "
                      + host
                      + "\r\nConnection: close\r\n"
                      + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                      + "\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        in.transferTo(out);
      } catch (IOException e) {
        // reset after the answer (or instead of one): what came is the answer
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
