package io.migctl.core.workload;

import io.migctl.core.job.JobSpec;
import io.migctl.core.plan.Demand;
import io.migctl.core.tenant.Tenant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a user brings to {@code migctl up} and {@code migctl mig plan}: named environments and the
 * jobs to run on them at the same time. {@link WorkloadParser} reads it from a file's tree.
 *
 * @param name the workload's name ({@code [A-Za-z0-9][A-Za-z0-9._-]*})
 * @param description free text for people; empty when not given
 * @param simulate the simulated node to use when there is no NVIDIA driver ({@code a100-40gb:2});
 *     checked by whoever starts the node
 * @param environments environment name to the path of its {@code environment.yml}, in file order;
 *     as written (relative to the workload file), or resolved by the reader of the file
 * @param jobs the jobs, in file order
 * @param tenants who the jobs belong to, with their quotas and weights, in file order; a job may
 *     name a tenant not among them (it has no limits), and may name none ({@code default})
 * @throws WorkloadException when a name is invalid, a job names an unknown environment, two
 *     replicas would share a name, or two tenants a name
 */
public record Workload(
    String name,
    String description,
    Optional<String> simulate,
    Map<String, String> environments,
    List<WorkloadJob> jobs,
    List<Tenant> tenants) {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  public Workload {
    description = description == null ? "" : description;
    simulate = simulate == null ? Optional.empty() : simulate;
    environments = Collections.unmodifiableMap(new LinkedHashMap<>(environments));
    jobs = List.copyOf(jobs);
    tenants = tenants == null ? List.of() : List.copyOf(tenants);
    if (name == null || !NAME.matcher(name).matches()) {
      throw new WorkloadException(
          "name",
          "\""
              + name
              + "\" is not a workload name; use letters, digits, '.', '_' or '-', at most 63"
              + " characters");
    }
    environments.forEach(
        (env, path) -> {
          if (!NAME.matcher(env).matches()) {
            throw new WorkloadException(
                "environments",
                "\"" + env + "\" is not an environment name; use letters, digits, '.', '_' or '-'");
          }
          if (path == null || path.isBlank()) {
            throw new WorkloadException(
                "environments." + env, "is empty; give the path of its environment.yml");
          }
        });
    if (jobs.isEmpty()) {
      throw new WorkloadException("jobs", "is empty; list at least one job");
    }
    Set<String> tenantNames = new HashSet<>();
    for (Tenant t : tenants) {
      if (!tenantNames.add(t.name())) {
        throw new WorkloadException(
            "tenants." + t.name(), "is declared twice; keep one entry per tenant");
      }
    }
    Map<String, String> owner = new HashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      WorkloadJob job = jobs.get(i);
      String path = "jobs[" + i + "]";
      if (job.environment().isPresent() && !environments.containsKey(job.environment().get())) {
        throw new WorkloadException(
            path + ".environment",
            "\""
                + job.environment().get()
                + "\" is not one of the workload's environments"
                + (environments.isEmpty()
                    ? " (it has none; add environments: {"
                        + job.environment().get()
                        + ": path/to/environment.yml})"
                    : " (" + String.join(", ", environments.keySet()) + ")"));
      }
      for (String replica : job.replicaNames()) {
        String before = owner.putIfAbsent(replica, path);
        if (before != null) {
          throw new WorkloadException(
              path + ".name",
              "job name \""
                  + replica
                  + "\" is taken by "
                  + before
                  + (job.replicaCount() > 1 ? " (replicas are named name-1, name-2, …)" : "")
                  + "; rename one of them");
        }
      }
    }
  }

  /** Every replica of every job as a job spec, in file order, without a working directory. */
  public List<JobSpec> jobSpecs() {
    return jobSpecs(Optional.empty());
  }

  /**
   * Every replica of every job as a job spec, in file order.
   *
   * @param workdir the absolute directory they run in; empty for each job's own directory
   */
  public List<JobSpec> jobSpecs(Optional<String> workdir) {
    List<JobSpec> specs = new ArrayList<>();
    jobs.forEach(j -> specs.addAll(j.replicas(workdir)));
    return List.copyOf(specs);
  }

  /** One demand per replica, in file order, for the {@link io.migctl.core.plan.DemandPlanner}. */
  public List<Demand> demands() {
    List<Demand> demands = new ArrayList<>();
    jobs.forEach(j -> demands.addAll(j.demands()));
    return List.copyOf(demands);
  }

  /** This workload with other environment paths (the same names), e.g. resolved ones. */
  public Workload withEnvironments(Map<String, String> paths) {
    if (!paths.keySet().equals(environments.keySet())) {
      throw new IllegalArgumentException(
          "environment names must stay " + environments.keySet() + ", were " + paths.keySet());
    }
    Map<String, String> ordered = new LinkedHashMap<>();
    environments.keySet().forEach(k -> ordered.put(k, paths.get(k)));
    return new Workload(name, description, simulate, ordered, jobs, tenants);
  }
}
