package io.migctl.core.tenant;

import io.migctl.core.job.HostLimits;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One party sharing the node.
 *
 * @param name how jobs, tokens and metrics name it ({@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most 63
 *     characters, as job names)
 * @param unixUser the Unix user its jobs run as when the daemon runs as root; empty for the
 *     daemon's own user
 * @param quota what it may hold at once
 * @param weight its share of the node against other tenants with waiting work, {@value #MIN_WEIGHT}
 *     to {@value #MAX_WEIGHT}
 * @param jobDefaults host limits for its jobs that do not set their own
 */
public record Tenant(
    String name, Optional<String> unixUser, Quota quota, int weight, HostLimits jobDefaults) {

  public static final int MIN_WEIGHT = 1;
  public static final int MAX_WEIGHT = 1000;
  public static final int DEFAULT_WEIGHT = 1;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  /** The user name rule of useradd(8) on Debian (NAME_REGEX's default), at most 32 characters. */
  private static final Pattern UNIX_USER = Pattern.compile("[a-z_][a-z0-9_-]{0,30}[$]?");

  /** Checks every field; the exception names the first wrong one. */
  public Tenant {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new TenantSpecException(
          "name",
          "'"
              + name
              + "' is not a tenant name; use letters, digits, '.', '_' or '-', at most 63"
              + " characters, starting with a letter or digit");
    }
    unixUser = unixUser == null ? Optional.empty() : unixUser.filter(u -> !u.isBlank());
    if (unixUser.isPresent() && !UNIX_USER.matcher(unixUser.get()).matches()) {
      throw new TenantSpecException(
          "user",
          "'"
              + unixUser.get()
              + "' is not a Unix user name; use lower-case letters, digits, '_' or '-'");
    }
    quota = Objects.requireNonNullElse(quota, Quota.NONE);
    if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
      throw new TenantSpecException(
          "weight", weight + " is out of range; use " + MIN_WEIGHT + " to " + MAX_WEIGHT);
    }
    jobDefaults = Objects.requireNonNullElse(jobDefaults, HostLimits.NONE);
  }

  /** A tenant with no user of its own, no limits and the default weight. */
  public static Tenant named(String name) {
    return new Tenant(name, Optional.empty(), Quota.NONE, DEFAULT_WEIGHT, HostLimits.NONE);
  }
}
