package io.migctl.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** micromamba's {@code sel(...)} rule, as libmamba's {@code eval_selector} states it. */
class PlatformSelectorTest {

  @ParameterizedTest(name = "{0} on {1}: {2}")
  @CsvSource({
    "sel(linux), linux-64, true",
    "sel(linux), linux-aarch64, true",
    "sel(linux), osx-arm64, false",
    "sel(linux), noarch, false",
    "sel(osx), osx-64, true",
    "sel(osx), osx-arm64, true",
    "sel(osx), linux-64, false",
    "sel(win), win-64, true",
    "sel(win), linux-64, false",
    "sel(unix), linux-ppc64le, true",
    "sel(unix), osx-arm64, true",
    "sel(unix), win-64, false",
    "sel(unix), noarch, false",
  })
  void holdsForThePlatformsMicromambaSays(String key, String platform, boolean holds) {
    assertThat(PlatformSelector.isSelector(key)).isTrue();
    assertThat(PlatformSelector.parse(key).selects(platform)).isEqualTo(holds);
    assertThat(PlatformSelector.parse(key)).hasToString(key);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sel(linux64)", "sel( linux )", "sel(Linux)", "sel(linux", "sel()"})
  void refusesWhatMicromambaRefuses(String key) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PlatformSelector.parse(key))
        .withMessageContaining("sel(linux), sel(osx), sel(win)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"pip", "selector", "linux"})
  void otherKeysAreNotSelectors(String key) {
    assertThat(PlatformSelector.isSelector(key)).isFalse();
  }
}
