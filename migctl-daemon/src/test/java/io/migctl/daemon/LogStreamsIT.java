package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Followed logs ({@code logs?follow=true}): a client that goes away while the job prints nothing
 * frees its connection at once, one client may hold 16 streams (429 beyond), the gauge {@code
 * migctl_api_log_streams} counts them, and a stream ends with its job.
 */
class LogStreamsIT {

  @TempDir static Path home;
  @TempDir Path work;
  static TestDaemon d;
  static long silent;

  private final List<Socket> clients = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    d = new TestDaemon(home, SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1")));
    silent = d.submit(Map.of("name", "silent", "command", List.of("sleep", "600")));
    d.awaitState(silent, "running");
  }

  @AfterAll
  static void stop() {
    d.post("/api/v1/jobs/" + silent + "/cancel", "{}");
    d.close();
  }

  @AfterEach
  void closeClients() throws IOException {
    for (Socket s : clients) {
      s.close();
    }
    awaitStreams(0);
  }

  @Test
  void clientsThatLeaveWhileTheJobPrintsNothingAreFreedAtOnce() throws IOException {
    for (int i = 0; i < 5; i++) {
      assertThat(follow(silent)).startsWith("HTTP/1.1 200");
    }
    awaitStreams(5);
    int port = d.url().getPort();
    assertThat(TcpStates.closeWait(port)).as("server sockets waiting to close").isZero();

    Instant left = Instant.now();
    for (Socket s : clients) {
      s.close();
    }
    TestDaemon.await(
        "the daemon to close the connections its followers left",
        Duration.ofSeconds(10),
        () -> TcpStates.closeWait(port) == 0 && streams() == 0);
    System.out.println(
        "LogStreamsIT: 5 abandoned streams freed "
            + Duration.between(left, Instant.now()).toMillis()
            + " ms after their clients closed");
    assertThat(d.get("/api/v1/jobs/" + silent).json().get("state").asText()).isEqualTo("running");
  }

  @Test
  void oneClientMayFollowSixteenLogsAndTheSeventeenthIs429() throws IOException {
    for (int i = 0; i < 16; i++) {
      assertThat(follow(silent)).as("stream " + (i + 1)).startsWith("HTTP/1.1 200");
    }
    String refused = follow(silent);

    assertThat(refused).startsWith("HTTP/1.1 429");
    assertThat(refused)
        .contains("\"code\":\"too-many-streams\"")
        .contains("already follows 16 logs");
    assertThat(d.get("/api/v1/jobs/" + silent + "/logs").status())
        .as("a read without follow is not limited")
        .isEqualTo(200);

    clients.getFirst().close();
    awaitStreams(16 - 1);
    assertThat(follow(silent)).startsWith("HTTP/1.1 200");
  }

  @Test
  void aStreamEndsWhenItsJobEndsAndAFinishedJobsStreamEndsAtOnce() throws Exception {
    Path flag = work.resolve("go");
    long job =
        d.submit(
            Map.of(
                "name",
                "two-lines",
                "command",
                List.of(
                    "sh",
                    "-c",
                    "echo one; while [ ! -e \"$0\" ]; do sleep 0.05; done; echo two",
                    flag.toString())));
    d.awaitState(job, "running");
    HttpResponse<InputStream> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(d.url().resolve("/api/v1/jobs/" + job + "/logs?follow=true"))
                    .header("Authorization", "Bearer " + d.token)
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).isEqualTo("one");
      Files.createFile(flag);
      assertThat(lines.readLine()).isEqualTo("two");
      assertThat(lines.readLine()).as("the end of the stream").isNull();
    }
    d.awaitState(job, "succeeded");

    assertThat(d.get("/api/v1/jobs/" + job + "/logs?follow=true").body()).isEqualTo("one\ntwo\n");
    awaitStreams(0);
  }

  /** Opens a follow stream on a raw socket and returns the response's head. */
  private String follow(long job) throws IOException {
    Socket s = new Socket("127.0.0.1", d.url().getPort());
    clients.add(s);
    s.getOutputStream()
        .write(
            ("GET /api/v1/jobs/"
                    + job
                    + "/logs?follow=true HTTP/1.1\r\nHost: 127.0.0.1:"
                    + d.url().getPort()
                    + "\r\nAuthorization: Bearer "
                    + d.token
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    StringBuilder head = new StringBuilder();
    InputStream in = s.getInputStream();
    while (!head.toString().contains("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
    }
    if (head.toString().contains("Content-Type: application/json")) {
      byte[] rest = new byte[4096];
      int n = in.read(rest);
      head.append(new String(rest, 0, Math.max(n, 0), StandardCharsets.UTF_8));
    }
    return head.toString();
  }

  private static void awaitStreams(int n) {
    TestDaemon.await(n + " log streams open", Duration.ofSeconds(10), () -> streams() == n);
  }

  private static int streams() {
    return openStreams(d.get("/metrics", null).body());
  }

  /** {@code migctl_api_log_streams} in a {@code /metrics} text; -1 when it is missing. */
  static int openStreams(String metrics) {
    return metrics
        .lines()
        .filter(l -> l.startsWith("migctl_api_log_streams "))
        .map(l -> (int) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
        .findFirst()
        .orElse(-1);
  }

  /** Counts sockets in the kernel's TCP tables, from /proc/net/tcp and tcp6. */
  static final class TcpStates {
    private static final String CLOSE_WAIT = "08";

    /** Sockets on local {@code port} whose peer has closed and that this side has not. */
    static int closeWait(int port) {
      String local = String.format(":%04X", port);
      int n = 0;
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        try {
          for (String line : Files.readAllLines(Path.of(table))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[1].endsWith(local) && f[3].equals(CLOSE_WAIT)) {
              n++;
            }
          }
        } catch (IOException e) {
          // no IPv6 table: nothing there
        }
      }
      return n;
    }
  }
}
