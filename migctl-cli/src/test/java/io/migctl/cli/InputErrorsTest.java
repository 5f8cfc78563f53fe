package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Bad input on the command line (issue 13, items 13 and 17): every refusal is one line naming the
 * file and what is wrong, exit 2, never a stack trace or Java's own text; with {@code --json} also
 * an error document on standard output.
 */
class InputErrorsTest {

  private static final String DEEP = "[".repeat(5000) + "]".repeat(5000);

  @TempDir Path home;
  @TempDir Path dir;

  private Invocations migctl() {
    return new Invocations(home, Map.of("MIGCTL_SIMULATE", "a100-40gb:1"));
  }

  private String write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file.toString();
  }

  /** One line on standard error, naming the problem, with nothing of Java's in it. */
  private static void assertOneLineRefusal(Invocations.Result r, int code, String message) {
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(code);
    assertThat(r.err()).startsWith("migctl: " + message);
    assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("java.");
  }

  @Test
  void deeplyNestedYamlIsRefusedByEveryYamlCommand() throws IOException {
    String config = write("deep.yaml", "version: v1\nmig-configs:\n  a: " + DEEP + "\n");
    String workload = write("deep.yml", "version: v1\nname: deep\njobs: " + DEEP + "\n");
    assertOneLineRefusal(
        migctl().run("mig", "apply", "-f", config),
        2,
        config + ": nested more than 64 levels deep (line 3, column ");
    assertOneLineRefusal(
        migctl().run("mig", "plan", "--workload", workload),
        2,
        workload + ": nested more than 64 levels deep (line 3, column ");
    assertOneLineRefusal(
        migctl().run("up", workload, "--exit-when-done"),
        2,
        workload + ": nested more than 64 levels deep (line 3, column ");
    assertThat(home.resolve("migctl.db")).doesNotExist();
  }

  @Test
  void aControlCharacterIsRefusedAtItsPlaceByEveryYamlCommand() throws IOException {
    String config = write("bell.yaml", "version: v1\nmig-configs:\n  all-\u0007x: []\n");
    String workload = write("bell.yml", "version: v1\njobs: []\nname: de\u0007mo\n");
    String env = write("environment.yml", "name: x\ndependencies:\n  - num\u0007py\n");
    assertOneLineRefusal(
        migctl().run("mig", "apply", "-f", config),
        2,
        config + ":3:7: the control character U+0007 is not allowed in YAML");
    assertOneLineRefusal(
        migctl().run("mig", "plan", "--workload", workload),
        2,
        workload + ":3:9: is not valid YAML (the control character U+0007 is not allowed in YAML)");
    assertOneLineRefusal(
        migctl().run("env", "check", "-f", env),
        2,
        env
            + ":3: file: has the control character U+0007 at column 8, which is not allowed in YAML");
  }

  @Test
  void textThatIsNotUtf8SaysWhereItStops() throws IOException {
    Path binary = dir.resolve("bin.yaml");
    Files.write(binary, new byte[] {'v', 'e', 'r', ':', ' ', (byte) 0xff, (byte) 0xfe, 0, 1});
    assertOneLineRefusal(
        migctl().run("mig", "apply", "-f", binary.toString()),
        2,
        binary + ": not UTF-8 text at byte 5");
    assertOneLineRefusal(
        migctl().runWithBytes(new byte[] {'x', (byte) 0xc3}, "mig", "apply", "-f", "-"),
        2,
        "<stdin>: not UTF-8 text at byte 1");
  }

  @Test
  void errorsFoundAgainstTheGpusKeepTheFilesName() throws IOException {
    String config =
        write(
            "two.yaml",
            """
            version: v1
            mig-configs:
              two:
                - devices: all
                  mig-enabled: true
                  mig-devices: {"7g.40gb": 2}
            """);
    assertOneLineRefusal(
        migctl().run("mig", "apply", "-f", config, "--dry-run"),
        2,
        config + ": mig-configs.two[0].mig-devices: ");
    assertOneLineRefusal(
        migctl().run("mig", "apply", "-f", config, "-c", "nope"),
        2,
        config + ": mig-configs: there is no config \"nope\"; the file has two");
  }

  @Test
  void withJsonAnErrorIsAlsoADocumentOnStandardOutput() throws IOException {
    String config = write("deep.yaml", "version: v1\nmig-configs:\n  a: " + DEEP + "\n");
    Invocations.Result r = migctl().run("mig", "apply", "-f", config, "--json");
    assertOneLineRefusal(r, 2, config + ": nested more than 64 levels");
    JsonNode doc = r.json();
    assertThat(doc.get("exitCode").asInt()).isEqualTo(2);
    assertThat(doc.get("error").get("code").asText()).isEqualTo("invalid-input");
    assertThat(doc.get("error").get("message").asText())
        .startsWith(config + ": nested more than 64 levels");

    Invocations.Result unknown = migctl().run("gpus", "--json", "--nonsense");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.json().get("error").get("code").asText()).isEqualTo("invalid-input");
  }

  /** A command that fails as a bug would. */
  @Command(name = "fail-as-a-bug")
  static final class Bug implements Callable<Integer> {
    @CommandLine.Option(names = "--error")
    boolean error;

    @Override
    public Integer call() {
      if (error) {
        throw new StackOverflowError();
      }
      return Integer.parseInt("not a number");
    }
  }

  private Invocations.Result runBug(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      CliContext context = new CliContext(environment, home);
      CommandLine cl = Main.commandLine(context, o, e);
      cl.addSubcommand(new Bug());
      code = Main.execute(cl, args);
    }
    return new Invocations.Result(code, out.toString(), err.toString());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aBugIsOneLineWithoutJavasTextUnlessDebugging(boolean error) {
    String[] args =
        error ? new String[] {"fail-as-a-bug", "--error"} : new String[] {"fail-as-a-bug"};
    Invocations.Result r = runBug(Map.of(), args);
    assertOneLineRefusal(r, 1, "internal error");
    assertThat(r.err()).contains("MIGCTL_DEBUG=1").doesNotContain("not a number");

    Invocations.Result debug = runBug(Map.of("MIGCTL_DEBUG", "1"), args);
    assertThat(debug.code()).isEqualTo(1);
    assertThat(debug.err()).contains("internal error").contains("\tat ");
  }

  @Test
  void aTraceValueThatIsNotANumberIsNamedWithoutJavasText() throws IOException {
    String trace = write("t.csv", "arrival_s,duration_s,need\n0,ten,0.5\n");
    assertOneLineRefusal(
        migctl().run("sim", "trace", trace, "--cluster", "a100-40gb:1"),
        2,
        trace + ", line 2: duration_s \"ten\" is not a number");
  }

  @Test
  void aCheckpointThatIsNotJsonIsNamed() throws IOException {
    String cp = write("cp.json", "{\"version\": 1, \"gpus\": [], \"taken\": \"x\"} trailing");
    assertOneLineRefusal(
        migctl().run("mig", "restore", "-f", cp), 2, cp + ": more text after the JSON document");
  }

  @Test
  void aFileMissingOrAFolderIsSaidPlainly() throws IOException {
    assertOneLineRefusal(
        migctl().run("mig", "apply", "-f", dir.resolve("nope.yaml").toString()),
        2,
        dir.resolve("nope.yaml") + ": no such file");
    assertOneLineRefusal(
        migctl().run("mig", "apply", "-f", dir.toString()), 2, dir + ": is a folder, not a file");
  }
}
