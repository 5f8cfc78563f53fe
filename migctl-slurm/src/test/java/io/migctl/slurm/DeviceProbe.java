package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a Slurm step saw when it opened device files one by one, read and write: with devices
 * constrained, a node its cgroup refuses fails with {@code EPERM} ("Operation not permitted"); a
 * node it lets through, with no driver behind it, with {@code ENXIO} ("No such device or address").
 *
 * @param gpus the step's {@code SLURM_STEP_GPUS}
 * @param opened each file, with {@code opened} or the shell's error
 */
record DeviceProbe(String gpus, Map<Path, String> opened) {

  private static final String SCRIPT =
      """
      #!/bin/sh
      echo "gpus=$SLURM_STEP_GPUS"
      for f in "$@"; do
        if err=$(sh -c 'exec 3<>"$1"' open "$f" 2>&1); then echo "$f: opened"
        else echo "$f: $err"; fi
      done
      """;

  /** Runs {@code srun --gres=GRES} opening {@code files}; the step must succeed. */
  static DeviceProbe run(SlurmCluster slurm, String gres, List<Path> files)
      throws IOException, InterruptedException {
    Path script = slurm.dir().resolve("open-devices.sh");
    if (!Files.exists(script)) {
      Files.writeString(script, SCRIPT);
    }
    List<String> argv = new ArrayList<>(List.of("srun", "--gres=" + gres, "sh", script.toString()));
    files.forEach(f -> argv.add(f.toString()));
    SlurmCluster.Result r = slurm.run(argv.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.output()).isZero();

    Map<Path, String> opened = new LinkedHashMap<>();
    String gpus = "";
    for (String line : r.output().lines().toList()) {
      int colon = line.indexOf(": ");
      if (line.startsWith("gpus=")) {
        gpus = line.substring("gpus=".length());
      } else if (colon > 0) {
        opened.put(Path.of(line.substring(0, colon)), line.substring(colon + 2));
      }
    }
    return new DeviceProbe(gpus, opened);
  }
}
