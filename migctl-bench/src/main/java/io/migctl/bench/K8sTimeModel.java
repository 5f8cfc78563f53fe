package io.migctl.bench;

import io.migctl.bench.CountingMigDriver.Call;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long a MIG manager keeps the GPU Operator's clients paused, from what it did: a fixed cost
 * per pause plus a cost per driver operation. The numbers are assumptions, stated here and printed
 * with every table; nothing in the repository measures them (the trace replay charges one flat
 * {@code --reconfig 5} seconds per reshape, which these per-operation costs are in line with for a
 * reshape of a few instances).
 *
 * <ul>
 *   <li>{@link #CLIENT_SHUTDOWN_SECONDS}: the manager turns the deploy labels of the device plugin,
 *       gpu-feature-discovery and dcgm-exporter to {@code paused-for-mig-change} and polls (once a
 *       second, up to 5 minutes, in NVIDIA mig-parted's {@code pkg/mig/reconfigure}) until their
 *       pods are gone. DaemonSet pods that exit on SIGTERM go in seconds; 15 s is assumed.
 *   <li>{@link #CLIENT_RESTART_SECONDS}: after the change the labels are restored, the DaemonSet
 *       controller starts the pods again (image cached), the device plugin registers with the
 *       kubelet and the deleted validator pod runs its checks again before the node advertises its
 *       MIG devices; 45 s is assumed.
 *   <li>Per operation (driver calls that succeeded; refused calls return at once and cost nothing):
 *       create a GPU instance 1 s, create a compute instance 0.5 s, destroy a compute instance 0.25
 *       s, destroy a GPU instance 0.5 s, set the MIG mode 1 s, reset a GPU 10 s (resets run one
 *       after another, as {@code nvidia-smi -r} does). Assumed orders of magnitude of the driver
 *       calls on an idle GPU, not measurements.
 * </ul>
 *
 * <p>Paused seconds are 0 when the manager did not pause; otherwise shutdown + restart + the sum of
 * the operations' costs.
 */
final class K8sTimeModel {

  static final double CLIENT_SHUTDOWN_SECONDS = 15;
  static final double CLIENT_RESTART_SECONDS = 45;

  /**
   * The operator's client pods one pause restarts on a node with the GPU Operator's default Helm
   * values: device plugin, gpu-feature-discovery and dcgm-exporter are enabled and paused (dcgm and
   * nvsm are disabled by default), and the validator pod is deleted so that it runs again.
   */
  static final int OPERATOR_PODS_PER_PAUSE = 4;

  static final Map<Call, Double> SECONDS_PER_OPERATION = secondsPerOperation();

  private K8sTimeModel() {}

  private static Map<Call, Double> secondsPerOperation() {
    Map<Call, Double> m = new EnumMap<>(Call.class);
    m.put(Call.CREATE_GPU_INSTANCE, 1.0);
    m.put(Call.CREATE_COMPUTE_INSTANCE, 0.5);
    m.put(Call.DESTROY_COMPUTE_INSTANCE, 0.25);
    m.put(Call.DESTROY_GPU_INSTANCE, 0.5);
    m.put(Call.SET_MIG_MODE, 1.0);
    m.put(Call.RESET_GPU, 10.0);
    return Map.copyOf(m);
  }

  /** The seconds the clients stay paused; 0 when {@code paused} is false. */
  static double pausedSeconds(boolean paused, CountingMigDriver calls) {
    if (!paused) {
      return 0;
    }
    double s = CLIENT_SHUTDOWN_SECONDS + CLIENT_RESTART_SECONDS;
    for (Call c : Call.values()) {
      s += calls.operations(c) * SECONDS_PER_OPERATION.get(c);
    }
    return s;
  }

  /** The constants, one line each, for the notes under the table. */
  static List<String> describe() {
    return List.of(
        String.format(
            Locale.ROOT,
            "per pause: %.0f s for the operator's client pods to go + %.0f s for them to come back"
                + " and validate (%d pods: device plugin, gpu-feature-discovery, dcgm-exporter,"
                + " validator)",
            CLIENT_SHUTDOWN_SECONDS,
            CLIENT_RESTART_SECONDS,
            OPERATOR_PODS_PER_PAUSE),
        String.format(
            Locale.ROOT,
            "per operation: create GI %.2f s, create CI %.2f s, destroy CI %.2f s, destroy GI %.2f s,"
                + " set MIG mode %.2f s, GPU reset %.2f s; refused calls 0 s",
            SECONDS_PER_OPERATION.get(Call.CREATE_GPU_INSTANCE),
            SECONDS_PER_OPERATION.get(Call.CREATE_COMPUTE_INSTANCE),
            SECONDS_PER_OPERATION.get(Call.DESTROY_COMPUTE_INSTANCE),
            SECONDS_PER_OPERATION.get(Call.DESTROY_GPU_INSTANCE),
            SECONDS_PER_OPERATION.get(Call.SET_MIG_MODE),
            SECONDS_PER_OPERATION.get(Call.RESET_GPU)));
  }
}
