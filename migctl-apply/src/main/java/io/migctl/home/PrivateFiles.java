package io.migctl.home;

import io.migctl.core.access.HomeCheck;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Files and folders that only their owner may use, for everything migctl writes under {@code
 * $MIGCTL_HOME}: folders are created 0700 and files 0600, at creation (never created open and
 * narrowed afterwards, so no other user can open them in between). The process's umask can only
 * narrow these modes further.
 *
 * <p>Stateless; safe from any thread.
 */
public final class PrivateFiles {

  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {}

  /** The attribute that creates a file 0600, for {@code Files.createFile} and the like. */
  public static FileAttribute<Set<PosixFilePermission>> fileMode() {
    return PosixFilePermissions.asFileAttribute(FILE);
  }

  /** Creates {@code dir} and every missing folder above it, each 0700; existing ones are kept. */
  public static Path createDirectories(Path dir) throws IOException {
    return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
  }

  /** Opens {@code file} with {@code options}; a file it creates is 0600. */
  public static FileChannel open(Path file, OpenOption... options) throws IOException {
    return FileChannel.open(file, Set.of(options), fileMode());
  }

  /** Writes {@code text} (UTF-8) to {@code file}, replacing what it held; a new file is 0600. */
  public static void writeString(Path file, String text) throws IOException {
    try (FileChannel out =
        open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
    }
  }

  /** Narrows an existing file to 0600 (one an older migctl wrote 0644); no-op when absent. */
  public static void restrict(Path file) throws IOException {
    if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
        && !Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(FILE)) {
      Files.setPosixFilePermissions(file, FILE);
    }
  }

  /**
   * Makes {@code home} ready to hold migctl's files: creates it 0700 (with missing parents) when
   * absent; otherwise judges it with {@link HomeCheck} and makes a readable one private.
   *
   * @return the note to tell the operator when the home's mode was changed
   * @throws IllegalArgumentException when the home is another user's or others can write it, naming
   *     the path, its mode and owner and the fix; nothing was changed then
   * @throws IOException when the home cannot be created or read
   */
  public static Optional<String> prepareHome(Path home) throws IOException {
    if (!Files.exists(home, LinkOption.NOFOLLOW_LINKS)) {
      createDirectories(home);
      return Optional.empty();
    }
    Path real = home.toRealPath();
    if (!Files.isDirectory(real)) {
      throw new IllegalArgumentException(
          "$MIGCTL_HOME " + home + " is not a folder; point MIGCTL_HOME at a folder of your own");
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(real);
    String owner = Files.getOwner(real).getName();
    return switch (HomeCheck.judge(
        home.toString(), mode(perms), owner, System.getProperty("user.name"))) {
      case HomeCheck.Private p -> Optional.empty();
      case HomeCheck.MakePrivate m -> {
        Files.setPosixFilePermissions(real, DIRECTORY);
        yield Optional.of(m.note());
      }
      case HomeCheck.Refuse r -> throw new IllegalArgumentException(r.message());
    };
  }

  /** {@code rwxr-xr-x} as 0755. */
  static int mode(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      mode |= 1 << (8 - p.ordinal());
    }
    return mode;
  }
}
