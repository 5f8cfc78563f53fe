package io.migctl.cli;

import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.apply.ApplyResult;
import io.migctl.apply.Checkpoint;
import io.migctl.apply.GpuResult;
import io.migctl.apply.HookRunner;
import io.migctl.apply.LayoutApplier;
import io.migctl.apply.MigPartedFiles;
import io.migctl.apply.MigPartedWriter;
import io.migctl.apply.StepJson;
import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.core.mig.change.GpuPlan;
import io.migctl.core.mig.change.LayoutAssertion;
import io.migctl.core.mig.change.PlanStep;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.HooksFile;
import io.migctl.core.mig.config.LiveConfig;
import io.migctl.core.mig.config.MigPartedConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl mig}: declarative MIG layouts in NVIDIA mig-parted's file format. */
@Command(
    name = "mig",
    mixinStandardHelpOptions = true,
    description = {
      "Apply, assert, export, checkpoint and restore MIG layouts (mig-parted files).",
      "",
      "Files are NVIDIA mig-parted 'version: v1' configs, accepted unchanged (also inside a",
      "Kubernetes ConfigMap). Applying plans each GPU from its live layout: instances that can stay",
      "are kept where they are, busy ones are never destroyed or moved, new ones are created at",
      "explicit placements, and only GPUs that differ are touched."
    },
    subcommands = {
      MigCommand.Apply.class,
      MigCommand.Assert.class,
      MigCommand.Export.class,
      MigCommand.CheckpointCommand.class,
      MigCommand.Restore.class,
      MigPlanCommand.class
    })
final class MigCommand implements Runnable {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  MigDriver driver() {
    return root.driver();
  }

  ApplyJournal journal() {
    return new ApplyJournal(root.context().home().journal(), Clock.systemUTC());
  }

  /** The config file's path: the option, else {@code MIG_PARTED_CONFIG_FILE} (as mig-parted). */
  String configFile(String option) {
    String file =
        option != null ? option : root.context().environment().get("MIG_PARTED_CONFIG_FILE");
    if (file == null || file.isBlank()) {
      throw new InvalidInputException(
          "no config file: give -f FILE (or -f - for standard input), or set MIG_PARTED_CONFIG_FILE");
    }
    return file;
  }

  /** The selected config: the option, else {@code MIG_PARTED_SELECTED_CONFIG}. */
  Optional<String> selected(String option) {
    String name =
        option != null ? option : root.context().environment().get("MIG_PARTED_SELECTED_CONFIG");
    return name == null || name.isBlank() ? Optional.empty() : Optional.of(name);
  }

  MigPartedConfig readConfig(String file) {
    return MigPartedFiles.readConfig(
        InputFiles.read(file, root.context().stdin()), InputFiles.source(file));
  }

  /**
   * A step after parsing (choosing a config, resolving it against the GPUs) whose errors name the
   * file too: {@code custom.yaml: mig-configs.custom[0].mig-devices: …}.
   */
  static <T> T inFile(String file, Supplier<T> step) {
    try {
      return step.get();
    } catch (ConfigException e) {
      throw e.in(InputFiles.source(file));
    }
  }

  /** Which config of which file: the options mig-parted has for it. */
  static final class ConfigChoice {
    @Option(
        names = {"-f", "--config-file"},
        paramLabel = "FILE",
        description =
            "The mig-parted config file ('-' reads standard input; default $MIG_PARTED_CONFIG_FILE).")
    String file;

    @Option(
        names = {"-c", "--selected-config"},
        paramLabel = "NAME",
        description =
            "Which config (default $MIG_PARTED_SELECTED_CONFIG; may be left out when the file has one).")
    String config;
  }

  /** Says which entries match no GPU of this node (mig-parted skips them silently). */
  void noteUnmatched(List<ConfigEntry> entries, List<GpuSnapshot> live) {
    PrintWriter err = spec.commandLine().getErr();
    for (ConfigEntry e : entries) {
      boolean any =
          live.stream()
              .anyMatch(
                  g ->
                      e.matches(
                          g.device().index(),
                          g.device().pciDeviceId(),
                          g.device().pciSubsystemId()));
      if (!any) {
        err.println("migctl: note: " + e.path() + " matches no GPU of this node; it is skipped");
      }
    }
    err.flush();
  }

  /** Options shared by the commands that change layouts. */
  static final class Output {
    @Option(names = "--dry-run", description = "Print the plan; change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;
  }

  /**
   * {@code mig apply --json}: the plan per GPU and what happened to it ({@link GpuResult}: its
   * outcome, and after a failed step the step, the error, the undo and the state reached).
   */
  record ApplyJson(
      String config,
      boolean dryRun,
      List<GpuResult> gpus,
      List<String> refused,
      String failure,
      int operations,
      String journal) {}

