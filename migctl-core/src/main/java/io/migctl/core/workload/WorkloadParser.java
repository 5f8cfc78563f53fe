package io.migctl.core.workload;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.HostLimits;
import io.migctl.core.job.JobSpecException;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantSpecException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads a workload ({@code version: v1}) from the tree a YAML or JSON loader gives: {@link Map},
 * {@link List}, {@link String}, {@link Integer}, {@link Long}, {@link BigInteger}, {@link Double},
 * {@link Boolean} and {@code null}. Every refusal is a {@link WorkloadException} whose path points
 * at the element ({@code jobs[2].gpu.memory}) and whose message says how to fix it.
 *
 * <p>The format:
 *
 * <pre>
 * version: v1                      # required
 * name: shared-server              # required
 * description: …                   # optional
 * node: {simulate: a100-40gb:2}    # optional: the simulated node when there is no driver
 * environments:                    # optional: name → environment.yml, relative to the file
 *   train: envs/train.yml
 * tenants:                         # optional: name → limits, as migctl tenant add takes them
 *   research: {max-slices: 4, max-gpu-memory: 40GiB, max-running: 3, max-queued: 20, weight: 2}
 *   ml: {user: ml}                 # or a list: - {name: research, max-slices: 4}
 * jobs:                            # required, at least one
 *   - name: train                  # [A-Za-z0-9][A-Za-z0-9._-]*
 *     environment: train           # optional; one of the names above
 *     gpu: 2g.10gb                 # a profile, {memory: 8GiB, compute: 2}, or none (the default)
 *     count: 3                     # optional with gpu: that many MIG devices at once (default 1)
 *     gpus: 2                      # instead of gpu: whole GPUs, all at once; or
 *                                  #   {count: 2, model: a100-40gb, memory: 40GiB} (memory per GPU)
 *     command: [python, train.py]  # a list: no shell
 *     replicas: 2                  # default 1; names become train-1, train-2
 *     priority: 10                 # optional, default 0
 *     tenant: research             # optional, default "default"; need not be under tenants:
 *     timeout: 10m                 # optional: 30s, 10m, 2h, 1h30m, or ISO-8601 PT10M
 *     retries: 1                   # optional, default 0
 *     env: {OMP_NUM_THREADS: "1"}  # optional
 * </pre>
 *
 * <p>Unknown keys are refused, naming the allowed ones. In {@code command} and {@code env},
 * strings, whole numbers and booleans are taken as their text; other numbers must be quoted, since
 * {@code 1.10} would arrive as {@code 1.1}.
 *
 * <p>Stateless and thread-safe; performs no I/O.
 */
public final class WorkloadParser {

  private static final List<String> TOP_FIELDS =
      List.of("version", "name", "description", "node", "environments", "tenants", "jobs");
  private static final List<String> NODE_FIELDS = List.of("simulate");
  private static final List<String> JOB_FIELDS =
      List.of(
          "name",
          "environment",
          "gpu",
          "command",
          "replicas",
          "priority",
          "tenant",
          "timeout",
          "retries",
          "env",
          "image",
          "count",
          "gpus");
  private static final List<String> GPU_FIELDS = List.of("memory", "compute");
  private static final List<String> GPUS_FIELDS = List.of("count", "model", "memory");
  private static final List<String> TENANT_FIELDS =
      List.of("user", "max-slices", "max-gpu-memory", "max-running", "max-queued", "weight");

  private WorkloadParser() {}

