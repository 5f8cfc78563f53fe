package io.migctl.core.access;

import java.util.Objects;

/**
 * Whether migctl may run on a {@code $MIGCTL_HOME}: it holds the database (job commands,
 * environment values), the API token and the jobs' logs, so nobody but the user who runs migctl may
 * change it, and nobody else should read it.
 *
 * <ul>
 *   <li>another user's folder, or one that group or others can write, is refused: they could
 *       replace the database, the token or a job's files under migctl;
 *   <li>a folder of this user that group or others can read (an older migctl made its home 0755) is
 *       made private (0700);
 *   <li>a private folder is used as it is, also when others may only enter it (0711): a daemon that
 *       runs jobs as other users opens it that far, so that a job reaches its own folder by name;
 *       each file inside is private by its own mode, and nobody else can list the folder.
 * </ul>
 */
public final class HomeCheck {

  private HomeCheck() {}

  /** What to do with the home. */
  public sealed interface Verdict {}

  /** The home is private: use it. */
  public record Private() implements Verdict {}

  /**
   * The home is this user's and nobody else can write it, but others can read or enter it: make it
   * 0700 and say so.
   *
   * @param note the sentence to tell the operator
   */
  public record MakePrivate(String note) implements Verdict {}

  /**
   * The home must not be used.
   *
   * @param message names the path, its mode and owner, and the fix
   */
  public record Refuse(String message) implements Verdict {}

  /**
   * Judges a home that exists.
   *
   * @param path the home, for messages
   * @param mode its permission bits, e.g. {@code 0755}
   * @param owner the user who owns it
   * @param user the user migctl runs as
   */
  public static Verdict judge(String path, int mode, String owner, String user) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(user, "user");
    if ((mode & ~07777) != 0) {
      throw new IllegalArgumentException("not permission bits: " + Integer.toOctalString(mode));
    }
    String seen = path + " has mode " + octal(mode) + " (owner " + owner + ")";
    if (!owner.equals(user)) {
      return new Refuse(
          "$MIGCTL_HOME "
              + seen
              + " but migctl runs as "
              + user
              + ": another user could change its database, token and job files. Use a home of"
              + " your own (set MIGCTL_HOME), or give it to "
              + user
              + ": chown "
              + user
              + " "
              + path
              + " && chmod 700 "
              + path);
    }
    if ((mode & 0022) != 0) {
      return new Refuse(
          "$MIGCTL_HOME "
              + seen
              + ": "
              + ((mode & 0020) != 0 ? "its group" : "")
              + ((mode & 0022) == 0022 ? " and " : "")
              + ((mode & 0002) != 0 ? "every user" : "")
              + " can write it and so replace migctl's database, token and job files."
              + " Make it private: chmod 700 "
              + path);
    }
    if ((mode & 0044) != 0) {
      return new MakePrivate(
          "$MIGCTL_HOME "
              + seen
              + " was readable by others; migctl made it private (0700): it holds the API token,"
              + " job commands, environment values and logs");
    }
    return new Private();
  }

  /** {@code 0755} for 0755. */
  public static String octal(int mode) {
    return String.format("%04o", mode);
  }
}
