package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code migctl env …} end to end with the venv backend (python3 must be on PATH). */
class EnvCliIT {

  @TempDir Path home;

  @org.junit.jupiter.api.BeforeEach
  void needsPython() {
    RequiredTools.fromEnvironment()
        .require(
            io.migctl.env.venv.VenvBackend.findPython(java.util.Optional.empty(), System.getenv())
                .isPresent(),
            () -> "python3 is not on PATH; the venv backend cannot be tested");
  }

  private Invocations migctl() {
    return new Invocations(home, Map.of("PATH", System.getenv("PATH"), "MIGCTL_DRIVER", "sim"));
  }

  private Path spec(String name, String text) throws IOException {
    Path f = home.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  private List<String> storeEntries() throws IOException {
    return EnvStoreFolder.builds(home);
  }

  @Test
  void createsFindsListsShowsLocksAndRemoves() throws IOException {
    Path file =
        spec("env.yml", "name: train\ndependencies:\n  - python\nvariables:\n  STAGE: dev\n");
    Invocations.Result first =
        migctl().run("env", "create", "-f", file.toString(), "--backend", "venv", "--json");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.json().get("cacheHit").asBoolean()).isFalse();
    String id = first.json().get("build").get("id").asText();

    // Reordered and respaced, the spec is the same build: a cache hit.
    Path same =
        spec("same.yml", "variables: {STAGE: dev}\ndependencies: [ python ]\nname: train\n");
    Invocations.Result again =
        migctl().run("env", "create", "-f", same.toString(), "--backend", "venv", "--json");
    assertThat(again.json().get("cacheHit").asBoolean()).isTrue();
    assertThat(again.json().get("build").get("id").asText()).isEqualTo(id);

    JsonNode list = migctl().run("env", "list", "--json").json();
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("names").get(0).asText()).isEqualTo("train");
    assertThat(
            migctl()
                .run("env", "show", id.substring(0, 8), "--json")
                .json()
                .get("canonical")
                .asText())
        .contains("\"python\"");
    assertThat(migctl().run("env", "lock", "train").out()).startsWith("# Python 3.");
    assertThat(migctl().run("env", "dockerfile", "train").out())
        .contains("FROM python:3.", "ENV STAGE=\"dev\"");
    Invocations.Result compose =
        migctl()
            .run("env", "compose", "train", "--device", "MIG-4e4cf9f3-6aa9-56e2-ad30-f18d564ced9f");
    assertThat(compose.out())
        .contains("NVIDIA_VISIBLE_DEVICES: \"MIG-4e4cf9f3", "device_ids: [\"MIG-4e4cf9f3");
    assertThat(migctl().run("env", "compose", "train", "--device", "not-a-device").code())
        .isEqualTo(ExitCode.INVALID_INPUT);