  /** Plans or applies, prints the outcome, and returns the exit code. */
  int applyDesired(
      String config,
      Map<Integer, DesiredGpu> desired,
      ApplyHooks hooks,
      Output output,
      UnaryOperator<GpuPlan> narrow) {
    PrintWriter out = spec.commandLine().getOut();
    ApplyJournal journal = journal();
    noteInterrupted(journal);
    LayoutApplier applier =
        new LayoutApplier(
            driver(),
            journal,
            hooks,
            () -> UUID.randomUUID().toString(),
            line -> {
              if (!output.json && !output.dryRun) {
                out.println("  " + line);
                out.flush();
              }
            });
    ApplyResult result =
        output.dryRun
            ? applier.plan(desired, GpuSnapshot.readAll(driver()), narrow)
            : applier.apply(desired, narrow);
    if (output.json) {
      Json.print(
          out,
          new ApplyJson(
              config,
              output.dryRun,
              result.gpus(),
              result.refusals(),
              result.failure().orElse(null),
              result.operations(),
              journal.file().toString()));
    } else {
      printText(out, result, output.dryRun, journal);
    }
    PrintWriter err = spec.commandLine().getErr();
    for (String r : result.refusals()) {
      err.println("migctl: " + r);
    }
    if (!result.refusals().isEmpty()) {
      err.println("migctl: nothing was changed");
    }
    result
        .failure()
        .ifPresent(
            f ->
                err.println(
                    "migctl: "
                        + f
                        + "\nmigctl: the journal "
                        + journal.file()
                        + " records every step and the undo"));
    err.flush();
    if (!output.dryRun && result.succeeded()) {
      for (GpuDevice d : driver().gpus()) {
        if (desired.containsKey(d.index()) && d.migMode().isChangePending()) {
          err.println(
              "migctl: GPU "
                  + d.index()
                  + ": the MIG mode change waits for a GPU reset or a reboot; apply again afterwards");
        }
      }
      err.flush();
    }
    return result.succeeded() ? ExitCode.OK : ExitCode.FAILURE;
  }

  /**
   * Says when the journal's last apply did not finish (its process died): this apply plans from the
   * live layout as always, and the daemon no longer finishes or undoes that one.
   */
  private void noteInterrupted(ApplyJournal journal) {
    journal
        .interrupted()
        .filter(ApplyJournal.Interrupted::changedAnything)
        .ifPresent(
            i -> {
              PrintWriter err = spec.commandLine().getErr();
              err.println(
                  "migctl: note: the last apply ("
                      + i.apply()
                      + ", started "
                      + i.startedAt()
                      + ") did not finish: its process stopped in the middle of GPU "
                      + i.gpus().stream()
                          .filter(g -> g.stepsStarted() > 0)
                          .map(g -> String.valueOf(g.gpu()))
                          .reduce((a, b) -> b)
                          .orElse("?")
                      + " (see "
                      + journal.file()
                      + "); planning from the live layout");
              err.flush();
            });
  }

  private static void printText(
      PrintWriter out, ApplyResult result, boolean dryRun, ApplyJournal journal) {
    if (dryRun || !result.refusals().isEmpty()) {
      for (GpuPlan plan : result.plans()) {
        if (plan.isNoop()) {
          out.printf(Locale.ROOT, "GPU %d: as desired%n", plan.gpu());
          continue;
        }
        out.printf(Locale.ROOT, "GPU %d: %d operation(s)%n", plan.gpu(), plan.operations());
        for (PlanStep step : plan.steps()) {
          out.println("  " + StepJson.of(step).text());
        }
      }
      if (dryRun && result.refusals().isEmpty()) {
        out.println("dry run: nothing was changed");
      }
    } else if (result.failure().isPresent()) {
      out.printf(
          Locale.ROOT,
          "%d operation(s) before a step failed (journal: %s)%n",
          result.operations(),
          journal.file());
      for (GpuResult gpu : result.gpus()) {
        out.printf(Locale.ROOT, "GPU %d: %s%n", gpu.index(), outcomeText(gpu));
      }
    } else {
      long touched = result.plans().stream().filter(p -> !p.isNoop()).count();
      out.printf(
          Locale.ROOT,
          "%d operation(s) on %d GPU(s); %d GPU(s) already as desired (journal: %s)%n",
          result.operations(),
          touched,
          result.plans().size() - touched,
          journal.file());
    }
    out.flush();
  }

