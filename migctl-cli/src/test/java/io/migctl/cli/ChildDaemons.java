package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The shaded jar run as child processes of a test on one {@code $MIGCTL_HOME}: one-shot commands,
 * and {@code migctl serve} with the URL and token it wrote once it is up. Each process's output
 * goes to its own file in the log folder. {@link #stop} stops the daemons still running.
 */
final class ChildDaemons {

  static final Path JAR = Path.of("target/migctl.jar");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path home;
  private final Path logs;
  private final List<Process> daemons = new ArrayList<>();
  private int started;
  private URI url;
  private String token;

  ChildDaemons(Path home, Path logs) {
    this.home = home;
    this.logs = logs;
  }

  /** {@code migctl args…} on the home, ready to start. */
  ProcessBuilder migctl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("MIGCTL_SIMULATE");
    pb.environment().remove("XDG_DATA_HOME");
    pb.environment().put("MIGCTL_HOME", home.toString());
    pb.redirectErrorStream(true)
        .redirectOutput(logs.resolve("daemon-" + started++ + ".log").toFile());
    return pb;
  }

  /**
   * Starts {@code migctl args…} (a {@code serve} command) and waits until it has written its {@code
   * daemon.json}; {@link #url} and {@link #token} are then its.
   */
  Process startDaemon(String... args) throws IOException {
    Files.deleteIfExists(home.resolve("daemon.json"));
    Process p = migctl(args).start();
    daemons.add(p);
    await(
        "the daemon to write daemon.json",
        () -> {
          try {
            JsonNode d = JSON.readTree(Files.readString(home.resolve("daemon.json")));
            if (d.get("pid").asLong() != p.pid()) {
              return false;
            }
            url = URI.create(d.get("url").asText());
            token = Files.readString(home.resolve("token")).strip();
            return true;
          } catch (IOException e) {
            return false;
          }
        });
    return p;
  }

  /** The URL of the daemon started last. */
  URI url() {
    return url;
  }

  /** The operator's token of the daemon started last. */
  String token() {
    return token;
  }

  /**
   * Polls {@code condition} every 50 ms until it holds (a {@link RuntimeException} counts as not
   * yet), for at most a minute.
   *
   * @throws AssertionError naming {@code what} when it does not hold in time
   */
  static void await(String what, BooleanSupplier condition) {
    Instant end = Instant.now().plus(Duration.ofSeconds(60));
    while (true) {
      boolean ok;
      try {
        ok = condition.getAsBoolean();
      } catch (RuntimeException e) {
        ok = false;
      }
      if (ok) {
        return;
      }
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  /** Stops the daemons: SIGTERM, SIGKILL after 20 s. */
  void stop() throws InterruptedException {
    for (Process p : daemons) {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }
}
