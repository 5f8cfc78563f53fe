package io.migctl.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import io.migctl.replay.CsvTrace;
import io.migctl.replay.JobTable;
import io.migctl.replay.MisoTrace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Trace files, as {@code migctl sim trace} reads them: a plain CSV (read as a job table too),
 * Alibaba's pod list, or MISO's folder of three files; the first byte chooses which.
 */
class TraceFileFuzzTest {

  private static final GpuModel MODEL = Catalog.require("a100-40gb");
  private static Path dir;

  @BeforeAll
  static void folder() throws IOException {
    dir = Files.createTempDirectory("migctl-fuzz-trace");
  }

  @AfterAll
  static void removeFolder() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  @FuzzTest
  void read(FuzzedDataProvider data) {
    int format = data.consumeInt(0, 2);
    try {
      switch (format) {
        case 0 -> {
          byte[] csv = data.consumeRemainingAsBytes();
          Path file = write("trace.csv", csv);
          Refusals.valueOrRefusal(text(csv), () -> read(() -> CsvTrace.plain(file, MODEL)));
          // The same text as a job table: read by its header's names, or refused.
          Refusals.valueOrRefusal(text(csv), () -> read(() -> JobTable.read(file, MODEL, 8, 2000)));
        }
        case 1 -> {
          byte[] csv = data.consumeRemainingAsBytes();
          Path file = write("pods.csv", csv);
          Refusals.valueOrRefusal(
              text(csv), () -> read(() -> CsvTrace.alibaba(file, MODEL, 30, 2000)));
        }
        default -> {
          byte[] durations = data.consumeBytes(data.consumeInt(0, 4096));
          byte[] models = data.consumeBytes(data.consumeInt(0, 4096));
          byte[] speeds = data.consumeRemainingAsBytes();
          write("trace_100.json", durations);
          write("job_models.json", models);
          write("DERIVED_mig_slice_speed.csv", speeds);
          String all = text(durations) + text(models) + text(speeds);
          Refusals.valueOrRefusal(all, () -> read(() -> MisoTrace.read(dir)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the fuzz test could not write its trace file", e);
    }
  }

  private interface Reading {
    Object read() throws IOException;
  }

  private static void read(Reading reading) {
    try {
      reading.read();
    } catch (IOException e) {
      throw new AssertionError("a trace file that exists could not be read", e);
    }
  }

  private static Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
