/**
 * Who may reach the daemon and its files, decided as pure functions: which {@code Host} names a
 * request may carry ({@link io.migctl.core.access.HostAllowList}), whether {@code $MIGCTL_HOME} is
 * private enough to run on ({@link io.migctl.core.access.HomeCheck}), and how many log streams a
 * client may hold open ({@link io.migctl.core.access.StreamLimits}).
 */
package io.migctl.core.access;
