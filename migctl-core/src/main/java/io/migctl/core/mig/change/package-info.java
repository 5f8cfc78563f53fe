/**
 * Changing a GPU's layout: the desired layout of each GPU ({@link
 * io.migctl.core.mig.change.DesiredLayouts}), whether the live layout already is it ({@link
 * io.migctl.core.mig.change.LayoutAssertion}), the steps from one to the other that keep busy
 * instances ({@link io.migctl.core.mig.change.ReconfigurationPlanner}), their order, and the undo
 * of a change that failed or was interrupted. Which layout to want is {@code io.migctl.core.plan}'s
 * question; this package answers how to get there.
 */
package io.migctl.core.mig.change;
