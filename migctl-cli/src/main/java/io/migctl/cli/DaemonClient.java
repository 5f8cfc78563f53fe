package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.home.MigctlHome;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Talks to the node daemon: {@code $MIGCTL_URL}, else the address the daemon wrote to {@code
 * $MIGCTL_HOME/daemon.json}, else {@code http://127.0.0.1:7468}. The token, which every request but
 * health and metrics needs, comes from {@code --token-file FILE}, else {@code $MIGCTL_TOKEN}, else
 * the file {@code $MIGCTL_TOKEN_FILE} names, else {@code $MIGCTL_HOME/token} (the operator's). An
 * HTTPS daemon's certificate is trusted when {@code $MIGCTL_CA_CERT} (PEM) holds it or its CA, or
 * when the daemon of this home named it in {@code daemon.json}.
 */
final class DaemonClient implements AutoCloseable {

  static final String DEFAULT_URL = "http://127.0.0.1:7468";

  /** The variable that names a file holding the token; {@code --token-file} sets it. */
  static final String TOKEN_FILE = "MIGCTL_TOKEN_FILE";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final URI base;
  private final Optional<String> token;
  private final String tokenHelp;
  private final HttpClient http;

  /**
   * @param tokenHelp what a refusal of the token (401) adds: where the token came from, or where it
   *     would be, and how to give it
   */
  DaemonClient(URI base, Optional<String> token, String tokenHelp, Optional<SSLContext> tls) {
    this.base = base;
    this.token = token;
    this.tokenHelp = tokenHelp;
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1);
    if (tls.isPresent()) {
      b.sslContext(tls.get());
    } else if (base.getScheme().equalsIgnoreCase("http")) {
      // Plain HTTP uses no TLS: a context that trusts nothing spares reading the JVM's CA
      // certificates, which the default one does when the client is built (issue 18).
      b.sslContext(trustingNothing());
    }
    this.http = b.build();
  }

  /** Stops the HTTP client's threads; requests still under way fail. */
  @Override
  public void close() {
    http.shutdownNow();
  }

  /** The client for this invocation's environment. */
  static DaemonClient of(CliContext context) {
    String url = context.environment().get("MIGCTL_URL");
    MigctlHome home = context.home();
    JsonNode daemonFile = daemonFile(home);
    if (url == null || url.isBlank()) {
      url = daemonFile.hasNonNull("url") ? daemonFile.get("url").asText() : DEFAULT_URL;
    }
    URI base;
    try {
      base = URI.create(url.replaceAll("/+$", ""));
      if (base.getScheme() == null || base.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "MIGCTL_URL=" + url + " is not a URL; write e.g. http://127.0.0.1:7468", e);
    }
    Optional<String> token =
        Optional.ofNullable(context.environment().get("MIGCTL_TOKEN")).filter(t -> !t.isBlank());
    String help =
        "the daemon refused the token in MIGCTL_TOKEN; set it to the content of the daemon's"
            + " $MIGCTL_HOME/token, or to a tenant's token from 'migctl tenant token NAME'";
    if (token.isEmpty()) {
      String given = context.environment().get(TOKEN_FILE);
      if (given != null && !given.isBlank()) {
        Path file = Path.of(given);
        token = Optional.of(readToken(file));
        help =
            "the daemon refused the token in "
                + file
                + " (--token-file or "
                + TOKEN_FILE
                + "): it was revoked or rotated, or is another daemon's; ask the operator for a"
                + " new one ('migctl tenant token NAME')";
      } else {
        Path file = home.token();
        help =
            "the daemon needs its token (or a tenant's) for every request but health and metrics,"
                + " and there is none"
                + " in "
                + file
                + ": it is in $MIGCTL_HOME/token of the user who runs 'migctl serve' (mode 0600)."
                + " Run as that user, set MIGCTL_TOKEN to its content, or give a tenant's token"
                + " with --token-file FILE";
        if (Files.isReadable(file)) {
          try {
            token = Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip());
            help =
                "the daemon refused the token in "
                    + file
                    + ": it serves another $MIGCTL_HOME, or was restarted with a new token. Set"
                    + " MIGCTL_TOKEN to the content of its $MIGCTL_HOME/token";
          } catch (IOException e) {
            // requests that need it will say so
          }
        }
      }
    }
    return new DaemonClient(base, token, help, trust(context, daemonFile));
  }

  /** The token in a file the user named, which must be there. */
  private static String readToken(Path file) {
    try {
      String token = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new InvalidInputException(
            "--token-file " + file + ": the file is empty; put the token in it");
      }
      return token;
    } catch (IOException e) {
      throw new InvalidInputException(
          "--token-file "
              + file
              + (Files.exists(file) ? ": cannot be read" : ": no such file")
              + "; give a file you may read that holds the token");
    }
  }

  /** {@code $MIGCTL_HOME/daemon.json}, or an empty object when there is none (or a torn one). */
  private static JsonNode daemonFile(MigctlHome home) {
    Path file = home.daemonFile();
    if (Files.isReadable(file)) {
      try {
        JsonNode n = MAPPER.readTree(Files.readString(file));
        if (n != null && n.isObject()) {
          return n;
        }
      } catch (IOException e) {
        // a torn or stale file: as if there were none
      }
    }
    return MAPPER.createObjectNode();
  }

  /**
   * The certificates an HTTPS daemon may present: those in {@code $MIGCTL_CA_CERT} (PEM: the
   * daemon's certificate or its CA's), else the one the daemon on this home named in {@code
   * daemon.json}; else the JVM's trusted CAs.
   */
  private static Optional<SSLContext> trust(CliContext context, JsonNode daemonFile) {
    String given = context.environment().get("MIGCTL_CA_CERT");
    String source;
    Path file;
    if (given != null && !given.isBlank()) {
      source = "MIGCTL_CA_CERT=" + given;
      file = Path.of(given);
    } else if (daemonFile.hasNonNull("tlsCertificate")) {
      source = "the tlsCertificate in daemon.json, " + daemonFile.get("tlsCertificate").asText();
      file = Path.of(daemonFile.get("tlsCertificate").asText());
    } else {
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new CertificateException("no certificate");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, tmf.getTrustManagers(), null);
      return Optional.of(tls);
    } catch (IOException e) {
      throw new InvalidInputException(source + ": cannot be read; give a PEM certificate file");
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException(
          source
              + ": no PEM certificate ('-----BEGIN CERTIFICATE-----') in it; give the daemon's"
              + " certificate or its CA's");
    }
  }

  /**
   * A TLS context for a client that speaks plain HTTP: made without reading the JVM's trust store
   * or looking up its security providers (together ~15 ms of a short command's start), and refusing
   * any use of TLS. The HTTP client asks it for its default parameters only.
   */
  private static SSLContext trustingNothing() {
    return new SSLContext(new NoTls(), null, "none") {};
  }

  /** The workings of {@link #trustingNothing}: default parameters, and no TLS. */
  private static final class NoTls extends SSLContextSpi {
    private static UnsupportedOperationException noTls() {
      return new UnsupportedOperationException("this client speaks plain HTTP: no TLS");
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {}

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw noTls();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw noTls();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      throw noTls();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      throw noTls();
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      throw noTls();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      throw noTls();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return new SSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return new SSLParameters();
    }
  }

  URI base() {
    return base;
  }

  JsonNode get(String path) {
    return json(send(request(path).GET()));
  }

  JsonNode post(String path, Object body) {
    return send("POST", path, body);
  }

  /** A request with a JSON body, e.g. {@code PATCH}; {@code body} null sends none. */
  JsonNode send(String method, String path, Object body) {
    if (body == null) {
      return json(send(request(path).method(method, HttpRequest.BodyPublishers.noBody())));
    }
    String text;
    try {
      text = MAPPER.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the request as JSON", e);
    }
    return json(
        send(
            request(path)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(text))));
  }

  /** A streamed response body, e.g. followed logs. */
  InputStream stream(String path) {
    HttpResponse<InputStream> r = exchange(request(path).GET().build());
    if (r.statusCode() >= 400) {
      try (InputStream in = r.body()) {
        throw failure(r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw unreachable(e);
      }
    }
    return r.body();
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
    token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
    return b;
  }

  private String send(HttpRequest.Builder builder) {
    HttpResponse<InputStream> r = exchange(builder.build());
    String body;
    try (InputStream in = r.body()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw unreachable(e);
    }
    if (r.statusCode() >= 400) {
      throw failure(r.statusCode(), body);
    }
    return body;
  }

  private HttpResponse<InputStream> exchange(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DaemonUnreachableException("interrupted while talking to the daemon at " + base);
    }
  }

  private DaemonUnreachableException unreachable(IOException e) {
    if (e instanceof SSLHandshakeException) {
      return new DaemonUnreachableException(
          "the migctl daemon at "
              + base
              + " presented a TLS certificate this client does not trust, or one not made for "
              + base.getHost()
              + "; set MIGCTL_CA_CERT to a PEM file with the daemon's certificate or its CA's,"
              + " and reach it by a name or address the certificate lists");
    }
    String why =
        e instanceof ConnectException || e instanceof HttpConnectTimeoutException
            ? "connection refused or timed out"
            : String.valueOf(e.getMessage());
    return new DaemonUnreachableException(
        "cannot reach the migctl daemon at "
            + base
            + " ("
            + why
            + "); start it with 'migctl serve' (or 'migctl up'), or point MIGCTL_URL at it");
  }

  private RuntimeException failure(int status, String body) {
    String message = body;
    String code = "";
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n != null && n.hasNonNull("message")) {
        message = n.get("message").asText();
        code = n.path("code").asText();
      }
    } catch (IOException e) {
      // not JSON: use the body as it is
    }
    if (status == 401) {
      return new DaemonRefusedException(
          tokenHelp + " (the daemon at " + base + ": " + message + ")");
    }
    // A tenant's full queue (429 max-queued) refuses the input as it is: exit 2, like bad input.
    if (status == 400
        || status == 404
        || status == 413
        || status == 429 && code.equals("max-queued")) {
      return new InvalidInputException(message);
    }
    return new DaemonRefusedException(message);
  }

  private static JsonNode json(String body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new DaemonRefusedException(
          "the daemon answered with something that is not JSON: " + e.getMessage());
    }
  }

  /** The daemon cannot be reached. Exit code 3. */
  static final class DaemonUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DaemonUnreachableException(String message) {
      super(message);
    }
  }

  /** The daemon refused or failed a request. Exit code 1. */
  static final class DaemonRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DaemonRefusedException(String message) {
      super(message);
    }
  }
}
