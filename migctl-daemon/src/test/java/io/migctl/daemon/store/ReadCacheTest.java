package io.migctl.daemon.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadCacheTest {

  private final AtomicInteger reads = new AtomicInteger();
  private final ReadCache<Integer> cache = new ReadCache<>();

  private Integer read() {
    return reads.incrementAndGet();
  }

  @Test
  void readersShareOneReadUntilAWrite() {
    assertThat(cache.get(this::read)).isEqualTo(1);
    assertThat(cache.get(this::read)).isEqualTo(1);
    assertThat(cache.write(() -> "written")).isEqualTo("written");
    assertThat(cache.get(this::read)).isEqualTo(2);
    assertThat(cache.get(this::read)).isEqualTo(2);
  }

  @Test
  void aFailedWriteReadsAnewToo() {
    cache.get(this::read);
    assertThatThrownBy(
            () ->
                cache.write(
                    () -> {
                      throw new IllegalStateException("rolled back");
                    }))
        .hasMessage("rolled back");
    assertThat(cache.get(this::read)).isEqualTo(2);
  }

  @Test
  void aValueReadWhileAWriteRanIsReadAgainAfterIt() {
    cache.write(
        () -> {
          // A reader during the write: what it reads is tagged as from before the write.
          assertThat(cache.get(this::read)).isEqualTo(1);
          return null;
        });
    assertThat(cache.get(this::read)).isEqualTo(2);
  }
}
