package io.migctl.apply;

import io.migctl.core.input.InvalidTextException;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.HookCommand;
import io.migctl.core.mig.config.HooksFile;
import io.migctl.core.mig.config.HooksFileParser;
import io.migctl.core.mig.config.MigPartedConfig;
import io.migctl.core.mig.config.MigPartedConfigParser;
import io.migctl.input.LimitedYaml;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads mig-parted config and hooks files as users have them: plain files, multi-document streams,
 * Kubernetes ConfigMaps and Helm values that hold the config as a string.
 *
 * <p><b>YAML.</b> mig-parted reads YAML 1.1 leniently (go-yaml v2, non-strict), and so does this
 * class: duplicate keys are allowed and the last one wins; plain {@code yes}/{@code no}/{@code
 * on}/{@code off}/{@code y}/{@code n} are booleans, {@code 0x1F} and {@code 017} are integers,
 * {@code ~} and empty values are null, {@code <<} merges; TABs that indent lines inside a
 * JSON-style flow collection are whitespace (go-yaml takes them; SnakeYAML needs them as spaces, so
 * they are replaced there and only there); trailing commas in flow collections are fine. A TAB that
 * indents a block line is a syntax error, as in go-yaml. Syntax errors are reported as {@code
 * source:line:column: problem}; for a config inside a ConfigMap's block scalar the position is the
 * one in the outer file.
 *
 * <p><b>Which documents.</b> Every document of the stream is looked at, in order:
 *
 * <ul>
 *   <li>a mapping with {@code mig-configs}, or with only {@code version}, is a config (for {@link
 *       #readHooks}: a mapping with {@code hooks} is a hooks file);
 *   <li>a Kubernetes {@code kind: ConfigMap}: its {@code data."config.yaml"} is a config (reported
 *       as an error when it is not one), and every other {@code data} value that parses as a config
 *       is one too;
 *   <li>Helm values: {@code migManager.config.data} is read as a ConfigMap's {@code data}; when it
 *       is a string ({@code data: |-}), the chart would render a ConfigMap without a {@code
 *       config.yaml} key, which is refused;
 *   <li>anything else (DaemonSets, RBAC, other ConfigMaps, single entries, empty documents) is
 *       skipped. When nothing was found, the error says what the file holds and what was expected
 *       (a fragment without {@code version: v1} and {@code mig-configs:} gets the advice to wrap
 *       it).
 * </ul>
 *
 * <p>All configs found are merged by name, in stream order. A name found twice with the same
 * entries is kept once (the mig-parted README's blocks repeat {@code all-1g.5gb}); with different
 * entries it is an error that names both places, since migctl cannot know which one is meant. Hooks
 * files found are merged the same way by hook name. (mig-parted itself reads only the first
 * document of a stream, and no Kubernetes wrappers.)
 *
 * <p><b>Templates.</b> Lines that are only a Helm or Jinja directive ({@code {{- include ... }}},
 * {@code {% if %}}) are blanked before parsing, so a ConfigMap template whose directive sits in
 * {@code metadata} loads; a directive inside the config itself is refused with advice to render the
 * template first, as is a template placeholder where a value is expected ({@code mig-devices:
 * ${to_json($mig_profile)}}).
 *
 * <p><b>Bounds.</b> YAML is read within migctl's input bounds ({@link LimitedYaml}: 64 levels, 50
 * aliases, 1 MiB strings, 4 MiB text); beyond one the text is refused with an {@link
 * InvalidTextException} naming the source, the bound and the line.
 *
 * <p>Every other error is a {@link ConfigException}; its message starts with the source (a file
 * name or {@code <stdin>}), then where in the stream (a document, a ConfigMap key), then the
 * element path, e.g. {@code custom.yaml (ConfigMap "custom-mig-config", data."config.yaml"):
 * mig-configs.custom[1].devices: 7 is a single number; ...}. Stateless and thread-safe.
 */
public final class MigPartedFiles {

  private static final Pattern TEMPLATE_LINE =
      Pattern.compile("^[ \\t]*(\\{\\{[-~\\s./$].*\\}\\}|\\{%.*%\\})[ \\t]*$");
  private static final Pattern COMMENTED_CONFIG =
      Pattern.compile("(?m)^[ \\t]*#.*\\b(mig-configs|hooks):");

  private MigPartedFiles() {}

  /**
   * Reads the mig-parted configs in {@code text}.
   *
   * @param text the file's content
   * @param source the file name, or {@code <stdin>}, for messages
   * @return every config found, merged by name
   * @throws ConfigException when the text holds no config, or a wrong one
   * @throws InvalidTextException when the text exceeds the input bounds
   */
  public static MigPartedConfig readConfig(String text, String source) {
    Stream stream = Stream.load(text, source);
    List<Candidate> found = stream.candidates(Kind.CONFIG);
    Map<String, List<ConfigEntry>> configs = new LinkedHashMap<>();
    Map<String, String> origin = new LinkedHashMap<>();
    for (Candidate c : found) {
      MigPartedConfig config = c.read(MigPartedConfigParser::parse);
      config
          .configs()
          .forEach(
              (name, entries) -> {
                List<ConfigEntry> before = configs.putIfAbsent(name, entries);
                if (before != null && !before.equals(entries)) {
                  throw new ConfigException(
                      source,
                      "config \""
                          + name
                          + "\" is defined twice with different entries (in "
                          + origin.get(name)
                          + " and in "
                          + c.label()
                          + "); keep one, or rename one of them");
                }
                origin.putIfAbsent(name, c.label());
              });
    }
    return new MigPartedConfig(configs);
  }

  /**
   * Reads the mig-parted hooks in {@code text}.
   *
   * @param text the file's content
   * @param source the file name, or {@code <stdin>}, for messages
   * @return every hook found, merged by name
   * @throws ConfigException when the text holds no hooks file, or a wrong one
   * @throws InvalidTextException when the text exceeds the input bounds
   */
  public static HooksFile readHooks(String text, String source) {
    Stream stream = Stream.load(text, source);
    Map<String, List<HookCommand>> hooks = new LinkedHashMap<>();
    Map<String, String> origin = new LinkedHashMap<>();
    for (Candidate c : stream.candidates(Kind.HOOKS)) {
      HooksFile file = c.read(HooksFileParser::parseHooks);
      file.hooks()
          .forEach(
              (name, commands) -> {
                List<HookCommand> before = hooks.putIfAbsent(name, commands);
                if (before != null && !before.equals(commands)) {
                  throw new ConfigException(
                      source,
                      "hook \""
                          + name
                          + "\" is defined twice with different commands (in "
                          + origin.get(name)
                          + " and in "
                          + c.label()
                          + "); keep one");
                }
                origin.putIfAbsent(name, c.label());
              });
    }
    return new HooksFile(hooks);
  }

  /** What is being looked for. */
  private enum Kind {
    CONFIG("mig-configs", "a mig-parted config (version: v1 and mig-configs:)"),
    HOOKS("hooks", "a mig-parted hooks file (version: v1 and hooks:)");

    private final String field;
    private final String expected;

    Kind(String field, String expected) {
      this.field = field;
      this.expected = expected;
    }

    /** Whether a document (a mapping outside any wrapper) is one of these. */
    boolean isDocument(MappingNode m) {
      List<String> keys = YamlNodes.keys(m);
      if (keys.contains("kind") && keys.contains("apiVersion")) {
        return false;
      }
      return keys.contains(field) || (!keys.isEmpty() && keys.stream().allMatch("version"::equals));
    }
  }

  /**
   * A document or embedded text that is read as a config or hooks file.
   *
   * @param label where it is, for messages: {@code document 3, line 40}, {@code ConfigMap "x",
   *     data."config.yaml"}; empty for a plain one-document file
   * @param node its root
   * @param span the outer lines it covers (0-based, inclusive)
   * @param contentIndent for a block scalar, the indentation of its content; else 0
   */
  private record Candidate(Stream stream, String label, Node node, int[] span, int contentIndent) {

    <T> T read(Function<Object, T> parser) {
      stream.refuseTemplateLinesIn(this);
      Object tree = YamlNodes.value(node, stream.source, label);
      try {
        return parser.apply(tree);
      } catch (ConfigException e) {
        throw e.in(stream.source + (label.isEmpty() ? "" : " (" + label + ")"));
      }
    }
  }

  /** A loaded YAML stream with what is needed to point at its lines. */
  private static final class Stream {

    private final String source;
    private final List<String> originalLines;
    private final Set<Integer> templateLines;
    private final List<Node> documents;

    private Stream(
        String source, List<String> originalLines, Set<Integer> templateLines, List<Node> docs) {
      this.source = source;
      this.originalLines = originalLines;
      this.templateLines = templateLines;
      this.documents = docs;
    }

    static Stream load(String text, String source) {
      List<String> lines = List.of(text.split("\n", -1));
      Set<Integer> templateLines = new HashSet<>();
      StringBuilder blanked = new StringBuilder();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (TEMPLATE_LINE.matcher(line.stripTrailing()).matches()) {
          templateLines.add(i);
          line = "";
        }
        blanked.append(line);
        if (i < lines.size() - 1) {
          blanked.append('\n');
        }
      }
      Positions positions = (line, column) -> source + ":" + (line + 1) + ":" + (column + 1);
      List<Node> documents = Yaml.compose(blanked.toString(), source, positions, text);
      return new Stream(source, lines, templateLines, documents);
    }

    List<Candidate> candidates(Kind kind) {
      List<Candidate> found = new ArrayList<>();
      boolean single = documents.size() == 1;
      for (int i = 0; i < documents.size(); i++) {
        Node doc = documents.get(i);
        if (!(doc instanceof MappingNode m)) {
          continue;
        }
        String label =
            single ? "" : "document " + (i + 1) + ", line " + (YamlNodes.firstLine(doc) + 1);
        if (kind.isDocument(m)) {
          found.add(new Candidate(this, label, doc, YamlNodes.span(doc), 0));
        } else if (YamlNodes.isConfigMap(m)) {
          Node data = YamlNodes.child(m, "data");
          String name =
              YamlNodes.scalar(YamlNodes.child(YamlNodes.child(m, "metadata"), "name")).orElse("");
          String where = "ConfigMap" + (name.isEmpty() ? "" : " \"" + name + "\"") + ", data";
          if (data instanceof MappingNode dataMap) {
            found.addAll(embedded(kind, dataMap, where));
          }
        } else if (YamlNodes.child(YamlNodes.child(m, "migManager"), "config")
                instanceof MappingNode c
            && YamlNodes.child(c, "data") != null) {
          Node data = YamlNodes.child(c, "data");
          if (data instanceof MappingNode dataMap) {
            found.addAll(embedded(kind, dataMap, "migManager.config.data"));
          } else if (kind == Kind.CONFIG) {
            throw new ConfigException(
                source + ":" + (YamlNodes.firstLine(data) + 1),
                "migManager.config.data is "
                    + (data instanceof ScalarNode ? "one string (data: |-)" : "not a mapping")
                    + ", so the chart renders a ConfigMap without a config.yaml key; write data:"
                    + " as a mapping with the config under it (data: / config.yaml: |)");
          }
        }
      }
      if (found.isEmpty()) {
        throw nothingFound(kind);
      }
      return found;
    }

    /** The configs (or hooks files) held as strings in a ConfigMap's {@code data}. */
    private List<Candidate> embedded(Kind kind, MappingNode data, String where) {
      List<Candidate> found = new ArrayList<>();
      for (NodeTuple t : data.getValue()) {
        String key = YamlNodes.scalar(t.getKeyNode()).orElse("");
        String label = where + "." + quote(key);
        boolean mustBeConfig = kind == Kind.CONFIG && key.equals("config.yaml");
        if (!(t.getValueNode() instanceof ScalarNode text)) {
          if (mustBeConfig) {
            throw new ConfigException(
                source + " (" + label + ")",
                "is "
                    + (t.getValueNode() instanceof SequenceNode ? "a list" : "a mapping")
                    + ", but ConfigMap data values are strings; write config.yaml: | and the config"
                    + " indented under it");
          }
          continue;
        }
        int indent = contentIndent(text);
        Positions positions = embeddedPositions(text, label, indent);
        List<Node> inner;
        try {
          inner =
              Yaml.compose(
                  text.getValue(), source + " (" + label + ")", positions, text.getValue());
        } catch (ConfigException | InvalidTextException e) {
          if (mustBeConfig) {
            throw e;
          }
          continue; // another data key (a script, clients.yaml): not ours
        }
        int[] span = YamlNodes.span(text);
        boolean any = false;
        for (Node doc : inner) {
          if (doc instanceof MappingNode m && kind.isDocument(m)) {
            found.add(new Candidate(this, label, doc, span, indent));
            any = true;
          }
        }
        if (mustBeConfig && !any) {
          throw new ConfigException(
              source + " (" + label + ")",
              "is not a mig-parted config: it holds "
                  + describeDocuments(inner)
                  + "; expected "
                  + kind.expected
                  + fragmentAdvice(inner));
        }
      }
      return found;
    }

    /** The indentation of a block scalar's content in the outer text, or 0. */
    private int contentIndent(ScalarNode text) {
      if (text.getScalarStyle() != ScalarStyle.LITERAL
          && text.getScalarStyle() != ScalarStyle.FOLDED) {
        return 0;
      }
      for (int i = YamlNodes.firstLine(text) + 1; i < originalLines.size(); i++) {
        String line = originalLines.get(i);
        if (!line.isBlank()) {
          return line.length() - line.stripLeading().length();
        }
      }
      return 0;
    }

    private Positions embeddedPositions(ScalarNode text, String label, int indent) {
      if (text.getScalarStyle() == ScalarStyle.LITERAL) {
        int first = YamlNodes.firstLine(text) + 1;
        return (line, column) ->
            source + ":" + (first + line + 1) + ":" + (indent + column + 1) + " (" + label + ")";
      }
      return (line, column) ->
          source + " (" + label + ", line " + (line + 1) + ", column " + (column + 1) + ")";
    }

    /** Refuses a candidate that has a blanked template line in it. */
    void refuseTemplateLinesIn(Candidate c) {
      for (int line = c.span()[0]; line <= c.span()[1]; line++) {
        String original = line < originalLines.size() ? originalLines.get(line) : "";
        int indent = original.length() - original.stripLeading().length();
        if (templateLines.contains(line) && indent >= c.contentIndent()) {
          throw new ConfigException(
              source + ":" + (line + 1),
              original.strip()
                  + " is a template directive inside "
                  + (c.label().isEmpty() ? "the config" : c.label())
                  + "; render the template first (helm template, puppet, ansible) and give migctl"
                  + " the result");
        }
      }
    }

    private ConfigException nothingFound(Kind kind) {
      boolean empty = documents.stream().allMatch(d -> YamlNodes.isEmpty(d));
      String all = String.join("\n", originalLines);
      if (empty) {
        if (COMMENTED_CONFIG.matcher(all).find()) {
          return new ConfigException(
              source,
              "the file is only comments and blank lines; the "
                  + (kind == Kind.CONFIG ? "config" : "hooks file")
                  + " in it is commented out: remove the # in front of its lines");
        }
        return new ConfigException(
            source, "the file is empty; expected " + kind.expected + templateAdvice(all));
      }
      return new ConfigException(
          source,
          "not "
              + (kind == Kind.CONFIG ? "a mig-parted config" : "a mig-parted hooks file")
              + ": it holds "
              + describeDocuments(documents)
              + "; expected "
              + kind.expected
              + ", or a Kubernetes ConfigMap or Helm values holding one"
              + (kind == Kind.CONFIG ? " in data.\"config.yaml\"" : " in data")
              + (kind == Kind.CONFIG ? fragmentAdvice(documents) : ""));
    }

    private static String templateAdvice(String text) {
      return text.contains("{{") || text.contains("${")
          ? "; it has template syntax: render the template first"
          : "";
    }
  }

  /** Advice for a config without its header (mig-parted issue 100). */
  private static String fragmentAdvice(List<Node> docs) {
    for (Node doc : docs) {
      if (!(doc instanceof MappingNode m)) {
        continue;
      }
      if (YamlNodes.isEntry(m)) {
        return ". This is a single entry; put it in a named config: version: v1, then"
            + " mig-configs:, then a name (e.g. custom:), then the entry as a list item (- devices:"
            + " ...)";
      }
      for (NodeTuple t : m.getValue()) {
        Node v = t.getValueNode();
        boolean entries =
            v instanceof SequenceNode s
                && s.getValue().stream()
                    .anyMatch(e -> e instanceof MappingNode em && YamlNodes.isEntry(em));
        if (entries || (v instanceof MappingNode vm && YamlNodes.isEntry(vm))) {
          String name = YamlNodes.scalar(t.getKeyNode()).orElse("custom");
          return ". \""
              + name
              + "\" looks like a config without the file's header; wrap it: start the file with"
              + " version: v1 and mig-configs:, then indent \""
              + name
              + ":\" and its entries (- devices: ...) under mig-configs:";
        }
      }
    }
    return "";
  }

  private static String describeDocuments(List<Node> docs) {
    List<String> parts = new ArrayList<>();
    for (Node doc : docs) {
      String d = describeDocument(doc);
      if (!parts.contains(d)) {
        parts.add(d);
      }
    }
    return parts.isEmpty() ? "nothing" : String.join(", ", parts);
  }

  private static String describeDocument(Node doc) {
    if (YamlNodes.isEmpty(doc)) {
      return "an empty document";
    }
    if (doc instanceof MappingNode m) {
      List<String> keys = YamlNodes.keys(m);
      Optional<String> kind = YamlNodes.scalar(YamlNodes.child(m, "kind"));
      if (kind.isPresent() && keys.contains("apiVersion")) {
        String name =
            YamlNodes.scalar(YamlNodes.child(YamlNodes.child(m, "metadata"), "name")).orElse("");
        return "a Kubernetes "
            + kind.get()
            + (name.isEmpty() ? "" : " \"" + name + "\"")
            + (kind.get().equals("ConfigMap") ? " without a mig-parted config in data" : "");
      }
      if (keys.contains("hooks")) {
        return "a hooks file (hooks:)";
      }
      if (keys.contains("mig-configs")) {
        return "a mig-parted config (mig-configs:)";
      }
      if (keys.contains("migManager")) {
        return "Helm values without migManager.config.data";
      }
      if (YamlNodes.isEntry(m)) {
        return "a single entry (devices, mig-enabled)";
      }
      return "a mapping with "
          + (keys.size() == 1 ? "the key " : "the keys ")
          + String.join(", ", keys.subList(0, Math.min(keys.size(), 5)))
          + (keys.size() > 5 ? ", ..." : "");
    }
    if (doc instanceof SequenceNode) {
      return "a list";
    }
    String text = YamlNodes.scalar(doc).orElse("");
    return "the text \"" + (text.length() > 40 ? text.substring(0, 37) + "..." : text) + "\"";
  }

  private static String quote(String key) {
    return "\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Turns a 0-based line and column of a text into the words of a message. */
  @FunctionalInterface
  private interface Positions {
    String at(int line, int column);
  }

  /**
   * SnakeYAML Engine set up to read YAML as mig-parted (go-yaml v2) does, within migctl's input
   * bounds ({@link LimitedYaml}).
   */
  private static final class Yaml {

    private static final LoadSettings SETTINGS =
        LimitedYaml.settings()
            .setAllowDuplicateKeys(true)
            .setUseMarks(true)
            .setSchema(new Yaml11Schema())
            .build();

    /**
     * The documents of {@code text} (null for an empty one).
     *
     * @param original the text before template lines were blanked, to name template syntax
     */
    static List<Node> compose(String text, String source, Positions positions, String original) {
      try {
        return LimitedYaml.composeAll(tolerateFlowTabs(text, source), SETTINGS, source);
      } catch (MarkedYamlEngineException e) {
        Optional<Mark> at = e.getProblemMark().or(e::getContextMark);
        String where = at.map(m -> positions.at(m.getLine(), m.getColumn())).orElse("");
        StringBuilder problem = new StringBuilder(oneLine(e.getProblem()));
        if (e.getContext() != null && !e.getContext().isEmpty() && e.getContextMark().isPresent()) {
          Mark c = e.getContextMark().get();
          problem
              .append(" (")
              .append(oneLine(e.getContext()))
              .append(" at line ")
              .append(c.getLine() + 1)
              .append(", column ")
              .append(c.getColumn() + 1)
              .append(")");
        }
        if (original.contains("{{") || original.contains("{%") || original.contains("${")) {
          problem.append("; the text has template syntax: render the template first");
        }
        throw new ConfigException(where, problem.toString());
      } catch (YamlEngineException e) {
        throw new ConfigException(positions.at(0, 0), oneLine(e.getMessage()));
      }
    }

    private static String oneLine(String s) {
      return s == null ? "" : s.strip().replaceAll("\\s*\\n\\s*", " ");
    }

    /**
     * The text with TABs that start lines inside flow collections replaced by spaces (go-yaml skips
     * them as whitespace; SnakeYAML refuses them). TABs in block scalars are content and TABs that
     * indent block lines are errors, so both are left as they are.
     */
    static String tolerateFlowTabs(String text, String source) {
      String[] lines = text.split("\n", -1);
      Set<Integer> tabbed = new HashSet<>();
      String[] replaced = lines.clone();
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        int lead = 0;
        while (lead < line.length() && (line.charAt(lead) == ' ' || line.charAt(lead) == '\t')) {
          lead++;
        }
        if (line.substring(0, lead).indexOf('\t') >= 0) {
          tabbed.add(i);
          replaced[i] = line.substring(0, lead).replace('\t', ' ') + line.substring(lead);
        }
      }
      if (tabbed.isEmpty()) {
        return text;
      }
      List<int[]> flows = new ArrayList<>();
      List<int[]> blockScalars = new ArrayList<>();
      try {
        for (Node n : LimitedYaml.composeAll(String.join("\n", replaced), SETTINGS, source)) {
          YamlNodes.collectSpans(n, flows, blockScalars, new IdentityHashMap<>());
        }
      } catch (YamlEngineException e) {
        return text; // not fixable here: let the original text report its own error
      }
      for (int line : tabbed) {
        boolean inFlow = flows.stream().anyMatch(s -> s[0] < line && line <= s[1]);
        boolean inBlockScalar = blockScalars.stream().anyMatch(s -> s[0] < line && line <= s[1]);
        if (!inFlow || inBlockScalar) {
          replaced[line] = lines[line];
        }
      }
      return String.join("\n", replaced);
    }
  }
}
