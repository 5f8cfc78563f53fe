package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl cancel ID}. */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = {
      "Cancel a job.",
      "",
      "A queued job is cancelled at once; a running one gets SIGTERM on its process group,",
      "then SIGKILL after the daemon's grace period."
    })
final class CancelCommand implements Callable<Integer> {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The job's id.")
  long id;

  @Option(names = "--json", description = "Print the job as JSON.")
  boolean json;

  @Override
  public Integer call() {
    JsonNode job = root.daemon().post("/api/v1/jobs/" + id + "/cancel", Map.of());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json.print(out, job);
    } else {
      out.println("job " + id + " " + job.get("state").asText());
      out.flush();
    }
    return ExitCode.OK;
  }
}
