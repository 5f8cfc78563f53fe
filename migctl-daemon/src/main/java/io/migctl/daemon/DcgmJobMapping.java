package io.migctl.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Writes DCGM exporter's HPC job-mapping files, so that DCGM's own series carry migctl's job: in a
 * folder given to dcgm-exporter ({@code DCGM_HPC_JOB_MAPPING_DIR}), a file per device in use —
 * {@code <gpu>} for a whole GPU, {@code <gpu>.<GPU_I_ID>} for a MIG device — holding the job's id.
 * Files of devices no job holds are removed; other files in the folder are left alone.
 */
public final class DcgmJobMapping {

  private static final Logger LOG = Logger.getLogger(DcgmJobMapping.class.getName());
  private static final java.util.regex.Pattern OURS =
      java.util.regex.Pattern.compile("\\d+(\\.\\d+)?");

  private final Path dir;

  public DcgmJobMapping(Path dir) {
    this.dir = dir;
  }

  /** Brings the folder in line with a reading. */
  public void update(TelemetryService.Reading r) {
    try {
      Files.createDirectories(dir);
      Set<String> wanted = new HashSet<>();
      for (TelemetryService.Slice s : r.slices()) {
        if (s.job().isEmpty()) {
          continue;
        }
        String name = s.gpu().index() + "." + s.device().gpuInstanceId();
        wanted.add(name);
        write(name, Long.toString(s.job().get().id()));
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          String name = f.getFileName().toString();
          if (OURS.matcher(name).matches() && !wanted.contains(name)) {
            Files.deleteIfExists(f);
          }
        }
      }
    } catch (IOException e) {
      LOG.log(
          Level.WARNING, "cannot update the DCGM job mapping in " + dir + ": " + e.getMessage());
    }
  }

  private void write(String name, String content) throws IOException {
    Path target = dir.resolve(name);
    if (Files.exists(target) && Files.readString(target).strip().equals(content)) {
      return;
    }
    Path tmp = dir.resolve("." + name + ".tmp");
    Files.writeString(tmp, content + "\n");
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
