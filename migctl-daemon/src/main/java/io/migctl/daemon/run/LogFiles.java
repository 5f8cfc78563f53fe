package io.migctl.daemon.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads a job's log files ({@code stdout.log}, {@code stderr.log}) piece by piece from a byte
 * offset, for {@code logs} and {@code logs -f}: a follower passes each {@link Chunk#nextOffset()}
 * back in.
 */
public final class LogFiles {

  /**
   * A piece of a log file.
   *
   * @param bytes the bytes read (possibly none)
   * @param nextOffset the offset to read from next time
   * @param size the file's size when it was read (0 for a missing file)
   */
  public record Chunk(byte[] bytes, long nextOffset, long size) {

    /** Whether the file holds more bytes after this chunk. */
    public boolean more() {
      return nextOffset < size;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Chunk c
          && Arrays.equals(bytes, c.bytes)
          && nextOffset == c.nextOffset
          && size == c.size;
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(bytes), nextOffset, size);
    }

    @Override
    public String toString() {
      return "Chunk[" + bytes.length + " bytes, nextOffset=" + nextOffset + ", size=" + size + "]";
    }
  }

  private LogFiles() {}

  /**
   * Reads up to {@code maxBytes} of {@code file} from {@code offset}. A missing file, or an offset
   * at or past its end, gives no bytes and {@code nextOffset == offset}.
   *
   * @throws IllegalArgumentException when {@code offset} is negative or {@code maxBytes} not
   *     positive
   * @throws IOException when the file exists but cannot be read
   */
  public static Chunk read(Path file, long offset, int maxBytes) throws IOException {
    Objects.requireNonNull(file, "file");
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset: " + offset);
    }
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (offset >= size) {
        return new Chunk(new byte[0], offset, size);
      }
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(maxBytes, size - offset));
      long position = offset;
      while (buf.hasRemaining()) {
        int n = ch.read(buf, position);
        if (n < 0) {
          break;
        }
        position += n;
      }
      byte[] bytes = Arrays.copyOf(buf.array(), buf.position());
      return new Chunk(bytes, offset + bytes.length, Math.max(size, offset + bytes.length));
    } catch (NoSuchFileException e) {
      return new Chunk(new byte[0], offset, 0);
    }
  }
}
