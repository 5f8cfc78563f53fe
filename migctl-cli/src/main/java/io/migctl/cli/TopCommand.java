package io.migctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.Display;
import org.jline.utils.NonBlockingReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl top}: the node's slices, jobs and queue, live. */
@Command(
    name = "top",
    mixinStandardHelpOptions = true,
    description = {
      "Show a live view of the daemon's node.",
      "",
      "Per GPU its memory slices with each MIG instance drawn where it sits and the job on it,",
      "each instance's memory use, and the queue with the reason each job waits. q or Ctrl-C",
      "quits."
    })
final class TopCommand implements Callable<Integer> {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Option(names = "--once", description = "Print one frame and exit (for scripts).")
  boolean once;

  @Option(names = "--json", description = "Print one snapshot as JSON and exit.")
  boolean json;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      description = "Seconds between frames (default ${DEFAULT-VALUE}).")
  double interval = 1.0;

  @Override
  public Integer call() throws InterruptedException {
    if (interval < 0.2 || interval > 3600) {
      throw new InvalidInputException("--interval " + interval + ": use 0.2 to 3600 seconds");
    }
    DaemonClient client = root.daemon();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json.print(out, snapshot(client));
      return ExitCode.OK;
    }
    if (once) {
      render(client, 120).forEach(out::println);
      out.flush();
      return ExitCode.OK;
    }
    try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
      if (Terminal.TYPE_DUMB.equals(terminal.getType())) {
        render(client, 120).forEach(out::println);
        out.flush();
        return ExitCode.OK;
      }
      Attributes saved = terminal.enterRawMode();
      try {
        live(client, terminal);
      } finally {
        terminal.setAttributes(saved);
        terminal.writer().println();
        terminal.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the terminal: " + e.getMessage(), e);
    }
    return ExitCode.OK;
  }

  private void live(DaemonClient client, Terminal terminal) throws IOException {
    Display display = new Display(terminal, true);
    NonBlockingReader keys = terminal.reader();
    while (true) {
      display.resize(terminal.getSize());
      List<String> lines = render(client, terminal.getColumns());
      if (lines.size() > terminal.getRows() - 1) {
        lines = lines.subList(0, Math.max(1, terminal.getRows() - 1));
      }
      display.updateAnsi(lines, -1);
      terminal.flush();
      int c = keys.read((long) (interval * 1000));
      if (c == 'q' || c == 'Q' || c == 3 || c == NonBlockingReader.EOF) {
        return;
      }
    }
  }

  private static List<String> render(DaemonClient client, int width) {
    JsonNode gpus = client.get("/api/v1/gpus");
    JsonNode telemetry = client.get("/api/v1/telemetry");
    JsonNode jobs = client.get(UNFINISHED);
    return TopView.render(gpus, telemetry, jobs, width, Instant.now());
  }

  private static ObjectNode snapshot(DaemonClient client) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.set("gpus", client.get("/api/v1/gpus"));
    n.set("telemetry", client.get("/api/v1/telemetry"));
    n.set("jobs", client.get(UNFINISHED));
    return n;
  }

  private static final String UNFINISHED =
      "/api/v1/jobs?state=queued,starting,running,stopping&limit=500";
}
