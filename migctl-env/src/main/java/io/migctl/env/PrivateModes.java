package io.migctl.env;

import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The modes of what the environment store writes under {@code $MIGCTL_HOME/envs}: folders 0700,
 * files 0600, given at creation. The prefixes that the tools build keep the modes the tools give
 * them; the home around them is 0700.
 */
public final class PrivateModes {

  private PrivateModes() {}

  /** Creates a folder 0700. */
  public static final FileAttribute<Set<PosixFilePermission>> FOLDER =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  /** Creates a file 0600. */
  public static final FileAttribute<Set<PosixFilePermission>> FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
}
