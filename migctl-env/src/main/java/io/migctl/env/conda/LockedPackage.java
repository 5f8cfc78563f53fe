package io.migctl.env.conda;

import java.util.Objects;
import java.util.Optional;

/**
 * One package line of an explicit lock, e.g. {@code
 * https://conda.anaconda.org/conda-forge/linux-64/zlib-1.2.11-h36c2ea0_1013.tar.bz2#cf71…}.
 *
 * @param url the package URL without its fragment
 * @param md5 the {@code #md5} fragment, lower case, when present
 * @param sha256 a {@code #sha256} fragment (64 hex digits, optionally {@code sha256:}-prefixed)
 * @param name e.g. {@code zlib}
 * @param version e.g. {@code 1.2.11}
 * @param build e.g. {@code h36c2ea0_1013}
 * @param channel conda's short name ({@code conda-forge}, {@code pkgs/main}) for anaconda.org and
 *     repo.anaconda.com URLs, else {@link #channelUrl}
 * @param channelUrl the URL above the subdir, e.g. {@code https://conda.anaconda.org/conda-forge}
 * @param subdir e.g. {@code linux-64}, {@code noarch}
 */
public record LockedPackage(
    String url,
    Optional<String> md5,
    Optional<String> sha256,
    String name,
    String version,
    String build,
    String channel,
    String channelUrl,
    String subdir) {

  public LockedPackage {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(md5, "md5");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(build, "build");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(channelUrl, "channelUrl");
    Objects.requireNonNull(subdir, "subdir");
  }

  /** {@code name-version-build}, conda's dist name. */
  public String distName() {
    return name + "-" + version + "-" + build;
  }
}
