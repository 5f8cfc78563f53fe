package io.migctl.core.env;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a spec is built for: a platform and a backend. Both are part of a build's address ({@link
 * CanonicalSpec}), and both change how a file is read: micromamba evaluates its {@code sel(...)}
 * selectors for the platform, the other backends refuse them.
 *
 * @param platform a conda subdir such as {@code linux-64}, {@code linux-aarch64}, {@code noarch}
 * @param backend the backend kind, e.g. {@code venv}, {@code conda}, {@code mamba}, {@code
 *     micromamba}
 */
public record BuildTarget(String platform, String backend) {

  private static final Pattern PLATFORM = Pattern.compile("noarch|[a-z0-9]+-[a-z0-9_]+");
  private static final Pattern BACKEND = Pattern.compile("[a-z0-9][a-z0-9+._-]*");

  /** The backend whose environment-file reader evaluates {@code sel(...)} selectors. */
  public static final String SELECTOR_BACKEND = "micromamba";

  public BuildTarget {
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(backend, "backend");
    if (!PLATFORM.matcher(platform).matches()) {
      throw new IllegalArgumentException(
          "platform \"" + platform + "\" is not a conda subdir such as linux-64 or linux-aarch64");
    }
    if (!BACKEND.matcher(backend).matches()) {
      throw new IllegalArgumentException(
          "backend \"" + backend + "\" is not a backend kind such as venv, conda or micromamba");
    }
  }

  /**
   * Whether the backend reads micromamba's {@code sel(...)} selectors. micromamba does (libmamba's
   * environment-file reader); conda refuses a dependency that is a mapping other than {@code pip:},
   * and so does mamba 1, which reads files with conda's code. mamba 2 shares micromamba's reader,
   * but the mamba backend cannot tell the versions apart, so it refuses them.
   */
  public boolean readsSelectors() {
    return backend.equals(SELECTOR_BACKEND);
  }
}
