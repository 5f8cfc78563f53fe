package io.migctl.env;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a process runs inside an environment: variables to set and folders to put first on PATH.
 * Computed once per build and applied directly to a child's environment — no {@code conda run}, no
 * shell.
 *
 * @param variables set (they replace what the parent has), e.g. {@code CONDA_PREFIX}, the spec's
 *     {@code variables}
 * @param pathPrepend folders put before the parent's {@code PATH}, first one first
 * @param unset variables removed from the parent's environment (e.g. {@code PYTHONHOME})
 */
public record Activation(
    Map<String, String> variables, List<String> pathPrepend, List<String> unset) {

  public Activation {
    variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    pathPrepend = List.copyOf(pathPrepend);
    unset = List.copyOf(unset);
  }

  /** The environment a child gets: {@code parent} with this activation applied. */
  public Map<String, String> applyTo(Map<String, String> parent) {
    Map<String, String> env = new LinkedHashMap<>(parent);
    unset.forEach(env::remove);
    env.putAll(variables);
    List<String> path = new ArrayList<>(pathPrepend);
    String old = parent.get("PATH");
    if (old != null && !old.isEmpty()) {
      path.add(old);
    }
    env.put("PATH", String.join(":", path));
    return env;
  }

  /**
   * {@code command} with its program resolved against the child's {@code PATH}: a program name
   * without a slash becomes the first executable of that name on the child's PATH. Java resolves a
   * bare program name with the parent's PATH, which would run the parent's {@code python} instead
   * of the environment's.
   */
  public static List<String> resolveProgram(
      List<String> command, Map<String, String> childEnvironment) {
    if (command.isEmpty() || command.getFirst().contains("/")) {
      return command;
    }
    for (String dir : childEnvironment.getOrDefault("PATH", "").split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      java.nio.file.Path candidate = java.nio.file.Path.of(dir, command.getFirst());
      if (java.nio.file.Files.isExecutable(candidate)
          && !java.nio.file.Files.isDirectory(candidate)) {
        List<String> out = new ArrayList<>(command);
        out.set(0, candidate.toString());
        return out;
      }
    }
    return command;
  }

  /**
   * {@code command} with its program as long as {@link #resolveProgram} could make it: a program
   * name without a slash joined to the longest directory of the child's {@code PATH}. For sizing
   * what {@code execve} will be handed, without looking at the file system.
   */
  public static List<String> widestProgram(
      List<String> command, Map<String, String> childEnvironment) {
    if (command.isEmpty() || command.getFirst().contains("/")) {
      return command;
    }
    String longest = "";
    int longestBytes = 0;
    for (String dir : childEnvironment.getOrDefault("PATH", "").split(":")) {
      int bytes = dir.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > longestBytes) {
        longest = dir;
        longestBytes = bytes;
      }
    }
    if (longest.isEmpty()) {
      return command;
    }
    List<String> out = new ArrayList<>(command);
    out.set(0, longest + "/" + command.getFirst());
    return out;
  }
}
