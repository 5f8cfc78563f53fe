package io.migctl.bench;

/**
 * What one MIG manager did for one label change on one node.
 *
 * @param outcome how it ended
 * @param detail why it is pending or failed; empty otherwise
 * @param operations driver calls that changed a GPU and succeeded
 * @param failedCalls driver calls that would have changed a GPU but the driver refused
 * @param resetGpus GPUs reset
 * @param pausedSeconds how long the operator's GPU clients were paused ({@link K8sTimeModel})
 * @param operatorPods the operator's client pods stopped and started again
 * @param userPodsLostDevice pods whose MIG device (held by a process, or allocated by the kubelet
 *     only) was destroyed under them
 */
record ManagerRun(
    Outcome outcome,
    String detail,
    int operations,
    int failedCalls,
    int resetGpus,
    double pausedSeconds,
    int operatorPods,
    int userPodsLostDevice) {

  /** How a manager's handling of a label change ended. */
  enum Outcome {
    /** The GPUs already were as the config asks: nothing paused. */
    AS_DESIRED("as desired"),
    /** The GPUs now are as the config asks. */
    APPLIED("applied"),
    /** The change would harm a busy device: nothing done, tried again later. */
    PENDING("pending"),
    /** The apply failed part-way. */
    FAILED("failed");

    private final String word;

    Outcome(String word) {
      this.word = word;
    }

    String word() {
      return word;
    }
  }

  ManagerRun {
    if (operations < 0 || failedCalls < 0 || resetGpus < 0 || pausedSeconds < 0) {
      throw new IllegalArgumentException("counts and seconds must not be negative");
    }
  }

  /** Operator pods restarted plus user pods that lost their device. */
  int podsDisturbed() {
    return operatorPods + userPodsLostDevice;
  }
}