  private static String outcomeText(GpuResult gpu) {
    return switch (gpu.outcome()) {
      case GpuResult.APPLIED -> "has its new layout";
      case GpuResult.UNCHANGED -> "already as desired";
      case GpuResult.NOT_TOUCHED -> "not touched";
      case GpuResult.UNDONE ->
          gpu.failedStep().text() + " failed; undone: it has its old layout again";
      case GpuResult.BETWEEN_LAYOUTS ->
          gpu.failedStep().text() + " failed and so did the undo: it is between layouts";
      default -> gpu.outcome();
    };
  }

  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description = {
        "Make the GPUs match a config of a mig-parted file.",
        "",
        "Nothing is touched until every matched GPU's layout is checked against that GPU's own",
        "profiles and placements and planned without harming a busy instance. A driver error",
        "undoes that GPU's change (its old layout back, recreated MIG devices with new UUIDs),",
        "leaves the GPUs after it untouched, and exits 1 naming the step, the error and the",
        "state reached; every step and the undo are in $MIGCTL_HOME/mig/journal.jsonl."
      })
  static final class Apply implements Callable<Integer> {
    @ParentCommand MigCommand mig;

    @picocli.CommandLine.Mixin ConfigChoice choice = new ConfigChoice();

    @Option(
        names = {"-k", "--hooks-file"},
        paramLabel = "FILE",
        description = "A mig-parted hooks file (default $MIG_PARTED_HOOKS_FILE).")
    String hooksFile;

    @Option(
        names = {"-m", "--mode-only"},
        description = "Only change MIG modes; leave the instances as they are (as mig-parted).")
    boolean modeOnly;

    @Option(
        names = {"-s", "--skip-reset"},
        description =
            "Do not reset GPUs after a mode change; it waits for a reboot (as mig-parted).")
    boolean skipReset;

    @picocli.CommandLine.Mixin Output output = new Output();

    @Override
    public Integer call() {
      String path = mig.configFile(choice.file);
      MigPartedConfig parsed = mig.readConfig(path);
      List<ConfigEntry> entries = inFile(path, () -> parsed.select(mig.selected(choice.config)));
      String name = parsed.selectedName(mig.selected(choice.config));
      List<GpuSnapshot> live = GpuSnapshot.readAll(mig.driver());
      Map<Integer, DesiredGpu> desired = inFile(path, () -> DesiredLayouts.resolve(entries, live));
      mig.noteUnmatched(entries, live);
      ApplyHooks hooks = output.dryRun ? ApplyHooks.NONE : hooks(path, name);
      UnaryOperator<GpuPlan> narrow = UnaryOperator.identity();
      if (modeOnly) {
        narrow = GpuPlan::modeOnly;
      }
      if (skipReset) {
        UnaryOperator<GpuPlan> before = narrow;
        narrow = p -> before.apply(p).withoutReset();
      }
      return mig.applyDesired(name, desired, hooks, output, narrow);
    }

    private ApplyHooks hooks(String configPath, String name) {
      String hooksPath =
          hooksFile != null
              ? hooksFile
              : mig.root.context().environment().get("MIG_PARTED_HOOKS_FILE");
      if (hooksPath == null || hooksPath.isBlank()) {
        return ApplyHooks.NONE;
      }
      HooksFile file =
          MigPartedFiles.readHooks(
              InputFiles.read(hooksPath, mig.root.context().stdin()), InputFiles.source(hooksPath));
      // As mig-parted: hooks get their own envs and the apply's variables, nothing inherited.
      Map<String, String> env =
          HookRunner.migPartedEnvironment(configPath, name, hooksPath, skipReset, modeOnly);
      PrintWriter out = mig.spec.commandLine().getOut();
      HookRunner runner =
          HookRunner.asMigParted(
              mig.root.tools(),
              file,
              env,
              line -> {
                out.println(line);
                out.flush();
              });
      return runner::run;
    }
  }

  @Command(
      name = "assert",
      mixinStandardHelpOptions = true,
      description = {
        "Exit 0 when every GPU a config matches has its MIG mode and MIG devices, else 1.",
        "",
        "GPUs the config does not match are not judged; placements do not matter."
      })
  static final class Assert implements Callable<Integer> {
    @ParentCommand MigCommand mig;

    @picocli.CommandLine.Mixin ConfigChoice choice = new ConfigChoice();

    @Option(
        names = "--valid-config",
        description = "Only check that the file and the selected config are valid.")
    boolean validOnly;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** {@code mig assert --json}. */
    record AssertJson(String config, boolean matches, List<String> differences) {}

