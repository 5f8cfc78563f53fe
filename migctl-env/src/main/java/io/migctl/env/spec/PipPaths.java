package io.migctl.env.spec;

import io.migctl.core.env.EnvironmentSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Makes the local paths of a spec's {@code pip:} section absolute, against the folder of the spec
 * file, which is where conda resolves them: conda writes the pip lines to a requirements file in
 * the spec's folder and runs pip there ({@code conda/env/installers/pip.py}), so {@code -r
 * reqs.txt}, {@code -e submodules/x}, {@code submodules/y} and {@code ./wheels/pkg.whl} all name
 * files beside the spec. Builds run elsewhere, so relative paths would point at the wrong place. As
 * the paths become part of the spec, the same spec in two folders is two builds, which is right:
 * they may name different files.
 *
 * <p>What is a path follows pip: the value of {@code -r}, {@code -c}, {@code -e}, {@code -f} (and
 * their long names, also as {@code --name=value} or {@code -rvalue}) unless it is a URL; and a
 * requirement that looks like a path to pip ({@code _looks_like_path}: it has a {@code /} or starts
 * with {@code .}) or an archive file name ({@code .whl}, {@code .tar.gz}, …), unless it is a direct
 * reference {@code name@URL}. Extras ({@code .[dev]}) and markers ({@code ; python_version >
 * "3.8"}) stay as written. Left alone: absolute paths, URLs ({@code git+https://…}, {@code file:…})
 * and paths that start with an environment variable ({@code ${HOME}/pkg}), which pip expands.
 */
public final class PipPaths {

  private static final Set<String> PATH_OPTIONS =
      Set.of("-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-f", "--find-links");
  private static final Set<String> SHORT_PATH_OPTIONS = Set.of("-r", "-c", "-e", "-f");
  private static final Pattern SCHEME =
      Pattern.compile("(?i)([a-z][a-z0-9+.-]*://|(git|hg|svn|bzr)\\+|file:).*");
  private static final Pattern ARCHIVE =
      Pattern.compile(
          "(?i).*\\.(zip|whl|tar\\.bz2|tbz|tar\\.xz|txz|tlz|tar\\.lz|tar\\.lzma|tar\\.gz|tgz|tar)");

  private PipPaths() {}

  /** {@code spec} with its pip paths made absolute against {@code specDirectory}. */
  public static EnvironmentSpec resolve(EnvironmentSpec spec, Path specDirectory) {
    List<String> lines = new ArrayList<>();
    for (String line : spec.pip()) {
      lines.add(resolveLine(line, specDirectory));
    }
    return new EnvironmentSpec(
        spec.name(), spec.channels(), spec.dependencies(), lines, spec.variables(), spec.prefix());
  }

  static String resolveLine(String line, Path dir) {
    String[] words = line.split(" ");
    if (!line.startsWith("-")) {
      words[0] = requirement(words[0], dir);
      return String.join(" ", words);
    }
    for (int i = 0; i < words.length; i++) {
      String word = words[i];
      int equals = word.indexOf('=');
      if (PATH_OPTIONS.contains(word) && i + 1 < words.length) {
        words[i + 1] = path(words[i + 1], dir);
        i++;
      } else if (word.startsWith("--")
          && equals > 0
          && PATH_OPTIONS.contains(word.substring(0, equals))) {
        words[i] = word.substring(0, equals + 1) + path(word.substring(equals + 1), dir);
      } else if (!word.startsWith("--")
          && word.length() > 2
          && word.charAt(2) != '='
          && SHORT_PATH_OPTIONS.contains(word.substring(0, 2))) {
        words[i] = word.substring(0, 2) + path(word.substring(2), dir);
      }
    }
    return String.join(" ", words);
  }

  /** The first word of a requirement line, its path part resolved when pip reads it as a path. */
  private static String requirement(String word, Path dir) {
    int semicolon = word.indexOf(';');
    String target = semicolon >= 0 ? word.substring(0, semicolon) : word;
    String marker = semicolon >= 0 ? word.substring(semicolon) : "";
    String bare = withoutExtras(target);
    int at = bare.indexOf('@');
    boolean directReference = at > 0 && !looksLikePath(bare.substring(0, at));
    if (directReference || !(looksLikePath(bare) || ARCHIVE.matcher(bare).matches())) {
      return word;
    }
    return path(target, dir) + marker;
  }

  private static boolean looksLikePath(String text) {
    return text.indexOf('/') >= 0 || text.startsWith(".");
  }

  /** A relative path made absolute, its extras kept; anything else as it is. */
  private static String path(String value, Path dir) {
    if (value.isEmpty()
        || value.startsWith("/")
        || value.startsWith("$")
        || SCHEME.matcher(value).matches()) {
      return value;
    }
    String bare = withoutExtras(value);
    return dir.resolve(bare).normalize() + value.substring(bare.length());
  }

  /** pip's {@code _strip_extras}: {@code (.+)(\[[^\]]+\])}, without backtracking. */
  private static String withoutExtras(String value) {
    if (value.length() < 4 || !value.endsWith("]")) {
      return value;
    }
    int open = value.lastIndexOf('[', value.length() - 2);
    boolean extras =
        open > 0 && open < value.length() - 2 && value.indexOf(']', open) == value.length() - 1;
    return extras ? value.substring(0, open) : value;
  }
}
