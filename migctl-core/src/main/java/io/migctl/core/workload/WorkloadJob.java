package io.migctl.core.workload;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.JobSpecException;
import io.migctl.core.plan.Demand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One entry of a workload's {@code jobs}: a job run {@code replicas} times at once.
 *
 * <p>Each replica is a {@link JobSpec} named {@code name} when there is one replica, and {@code
 * name-1} … {@code name-n} otherwise. Every replica gets two variables besides {@code env}: {@value
 * #REPLICA_VARIABLE} (its number, from 1) and {@value #REPLICAS_VARIABLE} (how many there are), so
 * replicas can split the work among themselves.
 *
 * @param name the job's name ({@code [A-Za-z0-9][A-Za-z0-9._-]*})
 * @param environment the name of one of the workload's environments; empty for none
 * @param gpu what each replica needs of the GPU
 * @param command the program and its arguments, never run through a shell
 * @param replicaCount how many copies run at once ({@code replicas:} in the file), 1 to {@value
 *     #MAX_REPLICAS}
 * @param priority higher runs first
 * @param tenant who the jobs belong to
 * @param timeout how long one attempt may run; empty for no limit
 * @param retries how many times a failed attempt is run again
 * @param env extra environment variables
 * @param image a container image the replicas run in ({@code image:} in the file); empty to run
 *     them on the host
 * @throws JobSpecException naming the field ({@code replicas}, {@code command}, {@code env.X}, …)
 *     when a replica's spec would be invalid
 */
public record WorkloadJob(
    String name,
    Optional<String> environment,
    GpuNeed gpu,
    List<String> command,
    int replicaCount,
    int priority,
    String tenant,
    Optional<Duration> timeout,
    int retries,
    Map<String, String> env,
    Optional<String> image) {

  /** The most replicas one job may have. */
  public static final int MAX_REPLICAS = 256;

  /** The replica's number, from 1. */
  public static final String REPLICA_VARIABLE = "MIGCTL_REPLICA";

  /** How many replicas the job has. */
  public static final String REPLICAS_VARIABLE = "MIGCTL_REPLICAS";

  public WorkloadJob {
    environment = environment == null ? Optional.empty() : environment;
    gpu = gpu == null ? GpuNeed.NONE : gpu;
    command = command == null ? null : Collections.unmodifiableList(new ArrayList<>(command));
    tenant = tenant == null || tenant.isBlank() ? JobSpec.DEFAULT_TENANT : tenant;
    timeout = timeout == null ? Optional.empty() : timeout;
    env = env == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(env));
    image = image == null ? Optional.empty() : image;
    if (replicaCount < 1 || replicaCount > MAX_REPLICAS) {
      throw new JobSpecException(
          "replicas", replicaCount + " is out of range; use 1 to " + MAX_REPLICAS);
    }
    for (String reserved : List.of(REPLICA_VARIABLE, REPLICAS_VARIABLE)) {
      if (env.containsKey(reserved)) {
        throw new JobSpecException(
            "env." + reserved, "is set by migctl to number the replicas; leave it out");
      }
    }
    // Builds the first and the last replica, so that a name too long for "-256" is found here.
    for (int replica : new int[] {1, replicaCount}) {
      spec(
              name,
              replica,
              replicaCount,
              command,
              environment,
              gpu,
              priority,
              tenant,
              timeout,
              retries,
              env,
              Optional.empty())
          .withImage(image);
    }
  }

  /** A job run on the host, as workload files wrote it before images. */
  public WorkloadJob(
      String name,
      Optional<String> environment,
      GpuNeed gpu,
      List<String> command,
      int replicaCount,
      int priority,
      String tenant,
      Optional<Duration> timeout,
      int retries,
      Map<String, String> env) {
    this(
        name,
        environment,
        gpu,
        command,
        replicaCount,
        priority,
        tenant,
        timeout,
        retries,
        env,
        Optional.empty());
  }

  /** The replicas' names, in order. */
  public List<String> replicaNames() {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= replicaCount; i++) {
      names.add(replicaName(name, i, replicaCount));
    }
    return names;
  }

  /** The replicas as job specs, without a working directory (the job's own directory). */
  public List<JobSpec> replicas() {
    return replicas(Optional.empty());
  }

  /**
   * The replicas as job specs.
   *
   * @param workdir the absolute directory they run in, e.g. the workload file's; empty for the
   *     job's own directory; not used for replicas in a container
   * @throws JobSpecException when {@code workdir} is not absolute
   */
  public List<JobSpec> replicas(Optional<String> workdir) {
    Objects.requireNonNull(workdir, "workdir");
    List<JobSpec> specs = new ArrayList<>();
    for (int i = 1; i <= replicaCount; i++) {
      specs.add(
          spec(
                  name,
                  i,
                  replicaCount,
                  command,
                  environment,
                  gpu,
                  priority,
                  tenant,
                  timeout,
                  retries,
                  env,
                  // A host folder means nothing in a container: the image's own applies there.
                  image.isPresent() ? Optional.empty() : workdir)
              .withImage(image));
    }
    return List.copyOf(specs);
  }

  /** One demand per replica, for the {@link io.migctl.core.plan.DemandPlanner}. */
  public List<Demand> demands() {
    return replicaNames().stream().map(n -> new Demand(n, gpu, priority, tenant)).toList();
  }

  private static String replicaName(String name, int replica, int replicas) {
    return replicas == 1 ? name : name + "-" + replica;
  }

  private static JobSpec spec(
      String name,
      int replica,
      int replicas,
      List<String> command,
      Optional<String> environment,
      GpuNeed gpu,
      int priority,
      String tenant,
      Optional<Duration> timeout,
      int retries,
      Map<String, String> env,
      Optional<String> workdir) {
    if (name == null || name.isBlank()) {
      throw new JobSpecException("name", "is missing; give the job a name, e.g. name: train");
    }
    Map<String, String> variables = new LinkedHashMap<>(env);
    variables.put(REPLICA_VARIABLE, Integer.toString(replica));
    variables.put(REPLICAS_VARIABLE, Integer.toString(replicas));
    return new JobSpec(
        replicaName(name, replica, replicas),
        command,
        workdir,
        environment,
        gpu,
        priority,
        tenant,
        timeout,
        retries,
        variables);
  }
}
