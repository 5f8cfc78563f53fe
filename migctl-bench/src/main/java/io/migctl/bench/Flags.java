package io.migctl.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of a scripted benchmark: {@code --name value} pairs, each name at most once,
 * every name one of those the benchmark knows.
 */
final class Flags {

  private final Map<String, String> values;

  private Flags(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Reads {@code args}.
   *
   * @param known the accepted names, without the leading {@code --}
   * @throws IllegalArgumentException naming the bad argument and the accepted names
   */
  static Flags parse(Set<String> known, String... args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.startsWith("--") ? arg.substring(2) : null;
      if (name == null || !known.contains(name)) {
        throw new IllegalArgumentException(
            "unknown argument \""
                + arg
                + "\"; use "
                + usage(known)
                + " (each followed by a value)");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(arg + " needs a value");
      }
      if (values.put(name, args[++i]) != null) {
        throw new IllegalArgumentException(arg + " is given twice");
      }
    }
    return new Flags(values);
  }

  private static String usage(Set<String> known) {
    return String.join(", ", known.stream().sorted().map(n -> "--" + n).toList());
  }

  /**
   * The whole number given for {@code name}, or {@code fallback}.
   *
   * @throws IllegalArgumentException when it is not a whole number of at least {@code min}
   */
  int integer(String name, int fallback, int min) {
    String raw = values.get(name);
    if (raw == null) {
      return fallback;
    }
    return parseInt(name, raw, min);
  }

  /**
   * The comma-separated whole numbers given for {@code name}, or {@code fallback}; each at least
   * {@code min}, none twice.
   *
   * @throws IllegalArgumentException naming the bad element
   */
  List<Integer> integers(String name, List<Integer> fallback, int min) {
    String raw = values.get(name);
    if (raw == null) {
      return List.copyOf(fallback);
    }
    List<Integer> out = new ArrayList<>();
    for (String part : raw.split(",", -1)) {
      int v = parseInt(name, part, min);
      if (out.contains(v)) {
        throw new IllegalArgumentException("--" + name + " names " + v + " twice");
      }
      out.add(v);
    }
    return List.copyOf(out);
  }

  /**
   * The comma-separated words given for {@code name}, or {@code fallback}; each one of {@code
   * allowed}, none twice.
   *
   * @throws IllegalArgumentException naming the bad word and the allowed ones
   */
  List<String> words(String name, List<String> fallback, List<String> allowed) {
    String raw = values.get(name);
    if (raw == null) {
      return List.copyOf(fallback);
    }
    List<String> out = new ArrayList<>();
    for (String part : Arrays.stream(raw.split(",", -1)).map(String::strip).toList()) {
      if (!allowed.contains(part)) {
        throw new IllegalArgumentException(
            "--" + name + " takes some of " + String.join(",", allowed) + ", not \"" + part + "\"");
      }
      if (out.contains(part)) {
        throw new IllegalArgumentException("--" + name + " names " + part + " twice");
      }
      out.add(part);
    }
    return List.copyOf(out);
  }

  /** The text given for {@code name}, or {@code fallback}. */
  String text(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  private static int parseInt(String name, String raw, int min) {
    int v;
    try {
      v = Integer.parseInt(raw.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--" + name + " takes a whole number, not \"" + raw + "\"", e);
    }
    if (v < min) {
      throw new IllegalArgumentException("--" + name + " must be at least " + min + ", was " + v);
    }
    return v;
  }
}
