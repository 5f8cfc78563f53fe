package io.migctl.daemon;

import io.migctl.home.MigctlHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether a daemon runs on a home: it holds {@code daemon.lock} for as long as it runs ({@link
 * NodeDaemon#start}), so a command that must not work behind its back (reading its database) asks
 * it through the API instead.
 */
public final class DaemonLock {

  private DaemonLock() {}

  /**
   * Whether a daemon, in this process or another, holds {@code home}'s lock now.
   *
   * @throws UncheckedIOException when the lock file exists but cannot be opened
   */
  public static boolean isHeld(MigctlHome home) {
    Path file = home.daemonLock();
    if (!Files.exists(file)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true; // this process holds it: a daemon runs in it
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot tell whether a daemon runs on " + home + ": " + file + ": " + e.getMessage(), e);
    }
  }
}
