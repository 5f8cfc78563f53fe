package io.migctl.core.job;

/**
 * Why a queued job was left in the queue by a scheduling decision, as data: the daemon, the API and
 * the command line turn it into words at the edge.
 */
public sealed interface WaitingReason {

  /**
   * No free MIG device offers what the job needs.
   *
   * @param need what a device must offer
   * @param explanation whether no device of the layout offers it or all that do are in use
   */
  record NoFreeDevice(Requirement need, String explanation) implements WaitingReason {}

  /**
   * Every slot for jobs without a GPU is taken.
   *
   * @param inUse jobs without a GPU that are starting, running or stopping (after the decision,
   *     counting those it placed); may exceed the limit when the limit was lowered
   * @param limit the node's limit ({@link Scheduler.Policy#cpuJobLimit()})
   */
  record CpuJobSlots(int inUse, int limit) implements WaitingReason {
    public CpuJobSlots {
      if (inUse < 0 || limit < 1) {
        throw new IllegalArgumentException(
            "CPU-job slots: in use must be at least 0 and the limit at least 1, were "
                + inUse
                + " and "
                + limit);
      }
    }
  }
}
