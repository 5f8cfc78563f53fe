package io.migctl.core.metrics;

import java.time.Instant;

/**
 * The port: reads telemetry through the driver. Implementations are thread-safe.
 *
 * <p>The caller passes the instant (core reads no clock); a real source reads the device as it is
 * now and stamps the sample with {@code at}, a simulated one computes its values from {@code at}.
 */
public interface TelemetrySource {

  /**
   * Reads every GPU and every MIG device once.
   *
   * @param at when the reading is taken, as the caller's clock says
   * @return one reading of every GPU, stamped {@code at}
   * @throws io.migctl.core.mig.MigDriverException when the driver cannot list the GPUs or their
   *     instances (a value the driver does not report is empty instead)
   */
  TelemetrySample sample(Instant at);
}
