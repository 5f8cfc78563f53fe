package io.migctl.daemon.confine;

import java.nio.file.Path;
import java.util.List;

/**
 * The argument list that drops a command to a user with {@code setpriv(1)} (util-linux): its user
 * and group ids, its supplementary groups from the user database, {@code no_new_privs}, and no
 * capabilities (inheritable set and bounding set emptied), so that nothing it runs can become root
 * again, not even a set-uid program.
 */
final class Setpriv {

  private Setpriv() {}

  /**
   * {@code setpriv --reuid=U --regid=G --init-groups --no-new-privs ... --}, before the command.
   */
  static List<String> dropTo(Path setpriv, UnixIdentity user) {
    return List.of(
        setpriv.toString(),
        "--reuid=" + user.uid(),
        "--regid=" + user.gid(),
        "--init-groups",
        "--no-new-privs",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--");
  }
}
