package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.core.input.InputLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migctl env check} and the reading every environment command shares: strict UTF-8, bounded
 * size and depth, warnings for what conda ignores, refusals with exit 2 and no stack trace. Nothing
 * is built, so no tool is needed.
 */
class EnvCheckTest {

  @TempDir Path home;

  /** No conda, mamba or micromamba on PATH: {@code --backend auto} is the venv backend. */
  private Invocations migctl() {
    return new Invocations(home, Map.of("PATH", home.resolve("no-tools").toString()));
  }

  private Path file(String name, String text) throws IOException {
    return file(name, text.getBytes(StandardCharsets.UTF_8));
  }

  private Path file(String name, byte[] bytes) throws IOException {
    Path f = home.resolve(name);
    Files.createDirectories(f.getParent());
    Files.write(f, bytes);
    return f;
  }

  private List<String> storeEntries() throws IOException {
    return EnvStoreFolder.builds(home);
  }

  private static String sha256(String text) throws NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void printsTheIdAndTheCanonicalFormAndBuildsNothing() throws Exception {
    Path spec =
        file(
            "proj/env.yml",
            "name: train\ndependencies:\n  - python=3.11\n  - pip:\n    - numpy==1.26.4\n");
    Invocations.Result json =
        migctl().run("env", "check", "-f", spec.toString(), "--backend", "venv", "--json");
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode doc = json.json();
    assertThat(doc.fieldNames()).toIterable().containsExactly("id", "canonical", "warnings");
    String canonical = doc.get("canonical").asText();
    assertThat(doc.get("id").asText()).isEqualTo(sha256(canonical));
    assertThat(canonical)
        .contains("\"backend\": \"venv\"", "\"python 3.11.*\"", "\"numpy==1.26.4\"");
    assertThat(doc.get("warnings")).isEmpty();

    Invocations.Result text =
        migctl().run("env", "check", "-f", spec.toString(), "--backend", "venv");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out()).startsWith("id " + doc.get("id").asText() + "\n").contains(canonical);
    assertThat(storeEntries()).isEmpty();

