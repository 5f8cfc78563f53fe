package io.migctl.env.spec;

import io.migctl.core.env.EnvironmentSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Makes the local paths of a spec's {@code pip:} section absolute, against the folder of the spec
 * file — where conda resolves them ({@code -r requirements.txt}, {@code -e .}, {@code
 * ./wheels/pkg.whl}). Builds run elsewhere, so relative paths would point at the wrong place. As
 * the paths become part of the spec, the same spec in two folders is two builds, which is right:
 * they may name different files.
 */
public final class PipPaths {

  private static final Set<String> PATH_OPTIONS =
      Set.of("-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-f", "--find-links");
  private static final Pattern SCHEME =
      Pattern.compile("(?i)([a-z][a-z0-9+.-]*://|(git|hg|svn|bzr)\\+|file:).*");
  private static final Pattern LOCAL =
      Pattern.compile("(\\.{1,2}/.*|\\.|\\.\\.|[^ ]+\\.(whl|tar\\.gz|zip|tgz))");

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
    for (int i = 0; i < words.length; i++) {
      String w = words[i];
      boolean afterOption = i > 0 && PATH_OPTIONS.contains(words[i - 1]);
      if ((afterOption || (i == 0 && LOCAL.matcher(w).matches())) && isRelativePath(w)) {
        words[i] = dir.resolve(w).normalize().toString();
      }
    }
    return String.join(" ", words);
  }

  private static boolean isRelativePath(String w) {
    return !w.startsWith("/") && !w.startsWith("-") && !SCHEME.matcher(w).matches();
  }
}
