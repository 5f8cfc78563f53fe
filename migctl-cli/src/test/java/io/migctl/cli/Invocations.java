package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs migctl in this JVM against a folder of its own, as a user would from a shell. */
final class Invocations {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path home;
  private final Map<String, String> environment = new HashMap<>();

  /** migctl on the simulated node {@code spec} ({@code MIGCTL_SIMULATE}). */
  Invocations(Path home, String spec) {
    this(home, Map.of("MIGCTL_SIMULATE", spec));
  }

  /** migctl with these environment variables (and {@code MIGCTL_HOME}). */
  Invocations(Path home, Map<String, String> environment) {
    this.home = home;
    this.environment.putAll(environment);
    this.environment.put("MIGCTL_HOME", home.toString());
  }

  /** What one invocation did. */
  record Result(int code, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("stdout is not JSON:\n" + out + "\nstderr:\n" + err, e);
      }
    }
  }

  Result run(String... args) {
    return runWithInput("", args);
  }

  Result runWithInput(String stdin, String... args) {
    return runWithBytes(stdin.getBytes(StandardCharsets.UTF_8), args);
  }

  /** One invocation with these bytes, which need not be text, on standard input. */
  Result runWithBytes(byte[] stdin, String... args) {
    Map<String, String> env = new HashMap<>(environment);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = Main.execute(new CliContext(env, home, new ByteArrayInputStream(stdin)), args, o, e);
    }
    return new Result(code, out.toString(), err.toString());
  }
}
