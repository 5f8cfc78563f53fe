package io.migctl.daemon.web;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The node's web page, served from the classpath: the page at {@code /}, its script and style under
 * {@code /ui/}, and uPlot (for the charts) from its WebJar under {@code /webjars/uplot/}. Nothing
 * is fetched from elsewhere, so the page works on a node without internet access.
 *
 * <p>The page reads the JSON API under {@code /api/v1} and listens to {@code /api/v1/stream};
 * actions send the daemon's token, which the user types into the page (kept in the tab's {@code
 * sessionStorage}, never in a cookie).
 *
 * <p>Caching: the page and its files are revalidated on every load ({@code no-cache} with an {@code
 * ETag}), so a new daemon version is picked up at once; uPlot under its versioned path ({@code
 * /webjars/uplot/1.6.30/…}) is immutable, and under the version-less path ({@code
 * /webjars/uplot/dist/…}, which the page uses) revalidated like the page.
 *
 * <p>Thread-safe: the files are read once and kept; requests only look them up.
 */
public final class WebPage {

  private static final String ASSETS = "io/migctl/daemon/web/";
  private static final String UPLOT_ROOT = "META-INF/resources/webjars/uplot/";
  private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

  private static final String REVALIDATE = "no-cache";
  private static final String IMMUTABLE = "public, max-age=31536000, immutable";

  /** What the page may load: itself, nothing inline, nothing from elsewhere. */
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
          + " form-action 'none'; frame-ancestors 'none'";

  private static final Map<String, String> CONTENT_TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "map", "application/json; charset=utf-8");

  /** One path segment: no separators, no {@code ..}, a known extension. */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]*");

  private final ClassLoader classLoader;
  private final Optional<String> uplotVersion;
  private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

  private WebPage(ClassLoader classLoader) {
    this.classLoader = classLoader;
    this.uplotVersion = readUplotVersion(classLoader);
  }

  /** Adds {@code GET /}, {@code GET /ui/*} and {@code GET /webjars/uplot/*} to the app. */
  public static void register(Javalin app) {
    WebPage page = new WebPage(WebPage.class.getClassLoader());
    app.get("/", ctx -> page.serve(ctx, ASSETS + "index.html", REVALIDATE));
    app.get("/ui/*", page::ui);
    app.get("/webjars/uplot/*", page::uplot);
  }

  private void ui(Context ctx) {
    String name = ctx.path().substring("/ui/".length());
    if (!SEGMENT.matcher(name).matches()) {
      notFound(ctx, "no file '" + name + "' under /ui/");
      return;
    }
    serve(ctx, ASSETS + name, REVALIDATE);
  }

  private void uplot(Context ctx) {
    if (uplotVersion.isEmpty()) {
      notFound(
          ctx,
          "uPlot's WebJar (org.webjars.npm:uplot) is not on the daemon's classpath;"
              + " the charts need it");
      return;
    }
    String version = uplotVersion.get();
    String rest = ctx.path().substring("/webjars/uplot/".length());
    String[] segments = rest.split("/", -1);
    for (String s : segments) {
      if (!SEGMENT.matcher(s).matches()) {
        notFound(ctx, "no file '" + rest + "' in uPlot " + version);
        return;
      }
    }
    if (rest.startsWith(version + "/")) {
      serve(ctx, UPLOT_ROOT + rest, IMMUTABLE);
    } else {
      serve(ctx, UPLOT_ROOT + version + "/" + rest, REVALIDATE);
    }
  }

  private void serve(Context ctx, String resource, String cacheControl) {
    Optional<Asset> found = cache.computeIfAbsent(resource, this::load);
    if (found.isEmpty()) {
      notFound(ctx, "no file " + ctx.path() + " in the daemon's web page");
      return;
    }
    Asset asset = found.get();
    ctx.header("Cache-Control", cacheControl);
    ctx.header("ETag", asset.etag());
    ctx.header("X-Content-Type-Options", "nosniff");
    if (asset.contentType().startsWith("text/html")) {
      ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
      ctx.header("Referrer-Policy", "no-referrer");
    }
    String ifNoneMatch = ctx.header("If-None-Match");
    if (ifNoneMatch != null && ifNoneMatch.contains(asset.etag())) {
      ctx.status(304);
      return;
    }
    ctx.contentType(asset.contentType()).result(asset.bytes());
  }

  private Optional<Asset> load(String resource) {
    String type = CONTENT_TYPES.get(resource.substring(resource.lastIndexOf('.') + 1));
    if (type == null) {
      return Optional.empty();
    }
    try (InputStream in = classLoader.getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      return Optional.of(new Asset(bytes, type, etag(bytes)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
    }
  }

  private static void notFound(Context ctx, String message) {
    ctx.status(404).contentType("text/plain; charset=utf-8").result(message + "\n");
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static Optional<String> readUplotVersion(ClassLoader classLoader) {
    try (InputStream in = classLoader.getResourceAsStream(UPLOT_POM)) {
      if (in == null) {
        return Optional.empty();
      }
      Properties p = new Properties();
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
      return Optional.ofNullable(p.getProperty("version")).map(String::strip);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + UPLOT_POM + " from the classpath", e);
    }
  }

  /** A file of the page, with its strong validator. */
  private record Asset(byte[] bytes, String contentType, String etag) {}
}
