/**
 * Telemetry: what the driver reports about each GPU and each MIG device at one instant, and the
 * port ({@link io.migctl.core.metrics.TelemetrySource}) that reads it.
 *
 * <p>Values the driver does not report are empty, never 0: a dashboard must be able to tell "idle"
 * from "unknown".
 */
package io.migctl.core.metrics;
