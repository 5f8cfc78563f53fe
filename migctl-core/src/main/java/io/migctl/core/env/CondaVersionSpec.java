package io.migctl.core.env;

import io.migctl.core.input.InputLimits;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Conda version expressions (conda's {@code VersionSpec}): checks one against conda's grammar and
 * writes it in one normal form.
 *
 * <p>Design note. Grammar: terms joined by {@code ,} (and) and {@code |} (or, binds looser), with
 * parentheses. A term is {@code *}; a version ({@code 1.2}: exactly 1.2); a version ending in
 * {@code *} ({@code 1.2.*}, {@code 1.2*}: starts with 1.2); a glob ({@code 1.*.3}); or an operator
 * ({@code == != < <= > >= = ~=}) and a version, where {@code =1.2} means "starts with 1.2".
 * Versions follow conda's {@code VersionOrder}: characters {@code 0-9 a-z . _ + !} (and {@code -}
 * when there is no {@code _}), an optional integer epoch before {@code !}, an optional local part
 * after {@code +}, no empty component. Case does not matter.
 *
 * <p>The normal form prints spellings that conda treats alike the same way: no whitespace, lower
 * case, {@code ==1.2} → {@code 1.2}, {@code =1.2} and {@code 1.2*} → {@code 1.2.*}, and {@code
 * >=1.2.*} → {@code >=1.2} (conda drops {@code .*} after every operator but {@code =} and {@code
 * !=}, the others with a deprecation warning). Term order and parentheses are kept as written.
 * Regular-expression versions ({@code ^…$}) are refused, and so are groups nested deeper than
 * {@link InputLimits#MAX_DEPTH}. Every refusal is an {@link IllegalArgumentException}, whatever the
 * input. Cost: linear in the length.
 */
final class CondaVersionSpec {

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern OPERATOR = Pattern.compile("(==|!=|<=|>=|~=|=|<|>)(.*)");
  private static final Pattern VERSION_CHARS = Pattern.compile("[0-9a-z._+!]+");
  private static final Pattern GLOB_CHARS = Pattern.compile("[0-9a-z._+!*-]+");
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");
  private static final Pattern COMPONENT_SEPARATOR = Pattern.compile("[._]");

  private final String text;
  private int pos;
  private int depth;

  private CondaVersionSpec(String text) {
    this.text = text;
  }

  /**
   * The normal form of a conda version expression.
   *
   * @throws IllegalArgumentException saying what is wrong with the expression
   */
  static String normalise(String expression) {
    String compact = WHITESPACE.matcher(expression).replaceAll("").toLowerCase(Locale.ROOT);
    if (compact.isEmpty()) {
      throw new IllegalArgumentException("the version is empty");
    }
    if (compact.indexOf('^') >= 0 || compact.indexOf('$') >= 0) {
      throw new IllegalArgumentException(
          "version \""
              + SpecText.abbreviate(expression)
              + "\" is a regular expression (^…$), which migctl does not take");
    }
    CondaVersionSpec parser = new CondaVersionSpec(compact);
    String normal = parser.anyOf();
    if (parser.pos < compact.length()) {
      throw new IllegalArgumentException(
          "version \"" + SpecText.abbreviate(expression) + "\" has a ')' without a matching '('");
    }
    return normal;
  }

  /** {@code allOf ('|' allOf)*} */
  private String anyOf() {
    StringBuilder out = new StringBuilder(allOf());
    while (peek('|')) {
      pos++;
      out.append('|').append(allOf());
    }
    return out.toString();
  }

  /** {@code group (',' group)*} */
  private String allOf() {
    StringBuilder out = new StringBuilder(group());
    while (peek(',')) {
      pos++;
      out.append(',').append(group());
    }
    return out.toString();
  }

  /** {@code '(' anyOf ')' | term} */
  private String group() {
    if (peek('(')) {
      pos++;
      // the grammar is recursive: bound the nesting so that no input can exhaust the stack
      if (++depth > InputLimits.MAX_DEPTH) {
        throw new IllegalArgumentException(
            "version \""
                + SpecText.abbreviate(text)
                + "\" has groups nested more than "
                + InputLimits.MAX_DEPTH
                + " levels deep; conda versions need a few at most");
      }
      String inner = anyOf();
      depth--;
      if (!peek(')')) {
        throw new IllegalArgumentException(
            "version \"" + SpecText.abbreviate(text) + "\" has a '(' that is not closed");
      }
      pos++;
      return "(" + inner + ")";
    }
    int start = pos;
    while (pos < text.length() && "(),|".indexOf(text.charAt(pos)) < 0) {
      pos++;
    }
    if (start == pos) {
      throw new IllegalArgumentException(
          "version \""
              + SpecText.abbreviate(text)
              + "\" has an empty constraint (a stray ',', '|' or '()')");
    }
    return term(text.substring(start, pos));
  }

  private boolean peek(char c) {
    return pos < text.length() && text.charAt(pos) == c;
  }

  private static String term(String term) {
    if (term.equals("*")) {
      return term;
    }
    Matcher op = OPERATOR.matcher(term);
    if (op.matches()) {
      return operatorTerm(term, op.group(1), op.group(2));
    }
    if ("=<>!~".indexOf(term.charAt(0)) >= 0) {
      throw new IllegalArgumentException(
          "\""
              + SpecText.abbreviate(term)
              + "\" starts with an unknown operator; operators are == != < <= > >= = ~=");
    }
    String head = stripTrailingStars(term);
    if (head.indexOf('*') >= 0) {
      if (!GLOB_CHARS.matcher(term).matches()) {
        throw badCharacters(term);
      }
      return term;
    }
    if (head.length() < term.length()) {
      String base = head.endsWith(".") ? head.substring(0, head.length() - 1) : head;
      checkVersion(base);
      return base + ".*";
    }
    checkVersion(term);
    return term;
  }

  private static String operatorTerm(String term, String operator, String version) {
    if (version.isEmpty()) {
      throw new IllegalArgumentException(
          "operator '" + operator + "' has no version after it (dangling operator)");
    }
    if ("=<>!~".indexOf(version.charAt(0)) >= 0) {
      throw new IllegalArgumentException(
          "\""
              + SpecText.abbreviate(term)
              + "\" has an unknown operator; operators are == != < <= > >= = ~=");
    }
    boolean prefix = version.endsWith(".*");
    String base = prefix ? version.substring(0, version.length() - 2) : version;
    if (base.indexOf('*') >= 0) {
      throw new IllegalArgumentException(
          "\""
              + SpecText.abbreviate(term)
              + "\" has a '*' after an operator; there it may only end the version as '.*'");
    }
    checkVersion(base);
    return switch (operator) {
      case "=" -> base + ".*";
      case "==" -> base;
      case "!=" -> prefix ? "!=" + base + ".*" : "!=" + base;
      case "~=" -> {
        if (prefix) {
          throw new IllegalArgumentException(
              "\"" + SpecText.abbreviate(term) + "\": '~=' cannot take '.*'");
        }
        yield "~=" + base;
      }
      default -> operator + base;
    };
  }

  private static String stripTrailingStars(String term) {
    int end = term.length();
    while (end > 0 && term.charAt(end - 1) == '*') {
      end--;
    }
    return term.substring(0, end);
  }

  /** conda's {@code VersionOrder} rules, on a lower-case version without operator or glob. */
  static void checkVersion(String version) {
    if (version.isEmpty()) {
      throw new IllegalArgumentException("a version is empty");
    }
    String checked = version;
    if (!VERSION_CHARS.matcher(checked).matches()) {
      String dashed = checked.replace('-', '_');
      if (checked.indexOf('_') >= 0 || !VERSION_CHARS.matcher(dashed).matches()) {
        throw badCharacters(version);
      }
      checked = dashed;
    }
    String[] epoch = checked.split("!", -1);
    if (epoch.length > 2) {
      throw new IllegalArgumentException(
          "version \"" + SpecText.abbreviate(version) + "\" has more than one '!'");
    }
    if (epoch.length == 2 && !DIGITS.matcher(epoch[0]).matches()) {
      throw new IllegalArgumentException(
          "version \""
              + SpecText.abbreviate(version)
              + "\" has an epoch before '!' that is not a whole number");
    }
    String[] local = epoch[epoch.length - 1].split("\\+", -1);
    if (local.length > 2) {
      throw new IllegalArgumentException(
          "version \"" + SpecText.abbreviate(version) + "\" has more than one '+'");
    }
    if (local[0].isEmpty()) {
      throw new IllegalArgumentException(
          "version \""
              + SpecText.abbreviate(version)
              + "\" has nothing before its local part ('+')");
    }
    String upstream = local[0];
    if (upstream.length() > 1 && upstream.endsWith("_")) {
      // conda's openssl convention: a trailing underscore belongs to the last component
      upstream = upstream.substring(0, upstream.length() - 1);
    }
    checkComponents(version, upstream);
    if (local.length == 2) {
      checkComponents(version, local[1]);
    }
  }

  private static void checkComponents(String version, String part) {
    for (String component : COMPONENT_SEPARATOR.split(part, -1)) {
      if (component.isEmpty()) {
        throw new IllegalArgumentException(
            "version \""
                + SpecText.abbreviate(version)
                + "\" has an empty component (a leading, trailing or doubled '.' or '_')");
      }
    }
  }

  private static IllegalArgumentException badCharacters(String version) {
    TreeSet<String> bad = new TreeSet<>();
    version
        .codePoints()
        .filter(c -> !(c < 128 && GLOB_CHARS.matcher(Character.toString(c)).matches()))
        .forEach(c -> bad.add("'" + Character.toString(c) + "'"));
    String which = bad.isEmpty() ? "'-' together with '_'" : String.join(" ", bad);
    return new IllegalArgumentException(
        "version \""
            + SpecText.abbreviate(version)
            + "\" has characters a conda version cannot have ("
            + which
            + "); versions use 0-9 a-z . _ + ! and '-' when there is no '_'");
  }
}
