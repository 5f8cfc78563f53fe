package io.migctl.cli;

import io.migctl.core.env.BuildTarget;
import io.migctl.core.env.EnvironmentSpec;
import io.migctl.core.env.SpecText;
import io.migctl.env.Activation;
import io.migctl.env.EnvBackend;
import io.migctl.env.SystemProcessRunner;
import io.migctl.env.conda.CondaFamilyBackend;
import io.migctl.env.container.ContainerFiles;
import io.migctl.env.spec.CheckedSpec;
import io.migctl.env.store.EnvironmentBuild;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.env.venv.VenvBackend;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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

  /** How long one tool run of a build may take. */
  private static final Duration BUILD_TIMEOUT = Duration.ofHours(2);

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  EnvironmentStore store() {
    return storeAt(root.context().home());
  }

  /** The environment store under a migctl home, as every command and the daemon use it. */
  static EnvironmentStore storeAt(Path home) {
    return new EnvironmentStore(
        home.resolve("envs"), Clock.systemUTC(), new SystemProcessRunner(), BUILD_TIMEOUT);
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

  /** Builds (or finds) a spec file's environment with the default backend, progress on err. */
  static io.migctl.env.store.EnvironmentBuild buildQuietly(
      MigctlCommand root, Path file, PrintWriter err) {
    err.println("migctl: building the environment of " + file + " (once; later uses find it)");
    err.flush();
    return Create.build(root, file.toString(), "auto", null, Optional.empty(), false, null, p -> {})
        .build();
  }

  /** The platform in conda's words. */
  static String platform() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String o =
        os.contains("linux")
            ? "linux"
            : os.contains("mac") ? "osx" : os.contains("win") ? "win" : os;
    String a =
        switch (arch) {
          case "amd64", "x86_64" -> "64";
          case "aarch64", "arm64" -> o.equals("osx") ? "arm64" : "aarch64";
          case "ppc64le" -> "ppc64le";
          default -> arch;
        };
    return o + "-" + a;
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
  }

  /**
   * A spec file read for the backend {@code --backend} names: {@code auto} takes micromamba, mamba
   * or conda when one is on PATH, else venv (nothing needs to be installed to know the kind).
   */
  static CheckedSpec readSpec(MigctlCommand root, SpecOptions options) {
    String kind = backendKind(root.context().environment(), options.backend);
    BuildTarget target =
        new BuildTarget(
            platform(), kind.equals("venv") ? VenvBackend.kind(options.systemSitePackages) : kind);
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

  /** {@code venv}, {@code conda}, {@code mamba} or {@code micromamba}, {@code auto} resolved. */
  private static String backendKind(Map<String, String> environment, String backend) {
    String kind = backend.toLowerCase(Locale.ROOT);
    if (kind.equals("auto")) {
      return Stream.of(
              CondaFamilyBackend.Tool.MICROMAMBA,
              CondaFamilyBackend.Tool.MAMBA,
              CondaFamilyBackend.Tool.CONDA)
          .filter(tool -> CondaFamilyBackend.find(tool, Optional.empty(), environment).isPresent())
          .map(CondaFamilyBackend.Tool::command)
          .findFirst()
          .orElse("venv");
    }
    if (!kind.equals("venv") && CondaFamilyBackend.Tool.named(kind).isEmpty()) {
      throw new InvalidInputException(
          "--backend " + backend + ": use auto, venv, conda, mamba or micromamba");
    }
    return kind;
  }

  /**
   * The spec's warnings, and one when its name cannot name the build (the store's names are file
   * names): with {@code --name} the spec's name does not matter.
   */
  static List<String> warnings(CheckedSpec checked, String source, Optional<String> name) {
    List<String> warnings = new ArrayList<>(checked.warnings());
    checked
        .spec()
        .name()
        .filter(n -> name.isEmpty() && !EnvironmentStore.isStoreName(n))
        .ifPresent(
            n ->
                warnings.add(
                    source
                        + ": name: \""
                        + SpecText.abbreviate(n)
                        + "\" is only the build's label: builds are named with letters, digits,"
                        + " '.', '_' and '-', so no name points at this one; give --name NAME"));
    return warnings;
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
      if (isVenv(checked.target())) {
        venvCheck(checked.spec(), options.backend);
      }
      List<String> warnings = warnings(checked, source(options.file), Optional.empty());
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

    /** A build and the warnings its spec gave. */
    record Built(EnvironmentStore.Created created, List<String> warnings) {}

    @Override
    public Integer call() {
      PrintWriter err = env.spec.commandLine().getErr();
      Built built =
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
     * Builds (or finds) the environment of a spec file, as {@code env create} does; the spec's
     * warnings go to standard error.
     *
     * @param file a path, or {@code -} for standard input
     */
    static EnvironmentStore.Created build(
        MigctlCommand root,
        String file,
        String backend,
        Path backendPath,
        Optional<String> name,
        boolean systemSitePackages,
        String cuda,
        java.util.function.Consumer<io.migctl.env.BuildProgress> progress) {
      SpecOptions options = new SpecOptions();
      options.file = file;
      options.backend = backend;
      options.systemSitePackages = systemSitePackages;
      PrintWriter err = root.spec.commandLine().getErr();
      return build(root, options, backendPath, name, cuda, w -> printWarnings(err, w), progress)
          .created();
    }

    private static Built build(
        MigctlCommand root,
        SpecOptions options,
        Path backendPath,
        Optional<String> name,
        String cuda,
        java.util.function.Consumer<List<String>> warned,
        java.util.function.Consumer<io.migctl.env.BuildProgress> progress) {
      CheckedSpec checked = readSpec(root, options);
      List<String> warnings = warnings(checked, source(options.file), name);
      EnvBackend chosen =
          chooseBackend(root.context().environment(), checked, options.backend, backendPath);
      warned.accept(warnings);
      Map<String, String> toolEnv = new LinkedHashMap<>();
      String cudaVersion =
          cuda != null ? cuda : root.context().environment().get("MIGCTL_CUDA_VERSION");
      if (cudaVersion != null && !cudaVersion.isBlank() && !chosen.kind().startsWith("venv")) {
        toolEnv.put("CONDA_OVERRIDE_CUDA", cudaVersion);
      }
      EnvironmentStore.Created created =
          storeAt(root.context().home())
              .create(checked.spec(), checked.text(), chosen, platform(), name, toolEnv, progress);
      return new Built(created, warnings);
    }

    /** The backend of the kind the spec was read for; its tool must be installed. */
    static EnvBackend chooseBackend(
        Map<String, String> environment, CheckedSpec checked, String backend, Path backendPath) {
      Optional<Path> path = Optional.ofNullable(backendPath);
      String kind = checked.target().backend();
      if (isVenv(checked.target())) {
        venvCheck(checked.spec(), backend);
        Path python =
            VenvBackend.findPython(path, environment)
                .orElseThrow(
                    () ->
                        new InvalidInputException(
                            "python3 was not found on PATH; give --backend-path /path/to/python3"));
        return new VenvBackend(python, kind.equals(VenvBackend.kind(true)));
      }
      CondaFamilyBackend.Tool tool = CondaFamilyBackend.Tool.named(kind).orElseThrow();
      Path exe =
          CondaFamilyBackend.find(tool, path, environment)
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          kind + " was not found on PATH; install it or give --backend-path"));
      return new CondaFamilyBackend(tool, exe);
    }
  }

  private static boolean isVenv(BuildTarget target) {
    return target.backend().startsWith("venv");
  }

  /** Refuses a spec with conda packages for the venv backend, saying why. */
  private static void venvCheck(EnvironmentSpec spec, String backend) {
    try {
      VenvBackend.check(spec);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          (backend.equalsIgnoreCase("auto")
                  ? "no conda, mamba or micromamba is installed, and "
                  : "")
              + e.getMessage(),
          e);
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
        "Keeps the newest --keep builds of each name's history. (Builds used by queued or running",
        "jobs are kept too once the daemon runs jobs.)"
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

    /** Builds that jobs not yet finished will run in: never removed. */
    private Set<String> inUse() {
      Path db = env.root.context().home().resolve("migctl.db");
      if (!java.nio.file.Files.exists(db)) {
        return Set.of();
      }
      try (io.migctl.node.store.Database database = io.migctl.node.store.Database.open(db)) {
        Set<String> ids = new java.util.HashSet<>();
        for (io.migctl.core.job.Job j :
            new io.migctl.node.store.SqliteJobStore(database).unfinished()) {
          j.environmentBuild().ifPresent(ids::add);
        }
        return ids;
      }
    }

    @Override
    public void run() {
      if (keep < 1) {
        throw new InvalidInputException(
            "--keep " + keep + ": keep at least 1 (each name's current build)");
      }
      EnvironmentStore.GcResult r = env.store().gc(keep, inUse(), dryRun);
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
      ProcessBuilder pb = new ProcessBuilder(Activation.resolveProgram(command, child)).inheritIO();
      pb.environment().clear();
      pb.environment().putAll(child);
      try {
        return pb.start().waitFor();
      } catch (IOException e) {
        throw new InvalidInputException(
            "cannot run " + command.getFirst() + " in " + b.shortId() + ": " + e.getMessage(), e);
      }
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
