package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one-line summary of every command, which {@code --help} lists beside its name, is a whole
 * sentence: its first description line ends with a full stop and a blank line (or nothing) follows,
 * so the list never shows a sentence cut off.
 */
class HelpSummaryTest {

  @TempDir Path home;

  private List<CommandSpec> everyCommand() {
    StringWriter sink = new StringWriter();
    CommandLine root =
        Main.commandLine(
            new CliContext(Map.of("MIGCTL_HOME", home.toString()), home),
            new PrintWriter(sink),
            new PrintWriter(sink));
    List<CommandSpec> out = new ArrayList<>();
    walk(root.getCommandSpec(), out, Collections.newSetFromMap(new IdentityHashMap<>()));
    return out;
  }

  private static void walk(CommandSpec spec, List<CommandSpec> out, Set<CommandSpec> seen) {
    if (!seen.add(spec)) {
      return; // an alias of a command already walked
    }
    out.add(spec);
    spec.subcommands().values().forEach(sub -> walk(sub.getCommandSpec(), out, seen));
  }

  @Test
  void everyCommandsSummaryIsACompleteSentence() {
    List<CommandSpec> commands = everyCommand();
    List<String> cut = new ArrayList<>();
    for (CommandSpec spec : commands) {
      String[] lines = spec.usageMessage().description();
      String first = lines.length == 0 ? "" : lines[0];
      boolean endsASentence = first.endsWith(".");
      boolean standsAlone = lines.length < 2 || lines[1].isBlank();
      if (first.isBlank() || !endsASentence || !standsAlone) {
        cut.add(spec.qualifiedName() + ": \"" + first + "\"");
      }
    }

    assertThat(commands).hasSizeGreaterThan(30);
    assertThat(cut).as("summaries cut mid-sentence").isEmpty();
  }
}
