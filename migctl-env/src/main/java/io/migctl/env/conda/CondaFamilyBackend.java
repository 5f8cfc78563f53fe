package io.migctl.env.conda;

import io.migctl.core.env.EnvironmentSpec;
import io.migctl.env.Activation;
import io.migctl.env.BuildContext;
import io.migctl.env.BuildFailedException;
import io.migctl.env.BuildProgress;
import io.migctl.env.EnvBackend;
import io.migctl.process.ToolOutput;
import io.migctl.process.ToolResult;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Builds environments with conda, mamba (2.x) or micromamba, run as external programs through
 * {@link io.migctl.process.ToolRunner}. The three differ in their command lines only; see {@link
 * Tool}.
 *
 * <p>{@code create} writes the spec as an {@code environment.yml} in a scratch folder, runs the
 * tool with {@code --json}, turns its output into {@link BuildProgress} as it streams (conda's
 * progress documents give fractions; text phase lines and the start give phases) and explains a
 * failure with the tool's own error document ({@code CondaMultiError} unwrapped, hints included),
 * else with the end of its standard error. A build counts as done only when the tool exits 0, no
 * error document came, and {@code <prefix>/conda-meta} exists: micromamba before 2.8.1 could report
 * {@code "success": true} while failing (mamba-org/mamba#1945), so its word alone is not trusted.
 *
 * <p>Thread-safe and stateless apart from the tool and its path; each call owns its scratch folder.
 */
public final class CondaFamilyBackend implements EnvBackend {

  /** Lines of standard error quoted when a tool fails without an error document. */
  private static final int TAIL_LINES = 15;

  /**
   * The conda-family tools and how each is driven. Command lines (P the absolute prefix, F the
   * written environment.yml):
   *
   * <pre>
   * create  conda       conda env create --prefix P --file F --json   + CONDA_ALWAYS_YES=true
   *         mamba       mamba create --prefix P --file F --yes --json
   *         micromamba  micromamba create --prefix P --file F --yes --json
   * empty   all         TOOL create --prefix P --yes --json   (a spec without packages)
   * lock    conda       conda list --explicit --md5 --prefix P
   *         mamba       mamba env export --explicit --md5 --prefix P
   *         micromamba  micromamba env export --explicit --md5 --prefix P
   * export  conda       conda env export --prefix P
   *         mamba       mamba env export --prefix P
   *         micromamba  micromamba env export --prefix P
   * </pre>
   *
   * <p>Why these: {@code conda env create} is conda's only command that reads an environment.yml
   * with a {@code pip:} section and {@code variables} in every version ({@code conda create --file}
   * takes package lists). It accepts {@code -y/--yes} only since conda 23.x (conda 4.4 printed
   * {@code [-q] [--force] [--json]}, conda/conda#7382; 23.x lists {@code [-y]}, #12872; 24.3
   * dropped {@code --force}), so the confirmation is given as {@code CONDA_ALWAYS_YES=true}, which
   * every conda reads; the prefix is made absent beforehand, so nothing needs {@code
   * --force}/{@code --yes} to be replaced. mamba 2 and micromamba share libmamba's CLI: {@code
   * create -f} reads an environment.yml with {@code pip:} itself, and {@code -y} is accepted by
   * every version; classic mamba 1.x (a conda plugin) is not targeted: use the conda backend, whose
   * default solver has been libmamba since conda 23.10. libmamba rejects a yml without dependencies
   * ("No 'dependencies' specified"), so an empty spec is created without a file. The lock:
   * libmamba's {@code env export --explicit} prints {@code URL#md5} lines under {@code @EXPLICIT}
   * in 1.x and 2.x, while {@code list --md5} exists only since mamba 2.0.x (mamba-org/mamba#3773,
   * January 2025). The export keeps build strings ({@code name=version=build}): it records this
   * build exactly; {@code --no-builds} would lose what the lock pins. libmamba's export has no
   * {@code pip:} section.
   */
  public enum Tool {
    CONDA("conda", "CONDA_EXE"),
    MAMBA("mamba", "MAMBA_EXE"),
    MICROMAMBA("micromamba", "MAMBA_EXE");

    private final String command;
    private final String exeVariable;

    Tool(String command, String exeVariable) {
      this.command = command;
      this.exeVariable = exeVariable;
    }

    /** The executable's file name and the backend kind: {@code conda}, {@code mamba}, … */
    public String command() {
      return command;
    }

    /**
     * The variable the tool's shell hook sets to its own path: {@code CONDA_EXE}/{@code MAMBA_EXE}.
     */
    public String exeVariable() {
      return exeVariable;
    }

    /** The tool named {@code name} ({@code conda}, {@code mamba}, {@code micromamba}). */
    public static Optional<Tool> named(String name) {
      return Stream.of(values()).filter(t -> t.command.equals(name)).findFirst();
    }

    /** Builds into {@code prefix} from {@code file}, or an empty environment without one. */
    List<String> createCommand(Path executable, Path prefix, Optional<Path> file) {
      List<String> c = new ArrayList<>();
      c.add(executable.toString());
      if (this == CONDA && file.isPresent()) {
        c.addAll(List.of("env", "create", "--prefix", prefix.toString()));
        c.addAll(List.of("--file", file.get().toString(), "--json"));
        return List.copyOf(c);
      }
      c.addAll(List.of("create", "--prefix", prefix.toString()));
      file.ifPresent(f -> c.addAll(List.of("--file", f.toString())));
      c.addAll(List.of("--yes", "--json"));
      return List.copyOf(c);
    }

    List<String> lockCommand(Path executable, Path prefix) {
      return this == CONDA
          ? List.of(
              executable.toString(), "list", "--explicit", "--md5", "--prefix", prefix.toString())
          : List.of(
              executable.toString(),
              "env",
              "export",
              "--explicit",
              "--md5",
              "--prefix",
              prefix.toString());
    }

    List<String> exportCommand(Path executable, Path prefix) {
      return List.of(executable.toString(), "env", "export", "--prefix", prefix.toString());
    }

    /** Variables that keep the create command from asking questions. */
    Map<String, String> nonInteractiveEnvironment() {
      return this == CONDA ? Map.of("CONDA_ALWAYS_YES", "true") : Map.of();
    }
  }

  private final Tool tool;
  private final Path executable;

  /**
   * @param tool which tool {@code executable} is
   * @param executable the tool's program, e.g. from {@link #find}
   */
  public CondaFamilyBackend(Tool tool, Path executable) {
    this.tool = Objects.requireNonNull(tool, "tool");
    this.executable = Objects.requireNonNull(executable, "executable");
  }

  /**
   * Finds {@code tool}'s executable. With {@code backendPath} (the {@code --backend-path} option)
   * only that is considered: the executable itself, or a folder holding it directly or in {@code
   * bin/} or {@code condabin/}. Otherwise the folders of {@code environment}'s {@code PATH}, then
   * the tool's {@code CONDA_EXE}/{@code MAMBA_EXE} when it names this tool's program.
   *
   * @param environment the variables to search, usually {@code System.getenv()}
   * @return the first regular, executable file found; empty when there is none
   */
  public static Optional<Path> find(
      Tool tool, Optional<Path> backendPath, Map<String, String> environment) {
    if (backendPath.isPresent()) {
      Path given = backendPath.get();
      if (Files.isDirectory(given)) {
        return Stream.of(given, given.resolve("bin"), given.resolve("condabin"))
            .map(dir -> dir.resolve(tool.command))
            .filter(CondaFamilyBackend::isExecutableFile)
            .findFirst();
      }
      return isExecutableFile(given) ? Optional.of(given) : Optional.empty();
    }
    String path = environment.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      Optional<Path> candidate = pathOf(dir).map(d -> d.resolve(tool.command));
      if (candidate.filter(CondaFamilyBackend::isExecutableFile).isPresent()) {
        return candidate;
      }
    }
    // The shell hooks set CONDA_EXE/MAMBA_EXE; micromamba's MAMBA_EXE names micromamba, not mamba.
    return pathOf(environment.getOrDefault(tool.exeVariable, ""))
        .filter(exe -> exe.endsWith(tool.command))
        .filter(CondaFamilyBackend::isExecutableFile);
  }

  public Tool tool() {
    return tool;
  }

  public Path executable() {
    return executable;
  }

  @Override
  public String kind() {
    return tool.command;
  }

  @Override
  public void create(EnvironmentSpec spec, Path prefix, BuildContext context) {
    Path target = prefix.toAbsolutePath().normalize();
    prepare(target);
    try (Scratch scratch = Scratch.create()) {
      Optional<Path> file = Optional.empty();
      if (!EnvironmentYaml.isEmpty(spec)) {
        Path yml = scratch.folder().resolve("environment.yml");
        Files.writeString(yml, EnvironmentYaml.render(spec));
        file = Optional.of(yml);
      }
      List<String> command = tool.createCommand(executable, target, file);
      Map<String, String> environment = new LinkedHashMap<>(tool.nonInteractiveEnvironment());
      environment.putAll(context.environment());
      Consumer<BuildProgress> progress = context.progress();
      progress.accept(new BuildProgress("creating the environment with " + tool.command, -1));
      Outcome outcome = new Outcome(progress);
      CondaStreamReader reader = new CondaStreamReader(outcome::accept);
      ToolResult result = run(command, environment, scratch.folder(), reader::accept, context);
      reader.finish();
      requireBuilt(describe(command), target, result, outcome, context);
      progress.accept(new BuildProgress("done", 1.0));
    } catch (IOException e) {
      throw new BuildFailedException(
          "cannot write the environment file for " + target + ": " + e, e);
    }
  }

  /** Throws unless the tool exited 0, printed no error document and left a conda-meta folder. */
  private static void requireBuilt(
      String what, Path target, ToolResult result, Outcome outcome, BuildContext context) {
    if (result.timedOut()) {
      throw new BuildFailedException(
          what
              + " did not finish within "
              + context.timeout()
              + " building "
              + target
              + "; raise the build timeout or look at "
              + context.log());
    }
    String problem;
    if (result.ending() instanceof ToolResult.Exited(int status) && status != 0) {
      problem = " failed (exit code " + status + ") building " + target + ": ";
    } else if (outcome.failure.isPresent()) {
      problem = " exited 0 but reported an error building " + target + ": ";
    } else if (!Files.isDirectory(target.resolve("conda-meta"))) {
      problem =
          " exited 0 but " + target + " has no conda-meta folder, so no environment was built: ";
    } else {
      return;
    }
    throw new BuildFailedException(
        what + problem + outcome.explanation(result.stderr()) + seeLog(context));
  }

  @Override
  public String lock(Path prefix, BuildContext context) {
    Path target = prefix.toAbsolutePath().normalize();
    List<String> command = tool.lockCommand(executable, target);
    String stdout = runToEnd(command, target, context);
    try {
      CondaOutput.explicitLock(stdout);
    } catch (IllegalArgumentException e) {
      throw new BuildFailedException(
          describe(command) + " for " + target + " printed no explicit lock: " + e.getMessage(), e);
    }
    return stdout;
  }

  @Override
  public String export(Path prefix, EnvironmentSpec spec, BuildContext context) {
    Path target = prefix.toAbsolutePath().normalize();
    List<String> command = tool.exportCommand(executable, target);
    String stdout = runToEnd(command, target, context);
    if (stdout.isBlank()) {
      throw new BuildFailedException(
          describe(command) + " printed nothing for " + target + seeLog(context));
    }
    return stdout;
  }

  /**
   * Activation by prefix, as {@code conda activate} would leave it for a non-shell child: {@code
   * <prefix>/bin} first on PATH, {@code CONDA_PREFIX}, {@code CONDA_DEFAULT_ENV}, {@code
   * CONDA_SHLVL=1}, then the spec's variables (applied last, as conda applies an environment's
   * {@code env_vars}); {@code PYTHONHOME} removed. Packages' {@code etc/conda/activate.d} scripts
   * are not run: they need a shell.
   */
  @Override
  public Activation activation(Path prefix, EnvironmentSpec spec, String name) {
    Path target = prefix.toAbsolutePath().normalize();
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("CONDA_PREFIX", target.toString());
    variables.put("CONDA_DEFAULT_ENV", name);
    variables.put("CONDA_SHLVL", "1");
    variables.putAll(new TreeMap<>(spec.variables()));
    return new Activation(
        variables, List.of(target.resolve("bin").toString()), List.of("PYTHONHOME"));
  }

  @Override
  public String toString() {
    return "CondaFamilyBackend[" + tool.command + " at " + executable + "]";
  }

  private String runToEnd(List<String> command, Path target, BuildContext context) {
    Path workdir = Files.isDirectory(target) ? target : scratchParent();
    ToolResult result = run(command, context.environment(), workdir, c -> {}, context);
    String what = describe(command);
    if (result.timedOut()) {
      throw new BuildFailedException(
          what
              + " did not finish within "
              + context.timeout()
              + " for "
              + target
              + seeLog(context));
    }
    if (result.ending() instanceof ToolResult.Exited(int status) && status != 0) {
      Outcome outcome = new Outcome(p -> {});
      CondaOutput.messages(result.stdout()).forEach(outcome::accept);
      throw new BuildFailedException(
          what
              + " failed (exit code "
              + status
              + ") for "
              + target
              + ": "
              + outcome.explanation(result.stderr())
              + seeLog(context));
    }
    return result.stdout();
  }

  private ToolResult run(
      List<String> command,
      Map<String, String> environment,
      Path workdir,
      Consumer<String> chunks,
      BuildContext context) {
    try {
      return context
          .runner()
          .run(
              context.command(command, workdir).withAddedEnvironment(environment),
              ToolOutput.stdout(chunks));
    } catch (IOException e) {
      throw new BuildFailedException(
          "cannot run "
              + executable
              + " ("
              + e.getMessage()
              + "); check that "
              + tool.command
              + " is installed there, or pass --backend-path",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildFailedException(describe(command) + " was interrupted", e);
    }
  }

  /** The prefix must be absent or an empty folder; an empty one is removed for the tool. */
  private static void prepare(Path target) {
    try {
      if (Files.exists(target)) {
        if (!Files.isDirectory(target)) {
          throw new IllegalArgumentException(
              "cannot build into " + target + ": it is a file, not an empty or absent folder");
        }
        try (Stream<Path> entries = Files.list(target)) {
          if (entries.findAny().isPresent()) {
            throw new IllegalArgumentException(
                "cannot build into "
                    + target
                    + ": the folder is not empty; remove it or build into a new prefix");
          }
        }
        // Some conda versions refuse an existing prefix that is not yet an environment.
        Files.delete(target);
      }
      Path parent = target.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new BuildFailedException("cannot prepare the prefix " + target + ": " + e, e);
    }
  }

  private static Path scratchParent() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  /** A temporary folder for the environment file, removed on close. */
  private record Scratch(Path folder) implements AutoCloseable {
    static Scratch create() {
      try {
        return new Scratch(Files.createTempDirectory("migctl-conda-"));
      } catch (IOException e) {
        throw new BuildFailedException(
            "cannot create a scratch folder for the environment file", e);
      }
    }

    @Override
    public void close() {
      try (Stream<Path> walk = Files.walk(folder)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the scratch folder " + folder, e);
      }
    }
  }

  /** "conda env create": the program's name and the words before the first option. */
  private static String describe(List<String> command) {
    List<String> words = new ArrayList<>();
    Path program = Path.of(command.getFirst()).getFileName();
    words.add(program == null ? command.getFirst() : program.toString());
    for (String word : command.subList(1, command.size())) {
      if (word.startsWith("-")) {
        break;
      }
      words.add(word);
    }
    return String.join(" ", words);
  }

  private static String seeLog(BuildContext context) {
    return " (full output: " + context.log() + ")";
  }

  private static Optional<Path> pathOf(String text) {
    if (text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(text));
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }

  private static boolean isExecutableFile(Path p) {
    return Files.isRegularFile(p) && Files.isExecutable(p);
  }

  /** What a run said, kept small: the last error document and the last text lines. */
  private static final class Outcome {
    private final Consumer<BuildProgress> progress;
    private final Deque<String> text = new ArrayDeque<>();
    private Optional<CondaMessage.Failure> failure = Optional.empty();

    Outcome(Consumer<BuildProgress> progress) {
      this.progress = progress;
    }

    void accept(CondaMessage message) {
      switch (message) {
        case CondaMessage.Progress p -> progress.accept(new BuildProgress(p.phase(), p.fraction()));
        case CondaMessage.Failure f -> failure = Optional.of(f);
        case CondaMessage.Text(String line) -> {
          CondaOutput.phaseOf(line).ifPresent(ph -> progress.accept(new BuildProgress(ph, -1)));
          text.addLast(line.strip());
          if (text.size() > TAIL_LINES) {
            text.removeFirst();
          }
        }
        case CondaMessage.Success s -> {}
        case CondaMessage.Other o -> {}
        case CondaMessage.Malformed m -> {}
      }
    }

    /** The error document's explanation, else standard error's tail, else standard output's. */
    String explanation(String stderr) {
      if (failure.isPresent()) {
        return failure.get().describe();
      }
      List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
      if (!lines.isEmpty()) {
        return String.join(
            "\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
      }
      if (!text.isEmpty()) {
        return String.join("\n", text);
      }
      return "it printed no explanation";
    }
  }
}
