package io.migctl.core.env;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of an {@code environment.yml} {@code pip:} section, as pip reads it from a requirements
 * file: a requirement ({@code name}, {@code name[extra]>=1,<2; marker}, {@code name @ URL}), a URL
 * or path ({@code git+https://…}, {@code ./dir}, {@code file.whl}), or option lines ({@code -r
 * FILE}, {@code -e PATH}, {@code --index-url URL}, …; several may share a line).
 *
 * <p>The text is held stripped, with every run of whitespace made one space, so quoting and spacing
 * in the file change nothing. Any string gives a line or an {@link IllegalArgumentException}. The
 * check is light: it refuses what pip would refuse for certain (an empty line, an unknown option,
 * an option without its value, a malformed version clause, and conda's single {@code =} as in
 * {@code matplotlib=3.5.3}) and leaves the rest, such as whether a file or URL exists, to pip.
 *
 * <p>pip parses every requirements-file option on a requirement's line too ({@code dipy
 * --only-binary dipy}), but only some act there: {@code --hash}, {@code --config-settings} and
 * {@code --global-option} for that requirement, {@code --no-binary} and {@code --only-binary} for
 * the whole install; it ignores the others ({@link #ignoredOptions()}).
 *
 * @param text the normalised line
 */
public record PipLine(String text) {

  /** The forms a pip line takes, for error messages. */
  public static final String ACCEPTED_FORMS =
      "a requirement (name, name==1.0, name[extra]>=1,<2, name @ URL, name==1.0; marker), a URL"
          + " or path (git+https://…, ./dir, pkg.whl), or pip options (-r FILE, -c FILE, -e"
          + " PATH|URL, -i/--index-url URL, --extra-index-url URL, -f/--find-links URL, --pre,"
          + " --no-index, --trusted-host HOST, --hash=ALG:HEX, …)";

  /** Options pip takes in a requirements file, and whether each needs a value. */
  private static final Map<String, Boolean> OPTIONS =
      Map.ofEntries(
          Map.entry("-r", true),
          Map.entry("--requirement", true),
          Map.entry("-c", true),
          Map.entry("--constraint", true),
          Map.entry("-e", true),
          Map.entry("--editable", true),
          Map.entry("-i", true),
          Map.entry("--index-url", true),
          Map.entry("--extra-index-url", true),
          Map.entry("-f", true),
          Map.entry("--find-links", true),
          Map.entry("--no-binary", true),
          Map.entry("--only-binary", true),
          Map.entry("--trusted-host", true),
          Map.entry("--use-feature", true),
          Map.entry("--config-settings", true),
          Map.entry("--global-option", true),
          Map.entry("--hash", true),
          Map.entry("--no-index", false),
          Map.entry("--prefer-binary", false),
          Map.entry("--require-hashes", false),
          Map.entry("--pre", false));

  /**
   * Options that act when they follow a requirement on its line: the requirement's own, and the
   * binary-format controls, which pip applies to the whole install as it parses the line.
   */
  private static final Set<String> OPTIONS_ACTING_AFTER_A_REQUIREMENT =
      Set.of("--hash", "--config-settings", "--global-option", "--no-binary", "--only-binary");

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern URL_OR_VCS =
      Pattern.compile("(?i)([a-z][a-z0-9+.-]*://|(git|hg|svn|bzr)\\+|file:).*");
  private static final Pattern ARCHIVE =
      Pattern.compile("(?i).*\\.(whl|zip|tar\\.gz|tar\\.bz2|tgz)");
  private static final Pattern REQUIREMENT =
      Pattern.compile("([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\\s*(\\[[^\\]]*\\])?\\s*(.*)");
  private static final Pattern CLAUSE =
      Pattern.compile("(===|~=|==|!=|<=|>=|<|>)\\s*([A-Za-z0-9._+!*-]+)|===\\s*(\\S+)");

  public PipLine {
    Objects.requireNonNull(text, "text");
    String written = text;
    text = WHITESPACE.matcher(text.strip()).replaceAll(" ");
    try {
      check(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "pip line \""
              + SpecText.abbreviate(written)
              + "\": "
              + e.getMessage()
              + "; accepted: "
              + ACCEPTED_FORMS,
          e);
    }
  }

  /**
   * Whether the line is pip options ({@code -r FILE}, {@code -e PATH}, {@code --index-url URL}, …)
   * rather than a requirement. pip applies option lines in order; requirements form a set.
   */
  public boolean isOption() {
    return text.startsWith("-");
  }

  /**
   * The options on a requirement's line that pip parses and then ignores ({@code --index-url},
   * {@code --pre}, {@code -r}, …), in line order; empty for option lines and for requirements
   * followed only by options that act there.
   */
  public List<String> ignoredOptions() {
    String[] words = text.split(" ");
    if (isOption()) {
      return List.of();
    }
    return checkOptions(words, firstOption(words)).stream()
        .filter(option -> !OPTIONS_ACTING_AFTER_A_REQUIREMENT.contains(option))
        .toList();
  }

  private static int firstOption(String[] words) {
    for (int i = 1; i < words.length; i++) {
      if (words[i].startsWith("-") && words[i].length() > 1) {
        return i;
      }
    }
    return words.length;
  }

  private static void check(String line) {
    if (line.isEmpty()) {
      throw new IllegalArgumentException("is empty");
    }
    for (int i = 0; i < line.length(); i++) {
      if (Character.isISOControl(line.charAt(i))) {
        throw new IllegalArgumentException(
            String.format(
                "has the control character U+%04X at position %d", (int) line.charAt(i), i));
      }
    }
    String[] words = line.split(" ");
    if (line.startsWith("-")) {
      checkOptions(words, 0);
      return;
    }
    int firstOption = firstOption(words);
    checkOptions(words, firstOption);
    String requirement = String.join(" ", Arrays.copyOf(words, firstOption));
    checkRequirement(requirement);
  }

  /** Checks the options from word {@code from} on; returns their names in order. */
  private static List<String> checkOptions(String[] words, int from) {
    List<String> options = new ArrayList<>();
    int i = from;
    while (i < words.length) {
      String word = words[i];
      if (!word.startsWith("-") || word.equals("-")) {
        throw new IllegalArgumentException(
            "has \""
                + SpecText.abbreviate(word)
                + "\", which is neither a pip option nor the value of one");
      }
      int equals = word.indexOf('=');
      String option = equals > 0 ? word.substring(0, equals) : word;
      boolean attached = equals > 0;
      if (!OPTIONS.containsKey(option) && !word.startsWith("--") && word.length() > 2) {
        // short option with its value attached: -rrequirements.txt
        option = word.substring(0, 2);
        attached = true;
      }
      Boolean needsValue = OPTIONS.get(option);
      if (needsValue == null) {
        throw new IllegalArgumentException(
            "has the unknown pip option \"" + SpecText.abbreviate(option) + "\"");
      }
      if (needsValue && !attached) {
        if (i + 1 >= words.length) {
          throw new IllegalArgumentException(
              "has \"" + SpecText.abbreviate(option) + "\" without its value");
        }
        i++;
      } else if (!needsValue && attached) {
        throw new IllegalArgumentException(
            "gives a value to \"" + SpecText.abbreviate(option) + "\", which takes none");
      }
      options.add(option);
      i++;
    }
    return options;
  }

  private static void checkRequirement(String requirement) {
    int semicolon = requirement.indexOf(';');
    String beforeMarker = semicolon >= 0 ? requirement.substring(0, semicolon) : requirement;
    if (semicolon >= 0 && requirement.substring(semicolon + 1).isBlank()) {
      throw new IllegalArgumentException("has an empty environment marker after ';'");
    }
    if (URL_OR_VCS.matcher(beforeMarker).matches()
        || ARCHIVE.matcher(beforeMarker.strip()).matches()
        || beforeMarker.startsWith(".")
        || beforeMarker.startsWith("~")
        || beforeMarker.indexOf('/') >= 0
        || beforeMarker.indexOf('\\') >= 0) {
      return; // a URL, a direct reference (name @ URL) or a local path: pip resolves it
    }
    Matcher m = REQUIREMENT.matcher(beforeMarker.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "is not a requirement: it should start with a project name (letters, digits, . _ -)");
    }
    String name = m.group(1);
    String versions = m.group(3).strip();
    if (versions.isEmpty()) {
      return;
    }
    if (versions.startsWith("@")) {
      if (versions.substring(1).isBlank()) {
        throw new IllegalArgumentException("has '@' without a URL after it");
      }
      return;
    }
    if (versions.startsWith("(") && versions.endsWith(")")) {
      versions = versions.substring(1, versions.length() - 1).strip();
    }
    for (String clause : versions.split(",", -1)) {
      String c = clause.strip();
      if (c.startsWith("=") && !c.startsWith("==")) {
        throw new IllegalArgumentException(
            "uses conda's single '=', which pip refuses (\"Invalid requirement\"); write "
                + SpecText.abbreviate(name)
                + "="
                + SpecText.abbreviate(c)
                + ", or move it to the conda dependencies");
      }
      if (!CLAUSE.matcher(c).matches()) {
        throw new IllegalArgumentException(
            "has the version clause \""
                + SpecText.abbreviate(c)
                + "\", which is not an operator (== != < <= > >= ~= ===) and a version");
      }
    }
  }
}
