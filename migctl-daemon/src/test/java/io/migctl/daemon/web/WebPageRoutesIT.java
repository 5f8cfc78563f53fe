package io.migctl.daemon.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The page's routes over HTTP, without a browser: content types, caching, what is refused. */
class WebPageRoutesIT {

  private static final Pattern IMPORT = Pattern.compile("from \"(\\.\\.?/[^\"]+)\"");

  private static Javalin app;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
            });
    WebPage.register(app);
    app.start("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    app.stop();
  }

  @Test
  void servesThePageToBeRevalidatedWithAPolicyThatKeepsItToItself() {
    HttpResponse<String> page = get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(contentType(page)).isEqualTo("text/html;charset=utf-8");
    assertThat(header(page, "Cache-Control")).isEqualTo("no-cache");
    assertThat(header(page, "ETag")).matches("\"[0-9a-f]{32}\"");
    assertThat(header(page, "Content-Security-Policy")).startsWith("default-src 'self'");
    assertThat(header(page, "X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(page.body())
        .contains("<script type=\"module\" src=\"ui/app.js\"></script>")
        .contains("webjars/uplot/dist/uPlot.min.css")
        .doesNotContain("http://", "https://");
  }

  @Test
  void answersAnUnchangedFileWithNotModified() throws Exception {
    String etag = header(get("/ui/app.css"), "ETag");

    HttpResponse<String> again =
        HTTP.send(
            HttpRequest.newBuilder(url("/ui/app.css")).header("If-None-Match", etag).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
  }

  @Test
  void servesEveryModuleThePageImportsAsJavaScript() {
    Set<String> seen = new LinkedHashSet<>();
    follow("/ui/app.js", seen);

    assertThat(seen)
        .contains(
            "/ui/app.js",
            "/ui/api.js",
            "/ui/dom.js",
            "/ui/diagram.js",
            "/ui/charts.js",
            "/webjars/uplot/dist/uPlot.esm.js");
    HttpResponse<String> css = get("/ui/app.css");
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(contentType(css)).isEqualTo("text/css;charset=utf-8");
  }

  @Test
  void servesUplotFromItsWebJarImmutableUnderItsVersion() {
    HttpResponse<String> latest = get("/webjars/uplot/dist/uPlot.esm.js");
    HttpResponse<String> pinned = get("/webjars/uplot/1.6.30/dist/uPlot.min.css");

    assertThat(latest.statusCode()).isEqualTo(200);
    assertThat(contentType(latest)).isEqualTo("text/javascript;charset=utf-8");
    assertThat(header(latest, "Cache-Control")).isEqualTo("no-cache");
    assertThat(latest.body()).contains("export { uPlot as default }");
    assertThat(pinned.statusCode()).isEqualTo(200);
    assertThat(contentType(pinned)).isEqualTo("text/css;charset=utf-8");
    assertThat(header(pinned, "Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
  }

  @Test
  void answersMissingFilesAndFilesOfUnknownTypesWithNotFound() {
    for (String path :
        new String[] {
          "/ui/missing.js",
          "/ui/WebPage.class",
          "/ui/index.html.bak",
          "/ui/",
          "/webjars/uplot/1.6.30/package.json",
          "/webjars/uplot/dist/nothing.js",
        }) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(header(r, "Content-Type")).as(path).startsWith("text/plain");
    }
  }

  @Test
  void refusesPathsThatClimbOutOfThePage() {
    for (String path :
        new String[] {
          "/ui/%2e%2e%2fWebPage.class",
          "/ui/..%2F..%2Fdaemon%2Fopenapi.yaml",
          "/ui/..%5Cweb%5Capp.js",
          "/webjars/uplot/..%2F..%2Fmaven%2Forg.webjars.npm%2Fuplot%2Fpom.properties",
          "/webjars/uplot/1.6.30/dist/..%2F..%2F..%2F..%2F..%2F..%2Fio%2Fmigctl%2Fnode%2Fweb%2Fapp.js",
        }) {
      HttpResponse<String> r = get(path);
      // Jetty refuses encoded separators itself (400); what gets through finds nothing (404).
      assertThat(r.statusCode()).as(path).isIn(400, 404);
      assertThat(r.body()).as(path).doesNotContain("import", "version=");
    }
  }

  /** Fetches a module and, recursively, the modules it imports by relative path. */
  private void follow(String path, Set<String> seen) {
    if (!seen.add(path)) {
      return;
    }
    HttpResponse<String> r = get(path);
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    assertThat(contentType(r)).as(path).isEqualTo("text/javascript;charset=utf-8");
    if (path.startsWith("/webjars/")) {
      return;
    }
    Matcher m = IMPORT.matcher(r.body());
    while (m.find()) {
      follow(URI.create(path).resolve(m.group(1)).getPath(), seen);
    }
  }

  private static URI url(String path) {
    return URI.create("http://127.0.0.1:" + app.port() + path);
  }

  private static HttpResponse<String> get(String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(url(path)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during GET " + path, e);
    }
  }

  /** The Content-Type without spaces: Jetty writes {@code text/html;charset=utf-8}. */
  private static String contentType(HttpResponse<?> r) {
    return header(r, "Content-Type").replace(" ", "");
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }
}
