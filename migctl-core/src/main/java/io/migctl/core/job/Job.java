package io.migctl.core.job;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A job and everything known about its current attempt. Immutable; {@link JobStateMachine} makes
 * the next version.
 *
 * @param id the store's id, positive
 * @param spec what was submitted
 * @param requirement what a device must offer; empty when the job needs no GPU
 * @param environmentBuild the resolved environment build id; empty for none
 * @param state where the job is
 * @param attempt the current attempt, from 1
 * @param submittedAt when the job was accepted
 * @param startedAt when the current attempt's supervisor started
 * @param finishedAt when the job reached its final state
 * @param devices the MIG devices or whole GPUs of the current attempt, while it has them (and
 *     afterwards, for the record, once it has finished); empty for a job without a GPU
 * @param supervisor the supervisor process of the current attempt
 * @param stopCause why the job is being stopped, in {@link JobState#STOPPING}
 * @param exitStatus the last attempt's exit status (128+n when killed by signal n)
 * @param reason a sentence for people: why it failed, was lost, or was retried
 */
public record Job(
    long id,
    JobSpec spec,
    Optional<Requirement> requirement,
    Optional<String> environmentBuild,
    JobState state,
    int attempt,
    Instant submittedAt,
    Optional<Instant> startedAt,
    Optional<Instant> finishedAt,
    List<Device> devices,
    Optional<Supervisor> supervisor,
    Optional<StopCause> stopCause,
    OptionalInt exitStatus,
    Optional<String> reason) {

  /**
   * A MIG device or a whole GPU a job was given.
   *
   * @param uuid {@code MIG-…} for a MIG device, {@code GPU-…} for a whole GPU
   * @param gpu the GPU's index
   * @param gpuInstanceId the GPU instance of a MIG device; {@link #WHOLE_GPU} for a whole GPU
   * @param profile the MIG profile, e.g. {@code 1g.5gb}; a whole GPU's model key, e.g. {@code
   *     a100-40gb}
   */
  public record Device(String uuid, int gpu, int gpuInstanceId, String profile) {
    /** The GPU instance id that marks a whole GPU. */
    public static final int WHOLE_GPU = -1;

    public static Device of(MigSlot slot) {
      return new Device(slot.uuid(), slot.gpu(), slot.gpuInstanceId(), slot.profile());
    }

    /** A GPU given whole to a job. */
    public static Device of(WholeGpu gpu) {
      return new Device(gpu.uuid(), gpu.index(), WHOLE_GPU, gpu.model());
    }

    /** Whether this is a whole GPU rather than a MIG device. */
    public boolean whole() {
      return gpuInstanceId == WHOLE_GPU;
    }
  }

  /**
   * The supervisor process of an attempt.
   *
   * @param pid its process id; also the id of the job's process group and session
   * @param processStart the OS's start time of the process, to tell it from a later process that
   *     reuses the pid
   */
  public record Supervisor(long pid, Optional<Instant> processStart) {}

  /** Why a running job is being stopped. */
  public enum StopCause {
    CANCEL,
    TIMEOUT
  }

  public Job {
    devices = List.copyOf(devices);
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt counts from 1, was " + attempt);
    }
    if (requirement.isEmpty() != (spec.gpu() instanceof GpuNeed.None)) {
      throw new IllegalArgumentException(
          "job " + id + ": a requirement exists exactly when the job needs a GPU");
    }
    // Stores keep a device's memory and compute; how many devices is the spec's.
    int count = spec.gpu().count();
    requirement =
        requirement.map(
            r ->
                r.devices() == count
                    ? r
                    : new Requirement(r.memoryMiB(), r.computeSlices(), count));
  }

  /** A newly accepted job. */
  public static Job accepted(
      long id,
      JobSpec spec,
      Optional<Requirement> requirement,
      Optional<String> environmentBuild,
      Instant at) {
    return new Job(
        id,
        spec,
        requirement,
        environmentBuild,
        JobState.QUEUED,
        1,
        at,
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Optional.empty(),
        Optional.empty(),
        OptionalInt.empty(),
        Optional.empty());
  }

  /** The first (for most jobs the only) device of the current attempt. */
  public Optional<Device> device() {
    return devices.isEmpty() ? Optional.empty() : Optional.of(devices.getFirst());
  }

  /** The whole GPUs among the job's devices, by index. */
  public List<Integer> wholeGpuIndices() {
    return devices.stream().filter(Device::whole).map(Device::gpu).toList();
  }

  public boolean needsGpu() {
    return requirement.isPresent();
  }

  /** What the job asks when it asks for whole GPUs (a gang job); empty otherwise. */
  public Optional<GpuNeed.WholeGpus> wholeGpus() {
    return spec.gpu() instanceof GpuNeed.WholeGpus w ? Optional.of(w) : Optional.empty();
  }

  Job with(JobState newState) {
    return new Job(
        id,
        spec,
        requirement,
        environmentBuild,
        newState,
        attempt,
        submittedAt,
        startedAt,
        finishedAt,
        devices,
        supervisor,
        stopCause,
        exitStatus,
        reason);
  }

  Job withAttempt(
      int newAttempt,
      Optional<Instant> newStartedAt,
      List<Device> newDevices,
      Optional<Supervisor> newSupervisor) {
    return new Job(
        id,
        spec,
        requirement,
        environmentBuild,
        state,
        newAttempt,
        submittedAt,
        newStartedAt,
        finishedAt,
        newDevices,
        newSupervisor,
        stopCause,
        exitStatus,
        reason);
  }

  Job withOutcome(
      Optional<Instant> newFinishedAt,
      Optional<StopCause> newStopCause,
      OptionalInt newExitStatus,
      Optional<String> newReason) {
    return new Job(
        id,
        spec,
        requirement,
        environmentBuild,
        state,
        attempt,
        submittedAt,
        startedAt,
        newFinishedAt,
        devices,
        supervisor,
        newStopCause,
        newExitStatus,
        newReason);
  }
}
