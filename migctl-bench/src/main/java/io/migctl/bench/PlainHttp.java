package io.migctl.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A blocking HTTP/1.1 client for the benchmarks: one kept-alive connection per calling thread, the
 * request written and the answer read on that thread. The JDK's {@link java.net.http.HttpClient}
 * hands every exchange to its selector thread and back through an executor, which on a small
 * machine costs more than the daemon's own work on a trivial request; this client adds none of
 * that, so that the rows measure the server. Enough HTTP for our daemon's answers: {@code
 * Content-Length} or chunked bodies, {@code Connection: close}. Thread-safe.
 */
final class PlainHttp implements AutoCloseable {

  /**
   * An answer.
   *
   * @param status the status code
   * @param body the body as UTF-8 text
   */
  record Answer(int status, String body) {}

  private final URI base;
  private final String hostHeader;
  private final List<Connection> all = new ArrayList<>();
  private final ThreadLocal<Connection> connections = new ThreadLocal<>();

  /** A client for the server at {@code base}, e.g. {@code http://127.0.0.1:8080/}. */
  PlainHttp(URI base) {
    if (!"http".equals(base.getScheme())) {
      throw new IllegalArgumentException("only http:// is supported, not " + base);
    }
    this.base = base;
    this.hostHeader = base.getHost() + ":" + base.getPort();
  }

  /**
   * Sends a request and reads its answer on this thread's connection (opened when there is none).
   *
   * @param method e.g. {@code GET}
   * @param headers extra headers as {@code Name: value} lines, without line ends
   * @param body the request body, or null for none
   */
  Answer send(String method, String path, List<String> headers, String body) throws IOException {
    Connection c = connections.get();
    if (c == null || c.socket.isClosed()) {
      c = open();
    }
    try {
      return c.exchange(method, path, headers, body);
    } catch (IOException e) {
      c.close();
      throw e;
    }
  }

  private Connection open() throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
    Connection c = new Connection(s);
    connections.set(c);
    synchronized (all) {
      all.add(c);
    }
    return c;
  }

  @Override
  public void close() {
    synchronized (all) {
      all.forEach(Connection::close);
      all.clear();
    }
  }

  private final class Connection {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    Answer exchange(String method, String path, List<String> headers, String body)
        throws IOException {
      byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder();
      head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
      head.append("Host: ").append(hostHeader).append("\r\n");
      for (String h : headers) {
        head.append(h).append("\r\n");
      }
      if (body != null) {
        head.append("Content-Length: ").append(content.length).append("\r\n");
      }
      head.append("\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      String status = line();
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP/1.x status line: " + status);
      }
      int code = Integer.parseInt(parts[1]);
      long length = -1;
      boolean chunked = false;
      boolean closes = false;
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        String name = h.substring(0, Math.max(colon, 0)).strip().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).strip().toLowerCase(Locale.ROOT);
        switch (name) {
          case "content-length" -> length = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.contains("chunked");
          case "connection" -> closes = value.contains("close");
          default -> {}
        }
      }
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      if (chunked) {
        for (long size = Long.parseLong(chunkSize(line()), 16);
            size > 0;
            size = Long.parseLong(chunkSize(line()), 16)) {
          copy(size, answer);
          line(); // the chunk's line end
        }
        while (!line().isEmpty()) {
          // skips a trailer: the daemon sends none
        }
      } else if (length >= 0) {
        copy(length, answer);
      } else {
        closes = true;
        in.transferTo(answer);
      }
      if (closes) {
        close();
      }
      return new Answer(code, answer.toString(StandardCharsets.UTF_8));
    }

    private static String chunkSize(String line) {
      int semicolon = line.indexOf(';');
      return (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
    }

    private void copy(long n, ByteArrayOutputStream to) throws IOException {
      byte[] buffer = new byte[8192];
      long left = n;
      while (left > 0) {
        int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (r < 0) {
          throw new IOException("the connection closed " + left + " bytes before the body's end");
        }
        to.write(buffer, 0, r);
        left -= r;
      }
    }

    /** A line without its CRLF. */
    private String line() throws IOException {
      StringBuilder b = new StringBuilder();
      for (int ch = in.read(); ch != '\n'; ch = in.read()) {
        if (ch < 0) {
          throw new IOException("the connection closed in the middle of an answer");
        }
        if (ch != '\r') {
          b.append((char) ch);
        }
      }
      return b.toString();
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing a socket we are done with: nothing to do about a failure
      }
    }
  }
}
