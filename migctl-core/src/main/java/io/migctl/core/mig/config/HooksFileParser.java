package io.migctl.core.mig.config;

import static io.migctl.core.mig.config.MigPartedConfigParser.describe;
import static io.migctl.core.mig.config.MigPartedConfigParser.goFloat;
import static io.migctl.core.mig.config.MigPartedConfigParser.mapping;
import static io.migctl.core.mig.config.MigPartedConfigParser.quote;
import static io.migctl.core.mig.config.MigPartedConfigParser.segment;
import static io.migctl.core.mig.config.MigPartedConfigParser.templateHint;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a mig-parted hooks file ({@code version: v1}, {@code hooks:} name to a list of {@code
 * command}, {@code args}, {@code envs}, {@code workdir}) from the tree a YAML or JSON loader gives.
 *
 * <p>mig-parted decodes hooks files into plain structs without a schema of its own, and migctl
 * follows it: unknown fields are ignored, hook names other than the four it runs are kept, null
 * values mean "not given", and scalars where strings are expected become the strings its
 * YAML-to-JSON step makes of them ({@code 1}, {@code true}, {@code 1e+06} for {@code 1e6}: Go's
 * {@code FormatFloat(v, 'g', -1, 32)}). Where values cannot be strings (a mapping for a command, a
 * single string for {@code args}) it is refused, as mig-parted refuses it. Two rules are migctl's:
 * {@code command} is required (mig-parted would fail only when the hook runs), and {@code version},
 * when given, must be {@code v1} (mig-parted never reads it).
 *
 * <p>Stateless and thread-safe; performs no I/O.
 */
public final class HooksFileParser {

  private HooksFileParser() {}

  /**
   * Reads a whole hooks file.
   *
   * @param tree the loaded document; null for an empty one (no hooks)
   * @return the hooks by name, in file order
   * @throws ConfigException naming the first wrong element and how to fix it
   */
  public static HooksFile parseHooks(Object tree) {
    if (tree == null) {
      return new HooksFile(Map.of());
    }
    Map<String, Object> top = mapping(tree, "", "a mig-parted hooks file");
    if (top.containsKey("version") && !"v1".equals(top.get("version"))) {
      throw new ConfigException(
          "version",
          describe(top.get("version"))
              + " is not a version migctl reads; mig-parted hooks files are version: v1");
    }
    Object hooksTree = top.get("hooks");
    if (hooksTree == null) {
      return new HooksFile(Map.of());
    }
    Map<String, Object> byName = mapping(hooksTree, "hooks", "hook names with their commands");
    Map<String, List<HookCommand>> hooks = new LinkedHashMap<>();
    for (Map.Entry<String, Object> hook : byName.entrySet()) {
      String path = "hooks." + segment(hook.getKey());
      hooks.put(hook.getKey(), commands(hook.getValue(), path));
    }
    return new HooksFile(hooks);
  }

  private static List<HookCommand> commands(Object tree, String path) {
    if (tree == null) {
      return List.of();
    }
    if (!(tree instanceof List<?> list)) {
      throw new ConfigException(
          path,
          "must be a list of commands (- command: /bin/sh), was "
              + describe(tree)
              + (tree instanceof Map<?, ?> m && m.containsKey("command")
                  ? "; put a - before command:"
                  : ""));
    }
    List<HookCommand> commands = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      commands.add(command(list.get(i), path + "[" + i + "]"));
    }
    return commands;
  }

  private static HookCommand command(Object tree, String path) {
    if (tree == null) {
      throw new ConfigException(path, "is empty; a hook needs at least command: /path/to/program");
    }
    Map<String, Object> fields = mapping(tree, path, "a hook with command, args, envs, workdir");
    String command = string(fields.get("command"), path + ".command").orElse("");
    if (command.isEmpty()) {
      throw new ConfigException(
          path + ".command",
          "is missing; give the program to run, e.g. command: /bin/sh with args: [\"-c\","
              + " \"...\"]");
    }
    List<String> args = new ArrayList<>();
    Object argsTree = fields.get("args");
    if (argsTree != null) {
      if (!(argsTree instanceof List<?> list)) {
        throw new ConfigException(
            path + ".args",
            describe(argsTree)
                + " is not a list of strings; write args: [\"-c\", \"echo hello\"], one element"
                + " per argument");
      }
      for (int i = 0; i < list.size(); i++) {
        args.add(string(list.get(i), path + ".args[" + i + "]").orElse(""));
      }
    }
    Map<String, String> envs = new LinkedHashMap<>();
    Object envsTree = fields.get("envs");
    if (envsTree != null) {
      Map<String, Object> map =
          mapping(envsTree, path + ".envs", "environment variables (NAME: value)");
      for (Map.Entry<String, Object> e : map.entrySet()) {
        String name = e.getKey();
        if (name.isEmpty() || name.contains("=") || name.contains("\0")) {
          throw new ConfigException(
              path + ".envs." + quote(name),
              "is not an environment variable name; use letters, digits and _");
        }
        envs.put(name, string(e.getValue(), path + ".envs." + quote(name)).orElse(""));
      }
    }
    Optional<String> workdir =
        string(fields.get("workdir"), path + ".workdir").filter(s -> !s.isEmpty());
    return new HookCommand(command, args, envs, workdir);
  }

  /** A scalar as the string mig-parted makes of it; empty for null. */
  private static Optional<String> string(Object value, String path) {
    return switch (value) {
      case null -> Optional.empty();
      case String s -> Optional.of(s);
      case Boolean b -> Optional.of(b.toString());
      case Integer i -> Optional.of(i.toString());
      case Long l -> Optional.of(l.toString());
      case BigInteger b -> Optional.of(b.toString());
      case Double d -> Optional.of(goFloat(d, false));
      default ->
          throw new ConfigException(
              path, describe(value) + " is not a string; quote it" + templateHint(value));
    };
  }
}
