package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.core.env.BuildTarget;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobState;
import io.migctl.daemon.DaemonAssembly;
import io.migctl.daemon.DaemonLock;
import io.migctl.daemon.store.Database;
import io.migctl.daemon.store.SqliteJobStore;
import io.migctl.env.Activation;
import io.migctl.env.BuildProgress;
import io.migctl.env.builds.EnvironmentBuilds;
import io.migctl.env.builds.EnvironmentGc;
import io.migctl.env.container.ContainerFiles;
import io.migctl.env.spec.CheckedSpec;
import io.migctl.env.store.EnvironmentBuild;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.home.MigctlHome;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl env}: reproducible, content-addressed environments from environment.yml. */
@Command(
    name = "env",
    mixinStandardHelpOptions = true,
    description = {
      "Build environment.yml specs into reproducible, content-addressed environments.",
      "",
      "A build is addressed by its spec's canonical hash (dependency order and spacing do not",
      "matter; channel order, platform and backend do): the same spec is built once. Names",
      "(the spec's name: or --name) point at builds and keep their history."
    },
    subcommands = {
      EnvCommand.Create.class,
      EnvCommand.Check.class,
      EnvCommand.ListBuilds.class,
      EnvCommand.Show.class,
      EnvCommand.Lock.class,
      EnvCommand.Remove.class,
      EnvCommand.Gc.class,
      EnvCommand.Run.class,
      EnvCommand.Dockerfile.class,
      EnvCommand.Compose.class
    })
final class EnvCommand implements Runnable {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  EnvironmentStore store() {
    return storeAt(root.context().home(), root.tools());
  }

  /** The environment store under a migctl home, as every command and the daemon use it. */
  static EnvironmentStore storeAt(MigctlHome home, ToolRunner tools) {
    return DaemonAssembly.environments(home, tools);
  }

