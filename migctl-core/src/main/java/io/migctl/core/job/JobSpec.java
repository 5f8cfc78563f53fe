package io.migctl.core.job;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A job as submitted.
 *
 * @param name a short name for people ({@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most 63 characters)
 * @param command the program and its arguments, passed to the OS as a list, never through a shell
 * @param workdir the working directory; empty for the job's own directory
 * @param environment an environment build id, a prefix of one, or a name; empty for none
 * @param gpu what the job needs of the GPU
 * @param priority higher runs first, {@value #MIN_PRIORITY} to {@value #MAX_PRIORITY}
 * @param tenant who the job belongs to, for filtering and metrics
 * @param timeout how long one attempt may run; empty for no limit
 * @param maxRetries how many times a failed attempt is run again
 * @param variables extra environment variables for the job
 * @param limits what the job may use of the host (memory, CPU, processes)
 * @param image a container image to run the command in; empty to run it on the host
 */
public record JobSpec(
    String name,
    List<String> command,
    Optional<String> workdir,
    Optional<String> environment,
    GpuNeed gpu,
    int priority,
    String tenant,
    Optional<Duration> timeout,
    int maxRetries,
    Map<String, String> variables,
    HostLimits limits,
    Optional<String> image) {

  public static final int MIN_PRIORITY = -1000;
  public static final int MAX_PRIORITY = 1000;
  public static final int MAX_RETRIES = 100;
  public static final Duration MAX_TIMEOUT = Duration.ofDays(30);
  public static final int MAX_ARGUMENTS = 4096;
  public static final String DEFAULT_TENANT = "default";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  /** A container image reference: registry/name:tag or @digest, as Docker and Podman take it. */
  private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,254}");

  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /** Validates every field; the exception names the first wrong one and how to fix it. */
  public JobSpec {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new JobSpecException(
          "name",
          "'"
              + name
              + "' is not a job name; use letters, digits, '.', '_' or '-', at most 63 characters");
    }
    if (command == null || command.isEmpty()) {
      throw new JobSpecException("command", "is empty; give the program and its arguments");
    }
    if (command.size() > MAX_ARGUMENTS) {
      throw new JobSpecException(
          "command", "has " + command.size() + " arguments; at most " + MAX_ARGUMENTS);
    }
    for (int i = 0; i < command.size(); i++) {
      String arg = command.get(i);
      if (arg == null || arg.indexOf('\0') >= 0) {
        throw new JobSpecException("command[" + i + "]", "must be a string without NUL characters");
      }
      ExecLimits.checkString("command[" + i + "]", arg, ExecLimits.ARGUMENT);
    }
    if (command.getFirst().isBlank()) {
      throw new JobSpecException("command[0]", "the program name is blank");
    }
    command = List.copyOf(command);
    workdir = workdir == null ? Optional.empty() : workdir.filter(w -> !w.isBlank());
    if (workdir.isPresent()
        && (!workdir.get().startsWith("/") || workdir.get().indexOf('\0') >= 0)) {
      throw new JobSpecException(
          "workdir", "'" + workdir.get() + "' must be an absolute path on the node");
    }
    environment = environment == null ? Optional.empty() : environment.filter(e -> !e.isBlank());
    if (gpu == null) {
      gpu = GpuNeed.NONE;
    }
    if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
      throw new JobSpecException(
          "priority", priority + " is out of range; use " + MIN_PRIORITY + " to " + MAX_PRIORITY);
    }
    if (tenant == null || tenant.isBlank()) {
      tenant = DEFAULT_TENANT;
    } else if (!NAME.matcher(tenant).matches()) {
      throw new JobSpecException(
          "tenant", "'" + tenant + "' is not a tenant name; use letters, digits, '.', '_' or '-'");
    }
    timeout = timeout == null ? Optional.empty() : timeout;
    if (timeout.isPresent()
        && (timeout.get().isNegative()
            || timeout.get().isZero()
            || timeout.get().compareTo(MAX_TIMEOUT) > 0)) {
      throw new JobSpecException(
          "timeout", timeout.get() + " is out of range; use more than 0 and at most 30 days");
    }
    if (maxRetries < 0 || maxRetries > MAX_RETRIES) {
      throw new JobSpecException(
          "retries", maxRetries + " is out of range; use 0 to " + MAX_RETRIES);
    }
    variables = variables == null ? Map.of() : variables;
    for (Map.Entry<String, String> e : variables.entrySet()) {
      if (e.getKey() == null || !VARIABLE.matcher(e.getKey()).matches()) {
        throw new JobSpecException(
            "env", "'" + e.getKey() + "' is not a variable name; use [A-Za-z_][A-Za-z0-9_]*");
      }
      if (e.getValue() == null || e.getValue().indexOf('\0') >= 0) {
        throw new JobSpecException("env." + e.getKey(), "must be a string without NUL characters");
      }
      if (RESERVED.contains(e.getKey())) {
        throw new JobSpecException(
            "env." + e.getKey(), "is set by migctl from the job's MIG device; leave it out");
      }
      ExecLimits.checkString(
          "env." + e.getKey(), e.getKey() + "=" + e.getValue(), ExecLimits.ENVIRONMENT_VARIABLE);
    }
    variables = java.util.Collections.unmodifiableMap(new TreeMap<>(variables));
    limits = limits == null ? HostLimits.NONE : limits;
    image = image == null ? Optional.empty() : image.filter(i -> !i.isBlank());
    if (image.isPresent() && !IMAGE.matcher(image.get()).matches()) {
      throw new JobSpecException(
          "image",
          "'"
              + image.get()
              + "' is not an image reference; write e.g. busybox, registry.example/ml/torch:2.4");
    }
  }

  /** A spec without host limits or image, as before those existed. */
  public JobSpec(
      String name,
      List<String> command,
      Optional<String> workdir,
      Optional<String> environment,
      GpuNeed gpu,
      int priority,
      String tenant,
      Optional<Duration> timeout,
      int maxRetries,
      Map<String, String> variables) {
    this(
        name,
        command,
        workdir,
        environment,
        gpu,
        priority,
        tenant,
        timeout,
        maxRetries,
        variables,
        HostLimits.NONE,
        Optional.empty());
  }

  /** This spec for another tenant. */
  public JobSpec withTenant(String newTenant) {
    return with(newTenant, limits, image);
  }

  /** This spec with other host limits. */
  public JobSpec withLimits(HostLimits newLimits) {
    return with(tenant, newLimits, image);
  }

  /** This spec run in a container image, or on the host when empty. */
  public JobSpec withImage(Optional<String> newImage) {
    return with(tenant, limits, newImage);
  }

  private JobSpec with(String newTenant, HostLimits newLimits, Optional<String> newImage) {
    return new JobSpec(
        name,
        command,
        workdir,
        environment,
        gpu,
        priority,
        newTenant,
        timeout,
        maxRetries,
        variables,
        newLimits,
        newImage);
  }

  /** Variables migctl sets itself. */
  public static final java.util.Set<String> RESERVED =
      java.util.Set.of("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES");

  /** A spec with defaults for everything but name, command and GPU need. */
  public static JobSpec of(String name, List<String> command, GpuNeed gpu) {
    return new JobSpec(
        name,
        command,
        Optional.empty(),
        Optional.empty(),
        gpu,
        0,
        DEFAULT_TENANT,
        Optional.empty(),
        0,
        Map.of());
  }
}