    Invocations.Result refused = migctl().run("env", "rm", "train");
    assertThat(refused.code()).isEqualTo(ExitCode.FAILURE);
    assertThat(refused.err()).contains("current build of train", "--force");
    assertThat(migctl().run("env", "rm", "train", "--force").code()).isZero();
    assertThat(storeEntries()).isEmpty();
  }

  @Test
  void brokenSpecsExitTwoNamingTheLineAndLeaveNothing() throws IOException {
    record Case(String text, String... message) {}
    List<Case> cases =
        List.of(
            new Case(
                "name: x\ndependencies:\n  - python\n  - [oops\n", "bad.yml:5", "not valid YAML"),
            new Case("name: x\ndependecies: [python]\n", "bad.yml:2", "did you mean dependencies?"),
            new Case(
                "name: x\ndependencies:\n  - python\n  - 'numpy >=>1'\n", "bad.yml:4", "numpy"),
            new Case("name: x\ndependencies:\n  - python\n  - numpy=1.26\n", "numpy", "conda"));
    for (Case c : cases) {
      Invocations.Result r =
          migctl()
              .run(
                  "env", "create", "-f", spec("bad.yml", c.text()).toString(), "--backend", "venv");
      assertThat(r.code()).as("%s\n%s", c.text(), r.err()).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(r.err()).contains(c.message());
      assertThat(storeEntries()).isEmpty();
    }
  }

  @Test
  void aKilledBuildLeavesNoBuildAndTheNextCreateSucceeds() throws Exception {
    Path file = spec("env.yml", "dependencies:\n  - python\n");
    // A python3 whose "-m venv" hangs: the build is under way when it is killed.
    Path slow = home.resolve("slow-python3");
    Path python =
        Path.of(
            new ProcessBuilder("sh", "-c", "command -v python3").start().inputReader().readLine());
    Files.writeString(
        slow,
        "#!/bin/sh\nif [ \"$1\" = \"-m\" ]; then sleep 60; exit 1; fi\nexec "
            + python
            + " \"$@\"\n");
    slow.toFile().setExecutable(true);
    Path jar = Path.of("target/migctl.jar").toAbsolutePath();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                jar.toString()));
    cmd.addAll(
        List.of(
            "env",
            "create",
            "-f",
            file.toString(),
            "--backend",
            "venv",
            "--backend-path",
            slow.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("killed.log").toFile());
    pb.environment().put("MIGCTL_HOME", home.toString());
    pb.environment().put("MIGCTL_DRIVER", "sim");
    Process build = pb.start();
    // Wait until the build folder exists (bounded), then kill the whole process tree.
    for (int i = 0; i < 300 && storeEntries().isEmpty(); i++) {
      assertThat(build.isAlive())
          .as("the build ended early: %s", Files.readString(home.resolve("killed.log")))
          .isTrue();
      build.waitFor(100, TimeUnit.MILLISECONDS);
    }
    assertThat(storeEntries()).isNotEmpty();
    build.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    build.destroyForcibly();
    assertThat(build.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(migctl().run("env", "list", "--json").json()).isEmpty();
    Invocations.Result next =
        migctl().run("env", "create", "-f", file.toString(), "--backend", "venv", "--json");
    assertThat(next.code()).as(next.err()).isZero();
    assertThat(next.json().get("cacheHit").asBoolean()).isFalse();
    assertThat(migctl().run("env", "list", "--json").json()).hasSize(1);
  }

  @Test
  void checkGivesTheIdThatCreateBuildsAndBothShowTheWarnings() throws IOException {
    Path file =
        spec(
            "warned.yml",
            "name: my env\ncolour: blue\ndependencies:\n  - python\n  - pip:\n    - --no-index\n");
    Invocations.Result check =
        migctl().run("env", "check", "-f", file.toString(), "--backend", "venv", "--json");
    assertThat(check.code()).as(check.err()).isZero();
    Invocations.Result create =
        migctl().run("env", "create", "-f", file.toString(), "--backend", "venv", "--json");
    assertThat(create.code()).as(create.err()).isZero();
    assertThat(create.json().get("build").get("id").asText())
        .isEqualTo(check.json().get("id").asText());
    assertThat(create.json().get("warnings")).isEqualTo(check.json().get("warnings"));
    assertThat(create.json().get("warnings").get(0).asText())
        .startsWith(file + ":2: colour: ")
        .contains("conda ignores it");
    // a name conda refuses for -n is a label: the build has it, the store points no name at it
    assertThat(create.json().get("build").get("specName").asText()).isEqualTo("my env");
    assertThat(create.json().get("build").get("names")).isEmpty();
    assertThat(
            migctl()
                .run("env", "show", check.json().get("id").asText(), "--json")
                .json()
                .get("canonical")
                .asText())
        .isEqualTo(check.json().get("canonical").asText());

    Invocations.Result again =
        migctl().run("env", "create", "-f", file.toString(), "--backend", "venv");
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.err()).contains("migctl: warning: " + file + ":2: colour: ");
  }

  /**
   * conda runs pip with the spec's folder as its working directory (and writes its requirements
   * file there), so pip lines name local paths relative to that folder, with or without {@code ./}.
   * This JVM runs in the module folder, not the spec's: the build must still find them.
   */
  @Test
  void pipPathsWithoutDotSlashAreFoundRelativeToTheSpecsFolder() throws Exception {
    Path project = home.resolve("project");
    tinyPackage(project.resolve("sub/pkg"), "tinypkg", 42);
    tinyPackage(project.resolve("sub/other"), "otherpkg", 7);
    Path file =
        Files.writeString(
            project.resolve("environment.yml"),
            """
            name: local-packages
            dependencies:
              - python
              - pip:
                - --no-index
                - -e sub/pkg
                - sub/other
            """);
    assertThat(Path.of("").toAbsolutePath()).isNotEqualTo(project);
    Invocations.Result create =
        migctl().run("env", "create", "-f", file.toString(), "--backend", "venv", "--json");
    assertThat(create.code()).as(create.err()).isZero();
    Path prefix = Path.of(create.json().get("build").get("prefix").asText());
    Process python =
        new ProcessBuilder(
                prefix.resolve("bin/python").toString(),
                "-c",
                "import tinypkg, otherpkg; print(tinypkg.VALUE, otherpkg.VALUE); print(tinypkg.__file__)")
            .redirectErrorStream(true)
            .start();
    String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(python.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(out.lines().toList())
        .as(out)
        .containsExactly(
            "42 7", project.resolve("sub/pkg/tinypkg/__init__.py").toRealPath().toString());
  }

  /** A package pip builds offline: an in-tree PEP 517/660 backend with no requirements. */
  private static void tinyPackage(Path dir, String name, int value) throws IOException {
    Files.createDirectories(dir.resolve(name));
    Files.writeString(dir.resolve(name).resolve("__init__.py"), "VALUE = " + value + "\n");
    try (var backend = EnvCliIT.class.getResourceAsStream("/tinybackend.py")) {
      Files.write(dir.resolve("tinybackend.py"), backend.readAllBytes());
    }
    Files.writeString(
        dir.resolve("pyproject.toml"),
        "[build-system]\nrequires = []\nbuild-backend = \"tinybackend\"\nbackend-path = [\".\"]\n");
  }
}
