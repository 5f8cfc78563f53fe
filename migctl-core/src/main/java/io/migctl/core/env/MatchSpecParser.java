package io.migctl.core.env;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the written forms of a MatchSpec into its components, as conda's {@code MatchSpec} does
 * ({@code _parse_spec_str} in {@code conda/models/match_spec.py}).
 *
 * <p>Design note. The steps are conda's, in conda's order:
 *
 * <ol>
 *   <li>A {@code #} and what follows it are dropped (a comment inside a quoted YAML string).
 *   <li>The bracket section is cut out wherever it stands: from the last {@code [} that has a
 *       {@code ]} after it to the last {@code ]} (conda's {@code .*(\[.*\])}), so {@code
 *       pkg[extra]!=1.0} leaves {@code pkg!=1.0}. Inside, only {@code key=value} pairs count, found
 *       as conda's {@code finditer} of {@code ([a-zA-Z0-9_-]+?)=(["']?)([^'"]*?)(\2)(?:[, ]|$)}
 *       finds them; everything else in the brackets is dropped, as conda drops it: conda's
 *       MatchSpec has no extras (there is no {@code [extra]} for conda packages), so {@code
 *       pkg[extra]} is {@code pkg}. A later pair overrides an earlier one with the same key. An
 *       empty value is refused ("key-value mismatch in brackets"), and so is a key conda cannot
 *       match on.
 *   <li>The channel before the last {@code ::}; then the name (up to whitespace or an operator
 *       character), leaving the version and build. Whitespace next to {@code ,} and {@code |} and
 *       after an operator is dropped ({@code >= 1.5, < 2} is {@code >=1.5,<2}); what is left is a
 *       version and a build separated by a space, or one word where the build follows the last
 *       {@code =} that is not part of an operator ({@code >=0.4=cuda12*}). conda's rewriting of a
 *       leading {@code =}/{@code ==} applies: {@code =1.2} → {@code 1.2*} without a build and
 *       {@code 1.2} with one, {@code ==1.2} → {@code 1.2} without a build.
 *   <li>Bracket values override what was written outside them, except {@code name}, which conda
 *       ignores with a warning; {@code channel} may carry a subdir ({@code conda-forge/linux-64}),
 *       and {@code subdir} replaces the channel's.
 * </ol>
 *
 * What conda drops or overrides silently becomes a warning. Errors carry the reason only; {@link
 * MatchSpec#read} adds the text and the accepted forms. Every step is linear in the length, so any
 * string gives a value or an {@link IllegalArgumentException}.
 */
final class MatchSpecParser {

  private static final Pattern SPACE_AROUND_JOINERS = Pattern.compile("\\s*([,|])\\s*");
  private static final Pattern SPACE_AFTER_OPERATOR = Pattern.compile("(==|!=|<=|>=|~=|=|<|>)\\s+");
  private static final Pattern LEADING_OPERATOR = Pattern.compile("[=<>!~]+");
  private static final List<String> KNOWN_OPERATORS =
      List.of("==", "!=", "<", "<=", ">", ">=", "=", "~=");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  /** conda's {@code context.known_subdirs}: the last part of a channel that is its subdir. */
  private static final Set<String> KNOWN_SUBDIRS =
      Set.of(
          "noarch",
          "emscripten-wasm32",
          "wasi-wasm32",
          "freebsd-64",
          "linux-32",
          "linux-64",
          "linux-aarch64",
          "linux-armv6l",
          "linux-armv7l",
          "linux-ppc64",
          "linux-ppc64le",
          "linux-riscv64",
          "linux-s390x",
          "osx-64",
          "osx-arm64",
          "win-32",
          "win-64",
          "win-arm64",
          "zos-z");

  private MatchSpecParser() {}

  static MatchSpec.Parsed parse(String text) {
    List<String> warnings = new ArrayList<>();
    String spec = text.strip();
    for (int i = 0; i < spec.length(); i++) {
      char c = spec.charAt(i);
      if (c != '\t' && Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            String.format("has the control character U+%04X at position %d", (int) c, i));
      }
    }
    if (spec.contains("{{") || spec.contains("{%")) {
      throw new IllegalArgumentException(
          "is a template placeholder ({{ … }}) that was never rendered; render the template to"
              + " an environment file first");
    }
    int hash = spec.indexOf('#');
    if (hash >= 0) {
      warnings.add(
          "conda ignores what follows '#' in a MatchSpec: \""
              + SpecText.abbreviate(spec.substring(hash))
              + "\" is dropped");
      spec = spec.substring(0, hash).strip();
    }
    if (spec.isEmpty()) {
      throw new IllegalArgumentException("the spec is empty");
    }

    Map<String, String> brackets = Map.of();
    int close = spec.lastIndexOf(']');
    int open = close < 0 ? -1 : spec.lastIndexOf('[', close);
    if (open >= 0) {
      String section = spec.substring(open, close + 1);
      brackets = brackets(section.substring(1, section.length() - 1), warnings);
      spec = spec.replace(section, "").strip();
    }
    if (spec.indexOf('[') >= 0) {
      throw new IllegalArgumentException(
          spec.contains("extras=")
              ? "has extras=[…] in its brackets, which conda's MatchSpec does not read (it is"
                  + " rattler's and pixi's syntax); list the packages an extra would add"
              : close < 0
                  ? "has a '[' without a ']'"
                  : "has more than one [...] section; conda reads one");
    }
    if (spec.indexOf(']') >= 0) {
      throw new IllegalArgumentException("has a ']' without a '['");
    }

    if ((spec.contains("://") && !spec.contains("::"))
        || spec.endsWith(".tar.bz2")
        || spec.endsWith(".conda")) {
      throw new IllegalArgumentException(
          "is a package URL or file; list its channel under channels: and request the package by"
              + " name");
    }
    if (spec.indexOf('(') >= 0 || spec.indexOf(')') >= 0) {
      throw new IllegalArgumentException(
          "has a (…) section; group versions inside brackets: name[version='(1.2|1.3),<2']");
    }

    Optional<String> channel = Optional.empty();
    int colons = spec.lastIndexOf("::");
    if (colons >= 0) {
      String written = spec.substring(0, colons).strip();
      if (written.isEmpty()) {
        throw new IllegalArgumentException("has nothing before '::' where the channel goes");
      }
      channel = Optional.of(written);
      spec = spec.substring(colons + 2).strip();
    } else if (spec.indexOf(':') >= 0) {
      throw new IllegalArgumentException("has a single ':'; a channel is written channel::name");
    }

    int nameEnd = 0;
    while (nameEnd < spec.length()
        && !Character.isWhitespace(spec.charAt(nameEnd))
        && "=<>!~".indexOf(spec.charAt(nameEnd)) < 0) {
      nameEnd++;
    }
    String name = spec.substring(0, nameEnd);
    if (name.isEmpty()) {
      throw new IllegalArgumentException("has no package name before its version");
    }

    Optional<String> version = Optional.empty();
    Optional<String> build = Optional.empty();
    String rest = spec.substring(nameEnd).strip();
    if (!rest.isEmpty()) {
      String[] versionAndBuild = splitVersionAndBuild(rest);
      build = Optional.ofNullable(versionAndBuild[1]);
      version = Optional.of(rewriteLeadingEquals(versionAndBuild[0], build.isPresent()));
    }

    // conda's order: channel, then subdir, then the rest, each overriding what was written outside
    if (brackets.containsKey("channel")) {
      Optional<String> outsideSubdir = channel.flatMap(MatchSpecParser::subdirOf);
      String bracketed = brackets.get("channel");
      channel = overridden("channel", channel, bracketed, warnings);
      if (subdirOf(bracketed).isEmpty() && outsideSubdir.isPresent()) {
        channel = Optional.of(bracketed + "/" + outsideSubdir.get());
      }
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    for (Map.Entry<String, String> pair : brackets.entrySet()) {
      String key = pair.getKey();
      String value = pair.getValue();
      switch (key) {
        case "channel" -> {} // above
        case "subdir" -> {
          if (channel.isPresent()) {
            channel = Optional.of(withoutSubdir(channel.get()) + "/" + value);
          } else {
            attributes.put(key, value);
          }
        }
        case "name" ->
            warnings.add(
                "conda ignores [name="
                    + SpecText.abbreviate(value)
                    + "]: the name before the brackets, "
                    + SpecText.abbreviate(name)
                    + ", is the package");
        case "version" -> version = overridden("version", version, value, warnings);
        case "build" -> build = overridden("build", build, value, warnings);
        default -> attributes.put(key, value);
      }
    }
    return new MatchSpec.Parsed(new MatchSpec(channel, name, version, build, attributes), warnings);
  }

  /** {@code [version, build-or-null]} from what follows the name. */
  private static String[] splitVersionAndBuild(String written) {
    // runs of whitespace first made one space, so that no pattern below backtracks over a run
    String rest = WHITESPACE.matcher(written).replaceAll(" ");
    rest = SPACE_AROUND_JOINERS.matcher(rest).replaceAll("$1");
    rest = SPACE_AFTER_OPERATOR.matcher(rest).replaceAll("$1");
    String[] words = WHITESPACE.split(rest);
    String version;
    String build = null;
    if (words.length == 1) {
      int separator = buildSeparator(rest);
      version = separator > 0 ? rest.substring(0, separator) : rest;
      build = separator > 0 ? rest.substring(separator + 1) : null;
    } else if (words.length == 2) {
      version = words[0];
      build = words[1].startsWith("=") ? words[1].substring(1) : words[1];
    } else {
      throw new IllegalArgumentException(
          "has "
              + words.length
              + " words after the name where a version and at most a build go; join version"
              + " constraints with ',' (>=1.0,<2)");
    }
    if (build != null && build.isEmpty()) {
      throw new IllegalArgumentException("has an empty build after '='");
    }
    if (build != null && build.chars().anyMatch(c -> "<>!~,|".indexOf(c) >= 0)) {
      throw new IllegalArgumentException(
          "has a second constraint \""
              + build
              + "\" where the build goes; join version constraints with ',' (>=1.0,<2)");
    }
    Matcher operator = LEADING_OPERATOR.matcher(version);
    if (operator.lookingAt() && !KNOWN_OPERATORS.contains(operator.group())) {
      throw new IllegalArgumentException(
          "has the unknown operator '"
              + operator.group()
              + "'; operators are "
              + String.join(" ", KNOWN_OPERATORS));
    }
    if (operator.lookingAt() && operator.group().length() == version.length()) {
      throw new IllegalArgumentException(
          "has the operator '" + version + "' with no version after it (dangling operator)");
    }
    return new String[] {version, build};
  }

  /**
   * The last '=' that separates a build, or -1: one not at the start and not part of an operator.
   */
  private static int buildSeparator(String word) {
    for (int i = word.length() - 1; i > 0; i--) {
      if (word.charAt(i) == '=' && "=!<>~|,".indexOf(word.charAt(i - 1)) < 0) {
        return i;
      }
    }
    return -1;
  }

  /** conda's rewriting of a version written after a bare '=' or '=='. */
  private static String rewriteLeadingEquals(String version, boolean hasBuild) {
    if (!version.startsWith("=")) {
      return version;
    }
    if (version.startsWith("==") && !hasBuild) {
      return version.substring(2);
    }
    String rest = version.substring(1);
    if (rest.chars().anyMatch(c -> c == '=' || c == ',' || c == '|')) {
      return version;
    }
    return hasBuild || rest.endsWith("*") ? rest : rest + "*";
  }

  /** The bracket value of a component, with a warning when it overrides one written outside. */
  private static Optional<String> overridden(
      String key, Optional<String> written, String bracketed, List<String> warnings) {
    written.ifPresent(
        w ->
            warnings.add(
                "gives the "
                    + key
                    + " twice, "
                    + SpecText.abbreviate(w)
                    + " before the brackets and ["
                    + key
                    + "="
                    + SpecText.abbreviate(bracketed)
                    + "]; conda takes the one in brackets"));
    return Optional.of(bracketed);
  }

  /** A channel's subdir: its last part, when that is one conda knows. */
  private static Optional<String> subdirOf(String channel) {
    int slash = channel.lastIndexOf('/');
    return slash > 0 && KNOWN_SUBDIRS.contains(channel.substring(slash + 1))
        ? Optional.of(channel.substring(slash + 1))
        : Optional.empty();
  }

  /** A channel without its subdir. */
  private static String withoutSubdir(String channel) {
    return subdirOf(channel)
        .map(subdir -> channel.substring(0, channel.length() - subdir.length() - 1))
        .orElse(channel);
  }

  /**
   * The {@code key=value} pairs in a bracket section as conda's {@code finditer} of {@code
   * ([a-zA-Z0-9_-]+?)=(["']?)([^'"]*?)(\2)(?:[, ]|$)} finds them, in order, a later key replacing
   * an earlier one; the text between them that is more than separators is reported as dropped.
   * Linear: every start inside one run of key characters meets the same '=' and the same value, so
   * a failed run is skipped whole, and the scans for the next quote and the next stop only move
   * forward.
   */
  private static Map<String, String> brackets(String inside, List<String> warnings) {
    Map<String, String> pairs = new LinkedHashMap<>();
    List<String> dropped = new ArrayList<>();
    Scan scan = new Scan(inside);
    int covered = 0;
    int pos = 0;
    while (pos < inside.length()) {
      if (!isKeyCharacter(inside.charAt(pos))) {
        pos++;
        continue;
      }
      int keyEnd = pos;
      while (keyEnd < inside.length() && isKeyCharacter(inside.charAt(keyEnd))) {
        keyEnd++;
      }
      if (keyEnd >= inside.length() || inside.charAt(keyEnd) != '=') {
        pos = keyEnd;
        continue;
      }
      int[] value = scan.valueAt(keyEnd + 1);
      if (value == null) {
        pos = keyEnd + 1;
        continue;
      }
      String key = inside.substring(pos, keyEnd);
      String text = inside.substring(value[0], value[1]);
      if (text.isEmpty()) {
        throw new IllegalArgumentException(
            "has an empty value for ["
                + SpecText.abbreviate(key)
                + "=…] (conda: key-value mismatch in brackets)");
      }
      addDropped(inside.substring(covered, pos), dropped);
      if (pairs.containsKey(key)) {
        warnings.add(
            "gives ["
                + SpecText.abbreviate(key)
                + "=…] twice in its brackets; conda takes the last, "
                + SpecText.abbreviate(text));
      }
      pairs.remove(key);
      pairs.put(key, text);
      covered = value[2];
      pos = value[2];
    }
    addDropped(inside.substring(covered), dropped);
    if (!dropped.isEmpty()) {
      warnings.add(
          "conda reads only key=value pairs in brackets and drops "
              + String.join(", ", dropped.stream().map(d -> "\"" + d + "\"").toList())
              + " (conda packages have no extras)");
    }
    return pairs;
  }

  private static void addDropped(String between, List<String> dropped) {
    int start = 0;
    int end = between.length();
    while (start < end && isSeparator(between.charAt(start))) {
      start++;
    }
    while (end > start && isSeparator(between.charAt(end - 1))) {
      end--;
    }
    if (start < end) {
      dropped.add(SpecText.abbreviate(between.substring(start, end)));
    }
  }

  private static boolean isSeparator(char c) {
    return c == ',' || Character.isWhitespace(c);
  }

  /** Forward-only searches over a bracket section. */
  private static final class Scan {
    private final String text;
    private int quote = -1;
    private int stop = -1;

    Scan(String text) {
      this.text = text;
    }

    /**
     * Where a value starting at {@code from} lies, as {@code [start, end, end of the match]}, or
     * null when conda's pattern does not match there.
     */
    int[] valueAt(int from) {
      int n = text.length();
      if (from < n && (text.charAt(from) == '\'' || text.charAt(from) == '"')) {
        // quoted: up to the first quote of either kind, which must be the same one, then a stop
        int end = nextQuote(from + 1);
        if (end < n && text.charAt(end) == text.charAt(from)) {
          if (end + 1 == n) {
            return new int[] {from + 1, end, n};
          }
          if (text.charAt(end + 1) == ',' || text.charAt(end + 1) == ' ') {
            return new int[] {from + 1, end, end + 2};
          }
        }
        return null; // unquoted cannot start with a quote either
      }
      int end = nextStop(from);
      if (end == n) {
        return new int[] {from, n, n};
      }
      char c = text.charAt(end);
      return c == ',' || c == ' ' ? new int[] {from, end, end + 1} : null;
    }

    private int nextQuote(int from) {
      if (quote < from) {
        quote = from;
        while (quote < text.length() && text.charAt(quote) != '\'' && text.charAt(quote) != '"') {
          quote++;
        }
      }
      return quote;
    }

    private int nextStop(int from) {
      if (stop < from) {
        stop = from;
        while (stop < text.length() && "'\", ".indexOf(text.charAt(stop)) < 0) {
          stop++;
        }
      }
      return stop;
    }
  }

  private static boolean isKeyCharacter(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-';
  }
}
