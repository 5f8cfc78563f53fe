package io.migctl.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HostLimitsTest {

  @Test
  void outOfRangeLimitsNameTheirField() {
    assertThatThrownBy(() -> new HostLimits(OptionalLong.of(3), null, null))
        .hasMessageStartingWith("memory:");
    assertThatThrownBy(
            () -> new HostLimits(OptionalLong.of(HostLimits.MAX_MEMORY_MIB + 1), null, null))
        .hasMessageStartingWith("memory:");
    assertThatThrownBy(() -> new HostLimits(null, OptionalInt.of(9), null))
        .hasMessageStartingWith("cpus:");
    assertThatThrownBy(
            () -> new HostLimits(null, OptionalInt.of(HostLimits.MAX_CPU_MILLIS + 1), null))
        .hasMessageStartingWith("cpus:");
    assertThatThrownBy(() -> new HostLimits(null, null, OptionalInt.of(0)))
        .hasMessageStartingWith("max-procs:");
    assertThatThrownBy(() -> new HostLimits(null, null, OptionalInt.of(HostLimits.MAX_PROCS + 1)))
        .hasMessageStartingWith("max-procs:");
  }

  @Test
  void theBoundsThemselvesAreAccepted() {
    HostLimits low = new HostLimits(OptionalLong.of(4), OptionalInt.of(10), OptionalInt.of(1));
    HostLimits high =
        new HostLimits(
            OptionalLong.of(HostLimits.MAX_MEMORY_MIB),
            OptionalInt.of(HostLimits.MAX_CPU_MILLIS),
            OptionalInt.of(HostLimits.MAX_PROCS));
    assertThat(low.isEmpty()).isFalse();
    assertThat(high.maxProcs()).hasValue(HostLimits.MAX_PROCS);
    assertThat(new HostLimits(null, null, null)).isEqualTo(HostLimits.NONE);
    assertThat(HostLimits.NONE.isEmpty()).isTrue();
  }

  @Test
  void aJobsOwnLimitsWinOverTheDefaultsOneByOne() {
    HostLimits own = new HostLimits(OptionalLong.of(1024), null, null);
    HostLimits defaults =
        new HostLimits(OptionalLong.of(4096), OptionalInt.of(2000), OptionalInt.of(64));
    assertThat(own.orElse(defaults))
        .isEqualTo(new HostLimits(OptionalLong.of(1024), OptionalInt.of(2000), OptionalInt.of(64)));
    assertThat(HostLimits.NONE.orElse(defaults)).isEqualTo(defaults);
    assertThat(defaults.orElse(HostLimits.NONE)).isEqualTo(defaults);
  }

  @Test
  void aSpecCarriesItsLimitsAndAValidImage() {
    JobSpec spec = JobSpec.of("n", java.util.List.of("x"), GpuNeed.NONE);
    assertThat(spec.limits()).isEqualTo(HostLimits.NONE);
    assertThat(spec.image()).isEmpty();
    assertThat(spec.withImage(java.util.Optional.of("busybox:1.36")).image())
        .hasValue("busybox:1.36");
    assertThat(spec.withImage(java.util.Optional.of(" ")).image()).isEmpty();
    assertThat(spec.withTenant("ml").tenant()).isEqualTo("ml");
    assertThatThrownBy(() -> spec.withImage(java.util.Optional.of("bad image;rm")))
        .hasMessageStartingWith("image:");
    assertThatThrownBy(() -> spec.withImage(java.util.Optional.of("-rf")))
        .hasMessageStartingWith("image:");
  }
}
