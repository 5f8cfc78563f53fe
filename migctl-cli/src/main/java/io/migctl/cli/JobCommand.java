package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl job ID}: one job and its history. */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description = "Show one job: its spec, MIG device, outcome, and every event of its history.")
final class JobCommand implements Callable<Integer> {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The job's id.")
  long id;

  @Option(names = "--json", description = "Print JSON: the job with an 'events' list.")
  boolean json;

  @Override
  public Integer call() {
    DaemonClient client = root.daemon();
    JsonNode job = client.get("/api/v1/jobs/" + id);
    JsonNode events = client.get("/api/v1/jobs/" + id + "/events");
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode both = ((ObjectNode) job).deepCopy();
      both.set("events", events);
      Json.print(out, both);
      return ExitCode.OK;
    }
    for (Map.Entry<String, JsonNode> f : job.properties()) {
      JsonNode v = f.getValue();
      String text = v.isValueNode() ? v.asText() : v.toString();
      out.printf("%-22s %s%n", f.getKey(), text);
    }
    out.println();
    out.println("history:");
    for (JsonNode e : events) {
      out.printf(
          "  %-5s %s  %-9s -> %-9s %s%n",
          e.get("seq").asText(),
          e.get("at").asText(),
          e.get("from").asText(),
          e.get("to").asText(),
          e.get("detail").asText());
    }
    out.flush();
    return ExitCode.OK;
  }
}
