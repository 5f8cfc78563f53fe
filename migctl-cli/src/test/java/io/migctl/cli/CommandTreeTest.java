package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.process.SystemToolRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An invocation builds only the subcommand it names (issue 18: start-up), and still every one where
 * help lists them or a typo needs a suggestion.
 */
class CommandTreeTest {

  @TempDir Path home;

  private List<String> subcommandsFor(String... args) {
    StringWriter sink = new StringWriter();
    CommandLine cl =
        Main.commandLine(
            new CliContext(Map.of("MIGCTL_HOME", home.toString()), home),
            new SystemToolRunner(),
            new PrintWriter(sink),
            new PrintWriter(sink),
            args);
    return List.copyOf(cl.getSubcommands().keySet());
  }

  @Test
  void everyNameIsTheOneItsCommandDeclares() {
    for (String name : Main.SUBCOMMANDS) {
      assertThat(new CommandLine(Main.subcommand(name)).getCommandName()).isEqualTo(name);
    }
  }

  @Test
  void aNamedSubcommandIsTheOnlyOneBuiltAfterRootOptionsAndTheirValues() {
    assertThat(subcommandsFor("--simulate", "a100-40gb:2", "gpus", "--json"))
        .containsExactly("gpus");
    assertThat(subcommandsFor("--driver", "sim", "--token-file", "t", "jobs"))
        .containsExactly("jobs");
    assertThat(subcommandsFor("--simulate=h200", "profiles")).containsExactly("profiles");
  }

  @Test
  void versionNeedsNoSubcommand() {
    assertThat(subcommandsFor("--version")).isEmpty();
    assertThat(subcommandsFor("-V")).isEmpty();
  }

  @Test
  void helpNoArgumentsAndTyposGetEverySubcommand() {
    assertThat(subcommandsFor()).containsExactlyElementsOf(Main.SUBCOMMANDS);
    assertThat(subcommandsFor("--help")).containsExactlyElementsOf(Main.SUBCOMMANDS);
    assertThat(subcommandsFor("gpsu")).containsExactlyElementsOf(Main.SUBCOMMANDS);
    assertThat(subcommandsFor("--", "gpus")).containsExactlyElementsOf(Main.SUBCOMMANDS);
  }

  @Test
  void simKeepsReplaysOldName() {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    assertThat(migctl.run("sim", "--trace", "--help").out()).contains("--cluster");
  }

  @Test
  void theTrainingRunsOfTheAotCacheEndAsExpected() throws Exception {
    AotTraining.train(home);
  }

  @Test
  void theStandInDaemonsJobsReadAsARunningAndAQueuedJob() throws Exception {
    com.fasterxml.jackson.databind.JsonNode jobs =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(AotTraining.TWO_JOBS);

    List<String> lines =
        JobsCommand.table(jobs, java.time.Instant.parse("2026-12-07T06:00:00Z")).lines().toList();

    assertThat(lines).hasSize(3);
    assertThat(lines.get(1)).contains("train", "running", "MIG-bb3721af");
    assertThat(lines.get(2)).contains("big", "queued", "no MIG device in the current layout");
  }
}
