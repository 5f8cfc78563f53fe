package io.migctl.core.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlurmdGresTest {

  /** Recorded from Debian's slurmd 22.05.8 ({@code slurmd -G -f slurm.conf -N n1}). */
  private static final String OUTPUT =
      """
      slurmd-n1: Gres Name=gpu Type=1g.5gb+me Count=1 Index=31 ID=7696487 \
      File=/tmp/g/dev/nvidia0,/tmp/g/dev/nvidia-caps/nvidia-cap30,/tmp/g/dev/nvidia-caps/nvidia-cap31 (null)
      slurmd-n1: Gres Name=gpu Type=nvidia_a100-sxm4-40gb Count=1 Index=1 ID=7696487 \
      File=/tmp/g/dev/nvidia1 (null)
      slurmd-n1: Gres Name=gpu Type=(null) Count=2 ID=7696487 (null)
      slurmd: error: something else
      """;

  @Test
  void readsRecordsInOrderAndDropsTheMisleadingIndex() {
    assertThat(SlurmdGres.parse(OUTPUT))
        .containsExactly(
            new SlurmdGres(
                "gpu",
                "1g.5gb+me",
                1,
                List.of(
                    "/tmp/g/dev/nvidia0",
                    "/tmp/g/dev/nvidia-caps/nvidia-cap30",
                    "/tmp/g/dev/nvidia-caps/nvidia-cap31")),
            new SlurmdGres("gpu", "nvidia_a100-sxm4-40gb", 1, List.of("/tmp/g/dev/nvidia1")),
            new SlurmdGres("gpu", "", 2, List.of()));
  }
}
