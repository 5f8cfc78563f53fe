package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class BoundedBodyTest {

  @Test
  void aBodyUpToTheLimitIsReadWhole() {
    byte[] body = new byte[100];

    assertThat(BoundedBody.read(new ByteArrayInputStream(body), -1, 100)).hasSize(100);
    assertThat(BoundedBody.read(new ByteArrayInputStream(body), 100, 100)).hasSize(100);
  }

  @Test
  void aBodyWithoutALengthIsRefusedOneByteOverTheLimitWithoutReadingTheRest() {
    CountingStream in = new CountingStream(10_000_000);

    assertThatThrownBy(() -> BoundedBody.read(in, -1, 100))
        .isInstanceOfSatisfying(
            DaemonException.class,
            e -> {
              assertThat(e.status()).isEqualTo(413);
              assertThat(e.code()).isEqualTo("too-large");
              assertThat(e.getMessage()).contains("larger than 100 bytes");
            });
    assertThat(in.read).isEqualTo(101);
  }

  @Test
  void aDeclaredLengthOverTheLimitIsRefusedBeforeReading() {
    CountingStream in = new CountingStream(1000);

    assertThatThrownBy(() -> BoundedBody.read(in, 1000, 100))
        .isInstanceOfSatisfying(DaemonException.class, e -> assertThat(e.status()).isEqualTo(413));
    assertThat(in.read).isZero();
  }

  @Test
  void aDeclaredLengthIsReadExactlyAndABodyThatEndsShortOfItIsRefused() {
    CountingStream in = new CountingStream(1000);

    assertThat(BoundedBody.read(in, 50, 100)).hasSize(50);
    assertThat(in.read).isEqualTo(50);
    assertThatThrownBy(() -> BoundedBody.read(new CountingStream(10), 50, 100))
        .isInstanceOfSatisfying(
            DaemonException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.getMessage()).contains("ended early");
            });
  }

  @Test
  void aBodyThatCannotBeReadIs400WithoutJavasText() {
    InputStream broken =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("Early EOF");
          }
        };

    assertThatThrownBy(() -> BoundedBody.read(broken, -1, 100))
        .isInstanceOfSatisfying(
            DaemonException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.getMessage()).contains("ended early").doesNotContain("Early EOF");
            });
  }

  /** {@code size} zero bytes, counting how many were read. */
  private static final class CountingStream extends InputStream {
    private final long size;
    long read;

    CountingStream(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      if (read >= size) {
        return -1;
      }
      read++;
      return 0;
    }
  }
}
