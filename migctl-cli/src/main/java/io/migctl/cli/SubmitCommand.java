package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl submit}: queue a job on the daemon. */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = {
      "Queue a job to run on a MIG device that fits.",
      "",
      "The job runs on the smallest free MIG device that fits, with CUDA_VISIBLE_DEVICES and",
      "NVIDIA_VISIBLE_DEVICES set to that device's MIG-<uuid>.",
      "",
      "The command is passed as an argument list, never through a shell: put it after --.",
      "Example: migctl submit --gpu 1g.5gb --env infer -- python serve.py --port 8000"
    })
final class SubmitCommand implements Callable<Integer> {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Option(names = "--name", paramLabel = "NAME", description = "A name (default: the program's).")
  String name;

  @Option(
      names = "--env",
      paramLabel = "ENV",
      description =
          "An environment: a build id (or prefix), a name, or an environment.yml to build.")
  String environment;

  @ArgGroup(exclusive = true)
  Gpu gpu;

  static final class Gpu {
    @Option(
        names = "--gpu",
        paramLabel = "PROFILE",
        description = "A MIG profile such as 2g.10gb, or none (default).")
    String profile;

    @ArgGroup(exclusive = false)
    Memory memory;
  }

  static final class Memory {
    @Option(
        names = "--gpu-memory",
        paramLabel = "SIZE",
        required = true,
        description = "Instead of a profile: at least this much GPU memory, e.g. 8GiB.")
    String size;

    @Option(
        names = "--gpu-compute",
        paramLabel = "N",
        description = "With --gpu-memory: at least N compute slices (default 1).")
    Integer compute;
  }

  @Option(
      names = "--count",
      paramLabel = "K",
      description = {
        "With --gpu or --gpu-memory: K such MIG devices at once, for K processes (CUDA uses one",
        "MIG device per process: each picks its own from CUDA_VISIBLE_DEVICES)."
      })
  Integer count;

  @Option(
      names = "--gpus",
      paramLabel = "N",
      description = {
        "N whole GPUs at once (all or nothing), with --gpu-memory as the least memory of each;",
        "the job sees them as a GPU-<uuid> list in CUDA_VISIBLE_DEVICES."
      })
  Integer gpus;

  @Option(
      names = "--gpu-model",
      paramLabel = "KEY",
      description = "With --gpus: only GPUs of this model, e.g. a100-40gb.")
  String gpuModel;

  @Option(names = "--priority", paramLabel = "N", description = "Higher runs first (-1000..1000).")
  Integer priority;

  @Option(names = "--tenant", paramLabel = "NAME", description = "Who the job belongs to.")
  String tenant;

  @Option(names = "--timeout", paramLabel = "DURATION", description = "Per attempt: 90s, 10m, 2h.")
  String timeout;

  @Option(
      names = "--retries",
      paramLabel = "N",
      description = "Run a failed attempt again up to N times.")
  Integer retries;

  @Option(
      names = "--memory",
      paramLabel = "SIZE",
      description = "Host memory of all the job's processes, e.g. 16GiB; over it, it is killed.")
  String memory;

  @Option(
      names = "--cpus",
      paramLabel = "N",
      description = "CPU cores the job may use, e.g. 4 or 0.5.")
  String cpus;

  @Option(
      names = "--max-procs",
      paramLabel = "N",
      description = "Processes and threads the job may have at once.")
  Integer maxProcs;

  @Option(
      names = "--workdir",
      paramLabel = "DIR",
      description = "The working directory (default: the current one).")
  Path workdir;

  @Option(
      names = {"-e", "--set-env"},
      paramLabel = "KEY=VALUE",
      description = "An environment variable for the job (repeatable).")
  List<String> variables = new ArrayList<>();

  @Option(
      names = "--image",
      paramLabel = "IMAGE",
      description = {
        "Run the command in a container of this image (Docker or Podman, as the daemon was",
        "started with), with only the job's MIG device; --workdir is then a path in the",
        "container (default: the image's)."
      })
  String image;

  @Option(names = "--json", description = "Print the job as JSON.")
  boolean json;

  @Parameters(paramLabel = "CMD", arity = "1..*", description = "The command and its arguments.")
  List<String> command;

