package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CapMinorsTest {

  @Test
  void nvidiasNumberingMatchesTheUserGuidesListing() {
    CapMinors minors = CapMinors.nvidia();
    assertThat(minors.gpuInstance(0, 0)).hasValue(3);
    assertThat(minors.computeInstance(0, 0, 0)).hasValue(4);
    assertThat(minors.computeInstance(0, 0, 2)).hasValue(6);
    assertThat(minors.gpuInstance(0, 1)).hasValue(12);
    assertThat(minors.computeInstance(31, 14, 6)).hasValue(4321);
    assertThat(minors.computeInstance(31, 14, 7)).hasValue(4322);
    assertThat(minors.size()).isEqualTo(32 * 15 * 9);
  }

  @Test
  void theDriversFileIsReadLineByLine() {
    CapMinors minors =
        CapMinors.parse(
            "config 1\nmonitor 2\ngpu0/gi0/access 3\ngpu0/gi0/ci0/access 4\n"
                + "gpu1/gi2/access 156\n  gpu1/gi2/ci1/access 158  \n\nnonsense\n");
    assertThat(minors.gpuInstance(0, 0)).hasValue(3);
    assertThat(minors.computeInstance(0, 0, 0)).hasValue(4);
    assertThat(minors.gpuInstance(1, 2)).hasValue(156);
    assertThat(minors.computeInstance(1, 2, 1)).hasValue(158);
    assertThat(minors.computeInstance(1, 2, 0)).isEmpty();
    assertThat(minors.size()).isEqualTo(4);
  }

  @Test
  void theNumberingReadsBackFromItsOwnListing() {
    StringBuilder text = new StringBuilder("config 1\nmonitor 2\n");
    CapMinors nvidia = CapMinors.nvidia();
    for (int gi = 0; gi < CapMinors.GPU_INSTANCE_IDS; gi++) {
      text.append("gpu2/gi")
          .append(gi)
          .append("/access ")
          .append(nvidia.gpuInstance(2, gi).getAsInt())
          .append('\n');
    }
    CapMinors read = CapMinors.parse(text.toString());
    for (int gi = 0; gi < CapMinors.GPU_INSTANCE_IDS; gi++) {
      assertThat(read.gpuInstance(2, gi)).isEqualTo(nvidia.gpuInstance(2, gi));
    }
  }

  @Test
  void theDriversFormatIsWrittenInMinorOrderAndReadsBack() {
    String text = CapMinors.nvidia().text();
    assertThat(text)
        .startsWith("config 1\nmonitor 2\ngpu0/gi0/access 3\ngpu0/gi0/ci0/access 4\n")
        .endsWith("gpu31/gi14/ci7/access 4322\n");
    CapMinors read = CapMinors.parse(text);
    assertThat(read.size()).isEqualTo(CapMinors.nvidia().size());
    assertThat(read.computeInstance(7, 3, 5))
        .isEqualTo(CapMinors.nvidia().computeInstance(7, 3, 5));
  }
}
