package io.migctl.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.migctl.core.Seeds;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "30s, PT30S",
    "10m, PT10M",
    "2h, PT2H",
    "1d, PT24H",
    "1h30m, PT1H30M",
    "500ms, PT0.5S",
    "1m1ms, PT1M0.001S",
    "' 90S ', PT1M30S",
    "PT10M, PT10M",
    "pt10m, PT10M",
    "P1D, PT24H",
    "0s, PT0S"
  })
  void readsWhatPeopleWrite(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "10",
        "ten minutes",
        "10 m",
        "1.5h",
        "-5s",
        "1w",
        "P",
        "PTXM",
        "h",
        "99999999999999999999s"
      })
  void rejectsOtherTextNamingTheForms(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Durations.parse(text))
        .withMessage("\"" + text + "\" is not a duration; write e.g. 30s, 10m, 2h, 1h30m or PT10M");
  }

  @ParameterizedTest
  @CsvSource({"PT0.25S, 250ms", "PT90S, 90s", "PT10M, 10m", "PT2H, 2h", "PT1H30M, 90m"})
  void formatsTheShortestExactForm(String iso, String text) {
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
  }

  @Test
  void whatItFormatsItReadsBack() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    for (int i = 0; i < 2000; i++) {
      Duration d =
          switch (random.nextInt(4)) {
            case 0 -> Duration.ofMillis(1 + random.nextInt(100_000));
            case 1 -> Duration.ofSeconds(1 + random.nextInt(100_000));
            case 2 -> Duration.ofMinutes(1 + random.nextInt(10_000));
            default -> Duration.ofHours(1 + random.nextInt(1000));
          };
      String text = Durations.format(d);
      assertThat(Durations.parse(text)).as("seed %d: %s as %s", seed, d, text).isEqualTo(d);
    }
  }
}