  @Override
  public Integer call() {
    Map<String, Object> body = new LinkedHashMap<>();
    if (name != null) {
      body.put("name", name);
    }
    body.put("command", command);
    if (image != null) {
      body.put("image", image);
      if (workdir != null) {
        body.put("workdir", workdir.toString());
      }
    } else {
      Path dir = workdir == null ? Path.of("").toAbsolutePath() : workdir.toAbsolutePath();
      if (!Files.isDirectory(dir)) {
        throw new InvalidInputException("--workdir " + dir + ": no such directory");
      }
      body.put("workdir", dir.normalize().toString());
    }
    DaemonClient daemon = root.daemon();
    if (environment != null) {
      body.put("environment", environmentRef(daemon, environment));
    }
    checkDevices();
    if (gpu != null && gpu.profile != null) {
      body.put("gpu", gpu.profile);
    }
    if (gpu != null && gpu.memory != null) {
      body.put("gpuMemory", gpu.memory.size);
      if (gpu.memory.compute != null) {
        body.put("gpuCompute", gpu.memory.compute);
      }
    }
    putIfSet(body, "count", count);
    putIfSet(body, "gpus", gpus);
    putIfSet(body, "gpuModel", gpuModel);
    putIfSet(body, "priority", priority);
    putIfSet(body, "tenant", tenant);
    putIfSet(body, "timeout", timeout);
    putIfSet(body, "retries", retries);
    putIfSet(body, "memory", memory);
    putIfSet(body, "cpus", cpus);
    putIfSet(body, "maxProcs", maxProcs);
    Map<String, String> env = new LinkedHashMap<>();
    for (String kv : variables) {
      int eq = kv.indexOf('=');
      if (eq < 1) {
        throw new InvalidInputException("-e " + kv + ": write KEY=VALUE");
      }
      env.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    if (!env.isEmpty()) {
      body.put("env", env);
    }
    JsonNode job = daemon.post("/api/v1/jobs", body);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json.print(out, job);
    } else {
      out.println(
          "job "
              + job.get("id").asText()
              + " ("
              + job.get("name").asText()
              + ") queued"
              + (job.hasNonNull("requiredMemoryMiB")
                  ? ", needs " + job.get("gpu").asText()
                  : ", no GPU"));
      out.println("  follow it: migctl logs -f " + job.get("id").asText());
      out.flush();
    }
    return ExitCode.OK;
  }

  /** Refuses combinations of the device options that ask for two things at once. */
  private void checkDevices() {
    boolean profile = gpu != null && gpu.profile != null;
    boolean memory = gpu != null && gpu.memory != null;
    if (gpus != null && (profile || count != null || (memory && gpu.memory.compute != null))) {
      throw new InvalidInputException(
          "--gpus asks for whole GPUs; leave out --gpu, --count and --gpu-compute (for MIG"
              + " devices leave out --gpus instead)");
    }
    if (gpuModel != null && gpus == null) {
      throw new InvalidInputException(
          "--gpu-model goes with --gpus; a MIG profile such as 1g.5gb names its model itself");
    }
    if (count != null && !profile && !memory) {
      throw new InvalidInputException(
          "--count "
              + count
              + " needs the device it counts: add --gpu PROFILE or --gpu-memory SIZE");
    }
  }

  /**
   * A spec file is read here (a broken one is refused before anything is sent), then sent to the
   * daemon, which builds it in its own home (once; later uses find it) and answers with the build's
   * id, which the job then names; anything else is passed on as the name or id of a build the
   * daemon has.
   */
  private String environmentRef(DaemonClient daemon, String ref) {
    Path file = Path.of(ref);
    if (!(ref.endsWith(".yml") || ref.endsWith(".yaml")) || !Files.isRegularFile(file)) {
      return ref;
    }
    // Read here first, through the reader env check uses, so that a broken file is refused with
    // its problem before anything is sent.
    EnvCommand.SpecOptions options = new EnvCommand.SpecOptions();
    options.file = ref;
    options.backend = "auto";
    String text = EnvCommand.readSpec(root, options).text();
    PrintWriter err = spec.commandLine().getErr();
    err.println("migctl: building the environment of " + file + " on the daemon (once)");
    err.flush();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("spec", text);
    body.put("source", ref);
    body.put("directory", file.toAbsolutePath().normalize().getParent().toString());
    JsonNode built = daemon.post("/api/v1/environments", body);
    for (JsonNode warning : built.path("warnings")) {
      err.println("migctl: warning: " + warning.asText());
    }
    err.flush();
    return built.get("build").get("id").asText();
  }

  private static void putIfSet(Map<String, Object> body, String key, Object value) {
    if (value != null) {
      body.put(key, value);
    }
  }
}
