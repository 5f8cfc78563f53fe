package io.migctl.core.mig;

/**
 * A process that holds a MIG device (a compute process, or anything else that keeps it in use).
 *
 * <p>A device a scheduler has allocated to a workload that has no process on it yet (the kubelet
 * gave it to a pod) is held too: {@link #reservation} marks it with pid 0, which no user process
 * has.
 *
 * @param pid the process id, 0 for a reservation
 * @param deviceUuid the {@code MIG-…} UUID of the device it holds
 * @param usedMemoryMiB the device memory it uses, 0 when unknown
 */
public record DeviceProcess(long pid, String deviceUuid, long usedMemoryMiB) {

  /** A device allocated to a workload that has no process on it yet. */
  public static DeviceProcess reservation(String deviceUuid) {
    return new DeviceProcess(0, deviceUuid, 0);
  }

  /** Whether this is a {@link #reservation}, not a process. */
  public boolean isReservation() {
    return pid == 0;
  }
}
