package io.migctl.cli;

import io.migctl.apply.ApplyJournal;
import io.migctl.apply.ApplyResult;
import io.migctl.apply.MigPartedFiles;
import io.migctl.core.job.Durations;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.change.DesiredGpu;
import io.migctl.core.mig.change.DesiredLayouts;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.MigPartedConfig;
import io.migctl.core.slurm.GresDevice;
import io.migctl.core.slurm.GresFinding;
import io.migctl.core.slurm.GresNaming;
import io.migctl.core.slurm.NodeGres;
import io.migctl.core.slurm.SlurmScripts;
import io.migctl.nvidia.GpuNode;
import io.migctl.slurm.AtomicFiles;
import io.migctl.slurm.DaemonRestart;
import io.migctl.slurm.GresFiles;
import io.migctl.slurm.ReshapeLog;
import io.migctl.slurm.ScontrolSlurmController;
import io.migctl.slurm.SlurmCheck;
import io.migctl.slurm.SlurmController;
import io.migctl.slurm.SlurmReshape;
import io.migctl.slurm.SlurmdGresReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl slurm}: a MIG node as a Slurm node. */
@Command(
    name = "slurm",
    mixinStandardHelpOptions = true,
    description = {
      "A MIG node as a Slurm node: every MIG device a typed Slurm GPU.",
      "",
      "'slurm gres -o /etc/slurm' writes gres.conf, the NodeName line for slurm.conf's",
      "Include and the GPU map; 'slurm task-prolog' writes the TaskProlog that gives each",
      "task its slices' MIG UUIDs in CUDA_VISIBLE_DEVICES; 'slurm check' says where Slurm's",
      "view differs from the GPUs."
    },
    subcommands = {
      SlurmCommand.Gres.class,
      SlurmCommand.TaskProlog.class,
      SlurmCommand.Prolog.class,
      SlurmCommand.Epilog.class,
      SlurmCommand.Reshape.class,
      SlurmCommand.Check.class
    })
