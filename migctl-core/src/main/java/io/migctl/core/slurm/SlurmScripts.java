package io.migctl.core.slurm;

/**
 * The POSIX {@code sh} scripts Slurm runs around a job on a MIG node, so that no JVM starts per job
 * or task. Each reads Slurm's GPU indexes (a comma list such as {@code 0,3}) and looks them up in
 * the map {@code migctl slurm gres} writes ({@code gres-map.tsv}, see {@link NodeGres#mapTsv}):
 *
 * <ul>
 *   <li>{@link #taskProlog}: Slurm's {@code TaskProlog}. From {@code SLURM_STEP_GPUS}, else {@code
 *       SLURM_JOB_GPUS}, it prints {@code export CUDA_VISIBLE_DEVICES=MIG-…,…} and {@code export
 *       NVIDIA_VISIBLE_DEVICES=…} (Slurm sets what a task prolog prints as {@code export
 *       NAME=value} in the task's environment), in Slurm's order; nothing for a task without GPUs.
 *       An index the map lacks, or no map, fails the task (exit 1, the reason on standard error)
 *       rather than letting it run on devices it was not given.
 *   <li>{@link #prolog} and {@link #epilog}: Slurm's {@code Prolog} and {@code Epilog}. From {@code
 *       SLURM_JOB_ID} and {@code SLURM_JOB_GPUS}, they write and remove DCGM exporter's HPC
 *       job-mapping files, as {@code migctl serve --dcgm-job-mapping-dir} does: a file {@code
 *       <gpu>.<gi>} per MIG device ({@code <gpu>} per whole GPU) holding the job id. They never
 *       fail (a failing Prolog drains the node): what they cannot do is said on standard error.
 * </ul>
 *
 * <p>Paths are baked in, quoted for {@code sh}. The scripts use only POSIX {@code sh} and {@code
 * mkdir}, {@code mv}, {@code rm}.
 */
public final class SlurmScripts {

  /** Where the map is unless {@code --map} says otherwise. */
  public static final String DEFAULT_MAP = "/etc/slurm/gres-map.tsv";

  private SlurmScripts() {}

  /** The {@code TaskProlog} that reads the map at {@code map}. */
  public static String taskProlog(String map) {
    return header("TaskProlog", "the task's MIG devices as CUDA_VISIBLE_DEVICES", map)
        + "gpus=${SLURM_STEP_GPUS:-${SLURM_JOB_GPUS:-}}\n"
        + lookup(1)
        + "list=\n"
        + "for i in \"$@\"; do\n"
        + "  row \"$i\" || exit 1\n"
        + "  list=${list:+$list,}$uuid\n"
        + "done\n"
        + "echo \"export CUDA_VISIBLE_DEVICES=$list\"\n"
        + "echo \"export NVIDIA_VISIBLE_DEVICES=$list\"\n";
  }

  /** The {@code Prolog} that writes the job's DCGM job-mapping files into {@code dcgmDir}. */
  public static String prolog(String map, String dcgmDir) {
    return header("Prolog", "DCGM job-mapping files for the job's GPUs", map)
        + jobGpus(dcgmDir)
        + "if ! mkdir -p \"$dir\"; then\n"
        + "  echo \"migctl: cannot make $dir for DCGM's job mapping\" >&2\n"
        + "  exit 0\n"
        + "fi\n"
        + "for i in \"$@\"; do\n"
        + "  row \"$i\" || continue\n"
        + "  printf '%s\\n' \"$SLURM_JOB_ID\" > \"$dir/.$name.tmp\" &&\n"
        + "    mv -f \"$dir/.$name.tmp\" \"$dir/$name\" ||\n"
        + "    echo \"migctl: cannot write $dir/$name for job $SLURM_JOB_ID\" >&2\n"
        + "done\n"
        + "exit 0\n";
  }

  /**
   * The {@code Epilog} that removes the job's DCGM job-mapping files from {@code dcgmDir}; a file
   * that holds another job's id is left alone.
   */
  public static String epilog(String map, String dcgmDir) {
    return header("Epilog", "removes the job's DCGM job-mapping files", map)
        + jobGpus(dcgmDir)
        + "for i in \"$@\"; do\n"
        + "  row \"$i\" || continue\n"
        + "  [ -f \"$dir/$name\" ] || continue\n"
        + "  held=\n"
        + "  IFS= read -r held < \"$dir/$name\"\n"
        + "  if [ \"$held\" = \"$SLURM_JOB_ID\" ]; then\n"
        + "    rm -f \"$dir/$name\" || echo \"migctl: cannot remove $dir/$name\" >&2\n"
        + "  fi\n"
        + "done\n"
        + "exit 0\n";
  }

  /** {@code text} as one {@code sh} word in single quotes. */
  static String quote(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  private static String header(String role, String what, String map) {
    return "#!/bin/sh\n"
        + "# Slurm "
        + role
        + ": "
        + what
        + ". Written by 'migctl slurm'.\n"
        + "# Reads the GPU map that 'migctl slurm gres -o DIR' writes; POSIX sh only.\n"
        + "map="
        + quote(map)
        + "\n";
  }

  private static String jobGpus(String dcgmDir) {
    return "dir="
        + quote(dcgmDir)
        + "\n"
        + "[ -n \"${SLURM_JOB_ID:-}\" ] || exit 0\n"
        + "gpus=${SLURM_JOB_GPUS:-}\n"
        + lookup(0);
  }

  /**
   * Splits {@code $gpus} into the positional parameters and defines {@code row INDEX}, which sets
   * {@code uuid} and {@code name} (the DCGM file name) from the map; without GPUs the script ends
   * with 0, without a map with {@code missingMap}.
   */
  private static String lookup(int missingMap) {
    return "[ -n \"$gpus\" ] || exit 0\n"
        + "if [ ! -r \"$map\" ]; then\n"
        + "  echo \"migctl: cannot read the GPU map $map; write it with 'migctl slurm gres -o"
        + " DIR'\" >&2\n"
        + "  exit "
        + missingMap
        + "\n"
        + "fi\n"
        + "tab=$(printf '\\t')\n"
        + "row() {\n"
        + "  while IFS=$tab read -r r_index r_uuid r_type r_gpu r_gi r_ci; do\n"
        + "    if [ \"$r_index\" = \"$1\" ]; then\n"
        + "      uuid=$r_uuid\n"
        + "      if [ \"$r_gi\" = - ]; then name=$r_gpu; else name=$r_gpu.$r_gi; fi\n"
        + "      return 0\n"
        + "    fi\n"
        + "  done < \"$map\"\n"
        + "  echo \"migctl: Slurm's GPU $1 is not in $map; regenerate it with 'migctl slurm gres"
        + " -o DIR'\" >&2\n"
        + "  return 1\n"
        + "}\n"
        + "set -f\n"
        + "old_ifs=$IFS\n"
        + "IFS=,\n"
        + "set -- $gpus\n"
        + "IFS=$old_ifs\n";
  }
}
