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

  /** A fixed table, for tests. */
  static UnixUsers of(Map<String, UnixIdentity> users) {
    Map<String, UnixIdentity> copy = Map.copyOf(users);
    return name -> Optional.ofNullable(copy.get(name));
  }
}
