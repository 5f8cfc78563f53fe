package io.migctl.core.job;

import java.time.Duration;

/**
 * What the runner must do after a transition has been stored. Effects never run before the
 * transition that asks for them is durable.
 */
public sealed interface JobEffect {

  /** Start the job's supervisor on its device (the job carries spec, device and attempt). */
  record Launch(Job job) implements JobEffect {}

  /** Send a signal to the job's process group. */
  record Signal(long jobId, int attempt, String signal) implements JobEffect {}

  /** Come back with {@link JobTrigger.KillDue} after the grace period. */
  record ScheduleKill(long jobId, int attempt, Duration after) implements JobEffect {}

  /** Come back with {@link JobTrigger.TimedOut} when the attempt's time is up. */
  record ArmTimeout(long jobId, int attempt, Duration after) implements JobEffect {}

  /** Tell the driver the supervisor holds the MIG device. */
  record HoldDevice(String uuid, long pid) implements JobEffect {}

  /** Tell the driver the job no longer holds the MIG device; the device is free again. */
  record ReleaseDevice(String uuid, long pid) implements JobEffect {}

  /** Kill whatever is left of the job's process group, e.g. after its supervisor vanished. */
  record KillGroup(long jobId, long pid) implements JobEffect {}

  /** The queue changed: run the scheduler again. */
  record Reschedule() implements JobEffect {}
}
