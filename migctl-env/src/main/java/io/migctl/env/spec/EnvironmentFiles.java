package io.migctl.env.spec;

import io.migctl.core.env.BuildTarget;
import io.migctl.core.env.EnvironmentSpec;
import io.migctl.core.env.MatchSpec;
import io.migctl.core.env.PipLine;
import io.migctl.core.env.PlatformSelector;
import io.migctl.core.env.SpecText;
import io.migctl.core.input.InputLimits;
import io.migctl.input.ForbiddenCharacterException;
import io.migctl.input.LimitedYaml;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads conda {@code environment.yml} files (CEP 24) into {@link EnvironmentSpec}s, accepting what
 * conda accepts and refusing what it refuses.
 *
 * <p>The file is YAML 1.2 with the core schema ({@code on} and {@code yes} are strings), within
 * {@link InputLimits} (size, nesting, string length, aliases: {@link LimitedYaml}). Keys: conda's
 * five, {@code name}, {@code channels}, {@code dependencies} (required, as CEP 24 says), {@code
 * variables} and {@code prefix}; and the three that conda-lock adds to the same files, {@code
 * platforms}, {@code category} and {@code pip-repositories}: they are checked for shape and then
 * ignored. Every other key is ignored with a warning, as conda ignores it ({@code
 * EnvironmentSectionNotValid}); but when {@code dependencies} is missing and such a key is a
 * misspelling of it ({@code dependecies}), the file is refused at that key, since conda would build
 * an empty environment. Duplicate keys are refused.
 *
 * <p>{@code name} is a label: migctl builds by prefix, where conda does not use it, so any scalar
 * is taken ({@code my env} too); an empty one is none. An empty {@code channels:} means the
 * backend's configured channels. {@code dependencies} holds MatchSpec strings ({@link
 * MatchSpec#read}, whose warnings are the file's), at most one {@code pip:} mapping of pip lines
 * ({@link PipLine}), and, when the build target's backend reads them ({@link
 * BuildTarget#readsSelectors()}), micromamba's selectors {@code - sel(linux): pkg}, evaluated for
 * the target's platform ({@link PlatformSelector}); for other backends a selector is refused naming
 * the backend. {@code variables} maps names to scalars, kept as written ({@code 3.10} stays {@code
 * "3.10"}). Channels keep {@code ${VAR}} unexpanded.
 *
 * <p>Pure: no I/O, thread-safe. Every refusal is an {@link IllegalArgumentException}: a {@link
 * SpecException} naming the file, line, element, problem and what is accepted, or an {@link
 * io.migctl.core.input.InvalidTextException} naming the file and the bound it passes. No input
 * gives another exception.
 */
public final class EnvironmentFiles {

  /** The keys conda reads. */
  public static final List<String> CONDA_KEYS =
      List.of("name", "channels", "dependencies", "variables", "prefix");

  /** conda-lock's keys: accepted, checked for shape, not part of the spec. */
  public static final List<String> CONDA_LOCK_KEYS =
      List.of("platforms", "category", "pip-repositories");

  private static final String ACCEPTED_KEYS =
      String.join(", ", CONDA_KEYS)
          + " (conda); "
          + String.join(", ", CONDA_LOCK_KEYS)
          + " (conda-lock's, ignored)";
  private static final String ACCEPTED_DOCUMENT =
      "a YAML mapping with dependencies: and optionally " + ACCEPTED_KEYS;
  private static final Pattern PLATFORM = Pattern.compile("noarch|[a-z0-9]+-[a-z0-9_]+");

  private EnvironmentFiles() {}

  /**
   * The spec of an {@code environment.yml} as conda reads it, for callers that need only the spec:
   * the warnings are dropped, and selectors are refused as conda refuses them.
   *
   * @param source names the file in messages, e.g. its path
   * @throws IllegalArgumentException as {@link #read(String, String, BuildTarget)}
   */
  public static EnvironmentSpec parse(String text, String source) {
    return read(text, source, new BuildTarget("noarch", "conda")).spec();
  }

