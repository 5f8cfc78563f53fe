/**
 * Trace replay's simulator: an event-driven simulation of a GPU cluster on a virtual clock ({@link
 * io.migctl.core.replay.Simulation}) under a layout policy (whole GPUs, a static MIG layout, or
 * migctl's dynamic repartitioning through the daemon's own {@link
 * io.migctl.core.plan.Repartitioner} and {@link io.migctl.core.plan.ReshapeGate}). Pure: the traces
 * are read and the reports written by the {@code migctl-replay} module. Not to be confused with the
 * simulated node ({@code io.migctl.nvidia.sim}), which stands in for the driver.
 */
package io.migctl.core.replay;
