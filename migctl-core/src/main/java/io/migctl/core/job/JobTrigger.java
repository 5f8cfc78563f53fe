package io.migctl.core.job;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Something that happened to a job; {@link JobStateMachine} decides what follows. */
public sealed interface JobTrigger {

  /**
   * The scheduler chose the job's devices: its MIG devices, or its whole GPUs (both empty for a job
   * that needs no GPU); {@code why} says why these GPUs where there was a choice, e.g. {@code GPUs
   * 2, 3: every pair NVLink}.
   */
  record Place(List<MigSlot> slots, List<WholeGpu> gpus, Optional<String> why)
      implements JobTrigger {
    public Place {
      slots = List.copyOf(slots);
      gpus = List.copyOf(gpus);
      Objects.requireNonNull(why, "why");
      if (!slots.isEmpty() && !gpus.isEmpty()) {
        throw new IllegalArgumentException(
            "a job is placed on MIG devices or whole GPUs, not both");
      }
    }

    /** On these MIG devices or whole GPUs, with nothing to say about the choice. */
    public Place(List<MigSlot> slots, List<WholeGpu> gpus) {
      this(slots, gpus, Optional.empty());
    }

    /** On one MIG device, or (empty) without a GPU. */
    public Place(Optional<MigSlot> slot) {
      this(slot.stream().toList(), List.of());
    }

    /** What the scheduler assigned, with why these GPUs for a job on several whole GPUs. */
    public static Place of(Scheduler.Assignment a) {
      List<WholeGpu> gpus = a.gpus().map(Scheduler.WholeGpuGrant::gpus).orElse(List.of());
      Optional<String> why =
          gpus.size() > 1 ? a.gpus().map(g -> g.choice().reason()) : Optional.empty();
      return new Place(a.slots(), gpus, why);
    }

    /** The devices the job gets, in order. */
    public List<Job.Device> devices() {
      return gpus.isEmpty()
          ? slots.stream().map(Job.Device::of).toList()
          : gpus.stream().map(Job.Device::of).toList();
    }
  }

  /** The supervisor process started. */
  record Launched(Job.Supervisor supervisor) implements JobTrigger {}

  /** The supervisor could not be started. */
  record LaunchFailed(String message) implements JobTrigger {}

  /**
   * The supervisor of {@code attempt} recorded the command's exit status (128+n for signal n);
   * {@code confinement} says what the job's confinement did to it, e.g. {@code killed: out of
   * memory (limit 64 MiB)}.
   */
  record Exited(int attempt, int status, Optional<String> confinement) implements JobTrigger {
    public Exited {
      Objects.requireNonNull(confinement, "confinement");
    }

    /** An exit its confinement had no part in. */
    public Exited(int attempt, int status) {
      this(attempt, status, Optional.empty());
    }
  }

  /**
   * Someone asked to cancel the job.
   *
   * @param by who, in words for the event history: {@code operator} or {@code tenant alice}
   */
  record Cancel(String by) implements JobTrigger {
    /** Checks that the canceller is named. */
    public Cancel {
      if (by == null || by.isBlank()) {
        throw new IllegalArgumentException("a cancel names who asked for it, e.g. operator");
      }
    }
  }

  /** The attempt's timeout passed. {@code attempt} guards against a stale timer. */
  record TimedOut(int attempt) implements JobTrigger {}

  /** The grace period after SIGTERM passed without an exit. */
  record KillDue(int attempt) implements JobTrigger {}

  /** The supervisor is gone and left no exit record. */
  record Vanished(int attempt, String detail) implements JobTrigger {}

  /** Reconciliation found the job starting, but no supervisor was ever started for it. */
  record NeverLaunched() implements JobTrigger {}

  /**
   * Idle MIG instances are about to be reshaped so that this queued job fits; {@code detail} says
   * what is destroyed and created, and why. Stored before the reshape is performed.
   */
  record Reshaped(String detail) implements JobTrigger {}

  /** A reshape for this queued job failed; {@code detail} says how. The job stays queued. */
  record ReshapeFailed(String detail) implements JobTrigger {}

  /** A short name for the event history. */
  default String kind() {
    return switch (this) {
      case Place p -> "placed";
      case Launched l -> "launched";
      case LaunchFailed f -> "launch-failed";
      case Exited e -> "exited";
      case Cancel c -> "cancel";
      case TimedOut t -> "timed-out";
      case KillDue k -> "kill";
      case Vanished v -> "vanished";
      case NeverLaunched n -> "requeued";
      case Reshaped r -> "reshape";
      case ReshapeFailed r -> "reshape-failed";
    };
  }
}
