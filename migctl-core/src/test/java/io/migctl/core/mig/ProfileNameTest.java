package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProfileNameTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1g.5gb",
        "1g.5gb+me",
        "1g.23gb+me.all",
        "1g.23gb-me",
        "1c.3g.20gb",
        "2c.7g.40gb",
        "3g.20gb",
        "7g.141gb",
        "1g.24gb+gfx",
        "1g.5gb+me,gfx",
        "1g.5gb+ME",
        "2g.48gb+me.all.x2",
        "8g.80gb",
        "7g.79gb"
      })
  void printsWhatItParsed(String text) {
    assertThat(ProfileName.parse(text)).hasToString(text);
  }

  @ParameterizedTest
  @CsvSource({
    "MIG 3g.20gb, 3g.20gb",
    "MIG 1g.10gb+me, 1g.10gb+me",
    "'  7g.80gb ', 7g.80gb",
    "3c.3g.20gb, 3g.20gb",
    "7c.7g.40gb, 7g.40gb"
  })
  void normalisesToNvidiasSpelling(String text, String printed) {
    assertThat(ProfileName.parse(text)).hasToString(printed);
  }

  @Test
  void parsesEveryPart() {
    assertThat(ProfileName.parse("1c.3g.20gb"))
        .isEqualTo(new ProfileName(1, 3, 20, List.of()))
        .returns(true, ProfileName::isComputeInstance);
    assertThat(ProfileName.parse("1g.23gb+me.all"))
        .isEqualTo(new ProfileName(0, 1, 23, List.of("+me.all")))
        .returns(false, ProfileName::isComputeInstance);
    assertThat(ProfileName.parse("1g.5gb+me,gfx").attributes()).containsExactly("+me", "+gfx");
    assertThat(ProfileName.parse("1g.24gb-me").attributes()).containsExactly("-me");
    assertThat(ProfileName.parse("3c.3g.20gb")).isEqualTo(ProfileName.of(3, 20));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "3g",
        "3g.20",
        "x1g.5gb",
        "3g.20gb+",
        "1g.5gb me",
        "1g.5gb+me,",
        "1g.5gb+,me",
        "1g.5gb+2me",
        "1g.5gb+.me",
        "1g.5gb+me.",
        "1g.5gb+m_e",
        "1g.5gb+me,me",
        "1g.5gb+me-gfx",
        "1g.5gb+me+gfx"
      })
  void rejectsWhatIsNotAProfileName(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProfileName.parse(text))
        .withMessageContaining("\"" + text + "\"")
        .withMessageContaining("is not a MIG profile name");
  }

  @Test
  void suggestsCommasBetweenAttributes() {
    // go-nvlib splits at the first + and then at commas, so "+me+gfx" is one bad attribute.
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProfileName.parse("1g.5gb+me+gfx"))
        .withMessageContaining("write")
        .withMessageContaining("1g.5gb+me,gfx");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0g.5gb", "1g.0gb", "99999999999g.5gb", "0c.3g.20gb"})
  void rejectsImpossibleNumbersNamingTheInput(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProfileName.parse(text))
        .withMessageContaining("\"" + text + "\" is not a valid MIG profile name")
        .withMessageNotContaining("For input string");
  }

  @Test
  void rejectsComputeInstancesOfNoSlices() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProfileName.of(3, 20).withComputeSlices(0))
        .withMessageContaining("1..3");
  }

  @Test
  void rejectsMoreComputeSlicesThanTheGpuInstanceHas() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProfileName.parse("4c.3g.20gb"))
        .withMessageContaining("\"4c.3g.20gb\"")
        .withMessageContaining("use 1..3c");
  }

  @Test
  void constructorRejectsImpossibleValues() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ProfileName(0, 0, 5, List.of()))
        .withMessageContaining("at least 1 compute slice");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ProfileName(4, 3, 20, List.of()))
        .withMessageContaining("1..3");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ProfileName(0, 3, 0, List.of()))
        .withMessageContaining("at least 1 GB");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ProfileName(0, 1, 5, List.of("me")))
        .withMessageContaining("\"me\"");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ProfileName(0, 1, 5, List.of("+me", "-gfx")))
        .withMessageContaining("mix + and -");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ProfileName(0, 1, 5, List.of("+me", "+me")))
        .withMessageContaining("repeat");
  }

  @ParameterizedTest
  @CsvSource({
    "1g.5gb, false",
    "1g.5gb+me, true",
    "1g.23gb+me.all, true",
    "1g.23gb-me, false",
    "1g.5gb+gfx, false",
    "1g.5gb+meh, false",
    "'1g.5gb+gfx,me', true"
  })
  void knowsMediaExtensions(String text, boolean media) {
    assertThat(ProfileName.parse(text).hasMediaExtensions()).isEqualTo(media);
  }

  @Test
  void gpuInstanceDropsTheComputePart() {
    assertThat(ProfileName.parse("1c.3g.20gb").gpuInstance()).hasToString("3g.20gb");
    ProfileName gi = ProfileName.parse("3g.20gb");
    assertThat(gi.gpuInstance()).isSameAs(gi);
  }

  @Test
  void withComputeSlicesNamesTheComputeInstance() {
    ProfileName gi = ProfileName.parse("3g.20gb");
    assertThat(gi.withComputeSlices(1)).hasToString("1c.3g.20gb");
    assertThat(gi.withComputeSlices(2)).hasToString("2c.3g.20gb");
    assertThat(gi.withComputeSlices(3)).isEqualTo(gi);
    assertThat(gi.withComputeSlices(1).gpuInstance()).isEqualTo(gi);
    assertThatIllegalArgumentException().isThrownBy(() -> gi.withComputeSlices(4));
  }

  @Test
  void ofNamesAPlainGpuInstance() {
    assertThat(ProfileName.of(3, 20))
        .hasToString("3g.20gb")
        .isEqualTo(ProfileName.parse("3g.20gb"));
  }
}
