package io.migctl.daemon.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.HostLimits;
import io.migctl.core.job.JobSpec;
import io.migctl.core.mig.ProfileName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JobSpecCodecTest {

  static List<JobSpec> specs() {
    return List.of(
        Fixtures.fullSpec(),
        JobSpec.of("plain", List.of("/bin/true"), GpuNeed.NONE),
        JobSpec.of("gi", List.of("x"), new GpuNeed.Profile(ProfileName.parse("3g.20gb"))),
        JobSpec.of("me", List.of("x"), new GpuNeed.Profile(ProfileName.parse("1g.10gb+me"))),
        JobSpec.of("attrs", List.of("x"), new GpuNeed.Profile(ProfileName.parse("1g.5gb+me,gfx"))),
        JobSpec.of("minus", List.of("x"), new GpuNeed.Profile(ProfileName.parse("1g.24gb-me"))),
        JobSpec.of("ci", List.of("x"), new GpuNeed.Profile(ProfileName.parse("2c.4g.40gb"))),
        JobSpec.of("mem", List.of("x"), new GpuNeed.Memory(8192, 1)),
        JobSpec.of("mem2", List.of("x"), new GpuNeed.Memory(GpuNeed.MAX_MEMORY_MIB, 7)),
        JobSpec.of(
            "three",
            List.of("x"),
            new GpuNeed.MigDevices(new GpuNeed.Profile(ProfileName.parse("1g.5gb")), 3)),
        JobSpec.of(
            "three-mem", List.of("x"), new GpuNeed.MigDevices(new GpuNeed.Memory(8192, 2), 3)),
        JobSpec.of("gang", List.of("x"), new GpuNeed.WholeGpus(4)),
        JobSpec.of(
            "gang-a100",
            List.of("x"),
            new GpuNeed.WholeGpus(2, Optional.of("a100-40gb"), OptionalLong.of(40960))),
        new JobSpec(
            "nanos",
            List.of("x", ""),
            Optional.empty(),
            Optional.of("env"),
            GpuNeed.NONE,
            JobSpec.MAX_PRIORITY,
            "t",
            Optional.of(Duration.ofSeconds(59, 999_999_999)),
            JobSpec.MAX_RETRIES,
            Map.of("A", "\u00e9\t\"\\ \u2603")),
        JobSpec.of("limits", List.of("x"), GpuNeed.NONE)
            .withLimits(
                new HostLimits(OptionalLong.of(16384), OptionalInt.of(4000), OptionalInt.of(512)))
            .withImage(Optional.of("registry.example/ml/torch:2.4")),
        JobSpec.of("one-limit", List.of("x"), GpuNeed.NONE)
            .withLimits(
                new HostLimits(OptionalLong.empty(), OptionalInt.empty(), OptionalInt.of(1))));
  }

  @ParameterizedTest
  @MethodSource("specs")
  void everySpecReadsBackEqual(JobSpec spec) {
    String json = JobSpecCodec.write(spec);
    assertThat(JobSpecCodec.read(json)).isEqualTo(spec);
    assertThat(json).doesNotContain("\n");
  }

  @Test
  void theFormatIsStable() {
    JobSpec spec =
        new JobSpec(
            "n",
            List.of("a", "b"),
            Optional.of("/w"),
            Optional.empty(),
            new GpuNeed.Memory(512, 2),
            3,
            "t",
            Optional.of(Duration.ofHours(1)),
            2,
            Map.of("B", "2", "A", "1"));
    assertThat(JobSpecCodec.write(spec))
        .isEqualTo(
            "{\"v\":1,\"name\":\"n\",\"command\":[\"a\",\"b\"],\"workdir\":\"/w\","
                + "\"gpu\":{\"kind\":\"memory\",\"memoryMiB\":512,\"computeSlices\":2},"
                + "\"priority\":3,\"tenant\":\"t\",\"timeout\":\"PT1H\",\"maxRetries\":2,"
                + "\"variables\":{\"A\":\"1\",\"B\":\"2\"}}");
  }

  @Test
  void aGpuWithoutCountIsOneDeviceAsInDocumentsWrittenBeforeCounts() {
    String old =
        "{\"v\":1,\"name\":\"a\",\"command\":[\"x\"],\"gpu\":{\"kind\":\"profile\","
            + "\"profile\":\"1g.5gb\"},\"priority\":0,\"tenant\":\"default\","
            + "\"maxRetries\":0,\"variables\":{}}";
    assertThat(JobSpecCodec.read(old).gpu())
        .isEqualTo(new GpuNeed.Profile(ProfileName.parse("1g.5gb")));
    assertThat(JobSpecCodec.read(old.replace("\"1g.5gb\"}", "\"1g.5gb\",\"count\":2}")).gpu())
        .isEqualTo(new GpuNeed.MigDevices(new GpuNeed.Profile(ProfileName.parse("1g.5gb")), 2));
  }

  @Test
  void brokenDocumentsAreRefusedNamingTheProblem() {
    String good = JobSpecCodec.write(JobSpec.of("n", List.of("x"), GpuNeed.NONE));
    assertThatThrownBy(() -> JobSpecCodec.read("{nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not JSON");
    assertThatThrownBy(() -> JobSpecCodec.read(good.replace("\"v\":1", "\"v\":9")))
        .hasMessageContaining("format version 9");
    assertThatThrownBy(() -> JobSpecCodec.read(good.replace("\"tenant\"", "\"tenantX\"")))
        .hasMessageContaining("no field 'tenant'");
    assertThatThrownBy(() -> JobSpecCodec.read(good.replace("\"none\"", "\"magic\"")))
        .hasMessageContaining("gpu.kind");
    assertThatThrownBy(
            () -> JobSpecCodec.read(good.replace("\"priority\":0", "\"priority\":\"0\"")))
        .hasMessageContaining("'priority' is not an integer");
  }
}
