package io.migctl.daemon.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFilesTest {

  @TempDir Path tmp;

  @Test
  void readsFromAnOffsetUpToAMaximumAndTellsWhereToGoOn() throws Exception {
    Path log = Files.writeString(tmp.resolve("stdout.log"), "0123456789");

    LogFiles.Chunk a = LogFiles.read(log, 0, 4);
    assertThat(new String(a.bytes(), UTF_8)).isEqualTo("0123");
    assertThat(a.nextOffset()).isEqualTo(4);
    assertThat(a.size()).isEqualTo(10);
    assertThat(a.more()).isTrue();

    LogFiles.Chunk b = LogFiles.read(log, a.nextOffset(), 100);
    assertThat(new String(b.bytes(), UTF_8)).isEqualTo("456789");
    assertThat(b.nextOffset()).isEqualTo(10);
    assertThat(b.more()).isFalse();

    LogFiles.Chunk none = LogFiles.read(log, b.nextOffset(), 100);
    assertThat(none.bytes()).isEmpty();
    assertThat(none.nextOffset()).isEqualTo(10);

    Files.writeString(log, "ab", StandardOpenOption.APPEND);
    LogFiles.Chunk appended = LogFiles.read(log, none.nextOffset(), 100);
    assertThat(new String(appended.bytes(), UTF_8)).isEqualTo("ab");
    assertThat(appended.nextOffset()).isEqualTo(12);
  }

  @Test
  void aMissingFileOrAnOffsetPastTheEndIsEmpty() throws Exception {
    LogFiles.Chunk missing = LogFiles.read(tmp.resolve("absent.log"), 7, 10);
    assertThat(missing.bytes()).isEmpty();
    assertThat(missing.nextOffset()).isEqualTo(7);
    assertThat(missing.size()).isZero();

    Path log = Files.writeString(tmp.resolve("short.log"), "abc");
    LogFiles.Chunk past = LogFiles.read(log, 50, 10);
    assertThat(past.bytes()).isEmpty();
    assertThat(past.nextOffset()).isEqualTo(50);
  }

  @Test
  void readsBinaryBytesAsTheyAre() throws Exception {
    byte[] bytes = {0, (byte) 0xff, '\n', (byte) 0xc3};
    Path log = Files.write(tmp.resolve("bin.log"), bytes);
    assertThat(LogFiles.read(log, 1, 2).bytes()).containsExactly((byte) 0xff, '\n');
  }

  @Test
  void rejectsANegativeOffsetOrAnEmptyMaximum() {
    Path log = tmp.resolve("x.log");
    assertThatThrownBy(() -> LogFiles.read(log, -1, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LogFiles.read(log, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
