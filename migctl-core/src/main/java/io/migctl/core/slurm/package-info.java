/**
 * Slurm's view of a MIG node, as pure functions: the generic resources ({@code gres.conf} lines,
 * their types and the order Slurm numbers them in) of a live layout, and what differs between
 * Slurm's view and the GPUs.
 */
package io.migctl.core.slurm;
