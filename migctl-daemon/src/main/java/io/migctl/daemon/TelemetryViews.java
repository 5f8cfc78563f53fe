package io.migctl.daemon;

import io.migctl.core.job.Job;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.ProfRatios;
import io.migctl.core.tenant.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** {@code /api/v1/telemetry} as JSON records; a value the driver does not report is absent. */
public final class TelemetryViews {
  private TelemetryViews() {}

  /** A reading. */
  public record ReadingView(
      Instant at,
      boolean simulated,
      int queueDepth,
      double oldestWaitSeconds,
      List<GpuView> gpus) {}

  /** A GPU. */
  public record GpuView(
      int index,
      String uuid,
      String productName,
      String driverVersion,
      String pciBusId,
      Double temperatureC,
      Double powerW,
      Integer smClockMHz,
      Integer memClockMHz,
      Long fbUsedMiB,
      Long fbTotalMiB,
      Double utilizationPercent,
      Double memCopyPercent,
      Double encoderPercent,
      Double decoderPercent,
      Double pcieTxBytesPerSecond,
      Double pcieRxBytesPerSecond,
      RatiosView activity,
      Integer lastXid,
      List<InstanceView> instances) {}

  /** A MIG device, its job and state ({@code free}, {@code busy} or {@code idle}). */
  public record InstanceView(
      String uuid,
      int gpuInstanceId,
      int computeInstanceId,
      String profile,
      long fbUsedMiB,
      long fbTotalMiB,
      int processes,
      Double grEngineActive,
      RatiosView activity,
      Long job,
      String jobName,
      String state,
      double idleSeconds) {}

  /** DCGM's profiling ratios (0..1); each null where not reported, all of them null on Ampere. */
  public record RatiosView(
      Double grEngineActive,
      Double smActive,
      Double smOccupancy,
      Double tensorActive,
      Double dramActive,
      Double fp64Active,
      Double fp32Active,
      Double fp16Active) {

    /** The ratios, or null when none is reported. */
    static RatiosView of(ProfRatios r) {
      if (r.equals(ProfRatios.NONE)) {
        return null;
      }
      return new RatiosView(
          boxed(r.grEngineActive()),
          boxed(r.smActive()),
          boxed(r.smOccupancy()),
          boxed(r.tensorActive()),
          boxed(r.dramActive()),
          boxed(r.fp64Active()),
          boxed(r.fp32Active()),
          boxed(r.fp16Active()));
    }
  }

  /**
   * A reading as {@code viewer} may see it: another tenant's job on a device shows as the device's
   * state alone, without the job's id or name.
   */
  public static ReadingView reading(TelemetryService.Reading r, Principal viewer) {
    List<GpuView> gpus = new ArrayList<>();
    for (GpuTelemetry g : r.sample().gpus()) {
      List<InstanceView> instances = new ArrayList<>();
      for (MigTelemetry d : g.instances()) {
        TelemetryService.Slice slice =
            r.slices().stream()
                .filter(s -> s.device().uuid().equals(d.uuid()))
                .findFirst()
                .orElseThrow();
        Optional<Job> job = slice.job().filter(j -> viewer.sees(j.spec().tenant()));
        instances.add(
            new InstanceView(
                d.uuid(),
                d.gpuInstanceId(),
                d.computeInstanceId(),
                d.profile(),
                d.fbUsedMiB(),
                d.fbTotalMiB(),
                d.processes(),
                boxed(d.grEngineActive()),
                RatiosView.of(d.activity()),
                job.map(Job::id).orElse(null),
                job.map(j -> j.spec().name()).orElse(null),
                slice.state(),
                slice.idleFor().toMillis() / 1000.0));
      }
      gpus.add(
          new GpuView(
              g.index(),
              g.uuid(),
              g.productName(),
              g.driverVersion(),
              g.pciBusId().orElse(null),
              boxed(g.temperatureC()),
              boxed(g.powerW()),
              boxed(g.smClockMHz()),
              boxed(g.memClockMHz()),
              boxed(g.fbUsedMiB()),
              boxed(g.fbTotalMiB()),
              boxed(g.utilizationPercent()),
              boxed(g.utilization().memCopyPercent()),
              boxed(g.utilization().encoderPercent()),
              boxed(g.utilization().decoderPercent()),
              boxed(g.utilization().pcieTxBytesPerSecond()),
              boxed(g.utilization().pcieRxBytesPerSecond()),
              RatiosView.of(g.activity()),
              boxed(g.lastXid()),
              instances));
    }
    return new ReadingView(
        r.sample().at(),
        r.sample().simulated(),
        r.queueDepth(),
        r.oldestWait().toMillis() / 1000.0,
        gpus);
  }

  private static Double boxed(OptionalDouble v) {
    return v.isPresent() ? v.getAsDouble() : null;
  }

  private static Integer boxed(OptionalInt v) {
    return v.isPresent() ? v.getAsInt() : null;
  }

  private static Long boxed(OptionalLong v) {
    return v.isPresent() ? v.getAsLong() : null;
  }
}