  /** Building environments into this invocation's store, with its environment's tools. */
  static EnvironmentBuilds builds(MigctlCommand root) {
    return new EnvironmentBuilds(
        storeAt(root.context().home(), root.tools()), root.context().environment(), platform());
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  EnvironmentBuild find(String id) {
    return store()
        .find(id)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "no environment build or name \"" + id + "\" (see 'migctl env list')"));
  }

  /** The platform in conda's words. */
  static String platform() {
    return EnvironmentBuilds.hostPlatform();
  }

  /** One build in {@code env list --json} and {@code env show --json}. */
  record BuildJson(
      String id,
      String shortId,
      String backend,
      String platform,
      String created,
      String specName,
      List<String> names,
      String prefix,
      Map<String, String> activation) {
    static BuildJson of(EnvironmentBuild b) {
      Map<String, String> act = new LinkedHashMap<>(b.activation().variables());
      act.put("PATH+", String.join(":", b.activation().pathPrepend()));
      return new BuildJson(
          b.id(),
          b.shortId(),
          b.backend(),
          b.platform(),
          b.created().toString(),
          b.specName().orElse(null),
          b.names(),
          b.prefix().toString(),
          act);
    }
  }

  /** What {@code env create} and {@code env check} share: the spec file and the backend. */
  static final class SpecOptions {
    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        required = true,
        description = "The environment.yml ('-' reads standard input).")
    String file;

    @Option(
        names = "--backend",
        paramLabel = "NAME",
        defaultValue = "auto",
        description = "auto, venv, conda, mamba or micromamba (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(
        names = "--system-site-packages",
        description = "venv: let the environment see the interpreter's packages.")
    boolean systemSitePackages;

    /** The backend these options ask for, with the tool at {@code backendPath} when given. */
    EnvironmentBuilds.Backend backend(Path backendPath) {
      return new EnvironmentBuilds.Backend(
          backend, Optional.ofNullable(backendPath), systemSitePackages);
    }
  }

  /**
   * A spec file read for the backend {@code --backend} names: {@code auto} takes micromamba, mamba
   * or conda when one is on PATH, else venv (nothing needs to be installed to know the kind).
   */
  static CheckedSpec readSpec(MigctlCommand root, SpecOptions options) {
    BuildTarget target = builds(root).target(options.backend(null));
    if (options.file.equals("-")) {
      return CheckedSpec.read(
          root.context().stdin(), "<stdin>", Path.of("").toAbsolutePath(), target);
    }
    Path file;
    try {
      file = Path.of(options.file);
    } catch (InvalidPathException e) {
      throw new InvalidInputException(
          "-f: \"" + options.file.replace("\0", "\\0") + "\" is not a file name", e);
    }
    return CheckedSpec.read(file, target);
  }

  private static void printWarnings(PrintWriter err, List<String> warnings) {
    warnings.forEach(w -> err.println("migctl: warning: " + w));
    err.flush();
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Check an environment.yml without building it.",
        "",
        "Prints the build id it would get and its canonical form (what the id is the hash of),",
        "and warns about what conda would ignore.",
        "",
        "'env create' with the same file and backend builds (or finds) exactly this id. Exit 2",
        "with the problem when the file is not a spec the backend can build."
      })
  static final class Check implements Callable<Integer> {
    @ParentCommand EnvCommand env;

    @Mixin SpecOptions options = new SpecOptions();

    @Option(names = "--json", description = "Print {\"id\", \"canonical\", \"warnings\"}.")
    boolean json;

    /** {@code env check --json}. */
    record CheckJson(String id, String canonical, List<String> warnings) {}

    @Override
    public Integer call() {
      CheckedSpec checked = readSpec(env.root, options);
      builds(env.root).check(checked, options.backend(null));
      List<String> warnings =
          EnvironmentBuilds.warnings(checked, source(options.file), Optional.empty());
      if (json) {
        Json.print(env.out(), new CheckJson(checked.id(), checked.canonical().text(), warnings));
        return ExitCode.OK;
      }
      printWarnings(env.spec.commandLine().getErr(), warnings);
      env.out().print("id " + checked.id() + "\n" + checked.canonical().text());
      env.out().flush();
      return ExitCode.OK;
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Build an environment.yml (or find its existing build) and print its id.",
        "",
        "Backends: venv (python3 -m venv + pip; python and pip packages only), conda, mamba,",
        "micromamba. auto (default) takes micromamba, mamba or conda when one is on PATH, else venv."
      })
  static final class Create implements Callable<Integer> {
    @ParentCommand EnvCommand env;

    @Mixin SpecOptions options = new SpecOptions();

    @Option(
        names = "--backend-path",
        paramLabel = "PATH",
        description = "The tool's executable (python3 for venv) instead of the one on PATH.")
    Path backendPath;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "Point this name at the build (default: the spec's name:).")
    String name;

    @Option(
        names = "--cuda",
        paramLabel = "VERSION",
        description =
            "CUDA version for conda's solver (CONDA_OVERRIDE_CUDA) when building without a GPU (default $MIGCTL_CUDA_VERSION).")
    String cuda;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** {@code env create --json}. */
    record CreateJson(boolean cacheHit, BuildJson build, List<String> warnings) {}

    @Override
    public Integer call() {
      PrintWriter err = env.spec.commandLine().getErr();
      EnvironmentBuilds.Built built =
          build(
              env.root,
              options,
              backendPath,
              Optional.ofNullable(name),
              cuda,
              json ? List::of : warnings -> printWarnings(err, warnings),
              p -> {
                if (!json) {
                  err.println(
                      "  "
                          + p.phase()
                          + (p.fraction() >= 0
                              ? String.format(Locale.ROOT, " %3.0f%%", p.fraction() * 100)
                              : ""));
                  err.flush();
                }
              });
      EnvironmentStore.Created created = built.created();
      if (json) {
        Json.print(
            env.out(),
            new CreateJson(created.cacheHit(), BuildJson.of(created.build()), built.warnings()));
      } else {
        EnvironmentBuild b = created.build();
        env.out()
            .printf(
                Locale.ROOT,
                "%s %s (%s, %s)%s%n  prefix %s%n",
                created.cacheHit() ? "found" : "built",
                b.shortId(),
                b.backend(),
                b.platform(),
                b.names().isEmpty() ? "" : " as " + String.join(", ", b.names()),
                b.prefix());
        env.out().flush();
      }
      return ExitCode.OK;
    }

    /**
     * Builds (or finds) the environment a workload names {@code workloadName}, from a spec file
     * (see {@link EnvironmentBuilds#buildForWorkload}); the spec's warnings go to standard error.
     *
     * @param file a path, or {@code -} for standard input
     */
    static EnvironmentStore.Created buildForWorkload(
        MigctlCommand root, String file, String backend, String workloadName) {
      SpecOptions options = new SpecOptions();
      options.file = file;
      options.backend = backend;
      PrintWriter err = root.spec.commandLine().getErr();
      return builds(root)
          .buildForWorkload(
              readSpec(root, options),
              source(file),
              options.backend(null),
              workloadName,
              w -> printWarnings(err, w))
          .created();
    }

    private static EnvironmentBuilds.Built build(
        MigctlCommand root,
        SpecOptions options,
        Path backendPath,
        Optional<String> name,
        String cuda,
        Consumer<List<String>> warned,
        Consumer<BuildProgress> progress) {
      CheckedSpec checked = readSpec(root, options);
      return builds(root)
          .build(
              checked,
              source(options.file),
              options.backend(backendPath),
              name,
              Optional.ofNullable(cuda),
              warned,
              progress);
    }
  }

  /** How messages name a spec file: its path, or {@code <stdin>}. */
  private static String source(String file) {
    return file.equals("-") ? "<stdin>" : file;
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the builds, newest first.")
  static final class ListBuilds implements Runnable {
    @ParentCommand EnvCommand env;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public void run() {
      List<EnvironmentBuild> builds = env.store().list();
      if (json) {
        Json.print(env.out(), builds.stream().map(BuildJson::of).toList());
        return;
      }
      if (builds.isEmpty()) {
        env.out()
            .println(
                "no environment builds (create one with 'migctl env create -f environment.yml')");
      } else {
        env.out()
            .printf(
                Locale.ROOT,
                "%-12s  %-10s  %-14s  %-20s  %s%n",
                "ID",
                "BACKEND",
                "PLATFORM",
                "CREATED",
                "NAMES");
        for (EnvironmentBuild b : builds) {
          env.out()
              .printf(
                  Locale.ROOT,
                  "%-12s  %-10s  %-14s  %-20s  %s%n",
                  b.shortId(),
                  b.backend(),
                  b.platform(),
                  b.created().toString().substring(0, 19).replace('T', ' '),
                  String.join(", ", b.names()));
        }
      }
      env.out().flush();
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print a build's canonical spec and where it lives.")
  static final class Show implements Runnable {
    @ParentCommand EnvCommand env;

    @Parameters(paramLabel = "ID", description = "A build id (any unique prefix) or a name.")
    String id;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** {@code env show --json}. */
    record ShowJson(BuildJson build, String canonical) {}

    @Override
    public void run() {
      EnvironmentBuild b = env.find(id);
      String canonical = read(b.canonicalFile());
      if (json) {
        Json.print(env.out(), new ShowJson(BuildJson.of(b), canonical));
        return;
      }
      env.out()
          .printf(
              Locale.ROOT,
              "build %s (%s, %s)%s%nprefix %s%n%n",
              b.id(),
              b.backend(),
              b.platform(),
              b.names().isEmpty() ? "" : ", current for " + String.join(", ", b.names()),
              b.prefix());
      env.out().print(canonical.endsWith("\n") ? canonical : canonical + "\n");
      env.out().flush();
    }
  }

  @Command(
      name = "lock",
      mixinStandardHelpOptions = true,
      description = "Print a build's explicit lock (conda list --explicit --md5, or pip freeze).")
  static final class Lock implements Runnable {
    @ParentCommand EnvCommand env;

    @Parameters(paramLabel = "ID", description = "A build id or a name.")
    String id;

    @Override
    public void run() {
      env.out().print(env.store().lock(env.find(id)));
      env.out().flush();
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a build.")
  static final class Remove implements Callable<Integer> {
    @ParentCommand EnvCommand env;

    @Parameters(paramLabel = "ID", description = "A build id or a name.")
    String id;

    @Option(
        names = "--force",
        description =
            "Also when a name currently points at it (the name then points at its previous build, if any).")
    boolean force;

    @Override
    public Integer call() {
      EnvironmentBuild b = env.find(id);
      try {
        env.store().remove(b, force);
      } catch (IllegalStateException e) {
        env.spec.commandLine().getErr().println("migctl: " + e.getMessage());
        return ExitCode.FAILURE;
      }
      env.out().println("removed " + b.shortId());
      env.out().flush();
      return ExitCode.OK;
    }
  }

  @Command(
      name = "gc",
      mixinStandardHelpOptions = true,
      description = {
        "Remove builds no name points at, and interrupted builds.",
        "",
        "Keeps the newest --keep builds of each name's history, and every build a job not yet",
        "finished will run in (asked of the daemon while one runs on this home)."
      })
  static final class Gc implements Runnable {
    @ParentCommand EnvCommand env;

    @Option(
        names = "--keep",
        paramLabel = "N",
        defaultValue = "1",
        description =
            "Builds kept per name, newest first (default: ${DEFAULT-VALUE}, the current one);"
                + " builds of unfinished jobs are always kept.")
    int keep;

    @Option(names = "--dry-run", description = "Say what would be removed; remove nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /**
     * Which builds jobs not yet finished use: the daemon's answer while one runs on this home, else
     * its job store (a home without one has no jobs).
     */
    private EnvironmentGc.JobBuilds jobBuilds() {
      MigctlHome home = env.root.context().home();
      if (DaemonLock.isHeld(home)) {
        return () -> daemonJobBuilds(env.root.daemon());
      }
      Path db = home.database();
      if (!Files.exists(db)) {
        return EnvironmentGc.JobBuilds.NONE;
      }
      return () -> {
        try (Database database = Database.open(db)) {
          return EnvironmentGc.JobBuilds.of(new SqliteJobStore(database)).ofUnfinishedJobs();
        }
      };
    }

    private static Set<String> daemonJobBuilds(DaemonClient daemon) {
      String states =
          Arrays.stream(JobState.values())
              .filter(s -> !s.isTerminal())
              .map(JobState::wireName)
              .collect(Collectors.joining(","));
      JsonNode jobs = daemon.get("/api/v1/jobs?state=" + states + "&limit=" + JobQuery.MAX_LIMIT);
      if (jobs.size() >= JobQuery.MAX_LIMIT) {
        throw new IllegalStateException(
            "the daemon has "
                + JobQuery.MAX_LIMIT
                + " or more unfinished jobs, more than one answer lists; run env gc when fewer"
                + " are queued");
      }
      Set<String> ids = new TreeSet<>();
      for (JsonNode job : jobs) {
        if (job.hasNonNull("environmentBuild")) {
          ids.add(job.get("environmentBuild").asText());
        }
      }
      return ids;
    }

    @Override
    public void run() {
      EnvironmentStore.GcResult r = new EnvironmentGc(env.store(), jobBuilds()).run(keep, dryRun);
      if (json) {
        Json.print(env.out(), r);
        return;
      }
      env.out()
          .printf(
              Locale.ROOT,
              "%s %d build(s), kept %d%s%n",
              dryRun ? "would remove" : "removed",
              r.removed().size(),
              r.kept().size(),
              r.partialRemoved() > 0
                  ? ", cleaned " + r.partialRemoved() + " interrupted build(s)"
                  : "");
      r.removed().forEach(id -> env.out().println("  " + id.substring(0, 12)));
      env.out().flush();
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description =
          "Run a command inside a build: its activation applied directly, no shell, no conda run.")
  static final class Run implements Callable<Integer> {
    @ParentCommand EnvCommand env;

    @Parameters(index = "0", paramLabel = "ID", description = "A build id or a name.")
    String id;

    @Parameters(
        index = "1..*",
        paramLabel = "CMD",
        arity = "1..*",
        description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws IOException, InterruptedException {
      EnvironmentBuild b = env.find(id);
      Map<String, String> child = b.activation().applyTo(env.root.context().environment());
      ToolResult result;
      try {
        result =
            env.root
                .tools()
                .run(
                    ToolCommand.of(Activation.resolveProgram(command, child))
                        .withExactEnvironment(child)
                        .withOutput(ToolCommand.Output.TERMINAL));
      } catch (IOException e) {
        throw new InvalidInputException(
            "cannot run " + command.getFirst() + " in " + b.shortId() + ": " + e.getMessage(), e);
      }
      return switch (result.ending()) {
        case ToolResult.Exited(int status) -> status;
        case ToolResult.TimedOut t -> throw new IllegalStateException("env run has no time limit");
      };
    }
  }

  @Command(
      name = "dockerfile",
      mixinStandardHelpOptions = true,
      description = "Write a Dockerfile that rebuilds a build from its lock.")
  static final class Dockerfile implements Runnable {
    @ParentCommand EnvCommand env;

    @Parameters(paramLabel = "ID", description = "A build id or a name.")
    String id;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "DIR",
        description =
            "Write Dockerfile and lock.txt into this folder (default: print the Dockerfile).")
    Path output;

    @Override
    public void run() {
      EnvironmentBuild b = env.find(id);
      String lock = env.store().lock(b);
      String dockerfile = ContainerFiles.dockerfile(b, lock);
      if (output == null) {
        env.out().print(dockerfile);
      } else {
        write(output.resolve("Dockerfile"), dockerfile);
        write(output.resolve("lock.txt"), lock);
        env.out()
            .println(
                "wrote " + output.resolve("Dockerfile") + " and " + output.resolve("lock.txt"));
      }
      env.out().flush();
    }
  }

  @Command(
      name = "compose",
      mixinStandardHelpOptions = true,
      description = "Write a compose file that runs a build on exactly the given MIG devices.")
  static final class Compose implements Runnable {
    @ParentCommand EnvCommand env;

    @Parameters(paramLabel = "ID", description = "A build id or a name.")
    String id;

    @Option(
        names = "--device",
        paramLabel = "MIG-UUID",
        required = true,
        description = "A MIG device (repeatable; see 'migctl gpus').")
    List<String> devices = new ArrayList<>();

    @Option(
        names = "--service",
        paramLabel = "NAME",
        defaultValue = "job",
        description = "The service's name (default: ${DEFAULT-VALUE}).")
    String service;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "DIR",
        description =
            "Write compose.yaml, Dockerfile and lock.txt into this folder (default: print the compose file).")
    Path output;

    @Parameters(
        index = "1..*",
        paramLabel = "CMD",
        description = "The container's command (after --).")
    List<String> command = new ArrayList<>();

    @Override
    public void run() {
      EnvironmentBuild b = env.find(id);
      String compose;
      try {
        compose = ContainerFiles.compose(b, service, devices, command);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage(), e);
      }
      if (output == null) {
        env.out().print(compose);
      } else {
        String lock = env.store().lock(b);
        write(output.resolve("compose.yaml"), compose);
        write(output.resolve("Dockerfile"), ContainerFiles.dockerfile(b, lock));
        write(output.resolve("lock.txt"), lock);
        env.out().println("wrote compose.yaml, Dockerfile and lock.txt in " + output);
      }
      env.out().flush();
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }

  private static void write(Path p, String text) {
    try {
      Files.createDirectories(p.toAbsolutePath().getParent());
      Files.writeString(p, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + p, e);
    }
  }
}
