/**
 * {@code migctl up}'s use case: plan, apply, build, run and watch one workload on this node, with
 * what it reports as values for the command to print.
 */
package io.migctl.daemon.up;
