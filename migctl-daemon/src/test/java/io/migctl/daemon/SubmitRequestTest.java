package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.HostLimits;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SubmitRequestTest {

  private static SubmitRequest limited(String memory, String cpus, Integer maxProcs) {
    return new SubmitRequest(
        null,
        List.of("true"),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        memory,
        cpus,
        maxProcs,
        null);
  }

  @Test
  void hostLimitsArriveInTheSpec() {
    assertThat(limited("16GiB", "0.5", 512).toSpec().limits())
        .isEqualTo(
            new HostLimits(OptionalLong.of(16384), OptionalInt.of(500), OptionalInt.of(512)));
    assertThat(limited(null, null, null).toSpec().limits()).isEqualTo(HostLimits.NONE);
  }

  @Test
  void aBadLimitIsRefusedNamingItsField() {
    assertThatThrownBy(() -> limited("lots", null, null).toSpec())
        .isInstanceOf(DaemonException.class)
        .hasMessageStartingWith("memory: 'lots' is not a memory size");
    assertThatThrownBy(() -> limited(null, "four", null).toSpec())
        .hasMessage("cpus: 'four' is not a number of cores; write e.g. 4 or 0.5");
    assertThatThrownBy(() -> limited(null, "0.001", null).toSpec())
        .hasMessage("cpus: '0.001' cores is out of range; use 0.01 to 4096");
    assertThatThrownBy(() -> limited(null, null, 0).toSpec())
        .hasMessage("max-procs: 0 is out of range; use 1 to 4194304");
  }
}
