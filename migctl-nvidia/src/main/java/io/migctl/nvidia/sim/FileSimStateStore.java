package io.migctl.nvidia.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps the simulated node's state in a JSON file, so that one-shot commands see each other's
 * changes. Transactions hold an exclusive lock on a sibling {@code .lock} file (across processes)
 * and a lock in this JVM (file locks belong to the whole process, so two stores on one file in one
 * JVM must also exclude each other); a change is written to a temporary file, forced to disk and
 * renamed over the state, so a crash leaves the old or the new state, never a torn one. Folders it
 * creates are 0700 and files 0600.
 */
final class FileSimStateStore implements SimStateStore {

  // The state lives under $MIGCTL_HOME, which only its user may read.
  private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FOLDER =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final SimStateCodec codec = new SimStateCodec();
  private final Path file;
  private final Path lockFile;
  private final Supplier<SimState> initial;
  private final ReentrantLock inProcess;

  /**
   * One lock per state file for the whole JVM: the operating system's file lock cannot exclude two
   * threads of the same process, and taking it twice throws.
   */
  private static final ConcurrentMap<Path, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();

  FileSimStateStore(Path file, Supplier<SimState> initial) {
    this.file = file;
    this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
    this.initial = initial;
    this.inProcess =
        PROCESS_LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new ReentrantLock());
  }

  @Override
  public <T> T read(Function<SimState, T> reader) {
    return locked(() -> reader.apply(load()));
  }

  @Override
  public <T> T update(Function<SimState, T> change) {
    return locked(
        () -> {
          SimState state = load();
          T result = change.apply(state);
          store(state);
          return result;
        });
  }

  @Override
  public void clear() {
    locked(
        () -> {
          try {
            Files.deleteIfExists(file);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
          }
          return null;
        });
  }

  private <T> T locked(Supplier<T> body) {
    inProcess.lock();
    try {
      Files.createDirectories(file.getParent(), PRIVATE_FOLDER);
      try (FileChannel channel =
              FileChannel.open(
                  lockFile,
                  Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                  PRIVATE_FILE);
          FileLock _ = channel.lock()) {
        return body.get();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock the simulated node's state " + lockFile, e);
    } finally {
      inProcess.unlock();
    }
  }

  private SimState load() {
    try {
      if (!Files.exists(file)) {
        return initial.get();
      }
      return codec.read(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private void store(SimState state) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out =
        FileChannel.open(
            tmp,
            Set.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING),
            PRIVATE_FILE)) {
      out.write(java.nio.ByteBuffer.wrap(codec.write(state)));
      out.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + tmp, e);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replace " + file, e);
    }
  }
}
