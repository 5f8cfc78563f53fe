package io.migctl.daemon;

import io.migctl.home.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The bearer token that guards every request that changes state. Generated on first start into a
 * file only its owner can read ({@code $MIGCTL_HOME/token}, mode 0600); clients read it from there.
 */
public final class Tokens {

  private Tokens() {}

  /** Reads the token file, creating it with a fresh random token when there is none. */
  public static String loadOrCreate(Path file) {
    try {
      PrivateFiles.createDirectories(file.getParent());
      if (!Files.exists(file)) {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String token = HexFormat.of().formatHex(raw);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PrivateFiles.fileMode());
        Files.writeString(tmp, token + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        try {
          Files.createLink(file, tmp);
        } catch (FileAlreadyExistsException e) {
          // another daemon created it first; use theirs
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      return read(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create or read the token file " + file, e);
    }
  }

  /** The token in a file, without surrounding whitespace. */
  public static String read(Path file) throws IOException {
    String token = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (token.isEmpty()) {
      throw new IOException(
          "the token file " + file + " is empty; delete it and restart the daemon");
    }
    return token;
  }
}
