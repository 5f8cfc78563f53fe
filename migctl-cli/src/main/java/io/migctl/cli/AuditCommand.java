package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl audit}: the daemon's append-only log of who asked for which change. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Show the audit log: every change asked of the daemon, oldest first, with who asked.",
      "",
      "Submissions, cancels, tenant changes and tokens, environment builds and layout changes",
      "are logged before they are made. Needs the operator's token."
    })
final class AuditCommand implements Callable<Integer> {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Option(
      names = "--after",
      paramLabel = "SEQ",
      description = "Only lines after this sequence number.")
  long after;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "At most N lines (default ${DEFAULT-VALUE}).")
  int limit = 1000;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (after < 0 || limit < 1) {
      throw new InvalidInputException("--after is 0 or more and --limit 1 or more");
    }
    JsonNode lines = root.daemon().get("/api/v1/audit?after=" + after + "&limit=" + limit);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json.print(out, lines);
      return ExitCode.OK;
    }
    out.println(table(lines));
    out.flush();
    return ExitCode.OK;
  }

  static String table(JsonNode lines) {
    String format = "%-6s %-30s %-16s %-14s %-20s %s%n";
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(Locale.ROOT, format, "SEQ", "AT", "ACTOR", "ACTION", "TARGET", "DETAIL"));
    for (JsonNode l : lines) {
      b.append(
          String.format(
              Locale.ROOT,
              format,
              l.get("seq").asText(),
              l.get("at").asText(),
              l.get("actor").asText(),
              l.get("action").asText(),
              l.get("target").asText(),
              l.get("detail").asText()));
    }
    return b.toString().stripTrailing();
  }
}
