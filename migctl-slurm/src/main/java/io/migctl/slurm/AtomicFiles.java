package io.migctl.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a configuration file or script so that a reader (slurmd, a prolog) sees the old text or
 * the new one, never a part: a temporary file beside it, given its mode, then moved over it.
 */
public final class AtomicFiles {

  /** {@code rw-r--r--}: a configuration file. */
  static final String CONFIG = "rw-r--r--";

  /** {@code rwxr-xr-x}: a script Slurm runs. */
  static final String SCRIPT = "rwxr-xr-x";

  private AtomicFiles() {}

  /**
   * Writes a script Slurm runs ({@code rwxr-xr-x}), such as {@code migctl slurm task-prolog}'s.
   *
   * @throws IOException when it cannot be written
   */
  public static void writeScript(Path file, String text) throws IOException {
    write(file, text, SCRIPT);
  }

  /**
   * Writes {@code text} to {@code file}, making its folder if needed.
   *
   * @param mode POSIX permissions such as {@link #CONFIG}
   */
  static void write(Path file, String text, String mode) throws IOException {
    Path target = file.toAbsolutePath().normalize();
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, text);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
