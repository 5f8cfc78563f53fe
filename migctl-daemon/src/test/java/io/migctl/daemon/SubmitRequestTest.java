package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.HostLimits;
import io.migctl.core.mig.ProfileName;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SubmitRequestTest {

  private static SubmitRequest limited(String memory, String cpus, Integer maxProcs) {
    return request(null, null, memory, cpus, maxProcs, null, null, null);
  }

  private static SubmitRequest devices(
      String gpu, String gpuMemory, Integer count, Integer gpus, String gpuModel) {
    return request(gpu, gpuMemory, null, null, null, count, gpus, gpuModel);
  }

  private static SubmitRequest request(
      String gpu,
      String gpuMemory,
      String memory,
      String cpus,
      Integer maxProcs,
      Integer count,
      Integer gpus,
      String gpuModel) {
    return new SubmitRequest(
        null,
        List.of("true"),
        null,
        null,
        gpu,
        gpuMemory,
        null,
        null,
        null,
        null,
        null,
        null,
        memory,
        cpus,
        maxProcs,
        null,
        count,
        gpus,
        gpuModel);
  }

  @Test
  void wholeGpusAndSeveralMigDevicesArriveInTheSpec() {
    assertThat(devices(null, "40GiB", null, 2, "a100-40gb").toSpec().gpu())
        .isEqualTo(new GpuNeed.WholeGpus(2, Optional.of("a100-40gb"), OptionalLong.of(40960)));
    assertThat(devices("1g.5gb", null, 3, null, null).toSpec().gpu())
        .isEqualTo(new GpuNeed.MigDevices(new GpuNeed.Profile(ProfileName.parse("1g.5gb")), 3));
    assertThat(devices("1g.5gb", null, 1, null, null).toSpec().gpu())
        .isEqualTo(new GpuNeed.Profile(ProfileName.parse("1g.5gb")));
  }

  @Test
  void badCombinationsOfDevicesNameTheFix() {
    assertThatThrownBy(() -> devices("1g.5gb", null, null, 2, null).toSpec())
        .hasMessageContaining("gpus: asks for whole GPUs; leave gpu out");
    assertThatThrownBy(() -> devices(null, null, 3, 2, null).toSpec())
        .hasMessageContaining("count: goes with MIG devices");
    assertThatThrownBy(() -> devices(null, null, 3, null, null).toSpec())
        .hasMessageContaining("count: says how many MIG devices of gpu or gpuMemory");
    assertThatThrownBy(() -> devices("1g.5gb", null, null, null, "a100-40gb").toSpec())
        .hasMessageContaining("gpuModel: goes with gpus");
    assertThatThrownBy(() -> devices(null, null, null, 0, null).toSpec())
        .hasMessageContaining("gpus: a job asks for 1 to 64 whole GPUs, was 0");
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