  /**
   * Reads a whole workload.
   *
   * @param tree the loaded document
   * @throws WorkloadException naming the first wrong element and how to fix it
   */
  public static Workload parse(Object tree) {
    if (tree == null) {
      throw new WorkloadException(
          "", "the workload is empty; start it with version: v1, name: and jobs:");
    }
    Map<String, Object> top = mapping(tree, "", "a workload");
    checkKeys(top, "", TOP_FIELDS, "a workload");
    if (!top.containsKey("version")) {
      throw new WorkloadException("version", "is missing; a workload starts with version: v1");
    }
    if (!"v1".equals(top.get("version"))) {
      throw new WorkloadException(
          "version",
          describe(top.get("version")) + " is not a version migctl reads; write version: v1");
    }
    String name = requiredString(top, "name", "", "a name for the workload, e.g. name: demo");
    String description = optionalString(top.get("description"), "description").orElse("");
    Optional<String> simulate = Optional.empty();
    if (top.get("node") != null) {
      Map<String, Object> node = mapping(top.get("node"), "node", "node settings");
      checkKeys(node, "node", NODE_FIELDS, "node");
      simulate = optionalString(node.get("simulate"), "node.simulate");
    }
    Map<String, String> environments = new LinkedHashMap<>();
    if (top.get("environments") != null) {
      Map<String, Object> envs =
          mapping(top.get("environments"), "environments", "environment names to paths");
      envs.forEach(
          (env, path) -> {
            String p = "environments." + segment(env);
            if (!Workload.NAME.matcher(env).matches()) {
              throw new WorkloadException(
                  p,
                  "\""
                      + env
                      + "\" is not an environment name; use letters, digits, '.', '_' or '-'");
            }
            if (!(path instanceof String s) || s.isBlank()) {
              throw new WorkloadException(
                  p,
                  describe(path)
                      + " is not a path; give the environment.yml relative to this file, e.g. "
                      + env
                      + ": envs/"
                      + env
                      + ".yml");
            }
            environments.put(env, s);
          });
    }
    if (!top.containsKey("jobs") || top.get("jobs") == null) {
      throw new WorkloadException(
          "jobs", "is missing; list the jobs, e.g. jobs: [{name: train, command: [python, t.py]}]");
    }
    if (!(top.get("jobs") instanceof List<?> list)) {
      throw new WorkloadException(
          "jobs", describe(top.get("jobs")) + " is not a list; write each job as - name: …");
    }
    List<WorkloadJob> jobs = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      jobs.add(job(list.get(i), "jobs[" + i + "]"));
    }
    return new Workload(name, description, simulate, environments, jobs, tenants(top));
  }

  /** {@code tenants:} as a mapping of names to limits, or as a list of entries with a name. */
  private static List<Tenant> tenants(Map<String, Object> top) {
    Object tree = top.get("tenants");
    List<Tenant> tenants = new ArrayList<>();
    if (tree instanceof List<?> list) {
      List<String> fields = new ArrayList<>(List.of("name"));
      fields.addAll(TENANT_FIELDS);
      Set<String> names = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String path = "tenants[" + i + "]";
        Map<String, Object> f = mapping(list.get(i), path, "a tenant");
        checkKeys(f, path, fields, "a tenant");
        String name = requiredString(f, "name", path, "the tenant's name, e.g. name: research");
        if (!names.add(name)) {
          throw new WorkloadException(
              path + ".name", "tenant \"" + name + "\" is declared twice; keep one entry");
        }
        tenants.add(tenant(name, f, path));
      }
    } else if (tree != null) {
      mapping(tree, "tenants", "tenant names to their limits, or a list of tenants")
          .forEach(
              (name, settings) -> {
                String path = "tenants." + segment(name);
                Map<String, Object> f =
                    settings == null ? Map.of() : mapping(settings, path, "a tenant's limits");
                checkKeys(f, path, TENANT_FIELDS, "a tenant");
                tenants.add(tenant(name, f, path));
              });
    }
    return tenants;
  }

  /** One tenant from its fields, which have the names and units of {@code migctl tenant add}. */
  private static Tenant tenant(String name, Map<String, Object> f, String path) {
    Optional<String> user = optionalString(f.get("user"), path + ".user");
    OptionalLong memory = OptionalLong.empty();
    Object size = f.get("max-gpu-memory");
    if (size != null) {
      memory = OptionalLong.of(memoryMiB(size, path + ".max-gpu-memory", "max-gpu-memory: 40GiB"));
    }
    try {
      Quota quota =
          new Quota(
              limit(f, "max-slices", path),
              memory,
              limit(f, "max-running", path),
              limit(f, "max-queued", path));
      int weight = wholeNumber(f.get("weight"), path + ".weight", Tenant.DEFAULT_WEIGHT);
      return new Tenant(name, user, quota, weight, HostLimits.NONE);
    } catch (TenantSpecException e) {
      String field = e.field().equals("name") ? "" : "." + e.field();
      String problem = e.getMessage().substring(e.field().length() + 2);
      throw withCause(new WorkloadException(path + field, problem), e);
    }
  }

  private static OptionalInt limit(Map<String, Object> f, String key, String path) {
    return f.get(key) == null
        ? OptionalInt.empty()
        : OptionalInt.of(wholeNumber(f.get(key), path + "." + key, 0));
  }

  /** A size such as {@code 8GiB} or {@code 512MiB}, or a whole number of MiB. */
  private static long memoryMiB(Object value, String path, String example) {
    try {
      if (!(value instanceof String) && wholeNumberOf(value).isEmpty()) {
        throw new IllegalArgumentException(
            describe(value) + " is not a memory size; write e.g. " + example);
      }
      return GpuNeed.parseMemoryMiB(value.toString());
    } catch (IllegalArgumentException e) {
      throw withCause(new WorkloadException(path, e.getMessage()), e);
    }
  }

  private static WorkloadJob job(Object tree, String path) {
    if (tree == null) {
      throw new WorkloadException(path, "is empty; a job needs at least name and command");
    }
    Map<String, Object> f = mapping(tree, path, "a job");
    checkKeys(f, path, JOB_FIELDS, "a job");
    String name = requiredString(f, "name", path, "a job name, e.g. name: train");
    Optional<String> environment = optionalString(f.get("environment"), path + ".environment");
    GpuNeed gpu = gpuNeed(f, path);
    if (!f.containsKey("command") || f.get("command") == null) {
      throw new WorkloadException(
          path, "missing required field command; write command: [python, train.py]");
    }
    List<String> command = command(f.get("command"), path + ".command");
    int replicas = wholeNumber(f.get("replicas"), path + ".replicas", 1);
    int priority = wholeNumber(f.get("priority"), path + ".priority", 0);
    String tenant = optionalString(f.get("tenant"), path + ".tenant").orElse(null);
    Optional<Duration> timeout =
        f.get("timeout") == null
            ? Optional.empty()
            : Optional.of(duration(f.get("timeout"), path + ".timeout"));
    int retries = wholeNumber(f.get("retries"), path + ".retries", 0);
    Map<String, String> env = env(f.get("env"), path + ".env");
    Optional<String> image = optionalString(f.get("image"), path + ".image");
    try {
      return new WorkloadJob(
          name,
          environment,
          gpu,
          command,
          replicas,
          priority,
          tenant,
          timeout,
          retries,
          env,
          image);
    } catch (JobSpecException e) {
      String message = e.getMessage();
      String problem = message.substring(Math.min(message.length(), e.field().length() + 2));
      throw withCause(new WorkloadException(path + "." + e.field(), problem), e);
    }
  }

  /** {@code gpu} with an optional {@code count}, or {@code gpus}. */
  private static GpuNeed gpuNeed(Map<String, Object> f, String path) {
    GpuNeed gpu = gpu(f.get("gpu"), path + ".gpu");
    if (f.get("gpus") != null) {
      if (!(gpu instanceof GpuNeed.None) || f.get("count") != null) {
        throw new WorkloadException(
            path + ".gpus",
            "a job asks for whole GPUs (gpus) or for MIG devices (gpu, count), not both;"
                + " remove gpu and count, or gpus");
      }
      return wholeGpus(f.get("gpus"), path + ".gpus");
    }
    if (f.get("count") == null) {
      return gpu;
    }
    int count = wholeNumber(f.get("count"), path + ".count", 1);
    if (gpu instanceof GpuNeed.None) {
      throw new WorkloadException(
          path + ".count",
          "counts MIG devices, but the job asks for no GPU; add gpu: 1g.5gb, or for whole GPUs"
              + " write gpus: "
              + count);
    }
    if (count < 1 || count > GpuNeed.MAX_DEVICES) {
      throw new WorkloadException(
          path + ".count", count + " MIG devices; ask for 1 to " + GpuNeed.MAX_DEVICES);
    }
    return count == 1 ? gpu : new GpuNeed.MigDevices(gpu, count);
  }

  private static GpuNeed.WholeGpus wholeGpus(Object tree, String path) {
    Object count = tree;
    Optional<String> model = Optional.empty();
    OptionalLong memory = OptionalLong.empty();
    if (tree instanceof Map<?, ?>) {
      Map<String, Object> f = mapping(tree, path, "whole GPUs");
      checkKeys(f, path, GPUS_FIELDS, "whole GPUs");
      count = f.get("count");
      if (count == null) {
        throw new WorkloadException(
            path + ".count", "is missing; write e.g. gpus: {count: 2, model: a100-40gb}");
      }
      model = optionalString(f.get("model"), path + ".model");
      if (f.get("memory") != null) {
        memory = OptionalLong.of(memoryMiB(f.get("memory"), path + ".memory", "40GiB"));
      }
      path = path + ".count";
    }
    int n = wholeNumber(count, path, 1);
    if (n < 1 || n > GpuNeed.MAX_DEVICES) {
      throw new WorkloadException(path, n + " GPUs; ask for 1 to " + GpuNeed.MAX_DEVICES);
    }
    return new GpuNeed.WholeGpus(n, model, memory);
  }

  private static GpuNeed gpu(Object tree, String path) {
    if (tree == null || "none".equals(tree)) {
      return GpuNeed.NONE;
    }
    if (tree instanceof String s) {
      try {
        return new GpuNeed.Profile(ProfileName.parse(s));
      } catch (IllegalArgumentException e) {
        String hint = "";
        try {
          GpuNeed.parseMemoryMiB(s);
          hint = "; for an amount of memory write gpu: {memory: " + s.strip() + "}";
        } catch (IllegalArgumentException notMemory) {
          hint = "; write a profile (gpu: 2g.10gb), gpu: {memory: 8GiB, compute: 2} or gpu: none";
        }
        throw withCause(new WorkloadException(path, e.getMessage() + hint), e);
      }
    }
    if (tree instanceof Map<?, ?>) {
      Map<String, Object> f = mapping(tree, path, "a GPU need");
      checkKeys(f, path, GPU_FIELDS, "a GPU need");
      Object memory = f.get("memory");
      if (memory == null) {
        throw new WorkloadException(
            path + ".memory", "is missing; write e.g. gpu: {memory: 8GiB, compute: 2}");
      }
      long mib = memoryMiB(memory, path + ".memory", "8GiB, 512MiB or 2048 (MiB)");
      int compute = wholeNumber(f.get("compute"), path + ".compute", 1);
      if (compute < 1) {
        throw new WorkloadException(
            path + ".compute", compute + " compute slices; ask for at least 1");
      }
      return new GpuNeed.Memory(mib, compute);
    }
    throw new WorkloadException(
        path,
        describe(tree)
            + " is not a GPU need; write a profile (gpu: 2g.10gb), gpu: {memory: 8GiB, compute: 2}"
            + " or gpu: none");
  }

  private static List<String> command(Object tree, String path) {
    if (tree instanceof String s) {
      List<String> words = List.of(s.strip().split("\\s+"));
      throw new WorkloadException(
          path,
          "is a plain string, which would need a shell to split; migctl runs no shell. Write it as"
              + " a list: command: ["
              + String.join(", ", words.stream().map(WorkloadParser::quoteIfNeeded).toList())
              + "]");
    }
    if (!(tree instanceof List<?> list)) {
      throw new WorkloadException(
          path, describe(tree) + " is not a command; write a list: command: [python, train.py]");
    }
    if (list.isEmpty()) {
      throw new WorkloadException(path, "is empty; give the program and its arguments");
    }
    List<String> args = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      args.add(text(list.get(i), path + "[" + i + "]"));
    }
    return args;
  }

  private static Map<String, String> env(Object tree, String path) {
    if (tree == null) {
      return Map.of();
    }
    Map<String, Object> f = mapping(tree, path, "variable names to values");
    Map<String, String> env = new LinkedHashMap<>();
    f.forEach((k, v) -> env.put(k, text(v, path + "." + segment(k))));
    return env;
  }

  /** A scalar as text: strings, whole numbers and booleans; other numbers must be quoted. */
  private static String text(Object value, String path) {
    return switch (value) {
      case String s -> s;
      case Integer i -> i.toString();
      case Long l -> l.toString();
      case BigInteger b -> b.toString();
      case Boolean b -> b.toString();
      case Double d ->
          throw new WorkloadException(
              path,
              "the number "
                  + d
                  + " may not be what was written (1.10 reads as 1.1); quote it: \"…\"");
      case null -> throw new WorkloadException(path, "is empty; give a value, or remove it");
      default ->
          throw new WorkloadException(
              path, describe(value) + " is not text; give a string, e.g. \"value\"");
    };
  }

  /**
   * Reads {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}, {@code 1h30m}, {@code 500ms} or an
   * ISO-8601 duration such as {@code PT10M}.
   */
  static Duration duration(Object value, String path) {
    String fix = "; write e.g. 30s, 10m, 2h, 1h30m or PT10M";
    if (!(value instanceof String s)) {
      throw new WorkloadException(
          path,
          describe(value)
              + " is not a duration"
              + (wholeNumberOf(value).isPresent() ? " (a number without a unit)" : "")
              + fix);
    }
    try {
      return io.migctl.core.job.Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw withCause(new WorkloadException(path, "\"" + s + "\" is not a duration" + fix), e);
    }
  }

  private static int wholeNumber(Object value, String path, int absent) {
    if (value == null) {
      return absent;
    }
    Optional<Integer> n = wholeNumberOf(value);
    if (n.isEmpty()) {
      throw new WorkloadException(
          path,
          describe(value)
              + " is not a whole number"
              + (value instanceof String s && s.strip().matches("-?\\d+")
                  ? "; write it without quotes: " + s.strip()
                  : ""));
    }
    return n.get();
  }

  private static Optional<Integer> wholeNumberOf(Object value) {
    if (value instanceof Integer i) {
      return Optional.of(i);
    }
    if (value instanceof Long l && l == l.intValue()) {
      return Optional.of(l.intValue());
    }
    if (value instanceof BigInteger b && b.bitLength() < Integer.SIZE) {
      return Optional.of(b.intValue());
    }
    return Optional.empty();
  }

  private static String requiredString(
      Map<String, Object> fields, String key, String parent, String example) {
    String path = parent.isEmpty() ? key : parent + "." + key;
    Object value = fields.get(key);
    if (value == null) {
      throw new WorkloadException(
          parent.isEmpty() ? key : parent,
          (parent.isEmpty() ? "is missing" : "missing required field " + key)
              + "; give "
              + example);
    }
    if (!(value instanceof String s)) {
      throw new WorkloadException(path, describe(value) + " is not text; give " + example);
    }
    return s;
  }

  private static Optional<String> optionalString(Object value, String path) {
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String s)) {
      throw new WorkloadException(path, describe(value) + " is not text; quote it or remove it");
    }
    return Optional.of(s).filter(v -> !v.isBlank());
  }

  private static void checkKeys(
      Map<String, Object> fields, String path, List<String> allowed, String what) {
    for (String key : fields.keySet()) {
      if (!allowed.contains(key)) {
        throw new WorkloadException(
            path.isEmpty() ? segment(key) : path + "." + segment(key),
            "unknown field \""
                + key
                + "\"; "
                + what
                + " has "
                + String.join(", ", allowed)
                + suggestion(key, allowed));
      }
    }
  }

  /** The map with its keys as strings (YAML may give numbers or booleans as keys). */
  private static Map<String, Object> mapping(Object tree, String path, String expected) {
    if (!(tree instanceof Map<?, ?> map)) {
      throw new WorkloadException(
          path, "expected " + expected + " (a mapping), found " + describe(tree));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (e.getKey() == null) {
        throw new WorkloadException(path, "has an empty (null) key; give every key a name");
      }
      result.put(e.getKey().toString(), e.getValue());
    }
    return result;
  }

  /** A short description of a value for messages: {@code the string "x"}, {@code a list}. */
  static String describe(Object value) {
    return switch (value) {
      case null -> "nothing (an empty value)";
      case String s -> "the string \"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"";
      case Boolean b -> "the boolean " + b;
      case Number n -> "the number " + n;
      case Map<?, ?> m -> m.isEmpty() ? "an empty mapping {}" : "a mapping";
      case List<?> l -> l.isEmpty() ? "an empty list []" : "a list";
      default -> "a " + value.getClass().getSimpleName();
    };
  }

  /** A path segment: plain when it is a simple name, else quoted. */
  private static String segment(String name) {
    return name.matches("[A-Za-z0-9_.+-]+")
        ? name
        : "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String quoteIfNeeded(String word) {
    return word.matches("[A-Za-z0-9_./=+-]+") && !word.matches("-?\\d+(\\.\\d+)?")
        ? word
        : "\"" + word.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** {@code ; did you mean command?} for a near miss, else nothing. */
  private static String suggestion(String key, List<String> allowed) {
    String k = key.toLowerCase(Locale.ROOT).replace('_', '-').strip();
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String field : allowed) {
      int d = distance(k, field);
      if (d < bestDistance) {
        bestDistance = d;
        best = field;
      }
    }
    boolean near =
        best != null
            && (bestDistance <= Math.max(1, Math.min(2, best.length() / 4))
                || k.startsWith(best)
                || (k.length() >= 3 && best.startsWith(k)));
    return near ? "; did you mean " + best + "?" : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static WorkloadException withCause(WorkloadException e, Throwable cause) {
    e.initCause(cause);
    return e;
  }
}
