package io.migctl.env.conda;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed explicit lock ({@code @EXPLICIT} file), from {@link CondaOutput#explicitLock}.
 *
 * @param headers {@code # key: value} comments, first occurrence of each key, in file order: {@code
 *     platform}, {@code env_hash} (conda), {@code input_hash} (conda-lock)
 * @param packages the package URLs in file order (the order conda installs them)
 * @param comments the other comment lines, without their {@code #}
 */
public record ExplicitLock(
    Map<String, String> headers, List<LockedPackage> packages, List<String> comments) {

  public ExplicitLock {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    packages = List.copyOf(packages);
    comments = List.copyOf(comments);
  }

  /** The {@code # platform:} header, e.g. {@code linux-64}. */
  public Optional<String> platform() {
    return Optional.ofNullable(headers.get("platform"));
  }
}
