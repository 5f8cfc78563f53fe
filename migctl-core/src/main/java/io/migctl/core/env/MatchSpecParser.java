package io.migctl.core.env;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the written forms of a MatchSpec into its components.
 *
 * <p>Design note. The text is taken apart right to left as conda does: a trailing {@code […]}
 * section, then the channel before the last {@code ::}, then the name (up to whitespace or an
 * operator character), leaving the version and build. Whitespace next to {@code ,} and {@code |}
 * and after an operator is dropped ({@code >= 1.5, < 2} is {@code >=1.5,<2}); what is left is a
 * version and a build separated by a space, or one word where the build follows the last {@code =}
 * that is not part of an operator ({@code >=0.4=cuda12*}). Last, conda's rewriting of a leading
 * {@code =}/{@code ==} applies: {@code =1.2} → {@code 1.2*} without a build and {@code 1.2} with
 * one, {@code ==1.2} → {@code 1.2} without a build. Errors carry the reason only; {@link
 * MatchSpec#parse} adds the text and the accepted forms.
 */
final class MatchSpecParser {

  private static final Pattern SPACE_AROUND_JOINERS = Pattern.compile("\\s*([,|])\\s*");
  private static final Pattern SPACE_AFTER_OPERATOR = Pattern.compile("(==|!=|<=|>=|~=|=|<|>)\\s+");
  private static final Pattern LEADING_OPERATOR = Pattern.compile("[=<>!~]+");
  private static final List<String> KNOWN_OPERATORS =
      List.of("==", "!=", "<", "<=", ">", ">=", "=", "~=");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final List<String> BRACKET_KEYS = List.of("version", "build", "channel", "subdir");

  private MatchSpecParser() {}

  static MatchSpec parse(String text) {
    String spec = text.strip();
    if (spec.isEmpty()) {
      throw new IllegalArgumentException("the spec is empty");
    }
    if (spec.contains("{{") || spec.contains("{%")) {
      throw new IllegalArgumentException(
          "is a template placeholder ({{ … }}) that was never rendered; render the template to"
              + " an environment file first");
    }
    if (spec.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "has a '#'; a YAML comment needs a space before it and no quotes around it");
    }
    Map<String, String> brackets = Map.of();
    int open = spec.indexOf('[');
    if (open >= 0) {
      if (!spec.endsWith("]")) {
        throw new IllegalArgumentException("has a '[' section that does not end the spec");
      }
      String inside = spec.substring(open + 1, spec.length() - 1);
      if (inside.indexOf('[') >= 0 || inside.indexOf(']') >= 0) {
        throw new IllegalArgumentException("has more than one [...] section");
      }
      brackets = brackets(inside);
      spec = spec.substring(0, open).strip();
    } else if (spec.indexOf(']') >= 0) {
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

    if (brackets.containsKey("version")) {
      version = once("version", version, brackets.get("version"));
    }
    if (brackets.containsKey("build")) {
      build = once("build", build, brackets.get("build"));
    }
    if (brackets.containsKey("channel")) {
      channel = once("channel", channel, brackets.get("channel"));
    }
    if (brackets.containsKey("subdir")) {
      String subdir = brackets.get("subdir");
      channel =
          Optional.of(
              channel.orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "gives a subdir but no channel; write channel/subdir::name"))
                  + "/"
                  + subdir);
    }
    return new MatchSpec(channel, name, version, build);
  }

  /** {@code [version, build-or-null]} from what follows the name. */
  private static String[] splitVersionAndBuild(String written) {
    String rest = SPACE_AROUND_JOINERS.matcher(written).replaceAll("$1");
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

  private static Optional<String> once(String key, Optional<String> written, String bracketed) {
    if (written.isPresent()) {
      throw new IllegalArgumentException(
          "gives the " + key + " twice, before the brackets and as [" + key + "=…]");
    }
    return Optional.of(bracketed);
  }

  /** {@code key=value} pairs separated by ',' or spaces; values may be quoted with ' or ". */
  private static Map<String, String> brackets(String inside) {
    Map<String, String> pairs = new LinkedHashMap<>();
    int pos = 0;
    while (true) {
      while (pos < inside.length()
          && (inside.charAt(pos) == ',' || Character.isWhitespace(inside.charAt(pos)))) {
        pos++;
      }
      if (pos >= inside.length()) {
        break;
      }
      int keyStart = pos;
      while (pos < inside.length() && isKeyCharacter(inside.charAt(pos))) {
        pos++;
      }
      String key = inside.substring(keyStart, pos);
      while (pos < inside.length() && Character.isWhitespace(inside.charAt(pos))) {
        pos++;
      }
      if (key.isEmpty() || pos >= inside.length() || inside.charAt(pos) != '=') {
        throw new IllegalArgumentException(
            "has a [...] section that is not key=value pairs: [" + inside + "]");
      }
      pos++;
      while (pos < inside.length() && Character.isWhitespace(inside.charAt(pos))) {
        pos++;
      }
      String value;
      if (pos < inside.length() && (inside.charAt(pos) == '\'' || inside.charAt(pos) == '"')) {
        char quote = inside.charAt(pos);
        int close = inside.indexOf(quote, pos + 1);
        if (close < 0) {
          throw new IllegalArgumentException("has an unclosed " + quote + " in its [...] section");
        }
        value = inside.substring(pos + 1, close).strip();
        pos = close + 1;
      } else {
        int valueStart = pos;
        while (pos < inside.length()
            && inside.charAt(pos) != ','
            && !Character.isWhitespace(inside.charAt(pos))) {
          pos++;
        }
        value = inside.substring(valueStart, pos);
      }
      if (!BRACKET_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "has the bracket key '"
                + key
                + "', which migctl does not take; bracket keys: "
                + String.join(", ", BRACKET_KEYS));
      }
      if (value.isEmpty()) {
        throw new IllegalArgumentException("has an empty value for [" + key + "=…]");
      }
      if (pairs.putIfAbsent(key, value) != null) {
        throw new IllegalArgumentException("gives [" + key + "=…] twice");
      }
    }
    return pairs;
  }

  private static boolean isKeyCharacter(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-';
  }
}
