package io.migctl.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.migctl.core.mig.ProfileName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GpuNeedTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "8GiB       | 8192",
        "8gib       | 8192",
        "8gb        | 8192",
        "8GB        | 8192",
        "8G         | 8192",
        "8g         | 8192",
        "512MiB     | 512",
        "512mb      | 512",
        "512M       | 512",
        "2048       | 2048",
        "1          | 1",
        "1.5GiB     | 1536",
        "0.5g       | 512",
        "4.75gb     | 4864",
        "1.2g       | 1229",
        "1.5        | 2",
        "1TiB       | 1048576",
        "1tb        | 1048576",
        "1T         | 1048576",
        "64TiB      | 67108864",
        "'8 GiB'    | 8192",
        "' 8GiB '   | 8192",
        "'\t16 gb '| 16384"
      })
  void parsesMemorySizes(String text, long mib) {
    assertThat(GpuNeed.parseMemoryMiB(text)).isEqualTo(mib);
  }

  @Test
  void gbAndGibBothMean1024MiBAsProfileNamesDo() {
    assertThat(GpuNeed.parseMemoryMiB("5gb")).isEqualTo(GpuNeed.parseMemoryMiB("5GiB"));
    assertThat(GpuNeed.parseMemoryMiB("20gb")).isEqualTo(20 * 1024L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0GiB", "0.0", "0.5", "0.001", "65TiB", "64.001TiB", "999999999g"})
  void rejectsSizesOutOfRange(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> GpuNeed.parseMemoryMiB(text))
        .withMessage(
            "memory size '" + text + "' is out of range; it must lie between 1 MiB and 64 TiB");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "-1",
        "-8GiB",
        "junk",
        "8 GiB of memory",
        "8KiB",
        "8PB",
        "GiB",
        "8.GiB",
        ".5GiB",
        "1.2345g",
        "0.0001g",
        "1e3",
        "8 G i B",
        "1,5GiB",
        "0x10",
        "1234567890"
      })
  void rejectsJunkNamingTheAcceptedForms(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> GpuNeed.parseMemoryMiB(text))
        .withMessage(
            "'" + text + "' is not a memory size; write e.g. 8GiB, 8gb, 512MiB or 2048 (MiB)");
  }

  @Test
  void memoryNeedsPositiveMemoryAndCompute() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new GpuNeed.Memory(0, 1))
        .withMessage("GPU memory must be positive, was 0 MiB");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new GpuNeed.Memory(-5, 1))
        .withMessageContaining("was -5 MiB");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new GpuNeed.Memory(1024, 0))
        .withMessage("compute slices must be at least 1, was 0");
  }

  @Test
  void printsAsUsersWriteIt() {
    assertThat(GpuNeed.NONE).hasToString("none");
    assertThat(new GpuNeed.Profile(ProfileName.parse("1c.3g.20gb"))).hasToString("1c.3g.20gb");
    assertThat(new GpuNeed.Memory(8192, 1)).hasToString("8192MiB");
    assertThat(new GpuNeed.Memory(8192, 3)).hasToString("8192MiB/3c");
  }

  @Test
  void wholeGpusAndSeveralDevicesAreCheckedAndCounted() {
    assertThat(new GpuNeed.WholeGpus(2)).hasToString("2 whole GPUs");
    assertThat(new GpuNeed.WholeGpus(2).count()).isEqualTo(2);
    assertThat(GpuNeed.NONE.count()).isZero();
    assertThat(new GpuNeed.Memory(1024, 1).count()).isEqualTo(1);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new GpuNeed.WholeGpus(0))
        .withMessageContaining("1 to 64 whole GPUs, was 0");
    GpuNeed oneG = new GpuNeed.Profile(ProfileName.parse("1g.5gb"));
    assertThat(new GpuNeed.MigDevices(oneG, 3)).hasToString("3x1g.5gb");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new GpuNeed.MigDevices(oneG, 1))
        .withMessageContaining("leave the count out");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new GpuNeed.MigDevices(new GpuNeed.WholeGpus(2), 2))
        .withMessageContaining("a profile or an amount of memory");
  }
}
