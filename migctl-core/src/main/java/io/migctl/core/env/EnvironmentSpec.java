package io.migctl.core.env;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An environment spec: what an {@code environment.yml} asks for (conda's CEP 24 format).
 *
 * <p>Values are normalised on the way in: strings stripped, channels without repeats (the first
 * mention keeps its priority), pip lines as {@link PipLine} holds them, variables sorted by name.
 * The order of {@code dependencies} is kept as written, repeats included; it does not matter to
 * conda, and {@link CanonicalSpec} sorts it. Channels may hold {@code ${VAR}} references, which the
 * backend expands; {@code nodefaults} is a channel entry like any other.
 *
 * @param name the environment's name, if the file gives one: a label, not blank and without control
 *     characters. migctl builds by prefix, where conda does not use the name, so a name conda
 *     refuses for {@code -n} ({@code my env}, {@code a/b}) is kept as written
 * @param channels channel names or URLs in priority order; empty means the backend's configured
 *     channels
 * @param dependencies the conda packages
 * @param pip the lines of the {@code pip:} section, in order
 * @param variables environment variables set on activation, by name ({@code
 *     [A-Za-z_][A-Za-z0-9_]*})
 * @param prefix the prefix the file names, if any (informational: migctl chooses the prefix)
 */
public record EnvironmentSpec(
    Optional<String> name,
    List<String> channels,
    List<MatchSpec> dependencies,
    List<String> pip,
    Map<String, String> variables,
    Optional<String> prefix) {

  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern WHITESPACE = Pattern.compile(".*\\s.*");

  public EnvironmentSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(channels, "channels");
    Objects.requireNonNull(dependencies, "dependencies");
    Objects.requireNonNull(pip, "pip");
    Objects.requireNonNull(variables, "variables");
    Objects.requireNonNull(prefix, "prefix");
    name = name.map(String::strip);
    name.ifPresent(EnvironmentSpec::checkName);
    channels = checkChannels(channels);
    dependencies = List.copyOf(dependencies);
    pip = pip.stream().map(line -> new PipLine(line).text()).toList();
    variables = checkVariables(variables);
    prefix = prefix.map(String::strip);
    if (prefix.filter(String::isEmpty).isPresent()) {
      throw new IllegalArgumentException("the environment prefix is empty; leave it out instead");
    }
  }

  /** The conda packages other than python and pip: what the venv backend cannot build. */
  public List<MatchSpec> condaPackagesBesidesPythonAndPip() {
    return dependencies.stream().filter(d -> !d.isNamed("python") && !d.isNamed("pip")).toList();
  }

  /**
   * The python MatchSpec, if any: the first that constrains the version, else the first that names
   * python.
   */
  public Optional<MatchSpec> python() {
    List<MatchSpec> pythons = dependencies.stream().filter(d -> d.isNamed("python")).toList();
    return pythons.stream()
        .filter(p -> p.version().isPresent())
        .findFirst()
        .or(() -> pythons.stream().findFirst());
  }

  private static void checkName(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException(
          "the environment name is blank; leave the name out instead");
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw new IllegalArgumentException(
            String.format(
                "the environment name has the control character U+%04X at position %d",
                (int) name.charAt(i), i));
      }
    }
  }

  private static List<String> checkChannels(List<String> channels) {
    LinkedHashSet<String> unique = new LinkedHashSet<>();
    for (String channel : channels) {
      String stripped = Objects.requireNonNull(channel, "channel").strip();
      if (stripped.isEmpty() || WHITESPACE.matcher(stripped).matches()) {
        throw new IllegalArgumentException(
            "channel \"" + channel + "\" is empty or has whitespace inside");
      }
      unique.add(stripped);
    }
    return List.copyOf(unique);
  }

  private static Map<String, String> checkVariables(Map<String, String> variables) {
    TreeMap<String, String> sorted = new TreeMap<>();
    variables.forEach(
        (key, value) -> {
          Objects.requireNonNull(key, "variable name");
          if (!VARIABLE_NAME.matcher(key).matches()) {
            throw new IllegalArgumentException(
                "variable name \""
                    + key
                    + "\" is not a portable environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
          }
          if (value == null || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                "variable " + key + " has no value or a NUL character in it");
          }
          sorted.put(key, value);
        });
    return Collections.unmodifiableMap(sorted);
  }
}
