package io.migctl.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run for the JDK's ahead-of-time cache: runs the short commands users type most, in
 * one JVM, on a simulated node in a temporary {@code MIGCTL_HOME}, so that the build can record the
 * classes they load ({@code java -XX:AOTCacheOutput=... -cp migctl.jar io.migctl.cli.AotTraining})
 * and {@code ./migctl} can start them from the cache. {@code jobs} asks a stand-in daemon, which
 * answers with a running and a queued job, so that the HTTP client, the JSON reading and the table
 * are all cached.
 */
public final class AotTraining {

  /** The commands trained, each with the exit code it must end with. */
  static final List<Run> RUNS =
      List.of(
          new Run(List.of("--version"), ExitCode.OK),
          new Run(List.of("--simulate", "a100-40gb:2", "gpus"), ExitCode.OK),
          new Run(List.of("--simulate", "a100-40gb:2", "profiles"), ExitCode.OK),
          new Run(List.of("--simulate", "a100-40gb:2", "gpus", "--json"), ExitCode.OK),
          new Run(List.of("jobs"), ExitCode.OK));

  /**
   * One trained command.
   *
   * @param args its arguments after {@code migctl}
   * @param exitCode the exit code it ends with when all is well
   */
  record Run(List<String> args, int exitCode) {}

  private AotTraining() {}

  public static void main(String[] args) throws IOException {
    Path home = Files.createTempDirectory("migctl-aot-");
    try {
      train(home);
    } finally {
      deleteTree(home);
    }
  }

  /**
   * Runs every command of {@link #RUNS} with {@code home} as {@code MIGCTL_HOME}.
   *
   * @throws IllegalStateException when one ends with another exit code than expected
   * @throws IOException when the daemon's stand-in cannot listen
   */
  static void train(Path home) throws IOException {
    HttpServer daemon =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    daemon.createContext("/", AotTraining::twoJobs);
    daemon.start();
    try {
      String url = "http://127.0.0.1:" + daemon.getAddress().getPort();
      train(
          Map.of("MIGCTL_HOME", home.toString(), "MIGCTL_URL", url, "MIGCTL_TOKEN", "training"),
          home);
    } finally {
      daemon.stop(0);
    }
  }

  /** {@code GET /api/v1/jobs} of a daemon with one job running and one waiting, as it writes it. */
  static final String TWO_JOBS =
      """
      [{"id":3,"name":"train","state":"running","tenant":"default","priority":0,"attempt":1,\
      "maxRetries":0,"command":["sleep","600"],"workdir":"/srv/work","gpu":"1g.5gb",\
      "requiredMemoryMiB":4864,"requiredComputeSlices":1,\
      "device":{"uuid":"MIG-bb3721af-1e2d-54c0-9911-bf574d8a8cc5","gpu":0,"gpuInstanceId":9,\
      "profile":"1g.5gb"},"devices":[{"uuid":"MIG-bb3721af-1e2d-54c0-9911-bf574d8a8cc5","gpu":0,\
      "gpuInstanceId":9,"profile":"1g.5gb"}],"submittedAt":"2026-12-07T05:52:27.876894973Z",\
      "startedAt":"2026-12-07T05:52:43.076530092Z","supervisorPid":32184,"env":{}},\
      {"id":4,"name":"big","state":"queued","tenant":"default","priority":0,"attempt":1,\
      "maxRetries":0,"command":["true"],"workdir":"/srv/work","gpu":"7g.40gb",\
      "requiredMemoryMiB":40192,"requiredComputeSlices":7,"devices":[],\
      "submittedAt":"2026-12-07T05:52:28.162900506Z","waiting":"no MIG device in the current\
       layout offers 40192 MiB and 7 compute slices","wait":{"kind":"no-free-device",\
      "memoryMiB":40192,"computeSlices":7,"fittingInUse":{},"free":{"1g.5gb":4}},"env":{}}]
      """;

  /** The answer of a daemon with {@link #TWO_JOBS}. */
  private static void twoJobs(HttpExchange exchange) throws IOException {
    byte[] body = TWO_JOBS.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static void train(Map<String, String> env, Path home) {
    for (Run run : RUNS) {
      StringWriter sink = new StringWriter();
      int code;
      try (PrintWriter out = new PrintWriter(sink);
          PrintWriter err = new PrintWriter(sink)) {
        code = Main.execute(new CliContext(env, home), run.args().toArray(String[]::new), out, err);
      }
      if (code != run.exitCode()) {
        throw new IllegalStateException(
            "AOT training: 'migctl "
                + String.join(" ", run.args())
                + "' ended with "
                + code
                + ", not "
                + run.exitCode()
                + ": "
                + sink);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