    @Override
    public Integer call() {
      String path = mig.configFile(choice.file);
      MigPartedConfig parsed = mig.readConfig(path);
      List<ConfigEntry> entries = inFile(path, () -> parsed.select(mig.selected(choice.config)));
      String name = parsed.selectedName(mig.selected(choice.config));
      PrintWriter out = mig.spec.commandLine().getOut();
      if (validOnly) {
        if (json) {
          Json.print(out, new AssertJson(name, true, List.of()));
        } else {
          out.println("config \"" + name + "\" is valid");
          out.flush();
        }
        return ExitCode.OK;
      }
      List<GpuSnapshot> live = GpuSnapshot.readAll(mig.driver());
      Map<Integer, DesiredGpu> desired = inFile(path, () -> DesiredLayouts.resolve(entries, live));
      List<String> differences = new ArrayList<>();
      for (GpuSnapshot gpu : live) {
        DesiredGpu want = desired.get(gpu.device().index());
        if (want != null) {
          differences.addAll(LayoutAssertion.differences(gpu, want));
        }
      }
      if (json) {
        Json.print(out, new AssertJson(name, differences.isEmpty(), differences));
      } else if (differences.isEmpty()) {
        out.println(
            "every GPU config \"" + name + "\" matches (" + desired.size() + ") is as desired");
      } else {
        differences.forEach(out::println);
      }
      out.flush();
      return differences.isEmpty() ? ExitCode.OK : ExitCode.FAILURE;
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = "Print the live layout as a mig-parted config; applying it changes nothing.")
  static final class Export implements Runnable {
    @ParentCommand MigCommand mig;

    @Option(
        names = "-o",
        paramLabel = "FORMAT",
        defaultValue = "yaml",
        description = "yaml or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
        names = {"-l", "--label"},
        paramLabel = "LABEL",
        defaultValue = "current",
        description = "The config's name (default: ${DEFAULT-VALUE}).")
    String label;

    @Override
    public void run() {
      if (!label.matches("[A-Za-z0-9._-]+")) {
        throw new InvalidInputException("-l " + label + ": use letters, digits, '.', '_' and '-'");
      }
      MigPartedConfig live = LiveConfig.export(GpuSnapshot.readAll(mig.driver()), label);
      String text =
          switch (format.toLowerCase(Locale.ROOT)) {
            case "yaml", "yml" -> MigPartedWriter.yaml(live);
            case "json" -> MigPartedWriter.json(live);
            default -> throw new InvalidInputException("-o " + format + ": use yaml or json");
          };
      PrintWriter out = mig.spec.commandLine().getOut();
      out.print(text);
      out.flush();
    }
  }

  @Command(
      name = "checkpoint",
      mixinStandardHelpOptions = true,
      description = "Save the exact layout (placements included, by GPU UUID) to a file.")
  static final class CheckpointCommand implements Runnable {
    @ParentCommand MigCommand mig;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "OUT",
        required = true,
        description = "Where to write it ('-' for standard output).")
    String file;

    @Override
    public void run() {
      List<GpuSnapshot> live = GpuSnapshot.readAll(mig.driver());
      String json = Checkpoint.of(live, Clock.systemUTC().instant().toString()).toJson();
      PrintWriter out = mig.spec.commandLine().getOut();
      if (file.equals("-")) {
        out.print(json);
      } else {
        write(Path.of(file), json);
        long instances = live.stream().mapToLong(g -> g.instances().size()).sum();
        out.printf(
            Locale.ROOT,
            "checkpoint of %d GPU(s), %d GPU instance(s) written to %s%n",
            live.size(),
            instances,
            file);
      }
      out.flush();
    }

    private static void write(Path target, String text) {
      Path dir = target.toAbsolutePath().getParent();
      try {
        Path tmp = Files.createTempFile(dir, ".checkpoint", ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + target, e);
      }
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description = {
        "Recreate the layout of a checkpoint, at the same placements, on the same GPUs (by UUID).",
        "",
        "Planned like apply: what already matches is kept, busy instances are never touched."
      })
  static final class Restore implements Callable<Integer> {
    @ParentCommand MigCommand mig;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "IN",
        required = true,
        description = "The checkpoint ('-' reads standard input).")
    String file;

    @picocli.CommandLine.Mixin Output output = new Output();

    @Override
    public Integer call() {
      Checkpoint checkpoint =
          Checkpoint.parse(
              InputFiles.read(file, mig.root.context().stdin()), InputFiles.source(file));
      List<GpuSnapshot> live = GpuSnapshot.readAll(mig.driver());
      Map<Integer, DesiredGpu> desired = inFile(file, () -> checkpoint.desired(live));
      return mig.applyDesired(
          "checkpoint " + InputFiles.source(file),
          desired,
          ApplyHooks.NONE,
          output,
          UnaryOperator.identity());
    }
  }
}
