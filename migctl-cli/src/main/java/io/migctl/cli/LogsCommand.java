package io.migctl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code migctl logs ID [-f]}: a job's output. */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = "Print a job's output; with -f, keep printing until the job finishes.")
final class LogsCommand implements Callable<Integer> {

  @ParentCommand MigctlCommand root;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The job's id.")
  long id;

  @Option(
      names = {"-f", "--follow"},
      description = "Stream the output until the job finishes.")
  boolean follow;

  @Option(names = "--stderr", description = "Standard error instead of standard output.")
  boolean stderr;

  @Option(
      names = "--attempt",
      paramLabel = "N",
      description = "An earlier attempt (default: the latest).")
  Integer attempt;

  @Override
  public Integer call() {
    String path =
        "/api/v1/jobs/"
            + id
            + "/logs?stream="
            + (stderr ? "stderr" : "stdout")
            + (follow ? "&follow=true" : "")
            + (attempt != null ? "&attempt=" + attempt : "");
    java.io.PrintWriter out = spec.commandLine().getOut();
    try (InputStream in = root.daemon().stream(path);
        java.io.Reader reader =
            new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8)) {
      char[] buffer = new char[8192];
      int n;
      while ((n = reader.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the log stream broke: " + e.getMessage(), e);
    }
    return ExitCode.OK;
  }
}
