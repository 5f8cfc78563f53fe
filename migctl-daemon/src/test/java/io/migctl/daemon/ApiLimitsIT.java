package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What keeps one client from exhausting the daemon: the body limit, whatever the framing. */
class ApiLimitsIT {

  @TempDir static Path home;
  static TestDaemon d;

  @BeforeAll
  static void start() throws Exception {
    d = new TestDaemon(home, SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1")));
  }

  @AfterAll
  static void stop() {
    d.close();
  }

  @Test
  void aChunkedBodyOverTheLimitIs413AndStoresNothing() throws Exception {
    int before = d.get("/api/v1/jobs").json().size();
    long bodyBytes = 10L * 1024 * 1024;

    String response;
    try (Socket socket = new Socket("127.0.0.1", d.url().getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /api/v1/jobs HTTP/1.1\r\n"
                  + "Host: 127.0.0.1:"
                  + d.url().getPort()
                  + "\r\nAuthorization: Bearer "
                  + d.token
                  + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      // The body is sent while the answer is read: the daemon may answer, and close, before the
      // client has sent it all.
      CompletableFuture<Void> sending =
          CompletableFuture.runAsync(() -> sendChunkedJob(out, bodyBytes));
      response = readAll(socket.getInputStream());
      sending.exceptionally(e -> null).join();
    }

    assertThat(response.lines().findFirst())
        .hasValueSatisfying(s -> assertThat(s).startsWith("HTTP/1.1 413 "));
    assertThat(response.length()).as("the answer's length").isLessThan(4096);
    assertThat(response).contains("\"code\":\"too-large\"").contains("1048576 bytes");
    assertThat(d.get("/api/v1/jobs").json().size()).as("jobs stored").isEqualTo(before);
  }

  /** A valid job whose JSON is {@code bytes} long, in 64 KiB chunks. */
  private static void sendChunkedJob(OutputStream out, long bytes) {
    byte[] head =
        "{\"command\": [\"true\"], \"env\": {\"PAD\": \"".getBytes(StandardCharsets.UTF_8);
    byte[] tail = "\"}}".getBytes(StandardCharsets.UTF_8);
    try {
      chunk(out, head);
      byte[] pad = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
      for (long sent = head.length + tail.length; sent < bytes; sent += pad.length) {
        chunk(out, pad);
      }
      chunk(out, tail);
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      // the daemon stopped reading and closed the connection: expected once it refused the body
    }
  }

  private static void chunk(OutputStream out, byte[] data) throws IOException {
    out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(data);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  /** The response up to the end of its JSON body, or to the end of the stream. */
  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    try {
      while ((n = in.read(buf)) > 0) {
        got.write(buf, 0, n);
        String text = got.toString(StandardCharsets.UTF_8);
        if (text.contains("\r\n\r\n") && text.trim().endsWith("}")) {
          break;
        }
      }
    } catch (IOException e) {
      // a reset after the answer: what was read is the answer
    }
    return got.toString(StandardCharsets.UTF_8);
  }
}