    // auto without conda-family tools on PATH is venv, as env create would choose
    Invocations.Result auto = migctl().run("env", "check", "-f", spec.toString(), "--json");
    assertThat(auto.json().get("id").asText()).isEqualTo(doc.get("id").asText());
    // the backend is part of the id
    Invocations.Result conda =
        migctl().run("env", "check", "-f", spec.toString(), "--backend", "conda", "--json");
    assertThat(conda.json().get("id").asText()).isNotEqualTo(doc.get("id").asText());
  }

  @Test
  void readsStandardInputWithPipPathsAgainstTheWorkingDirectory() {
    Invocations.Result r =
        migctl()
            .runWithInput(
                "dependencies:\n  - python\n  - pip:\n    - -e sub/pkg\n",
                "env",
                "check",
                "-f",
                "-",
                "--backend",
                "venv",
                "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.json().get("canonical").asText())
        .contains("\"-e " + Path.of("").toAbsolutePath().resolve("sub/pkg") + "\"");
  }

  @Test
  void warnsAboutWhatCondaIgnoresInTheOutputAndTheJson() throws IOException {
    Path spec =
        file("env.yml", "name: my env\nchannels:\nfoo: bar\ndependencies:\n  - pkg[extra]!=1.0\n");
    Invocations.Result json =
        migctl().run("env", "check", "-f", spec.toString(), "--backend", "conda", "--json");
    assertThat(json.code()).as(json.err()).isZero();
    List<String> warnings =
        json.json().get("warnings").valueStream().map(JsonNode::asText).toList();
    assertThat(warnings).hasSize(3);
    assertThat(warnings.get(0)).startsWith(spec + ":3: foo: ").contains("conda ignores it");
    assertThat(warnings.get(1)).startsWith(spec + ":5: dependencies[0]: ").contains("\"extra\"");
    assertThat(warnings.get(2))
        .startsWith(spec + ": name: \"my env\" is only the build's label")
        .contains("--name");
    assertThat(json.json().get("canonical").asText()).contains("\"pkg !=1.0\"");

    Invocations.Result text =
        migctl().run("env", "check", "-f", spec.toString(), "--backend", "conda");
    assertThat(text.code()).isZero();
    assertThat(text.err()).contains("migctl: warning: " + warnings.get(0));
  }

  @Test
  void evaluatesMicromambaSelectorsOnlyForMicromamba() throws IOException {
    Path spec =
        file(
            "env.yml",
            "dependencies:\n  - python\n  - sel(linux): libgcc\n  - sel(win): pywin32\n");
    Invocations.Result micromamba =
        migctl().run("env", "check", "-f", spec.toString(), "--backend", "micromamba", "--json");
    assertThat(micromamba.code()).as(micromamba.err()).isZero();
    String canonical = micromamba.json().get("canonical").asText();
    if (EnvCommand.platform().startsWith("linux-")) {
      assertThat(canonical).contains("\"libgcc\"").doesNotContain("pywin32");
    }

    Invocations.Result conda =
        migctl().run("env", "check", "-f", spec.toString(), "--backend", "conda");
    assertThat(conda.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(conda.err())
        .contains(spec + ":3: dependencies[1]: ")
        .contains("sel(linux)")
        .contains("micromamba")
        .contains("the conda backend");
  }

  @Test
  void refusesABrokenSpecWithExitTwoAndTheMessage() throws IOException {
    Path spec = file("env.yml", "dependencies:\n  - numpy>=\n");
    Invocations.Result r = migctl().run("env", "check", "-f", spec.toString(), "--backend", "venv");
    assertThat(r.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err())
        .startsWith("migctl: " + spec + ":2: dependencies[0]: ")
        .contains("dangling");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void nonUtf8InputSaysSoInEveryEnvironmentCommand() throws IOException {
    byte[] bytes = "dependencies:\n  - num\u00e9py\n".getBytes(StandardCharsets.ISO_8859_1);
    Path spec = file("latin1.yml", bytes);
    for (String command : List.of("check", "create")) {
      Invocations.Result r =
          migctl().run("env", command, "-f", spec.toString(), "--backend", "venv");
      assertThat(r.code()).as(command).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(r.err())
          .as(command)
          .startsWith("migctl: " + spec + ": not UTF-8 text at byte 21")
          .doesNotContain("Input length", "Exception");
    }
    assertThat(storeEntries()).isEmpty();
  }

  @Test
  void hostileFilesAreRefusedWithTheLimitAndNoStackTrace() throws IOException {
    Path deep = file("deep.yml", "dependencies:\n  - " + "[".repeat(4_000) + "]".repeat(4_000));
    Path large = file("large.yml", new byte[InputLimits.MAX_FILE_BYTES + 1]);
    for (String command : List.of("check", "create")) {
      Invocations.Result nested =
          migctl().run("env", command, "-f", deep.toString(), "--backend", "venv");
      assertThat(nested.code()).as(command).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(nested.err())
          .as(command)
          .startsWith("migctl: " + deep + ": nested more than 64 levels deep")
          .doesNotContain("at io.", "at org.", "StackOverflow");
      Invocations.Result big =
          migctl().run("env", command, "-f", large.toString(), "--backend", "venv");
      assertThat(big.code()).as(command).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(big.err()).as(command).startsWith("migctl: " + large + ": 4194305 bytes is more");
    }
    Invocations.Result missing =
        migctl().run("env", "check", "-f", home.resolve("nope.yml").toString());
    assertThat(missing.code()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(missing.err()).contains("nope.yml: no such file");
    assertThat(storeEntries()).isEmpty();
  }

  /**
   * {@code submit --env FILE} reads the file here first, through the same reader, before it sends
   * it to the daemon to build.
   */
  @Test
  void submitWithABrokenSpecFileIsRefusedBeforeAnythingIsSent() throws IOException {
    Path latin1 =
        file(
            "latin1.yml", "dependencies:\n  - num\u00e9py\n".getBytes(StandardCharsets.ISO_8859_1));
    Path deep = file("deep.yml", "dependencies:\n  - " + "[".repeat(4_000) + "]".repeat(4_000));
    for (Path spec : List.of(latin1, deep)) {
      Invocations.Result r = migctl().run("submit", "--env", spec.toString(), "--", "true");
      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(r.err())
          .contains("migctl: " + spec + ": ")
          .doesNotContain("at io.", "at org.", "Exception", "Input length");
    }
    assertThat(storeEntries()).isEmpty();
  }
}
