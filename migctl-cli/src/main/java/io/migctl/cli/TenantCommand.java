package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code migctl tenant}: the tenants sharing the node, their limits and tokens. Every subcommand
 * asks the daemon (with the operator's token; a tenant may {@code show} itself).
 */
@Command(
    name = "tenant",
    mixinStandardHelpOptions = true,
    description = {
      "Manage the tenants that share this node: their limits, weight and tokens.",
      "",
      "A tenant's token acts for that tenant only: it sees and cancels its own jobs alone.",
      "The operator's token ($MIGCTL_HOME/token) manages tenants and may act for any tenant."
    },
    subcommands = {
      TenantCommand.Add.class,
      TenantCommand.ListTenants.class,
      TenantCommand.Show.class,
      TenantCommand.Set.class,
      TenantCommand.Remove.class,
      TenantCommand.Token.class
    })
final class TenantCommand implements Runnable {

  static final String PATH = "/api/v1/tenants";

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  DaemonClient daemon() {
    return root.daemon();
  }

  static String path(String name) {
    return PATH + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
  }

  /** Prints a tenant as JSON or as {@code key: value} lines. */
  static void print(PrintWriter out, JsonNode tenant, boolean json) {
    if (json) {
      Json.print(out, tenant);
      return;
    }
    for (Map.Entry<String, JsonNode> e : tenant.properties()) {
      out.printf(Locale.ROOT, "%-16s %s%n", e.getKey() + ":", text(e.getValue()));
    }
    out.flush();
  }

  private static String text(JsonNode v) {
    return v == null || v.isNull() ? "-" : v.asText();
  }

  /** The tenant table, one line a tenant; "-" is no limit. */
  static String table(JsonNode tenants) {
    String format = "%-20s %-12s %6s %10s %14s %11s %10s %s%n";
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            format,
            "NAME",
            "USER",
            "WEIGHT",
            "MAX-SLICES",
            "MAX-GPU-MEMORY",
            "MAX-RUNNING",
            "MAX-QUEUED",
            "JOB DEFAULTS"));
    for (JsonNode t : tenants) {
      List<String> defaults = new ArrayList<>();
      if (t.hasNonNull("jobMemoryMiB")) {
        defaults.add("memory " + t.get("jobMemoryMiB").asText() + "MiB");
      }
      if (t.hasNonNull("jobCpus")) {
        defaults.add("cpus " + t.get("jobCpus").asText());
      }
      if (t.hasNonNull("jobMaxProcs")) {
        defaults.add("max-procs " + t.get("jobMaxProcs").asText());
      }
      b.append(
          String.format(
              Locale.ROOT,
              format,
              t.get("name").asText(),
              text(t.get("user")),
              t.get("weight").asText(),
              text(t.get("maxSlices")),
              t.hasNonNull("maxGpuMemoryMiB") ? t.get("maxGpuMemoryMiB").asText() + "MiB" : "-",
              text(t.get("maxRunning")),
              text(t.get("maxQueued")),
              defaults.isEmpty() ? "-" : String.join(", ", defaults)));
    }
    return b.toString().stripTrailing();
  }

  /**
   * The limits {@code add} and {@code set} take. In {@code set}, {@code none} clears a limit (and
   * the user, and the weight back to 1).
   */
  static final class Limits {
    @Option(
        names = "--user",
        paramLabel = "UNIX_USER",
        description = "The Unix user its jobs run as when the daemon runs as root.")
    String user;

    @Option(
        names = "--max-slices",
        paramLabel = "N",
        description = "Compute slices its running jobs may hold at once.")
    String maxSlices;

    @Option(
        names = "--max-gpu-memory",
        paramLabel = "SIZE",
        description = "GPU memory its running jobs may hold, e.g. 40GiB.")
    String maxGpuMemory;

    @Option(
        names = "--max-running",
        paramLabel = "N",
        description = "Jobs it may have running at once.")
    String maxRunning;

    @Option(
        names = "--max-queued",
        paramLabel = "N",
        description = "Jobs it may have queued; more are refused.")
    String maxQueued;

    @Option(
        names = "--weight",
        paramLabel = "W",
        description = "Its share against other tenants with queued work, 1 to 1000 (default 1).")
    String weight;

    @Option(
        names = "--job-memory",
        paramLabel = "SIZE",
        description = "Host memory of its jobs that set none, e.g. 16GiB.")
    String jobMemory;

    @Option(
        names = "--job-cpus",
        paramLabel = "N",
        description = "CPU cores of its jobs that set none, e.g. 4 or 0.5.")
    String jobCpus;

    @Option(
        names = "--job-max-procs",
        paramLabel = "N",
        description = "Processes of its jobs that set none.")
    String jobMaxProcs;

    /**
     * The request body: each given option under its API name, {@code none} under {@code clear}.
     *
     * @throws InvalidInputException for a count that is not a whole number, or {@code none} where
     *     nothing can be cleared
     */
    Map<String, Object> body(boolean mayClear) {
      Map<String, Object> body = new LinkedHashMap<>();
      List<String> clear = new ArrayList<>();
      put(body, clear, mayClear, "user", "--user", user, false);
      put(body, clear, mayClear, "maxSlices", "--max-slices", maxSlices, true);
      put(body, clear, mayClear, "maxGpuMemory", "--max-gpu-memory", maxGpuMemory, false);
      put(body, clear, mayClear, "maxRunning", "--max-running", maxRunning, true);
      put(body, clear, mayClear, "maxQueued", "--max-queued", maxQueued, true);
      put(body, clear, mayClear, "weight", "--weight", weight, true);
      put(body, clear, mayClear, "jobMemory", "--job-memory", jobMemory, false);
      put(body, clear, mayClear, "jobMaxProcs", "--job-max-procs", jobMaxProcs, true);
      if (jobCpus != null && !isNone(jobCpus)) {
        try {
          body.put("jobCpus", Double.parseDouble(jobCpus.strip()));
        } catch (NumberFormatException e) {
          throw new InvalidInputException(
              "--job-cpus " + jobCpus + ": not a number of cores; write e.g. 4 or 0.5");
        }
      } else {
        put(body, clear, mayClear, "jobCpus", "--job-cpus", jobCpus, false);
      }
      if (!clear.isEmpty()) {
        body.put("clear", clear);
      }
      return body;
    }

    private static void put(
        Map<String, Object> body,
        List<String> clear,
        boolean mayClear,
        String field,
        String option,
        String value,
        boolean whole) {
      if (value == null) {
        return;
      }
      if (isNone(value)) {
        if (!mayClear) {
          throw new InvalidInputException(
              option + " none: a new tenant has no limit unless given one; leave the option out");
        }
        clear.add(field);
        return;
      }
      if (!whole) {
        body.put(field, value.strip());
        return;
      }
      try {
        body.put(field, Integer.parseInt(value.strip()));
      } catch (NumberFormatException e) {
        throw new InvalidInputException(
            option
                + " "
                + value
                + ": not a whole number; give one"
                + (mayClear ? ", or none to remove the limit" : ""));
      }
    }

    private static boolean isNone(String value) {
      return value.strip().equalsIgnoreCase("none");
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Add a tenant; limits left out are no limit.")
  static final class Add implements Runnable {
    @ParentCommand TenantCommand tenant;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The tenant's name, e.g. alice.")
    String name;

    @Mixin Limits limits = new Limits();

    @Option(names = "--json", description = "Print the tenant as JSON.")
    boolean json;

    @Override
    public void run() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.putAll(limits.body(false));
      print(spec.commandLine().getOut(), tenant.daemon().post(PATH, body), json);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tenants.")
  static final class ListTenants implements Runnable {
    @ParentCommand TenantCommand tenant;
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public void run() {
      JsonNode all = tenant.daemon().get(PATH);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Json.print(out, all);
        return;
      }
      out.println(table(all));
      out.flush();
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one tenant.")
  static final class Show implements Runnable {
    @ParentCommand TenantCommand tenant;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The tenant.")
    String name;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public void run() {
      print(spec.commandLine().getOut(), tenant.daemon().get(path(name)), json);
    }
  }

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Change a tenant's limits; only the options given change.",
        "",
        "'none' removes a limit (or the user; for --weight it means the default, 1)."
      })
  static final class Set implements Runnable {
    @ParentCommand TenantCommand tenant;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The tenant.")
    String name;

    @Mixin Limits limits = new Limits();

    @Option(names = "--json", description = "Print the tenant as JSON.")
    boolean json;

    @Override
    public void run() {
      Map<String, Object> body = limits.body(true);
      if (body.isEmpty()) {
        throw new InvalidInputException(
            "tenant set " + name + ": nothing to change; give an option such as --max-slices 2");
      }
      print(spec.commandLine().getOut(), tenant.daemon().send("PATCH", path(name), body), json);
    }
  }

  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = {
        "Remove a tenant and revoke its tokens.",
        "",
        "Refused while it has jobs queued or running: cancel them first."
      })
  static final class Remove implements Runnable {
    @ParentCommand TenantCommand tenant;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The tenant.")
    String name;

    @Option(names = "--json", description = "Print the removed tenant as JSON.")
    boolean json;

    @Override
    public void run() {
      JsonNode removed = tenant.daemon().send("DELETE", path(name), null);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Json.print(out, removed);
        return;
      }
      out.println("tenant " + name + " removed; its tokens no longer open the API");
      out.flush();
    }
  }

  @Command(
      name = "token",
      mixinStandardHelpOptions = true,
      description = {
        "Make a new token for a tenant and print it, once: only its SHA-256 is kept.",
        "",
        "The tenant gives it to migctl as MIGCTL_TOKEN or with --token-file FILE."
      })
  static final class Token implements Runnable {
    @ParentCommand TenantCommand tenant;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The tenant.")
    String name;

    @Option(names = "--rotate", description = "Revoke the tenant's older tokens.")
    boolean rotate;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public void run() {
      JsonNode issued = tenant.daemon().post(path(name) + "/token", Map.of("rotate", rotate));
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Json.print(out, issued);
        return;
      }
      out.println(issued.get("token").asText());
      out.flush();
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "migctl: the token of tenant "
              + name
              + " above is shown only this once"
              + (rotate ? "; its older tokens are revoked" : "")
              + ". Keep it in a file only its user can read and use --token-file FILE.");
      err.flush();
    }
  }
}
