package io.migctl.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RequiredToolsTest {

  private static final RequiredTools CI = new RequiredTools(Map.of("MIGCTL_REQUIRE_TOOLS", "1"));
  private static final RequiredTools LAPTOP = new RequiredTools(Map.of());

  @Test
  void aToolThatIsThereIsGiven() {
    assertThat(CI.require(Optional.of("/usr/bin/gcc"), () -> "no gcc")).isEqualTo("/usr/bin/gcc");
    assertThat(LAPTOP.require(Optional.of("/usr/bin/gcc"), () -> "no gcc"))
        .isEqualTo("/usr/bin/gcc");
  }

  @Test
  void aMissingToolSkipsWhereToolsAreNotRequired() {
    assertThat(LAPTOP.required()).isFalse();
    assertThatThrownBy(() -> LAPTOP.require(Optional.empty(), () -> "gcc is not installed"))
        .isExactlyInstanceOf(TestAbortedException.class)
        .hasMessage("gcc is not installed");
    assertThatThrownBy(() -> LAPTOP.require(false, () -> "python3 is not on PATH"))
        .isExactlyInstanceOf(TestAbortedException.class)
        .hasMessage("python3 is not on PATH");
  }

  @Test
  void aMissingToolFailsWhereToolsAreRequired() {
    assertThat(CI.required()).isTrue();
    assertThatThrownBy(() -> CI.require(Optional.empty(), () -> "gcc is not installed"))
        .isExactlyInstanceOf(AssertionFailedError.class)
        .hasMessage("gcc is not installed (MIGCTL_REQUIRE_TOOLS=1 makes a missing tool a failure)");
    assertThatThrownBy(() -> CI.require(false, () -> "python3 is not on PATH"))
        .isExactlyInstanceOf(AssertionFailedError.class);
  }

  @Test
  void onlyTheValueOneRequiresTools() {
    assertThat(new RequiredTools(Map.of("MIGCTL_REQUIRE_TOOLS", "0")).required()).isFalse();
    assertThat(new RequiredTools(Map.of("MIGCTL_REQUIRE_TOOLS", "yes")).required()).isFalse();
  }

  @Test
  void anOptionalToolIsSkippedEvenWhereToolsAreRequired() {
    CI.optional(true, () -> "mamba is not installed");
    assertThatThrownBy(() -> CI.optional(false, () -> "mamba is not installed"))
        .isExactlyInstanceOf(TestAbortedException.class)
        .hasMessage("mamba is not installed");
  }
}