  /**
   * Reads an {@code environment.yml} from its text.
   *
   * @param source names the file in messages, e.g. its path
   * @param target the backend and platform it is read for (selectors depend on them)
   * @throws IllegalArgumentException when the file passes a bound, is not valid YAML or not a valid
   *     environment file
   */
  public static ParsedSpec read(String text, String source, BuildTarget target) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    Reading reading = new Reading(source, target);
    EnvironmentSpec spec = reading.spec(compose(text, source));
    return new ParsedSpec(spec, reading.warnings);
  }

  /** The one document of an environment file: YAML 1.2, core schema, each key once. */
  private static Optional<Node> compose(String text, String source) {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    try {
      return LimitedYaml.composeSingle(body, LimitedYaml.strictSettings(source), source);
    } catch (ForbiddenCharacterException e) {
      Optional<Mark> at = e.getProblemMark();
      throw new SpecException(
          source,
          at.map(m -> m.getLine() + 1).orElse(0),
          "file",
          "has "
              + e.character()
              + at.map(m -> " at column " + (m.getColumn() + 1)).orElse("")
              + ", which is not allowed in YAML",
          "UTF-8 text; tabs and line breaks are the only control characters YAML allows",
          e);
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(0);
      String problem =
          e.getContext() == null || e.getContext().isEmpty()
              ? e.getProblem()
              : e.getContext() + ": " + e.getProblem();
      throw new SpecException(
          source,
          line,
          "file",
          "is not valid YAML (" + problem + ")",
          "YAML; list items under a key are indented as one block",
          e);
    } catch (YamlEngineException e) {
      throw new SpecException(
          source, 0, "file", "is not valid YAML (" + e.getMessage() + ")", "YAML", e);
    }
  }

  /** One parse: the source name, the target, the walk over the composed nodes, the warnings. */
  private static final class Reading {

    private final String source;
    private final BuildTarget target;
    private final List<String> warnings = new ArrayList<>();

    Reading(String source, BuildTarget target) {
      this.source = source;
      this.target = target;
    }

    EnvironmentSpec spec(Optional<Node> document) {
      Node root =
          document.orElseThrow(
              () ->
                  new SpecException(
                      source,
                      0,
                      "file",
                      "has no YAML document (it is empty or only comments)",
                      ACCEPTED_DOCUMENT));
      if (!(root instanceof MappingNode mapping)) {
        throw error(
            root, "file", "is " + kind(root) + ", not a mapping of keys", ACCEPTED_DOCUMENT);
      }
      Map<String, NodeTuple> entries = keyed(mapping, "");
      NodeTuple dependenciesEntry = entries.get("dependencies");
      entries.forEach(
          (key, entry) -> {
            if (!CONDA_KEYS.contains(key) && !CONDA_LOCK_KEYS.contains(key)) {
              Optional<String> meant = closeKey(key);
              if (dependenciesEntry == null && meant.filter("dependencies"::equals).isPresent()) {
                throw error(
                    entry.getKeyNode(),
                    key,
                    "is not a key of an environment file (did you mean dependencies?), and"
                        + " dependencies is missing: conda would ignore this key and build an"
                        + " empty environment",
                    ACCEPTED_KEYS);
              }
              warn(entry.getKeyNode(), key, unknownKey(key, meant));
            }
          });

      Optional<String> name = Optional.ofNullable(entries.get("name")).flatMap(this::name);
      List<String> channels =
          Optional.ofNullable(entries.get("channels")).map(this::channels).orElse(List.of());
      if (dependenciesEntry == null) {
        throw new SpecException(
            source,
            0,
            "dependencies",
            "is missing; CEP 24 requires it (write dependencies: [] for none)",
            "");
      }
      Dependencies dependencies = dependencies(dependenciesEntry);
      Map<String, String> variables =
          Optional.ofNullable(entries.get("variables")).map(this::variables).orElse(Map.of());
      Optional<String> prefix =
          Optional.ofNullable(entries.get("prefix")).map(e -> nonBlank(e.getValueNode(), "prefix"));
      Optional.ofNullable(entries.get("platforms")).ifPresent(this::platforms);
      Optional.ofNullable(entries.get("category"))
          .ifPresent(e -> nonBlank(e.getValueNode(), "category"));
      Optional.ofNullable(entries.get("pip-repositories"))
          .ifPresent(e -> strings(e.getValueNode(), "pip-repositories", "URLs"));

      try {
        return new EnvironmentSpec(
            name, channels, dependencies.conda(), dependencies.pip(), variables, prefix);
      } catch (IllegalArgumentException e) {
        throw new SpecException(source, line(root), "file", e.getMessage(), "", e);
      }
    }

    /** Any scalar, as text; none when empty. */
    private Optional<String> name(NodeTuple entry) {
      Node node = entry.getValueNode();
      if (!(node instanceof ScalarNode scalar)) {
        throw error(node, "name", "is " + kind(node) + ", not a name", "a string");
      }
      if (isNull(node) || scalar.getValue().isBlank()) {
        return Optional.empty();
      }
      String name = scalar.getValue().strip();
      checkWithSpec(
          node,
          "name",
          () ->
              new EnvironmentSpec(
                  Optional.of(name), List.of(), List.of(), List.of(), Map.of(), Optional.empty()));
      return Optional.of(name);
    }

    private List<String> channels(NodeTuple entry) {
      if (isNull(entry.getValueNode())) {
        return List.of(); // conda: the configured channels
      }
      SequenceNode list = sequence(entry.getValueNode(), "channels", "a list of channel names");
      List<String> channels = new ArrayList<>();
      for (int i = 0; i < list.getValue().size(); i++) {
        Node item = list.getValue().get(i);
        String element = "channels[" + i + "]";
        String channel = string(item, element, "a channel name or URL");
        checkWithSpec(
            item,
            element,
            () ->
                new EnvironmentSpec(
                    Optional.empty(),
                    List.of(channel),
                    List.of(),
                    List.of(),
                    Map.of(),
                    Optional.empty()));
        channels.add(channel);
      }
      return channels;
    }

    private record Dependencies(List<MatchSpec> conda, List<String> pip) {}

    private Dependencies dependencies(NodeTuple entry) {
      SequenceNode list =
          sequence(
              entry.getValueNode(),
              "dependencies",
              "a list of MatchSpecs and at most one pip: list");
      List<MatchSpec> conda = new ArrayList<>();
      List<String> pip = null;
      for (int i = 0; i < list.getValue().size(); i++) {
        Node item = list.getValue().get(i);
        String element = "dependencies[" + i + "]";
        if (!(item instanceof MappingNode mapping)) {
          String text = string(item, element, "a MatchSpec such as numpy>=1.26 or a pip: list");
          matchSpec(item, element, text).ifPresent(conda::add);
          continue;
        }
        Map<String, NodeTuple> keys = keyed(mapping, element + ".");
        for (Map.Entry<String, NodeTuple> keyed : keys.entrySet()) {
          String key = keyed.getKey();
          Node value = keyed.getValue().getValueNode();
          if (key.equals("pip")) {
            if (pip != null) {
              throw error(item, element, "is a second pip: section; conda takes one", "one pip:");
            }
            pip = pipLines(value, element + ".pip");
          } else if (PlatformSelector.isSelector(key)) {
            selected(keyed.getValue().getKeyNode(), element, key, value).ifPresent(conda::add);
          } else {
            throw error(
                item,
                element,
                "is a mapping with the key(s) "
                    + String.join(", ", keys.keySet())
                    + "; the only mapping dependencies takes is pip: [...]"
                    + (target.readsSelectors() ? " (and micromamba's sel(...): pkg)" : ""),
                "pip");
          }
        }
      }
      return new Dependencies(conda, pip == null ? List.of() : pip);
    }

    /** A MatchSpec item, with conda's warnings; none when conda would read nothing there. */
    private Optional<MatchSpec> matchSpec(Node item, String element, String text) {
      try {
        MatchSpec.Parsed parsed = MatchSpec.read(text);
        parsed
            .warnings()
            .forEach(
                w -> warn(item, element, "MatchSpec \"" + SpecText.abbreviate(text) + "\": " + w));
        return Optional.of(parsed.spec());
      } catch (IllegalArgumentException e) {
        throw new SpecException(source, line(item), element, e.getMessage(), "", e);
      }
    }

    /**
     * The package of a {@code sel(...): pkg} item when the selector holds for the target's
     * platform; refused when the target's backend does not read selectors.
     */
    private Optional<MatchSpec> selected(Node keyNode, String element, String key, Node value) {
      if (!target.readsSelectors()) {
        throw error(
            keyNode,
            element,
            "\""
                + SpecText.abbreviate(key)
                + "\" is a micromamba selector, which the "
                + target.backend()
                + " backend does not read (conda stops at it: a dependency that is a mapping"
                + " other than pip:)",
            "build with --backend micromamba, or list the package without sel(...)");
      }
      PlatformSelector selector;
      try {
        selector = PlatformSelector.parse(key);
      } catch (IllegalArgumentException e) {
        throw new SpecException(source, line(keyNode), element, e.getMessage(), "", e);
      }
      if (!(value instanceof ScalarNode) || isNull(value)) {
        throw error(
            value,
            element + "." + selector,
            "is " + kind(value) + "; micromamba selects one MatchSpec per sel(...) item",
            "sel(linux): a MatchSpec");
      }
      String text = string(value, element + "." + selector, "a MatchSpec");
      return selector.selects(target.platform())
          ? matchSpec(value, element + "." + selector, text)
          : Optional.empty();
    }

    private List<String> pipLines(Node node, String element) {
      if (isNull(node)) {
        return List.of(); // conda drops an empty pip: section
      }
      SequenceNode list = sequence(node, element, "a list of pip requirement lines");
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < list.getValue().size(); i++) {
        Node item = list.getValue().get(i);
        String itemElement = element + "[" + i + "]";
        String text = string(item, itemElement, PipLine.ACCEPTED_FORMS);
        PipLine pipLine;
        try {
          pipLine = new PipLine(text);
        } catch (IllegalArgumentException e) {
          throw new SpecException(source, line(item), itemElement, e.getMessage(), "", e);
        }
        pipLine
            .ignoredOptions()
            .forEach(
                option ->
                    warn(
                        item,
                        itemElement,
                        "pip line \""
                            + SpecText.abbreviate(text)
                            + "\": pip ignores "
                            + option
                            + " after a requirement (only --hash, --config-settings,"
                            + " --global-option, --no-binary and --only-binary act there);"
                            + " give it a line of its own"));
        lines.add(pipLine.text());
      }
      return lines;
    }

    private Map<String, String> variables(NodeTuple entry) {
      Node node = entry.getValueNode();
      if (!(node instanceof MappingNode mapping)) {
        throw error(node, "variables", "is " + kind(node) + ", not a mapping", "NAME: value pairs");
      }
      Map<String, String> variables = new LinkedHashMap<>();
      keyed(mapping, "variables.")
          .forEach(
              (key, tuple) -> {
                String element = "variables." + key;
                Node value = tuple.getValueNode();
                if (!(value instanceof ScalarNode scalar)) {
                  throw error(value, element, "is " + kind(value) + ", not one value", "a scalar");
                }
                if (isNull(value)) {
                  throw error(
                      value,
                      element,
                      "has no value",
                      "a scalar; write " + key + ": \"\" for an empty value");
                }
                checkWithSpec(
                    tuple.getKeyNode(),
                    element,
                    () ->
                        new EnvironmentSpec(
                            Optional.empty(),
                            List.of(),
                            List.of(),
                            List.of(),
                            Map.of(key, scalar.getValue()),
                            Optional.empty()));
                variables.put(key, scalar.getValue());
              });
      return variables;
    }

    private void platforms(NodeTuple entry) {
      List<String> platforms =
          strings(entry.getValueNode(), "platforms", "conda subdirs such as linux-64");
      for (int i = 0; i < platforms.size(); i++) {
        if (!PLATFORM.matcher(platforms.get(i)).matches()) {
          Node item = ((SequenceNode) entry.getValueNode()).getValue().get(i);
          throw error(
              item,
              "platforms[" + i + "]",
              "\"" + platforms.get(i) + "\" is not a conda subdir",
              "linux-64, linux-aarch64, osx-arm64, win-64, noarch, …");
        }
      }
    }

    private List<String> strings(Node node, String element, String what) {
      SequenceNode list = sequence(node, element, "a list of " + what);
      List<String> values = new ArrayList<>();
      for (int i = 0; i < list.getValue().size(); i++) {
        Node item = list.getValue().get(i);
        values.add(nonBlank(item, element + "[" + i + "]"));
      }
      return values;
    }

    /** The entries of a mapping by key, in file order; refuses non-string and repeated keys. */
    private Map<String, NodeTuple> keyed(MappingNode mapping, String prefix) {
      Map<String, NodeTuple> entries = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        Node keyNode = tuple.getKeyNode();
        String where = prefix.isEmpty() ? "file" : prefix.substring(0, prefix.length() - 1);
        String key = string(keyNode, where, "string keys");
        NodeTuple first = entries.putIfAbsent(key, tuple);
        if (first != null) {
          throw error(
              keyNode,
              prefix + key,
              "is given twice (first on line " + line(first.getKeyNode()) + ")",
              "each key once");
        }
      }
      return entries;
    }

    private SequenceNode sequence(Node node, String element, String accepted) {
      if (node instanceof SequenceNode list) {
        return list;
      }
      throw error(node, element, "is " + kind(node) + ", not a list", accepted);
    }

    private String nonBlank(Node node, String element) {
      String value = string(node, element, "a non-empty string").strip();
      if (value.isEmpty()) {
        throw error(node, element, "is blank", "a non-empty string");
      }
      return value;
    }

    /** A string scalar's value; numbers, booleans and nulls are refused with a hint to quote. */
    private String string(Node node, String element, String accepted) {
      if (node instanceof ScalarNode scalar
          && (scalar.getTag().equals(Tag.STR) || scalar.getTag().equals(Tag.ENV_TAG))) {
        return scalar.getValue();
      }
      String hint =
          node instanceof ScalarNode && !isNull(node) ? " (quote it to make it a string)" : "";
      throw error(node, element, "is " + kind(node) + ", not a string" + hint, accepted);
    }

    private void checkWithSpec(Node node, String element, Runnable construction) {
      try {
        construction.run();
      } catch (IllegalArgumentException e) {
        throw new SpecException(source, line(node), element, e.getMessage(), "", e);
      }
    }

    private void warn(Node node, String element, String problem) {
      warnings.add(SpecException.message(source, line(node), element, problem, ""));
    }

    private SpecException error(Node node, String element, String problem, String accepted) {
      return new SpecException(source, line(node), element, problem, accepted);
    }

    private static int line(Node node) {
      return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private static boolean isNull(Node node) {
      return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    private static String kind(Node node) {
      if (node instanceof MappingNode) {
        return "a mapping";
      }
      if (node instanceof SequenceNode) {
        return "a list";
      }
      ScalarNode scalar = (ScalarNode) node;
      Tag tag = scalar.getTag();
      if (tag.equals(Tag.NULL)) {
        return "empty";
      }
      if (tag.equals(Tag.BOOL)) {
        return "the boolean " + scalar.getValue();
      }
      if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
        return "the number " + scalar.getValue();
      }
      return "the value \"" + scalar.getValue() + "\"";
    }

    private static String unknownKey(String key, Optional<String> meant) {
      if (key.equals("pip")) {
        return "is not a top-level key: the pip list belongs inside dependencies, as the item"
            + " '- pip: [...]'; conda ignores it, so its packages are not installed";
      }
      return "is not a key of an environment file"
          + meant.map(k -> " (did you mean " + k + "?)").orElse("")
          + "; conda ignores it";
    }

    /** The known key {@code key} is probably a misspelling of. */
    private static Optional<String> closeKey(String key) {
      return Stream.concat(CONDA_KEYS.stream(), CONDA_LOCK_KEYS.stream())
          .filter(known -> key.length() < 40 && editDistance(key, known) <= 2)
          .findFirst();
    }

    private static int editDistance(String a, String b) {
      int[] previous = new int[b.length() + 1];
      int[] current = new int[b.length() + 1];
      for (int j = 0; j <= b.length(); j++) {
        previous[j] = j;
      }
      for (int i = 1; i <= a.length(); i++) {
        current[0] = i;
        for (int j = 1; j <= b.length(); j++) {
          int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
          current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
        }
        int[] swap = previous;
        previous = current;
        current = swap;
      }
      return previous[b.length()];
    }
  }
}