final class SlurmCommand implements Runnable {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code migctl slurm gres}. */
  @Command(
      name = "gres",
      mixinStandardHelpOptions = true,
      description = {
        "Slurm's view of the MIG layout as it is now.",
        "",
        "Without -o, prints gres.conf. With -o DIR, writes DIR/gres.conf, DIR/gres-node.conf",
        "(NodeName=<node> Gres=gpu:<type>:<count>,…: Include it in slurm.conf as the node's",
        "only NodeName line; put its CPUs and memory before it as NodeName=DEFAULT …) and",
        "DIR/gres-map.tsv (Slurm's GPU index -> MIG UUID, read by the task prolog).",
        "Regenerate them after every layout change, then restart slurmd."
      })
  static final class Gres implements Runnable {
    @ParentCommand SlurmCommand slurm;

    @Mixin NodeName node;

    @Option(
        names = "--types",
        paramLabel = "NAMING",
        description =
            "profile: NVIDIA's profile names (1g.5gb, 1c.3g.20gb); autodetect: the names Slurm's"
                + " AutoDetect=nvml gives (nvidia_a100_1g.5gb). Default: ${DEFAULT-VALUE}.")
    GresNaming types = GresNaming.PROFILE;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "DIR",
        description = "Write the three files into DIR, each atomically.")
    Path output;

    @Option(names = "--json", description = "Print the GPUs and files as JSON.")
    boolean json;

    @Override
    public void run() {
      GpuNode gpus = slurm.root.node();
      GresFiles files = new GresFiles(gpus.driver(), gpus.deviceNodes());
      String name = node.get();
      PrintWriter out = slurm.spec.commandLine().getOut();
      NodeGres gres;
      GresFiles.Written written = null;
      try {
        if (output == null) {
          gres = files.read(types);
          gres.nodeFragment(name);
        } else {
          written = files.write(output, name, types);
          gres = written.gres();
        }
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage(), e);
      }
      if (json) {
        Json.print(out, GresJson.of(name, types, gres, written));
      } else if (written == null) {
        out.print(gres.gresConf());
      } else {
        out.println(
            "wrote "
                + written.gresConf()
                + ", "
                + written.nodeFragment()
                + " and "
                + written.map()
                + ": "
                + gres.devices().size()
                + " GPUs for Slurm node "
                + name
                + " ("
                + String.join(
                    ",",
                    gres.typeCounts().entrySet().stream()
                        .map(e -> e.getKey() + ":" + e.getValue())
                        .toList())
                + ")");
      }
      out.flush();
    }
  }

  /** {@code --node NAME}: the Slurm node name, this host's short name when not given. */
  static final class NodeName {
    @Option(
        names = "--node",
        paramLabel = "NAME",
        description = "The Slurm node name (default: this host's short name).")
    String node;

    /** The name given, else this host's short name. */
    String get() {
      return node != null ? node : shortHostname();
    }

    static String shortHostname() {
      try {
        String host = InetAddress.getLocalHost().getHostName();
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
      } catch (UnknownHostException e) {
        throw new InvalidInputException(
            "cannot read this host's name (" + e.getMessage() + "): give the node with --node NAME",
            e);
      }
    }
  }

  /** {@code migctl slurm reshape}. */
  @Command(
      name = "reshape",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Change this Slurm node's MIG layout without breaking the cluster.",
        "",
        "Drains the node (reason: migctl reshape …), waits until no job runs on it, applies",
        "the config (busy-safe, journaled, as 'mig apply'), writes gres.conf, gres-node.conf and",
        "gres-map.tsv again, restarts the daemons in the order that avoids INVALID_REG (stop",
        "slurmd, restart slurmctld, start slurmd) and resumes the node. A refused apply leaves",
        "the node drained with the reason and the files as they were; a node that does not",
        "drain within --timeout is resumed unchanged. Every step is journaled in",
        "$MIGCTL_HOME/slurm/reshape.jsonl."
      })
  static final class Reshape implements Callable<Integer> {
    @ParentCommand SlurmCommand slurm;

    @Mixin MigCommand.ConfigChoice choice = new MigCommand.ConfigChoice();

    @Mixin NodeName node;

    @Option(
        names = "--gres-dir",
        paramLabel = "DIR",
        description = "Where the node's gres files live (default ${DEFAULT-VALUE}).")
    Path gresDir = Path.of("/etc/slurm");

    @Option(
        names = "--types",
        paramLabel = "NAMING",
        description = "profile or autodetect, as for 'slurm gres' (default ${DEFAULT-VALUE}).")
    GresNaming types = GresNaming.PROFILE;

    @Option(
        names = "--restart",
        paramLabel = "HOW",
        description = {
          "systemd: restart slurmd and slurmctld with systemctl, in order (default);",
          "print: migctl may not; it prints the steps and leaves the node drained until they ran."
        })
    RestartChoice restart = RestartChoice.systemd;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        description = "How long to wait for the node's jobs to end (default ${DEFAULT-VALUE}).")
    String timeout = "1h";

    @Option(names = "--dry-run", description = "Print the plan and the steps; change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** How the daemons are restarted. */
    enum RestartChoice {
      systemd,
      print
    }

    @Override
    public Integer call() {
      Duration wait;
      try {
        wait = Durations.parse(timeout);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(
            "--timeout " + timeout + ": " + e.getMessage() + "; write e.g. 30m or 2h", e);
      }
      String name = node.get();
      String file = choice.file;
      if (file == null) {
        throw new InvalidInputException(
            "no config file: give -f FILE (or -f - for standard input)");
      }
      CliContext context = slurm.root.context();
      MigPartedConfig parsed =
          MigPartedFiles.readConfig(
              InputFiles.read(file, context.stdin()), InputFiles.source(file));
      Optional<String> selected = Optional.ofNullable(choice.config);
      List<ConfigEntry> entries = MigCommand.inFile(file, () -> parsed.select(selected));
      String config = parsed.selectedName(selected);
      GpuNode gpus = slurm.root.node();
      Map<Integer, DesiredGpu> desired =
          MigCommand.inFile(
              file, () -> DesiredLayouts.resolve(entries, GpuSnapshot.readAll(gpus.driver())));
      PrintWriter out = slurm.spec.commandLine().getOut();
      PrintWriter err = slurm.spec.commandLine().getErr();
      Path slurmConf =
          Optional.ofNullable(context.environment().get("SLURM_CONF"))
              .filter(s -> !s.isBlank())
              .map(Path::of)
              .orElse(Path.of("/etc/slurm/slurm.conf"));
      SlurmController controller =
          new ScontrolSlurmController(
              slurm.root.tools(), Optional.of(slurmConf), Duration.ofMinutes(2));
      SlurmReshape reshape =
          new SlurmReshape(
              controller,
              gpus.driver(),
              gpus.deviceNodes(),
              new ApplyJournal(context.home().journal(), Clock.systemUTC()),
              ReshapeLog.file(context.home().slurmReshapes(), Clock.systemUTC()),
              () -> UUID.randomUUID().toString().substring(0, 8),
              Clock.systemUTC(),
              d -> {
                try {
                  Thread.sleep(d);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              line -> {
                if (!json) {
                  err.println("migctl: " + line);
                  err.flush();
                }
              });
      if (dryRun) {
        ApplyResult plan = reshape.plan(desired);
        if (json) {
          Json.print(
              out,
              new ReshapeJson(
                  "dry-run",
                  config,
                  name,
                  plan.plans().stream().map(p -> p.operations()).reduce(0, Integer::sum),
                  plan.refusals(),
                  DaemonRestart.systemd().steps().stream()
                      .map(DaemonRestart.Step::display)
                      .toList(),
                  "dry run: nothing was changed"));
        } else {
          out.println("dry run: reshape Slurm node " + name + " to config \"" + config + "\"");
          for (var p : plan.plans()) {
            out.println(
                "  GPU "
                    + p.gpu()
                    + ": "
                    + (p.isNoop() ? "as desired" : p.operations() + " operation(s)"));
          }
          for (String r : plan.refusals()) {
            out.println("  now refused (a job may hold it; draining ends jobs): " + r);
          }
          out.println(
              "steps: drain "
                  + name
                  + ", wait for its jobs, apply, write "
                  + gresDir
                  + "/{gres.conf,gres-node.conf,gres-map.tsv}, "
                  + String.join(
                      ", ",
                      DaemonRestart.systemd().steps().stream()
                          .map(DaemonRestart.Step::display)
                          .toList())
                  + ", resume");
          out.println("dry run: nothing was changed");
        }
        out.flush();
        return ExitCode.OK;
      }
      SlurmReshape.Result r =
          reshape.run(
              new SlurmReshape.Request(
                  name,
                  config,
                  desired,
                  gresDir,
                  types,
                  restart == RestartChoice.systemd
                      ? Optional.of(DaemonRestart.systemd())
                      : Optional.empty(),
                  DaemonRestart.systemd(),
                  wait,
                  Duration.ofSeconds(5)));
      List<String> manual = r.manualSteps().stream().map(DaemonRestart.Step::display).toList();
      if (json) {
        Json.print(
            out,
            new ReshapeJson(
                r.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                config,
                name,
                r.operations(),
                List.of(),
                manual,
                r.message()));
      } else {
        out.println(r.message());
        if (!manual.isEmpty()) {
          out.println("run, in this order:");
          manual.forEach(m -> out.println("  " + m));
          out.println("  scontrol update nodename=" + name + " state=resume");
        }
      }
      out.flush();
      return r.succeeded() ? ExitCode.OK : ExitCode.FAILURE;
    }
  }

  /** {@code slurm reshape --json}. */
  record ReshapeJson(
      String outcome,
      String config,
      String node,
      int operations,
      List<String> refused,
      List<String> restartSteps,
      String message) {}

  /** {@code slurm gres --json}. */
  record GresJson(String node, String types, FilesJson files, List<DeviceJson> devices) {
    static GresJson of(String node, GresNaming types, NodeGres gres, GresFiles.Written written) {
      FilesJson files =
          written == null
              ? null
              : new FilesJson(
                  written.gresConf().toString(),
                  written.nodeFragment().toString(),
                  written.map().toString());
      return new GresJson(
          node, types.word(), files, gres.devices().stream().map(DeviceJson::of).toList());
    }
  }

  /** Where {@code slurm gres -o} wrote. */
  record FilesJson(String gresConf, String nodeFragment, String map) {}

  /** One Slurm GPU; {@code gi} and {@code ci} are null for a whole GPU. */
  record DeviceJson(
      int index, String type, String uuid, int gpu, Integer gi, Integer ci, List<String> files) {
    static DeviceJson of(GresDevice d) {
      return new DeviceJson(
          d.index(),
          d.type(),
          d.uuid(),
          d.gpu(),
          d.isMigDevice() ? d.gpuInstance().getAsInt() : null,
          d.isMigDevice() ? d.computeInstance().getAsInt() : null,
          d.files());
    }
  }

  /** What the script subcommands share: the map's path and where the script goes. */
  abstract static class Script implements Runnable {
    @ParentCommand SlurmCommand slurm;

    @Option(
        names = "--map",
        paramLabel = "FILE",
        description = "The GPU map 'slurm gres -o' writes, baked in (default: ${DEFAULT-VALUE}).")
    Path map = Path.of(SlurmScripts.DEFAULT_MAP);

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Write the script here (mode 0755, atomically); default: standard output.")
    Path output;

    /** The script's text for an absolute map path. */
    abstract String text(String map);

    @Override
    public void run() {
      String text = text(absolute(map, "--map"));
      PrintWriter out = slurm.spec.commandLine().getOut();
      if (output == null) {
        out.print(text);
      } else {
        try {
          AtomicFiles.writeScript(output, text);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write " + output + ": " + e.getMessage(), e);
        }
        out.println("wrote " + output);
      }
      out.flush();
    }

    /** {@code path} as text; Slurm runs the scripts from no particular folder. */
    static String absolute(Path path, String option) {
      if (!path.isAbsolute()) {
        throw new InvalidInputException(
            option
                + " "
                + path
                + " is relative: the script runs from Slurm's folder, not this"
                + " one; give an absolute path");
      }
      return path.toString();
    }
  }

  /** {@code migctl slurm task-prolog}. */
  @Command(
      name = "task-prolog",
      mixinStandardHelpOptions = true,
      description = {
        "Write the TaskProlog that gives each task its slices' MIG UUIDs.",
        "",
        "A POSIX sh script: it sets CUDA_VISIBLE_DEVICES and NVIDIA_VISIBLE_DEVICES to the",
        "task's MIG UUIDs, in Slurm's order, from SLURM_STEP_GPUS (else SLURM_JOB_GPUS) and",
        "the GPU map. slurm.conf: TaskProlog=<the file>."
      })
  static final class TaskProlog extends Script {
    @Override
    String text(String map) {
      return SlurmScripts.taskProlog(map);
    }
  }

  /** What the prolog and epilog share: the DCGM folder. */
  abstract static class DcgmScript extends Script {
    @Option(
        names = "--dcgm-job-mapping-dir",
        paramLabel = "DIR",
        required = true,
        description = "DCGM exporter's HPC job-mapping folder (DCGM_HPC_JOB_MAPPING_DIR).")
    Path dcgmDir;

    /** The script's text for absolute map and DCGM folder paths. */
    abstract String text(String map, String dcgm);

    @Override
    String text(String map) {
      return text(map, absolute(dcgmDir, "--dcgm-job-mapping-dir"));
    }
  }

  /** {@code migctl slurm prolog}. */
  @Command(
      name = "prolog",
      mixinStandardHelpOptions = true,
      description = {
        "Write the Prolog that maps the job's GPUs to it for DCGM exporter.",
        "",
        "A POSIX sh script: it writes DCGM's job-mapping files (<gpu>.<gi> -> job id) for the",
        "job's GPUs, as 'serve --dcgm-job-mapping-dir' does. slurm.conf: Prolog=<the file>.",
        "It never fails (a failing Prolog drains the node)."
      })
  static final class Prolog extends DcgmScript {
    @Override
    String text(String map, String dcgm) {
      return SlurmScripts.prolog(map, dcgm);
    }
  }

  /** {@code migctl slurm epilog}. */
  @Command(
      name = "epilog",
      mixinStandardHelpOptions = true,
      description = {
        "Write the Epilog that removes the job's DCGM job-mapping files.",
        "",
        "A POSIX sh script; slurm.conf: Epilog=<the file>."
      })
  static final class Epilog extends DcgmScript {
    @Override
    String text(String map, String dcgm) {
      return SlurmScripts.epilog(map, dcgm);
    }
  }

  /** {@code migctl slurm check}. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Says where Slurm's view of this node differs from its GPUs.",
        "",
        "Compares the live layout with the records slurmd reads (slurmd -G), the controller's",
        "Gres= (scontrol show node) and, with --map, the GPU map. A slice in no gres.conf",
        "record is NOT PROTECTED by ConstrainDevices: any job on the node can open it.",
        "Changes nothing.",
        "Exit status: 0 when Slurm and the GPUs agree, 1 when anything differs or Slurm",
        "cannot be asked, 2 for bad input."
      })
  static final class Check implements Callable<Integer> {
    private static final Duration SLURM_LIMIT = Duration.ofMinutes(1);

    @ParentCommand SlurmCommand slurm;

    @Mixin NodeName node;

    @Option(
        names = "--conf",
        paramLabel = "FILE",
        description = "slurm.conf (default: $SLURM_CONF, else /etc/slurm/slurm.conf).")
    Path conf;

    @Option(
        names = "--map",
        paramLabel = "FILE",
        description = "Also check the GPU map 'slurm gres -o' wrote (gres-map.tsv).")
    Path map;

    @Option(
        names = "--types",
        paramLabel = "NAMING",
        description =
            "How the files name the types: profile or autodetect, as 'slurm gres --types'."
                + " Default: ${DEFAULT-VALUE}.")
    GresNaming types = GresNaming.PROFILE;

    @Option(names = "--json", description = "Print the findings as JSON.")
    boolean json;

    @Override
    public Integer call() {
      CliContext context = slurm.root.context();
      Path slurmConf = slurmConf(context);
      String name = node.get();
      GpuNode gpus = slurm.root.node();
      SlurmCheck check =
          new SlurmCheck(
              new GresFiles(gpus.driver(), gpus.deviceNodes()),
              new ScontrolSlurmController(slurm.root.tools(), Optional.of(slurmConf), SLURM_LIMIT),
              new SlurmdGresReader(
                  slurm.root.tools(),
                  SlurmdGresReader.locate(context.environment().getOrDefault("PATH", "")),
                  SLURM_LIMIT));
      SlurmCheck.Report report;
      try {
        report = check.check(name, slurmConf, Optional.ofNullable(map), types);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage(), e);
      }
      PrintWriter out = slurm.spec.commandLine().getOut();
      if (json) {
        Json.print(out, CheckJson.of(report, slurmConf, map, types));
      } else {
        print(out, report);
      }
      out.flush();
      return report.findings().isEmpty() ? ExitCode.OK : ExitCode.FAILURE;
    }

    private Path slurmConf(CliContext context) {
      String source = "--conf";
      Path file = conf;
      if (file == null) {
        String env = context.environment().getOrDefault("SLURM_CONF", "");
        source = env.isBlank() ? "the default slurm.conf" : "SLURM_CONF";
        file = Path.of(env.isBlank() ? "/etc/slurm/slurm.conf" : env);
      }
      if (!Files.isRegularFile(file)) {
        throw new InvalidInputException(
            source
                + " "
                + file
                + " is not a file: give the node's slurm.conf with --conf FILE or SLURM_CONF");
      }
      return file;
    }

    private static void print(PrintWriter out, SlurmCheck.Report report) {
      if (report.findings().isEmpty()) {
        out.println(
            "Slurm node "
                + report.node()
                + " agrees with its GPUs: "
                + report.live().devices().size()
                + " Slurm GPUs ("
                + (report.controllerGres().isEmpty() ? "none" : report.controllerGres())
                + "), each in gres.conf once, with its type.");
        return;
      }
      out.println(
          "Slurm node "
              + report.node()
              + " differs from its GPUs ("
              + report.findings().size()
              + (report.findings().size() == 1 ? " finding" : " findings")
              + "):");
      for (GresFinding f : report.findings()) {
        out.println(String.format(Locale.ROOT, "%-8s  %s", f.severity(), f.message()));
      }
    }
  }

  /** {@code slurm check --json}. */
  record CheckJson(
      String node,
      String conf,
      String map,
      String types,
      String controllerGres,
      boolean agrees,
      List<FindingJson> findings) {
    static CheckJson of(SlurmCheck.Report report, Path conf, Path map, GresNaming types) {
      return new CheckJson(
          report.node(),
          conf.toString(),
          map == null ? null : map.toString(),
          types.word(),
          report.controllerGres(),
          report.findings().isEmpty(),
          report.findings().stream().map(FindingJson::of).toList());
    }
  }

  /** One finding; severity and kind in lower case with dashes ({@code not-protected}). */
  record FindingJson(String severity, String kind, String device, String message) {
    static FindingJson of(GresFinding f) {
      return new FindingJson(
          f.severity().name().toLowerCase(Locale.ROOT),
          f.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
          f.device(),
          f.message());
    }
  }
}
