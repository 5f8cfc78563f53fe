package io.migctl.daemon.confine;

import java.util.Objects;

/**
 * A Unix user as the system's user database knows it.
 *
 * @param name e.g. {@code alice}
 * @param uid its user id
 * @param gid its primary group id
 */
public record UnixIdentity(String name, int uid, int gid) {
  public UnixIdentity {
    Objects.requireNonNull(name, "name");
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException(name + ": negative uid or gid " + uid + ":" + gid);
    }
  }
}
