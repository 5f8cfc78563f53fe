/**
 * {@code migctl slurm}: a MIG node as a correct Slurm node — {@code gres.conf} from the live
 * layout, the task prolog that gives each task exactly its slices' MIG UUIDs, reshaping through
 * drain, and checking Slurm's view against the GPUs. Decisions are in core's {@code
 * io.migctl.core.slurm}.
 */
package io.migctl.slurm;
