package io.migctl.daemon.confine;

import java.util.Map;
import java.util.Optional;

/**
 * The system's user database, as the confinement asks it: a user's ids by name. {@link
 * GetentUnixUsers} asks {@code getent passwd} (so NSS users count); {@link #of} is a fixed table.
 */
public interface UnixUsers {

  /** The user called {@code name}; empty when there is none. */
  Optional<UnixIdentity> find(String name);

  /**
   * The user a job may run as: {@code name}, which must exist and must not be root.
   *
   * @throws ConfinementException saying which and what to do
   */
  default UnixIdentity unprivileged(String name) {
    UnixIdentity user =
        find(name)
            .orElseThrow(
                () ->
                    new ConfinementException(
                        "the Unix user '"
                            + name
                            + "' of this job's tenant does not exist on this node; create it"
                            + " (useradd "
                            + name
                            + ") or give the tenant another user"));
    if (user.uid() == 0) {
      throw new ConfinementException(
          "the Unix user '"
              + name
              + "' is root (uid 0): jobs never run as root; give the tenant an unprivileged user");
    }
    return user;
  }

  /** A fixed table, for tests. */
  static UnixUsers of(Map<String, UnixIdentity> users) {
    Map<String, UnixIdentity> copy = Map.copyOf(users);
    return name -> Optional.ofNullable(copy.get(name));
  }
}
