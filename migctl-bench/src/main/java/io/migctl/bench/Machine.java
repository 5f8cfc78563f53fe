package io.migctl.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What a benchmark ran on, for the header of its report. */
final class Machine {

  private Machine() {}

  /**
   * E.g. {@code 2 CPUs (AMD EPYC), Linux 6.1, Java 25.0.1, files on ext4 (/tmp/x), load average
   * 0.12 at the start}.
   */
  static String describe(Path workDir) {
    String fs;
    try {
      fs = Files.getFileStore(workDir).type();
    } catch (IOException e) {
      fs = "an unknown file system";
    }
    return Runtime.getRuntime().availableProcessors()
        + " CPUs"
        + cpuModel().map(m -> " (" + m + ")").orElse("")
        + ", "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.version")
        + ", Java "
        + Runtime.version()
        + ", files on "
        + fs
        + " ("
        + workDir
        + ")"
        + loadAverage().map(l -> ", load average " + l + " at the start").orElse("");
  }

  /** The 1-minute load average from {@code /proc/loadavg}, where there is one. */
  static Optional<String> loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
      return fields.length > 0 && !fields[0].isEmpty() ? Optional.of(fields[0]) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The first {@code model name} of {@code /proc/cpuinfo}, where there is one. */
  static Optional<String> cpuModel() {
    try {
      return cpuModel(Files.readAllLines(Path.of("/proc/cpuinfo")));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  static Optional<String> cpuModel(List<String> cpuinfo) {
    for (String line : cpuinfo) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().equals("model name")) {
        String model = line.substring(colon + 1).strip();
        if (!model.isEmpty()) {
          return Optional.of(model);
        }
      }
    }
    return Optional.empty();
  }
}
