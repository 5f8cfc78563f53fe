/**
 * Trace adapters and report writers for the trace-driven simulation: MISO's workload, Alibaba's
 * GPU-sharing pods and a plain CSV as {@link io.migctl.core.replay.SimJob}s; each policy's metrics
 * averaged over seeds; the report's JSON and SVG chart. Shared by {@code migctl sim trace} and the
 * bench's {@code TraceReport}.
 */
package io.migctl.replay;
