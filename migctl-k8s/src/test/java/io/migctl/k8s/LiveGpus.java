package io.migctl.k8s;

import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a GPU has now, read through the driver, in the words tests assert with. */
final class LiveGpus {

  private LiveGpus() {}

  /** MIG devices by compute-instance profile, e.g. {@code {1g.5gb=2, 3g.20gb=1}}. */
  static Map<String, Integer> devices(MigDriver driver, int gpu) {
    Map<String, Integer> out = new TreeMap<>();
    for (GpuSnapshot.Instance i : read(driver, gpu).instances()) {
      for (GpuSnapshot.Compute c : i.computeInstances()) {
        out.merge(c.profile().name().toString(), 1, Integer::sum);
      }
    }
    return out;
  }

  /** Every MIG device's UUID, in placement order. */
  static List<String> uuids(MigDriver driver, int gpu) {
    return read(driver, gpu).instances().stream()
        .flatMap(i -> i.computeInstances().stream())
        .map(c -> c.computeInstance().uuid())
        .toList();
  }

  /** The UUID of the first MIG device of a GPU instance of {@code profile}. */
  static String uuid(MigDriver driver, int gpu, String profile) {
    return read(driver, gpu).instances().stream()
        .filter(i -> i.profile().name().toString().equals(profile))
        .flatMap(i -> i.computeInstances().stream())
        .map(c -> c.computeInstance().uuid())
        .findFirst()
        .orElseThrow();
  }

  private static GpuSnapshot read(MigDriver driver, int gpu) {
    return GpuSnapshot.read(driver, driver.gpus().get(gpu));
  }
}
