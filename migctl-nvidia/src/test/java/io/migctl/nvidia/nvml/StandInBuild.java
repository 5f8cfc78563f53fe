package io.migctl.nvidia.nvml;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Compiles the C stand-in for {@code libnvidia-ml.so.1} that the NVML ITs load (test only). */
final class StandInBuild {

  private StandInBuild() {}

  /** The stand-in's source, {@code src/test/c/fake_nvml.c}. */
  static Path source() {
    return Path.of("src/test/c/fake_nvml.c").toAbsolutePath();
  }

  /**
   * Compiles the stand-in into {@code target/fake-nvml/NAME/libnvidia-ml.so.1}: a copy whose state
   * no other test class shares.
   *
   * @throws GccMissing when there is no gcc, so that the caller can skip
   */
  static Path ownCopy(String name) throws IOException, InterruptedException {
    return gcc(source(), Path.of("target/fake-nvml", name, "libnvidia-ml.so.1").toAbsolutePath());
  }

  /**
   * Compiles {@code source} into the shared library {@code out} with warnings as errors.
   *
   * @param defines preprocessor macros to define, e.g. {@code FAKE_NVML_OLD_DRIVER}
   * @throws GccMissing when there is no gcc, so that the caller can skip
   */
  static Path gcc(Path source, Path out, String... defines)
      throws IOException, InterruptedException {
    Files.createDirectories(out.getParent());
    List<String> gcc =
        new ArrayList<>(List.of("gcc", "-shared", "-fPIC", "-O1", "-Wall", "-Werror"));
    for (String define : defines) {
      gcc.add("-D" + define);
    }
    gcc.addAll(List.of("-o", out.toString(), source.toString()));
    Process process;
    try {
      process = new ProcessBuilder(gcc).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new GccMissing("gcc is not installed, so the NVML stand-in cannot be built: " + e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
      fail(String.join(" ", gcc) + " failed:\n" + output);
    }
    return out;
  }

  /** There is no gcc on this machine. */
  static final class GccMissing extends IOException {
    private static final long serialVersionUID = 1L;

    GccMissing(String message) {
      super(message);
    }
  }
}
