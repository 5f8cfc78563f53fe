package io.migctl.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.workload.Workload;
import io.migctl.core.workload.WorkloadException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadFilesTest {

  private static final String WORKLOAD =
      """
      version: v1
      name: demo
      node:
        simulate: a100-40gb:1
      environments:
        train: envs/train.yml
      jobs:
        - name: train
          environment: train
          gpu: 2g.10gb
          command: [python, train.py]
        - name: tiny
          gpu: {memory: 4GiB}
          command: [python, tiny.py]
      """;

  @TempDir Path dir;

  // --- reading files ------------------------------------------------------------------------

  @Test
  void readsAFileAndResolvesEnvironmentsBesideIt() throws IOException {
    Path file = write("work/workload.yml", WORKLOAD);
    write("work/envs/train.yml", "dependencies: [python]\n");

    Workload w = WorkloadFiles.read(file);

    assertThat(w.name()).isEqualTo("demo");
    assertThat(w.simulate()).contains("a100-40gb:1");
    assertThat(w.environments())
        .containsExactly(Map.entry("train", dir.resolve("work/envs/train.yml").toString()));
    assertThat(w.jobs().get(0).gpu()).isEqualTo(new GpuNeed.Profile(ProfileName.parse("2g.10gb")));
    assertThat(w.jobs().get(1).gpu()).isEqualTo(new GpuNeed.Memory(4096, 1));
  }

  @Test
  void aMissingEnvironmentFileIsNamedWithItsLine() throws IOException {
    Path file = write("workload.yml", WORKLOAD);

    assertThatThrownBy(() -> WorkloadFiles.read(file))
        .isInstanceOf(WorkloadException.class)
        .hasMessage(
            file
                + ":6: environments.train: envs/train.yml does not exist (looked for "
                + dir.resolve("envs/train.yml")
                + "); paths are relative to the workload file's folder");
  }

  @Test
  void anEnvironmentThatIsAFolderIsRefused() throws IOException {
    Path file = write("workload.yml", WORKLOAD);
    Files.createDirectories(dir.resolve("envs/train.yml"));

    assertThatThrownBy(() -> WorkloadFiles.read(file))
        .hasMessageEndingWith(
            "environments.train: envs/train.yml is a folder; give the environment.yml inside it");
  }

  @Test
  void contentErrorsCarryFileLineAndPath() throws IOException {
    Path file =
        write(
            "workload.yml",
            WORKLOAD.replace("command: [python, tiny.py]", "command: python tiny.py"));

    assertThatThrownBy(() -> WorkloadFiles.read(file))
        .isInstanceOfSatisfying(
            WorkloadException.class,
            e -> {
              assertThat(e.path()).isEqualTo("jobs[1].command");
              assertThat(e.getMessage())
                  .startsWith(file + ":14: jobs[1].command: is a plain string")
                  .endsWith("command: [python, tiny.py]");
            });
  }

  @Test
  void unknownKeysPointAtTheirLine() {
    String text = WORKLOAD.replace("    gpu: {memory: 4GiB}", "    gpux: {memory: 4GiB}");

    assertThatThrownBy(() -> WorkloadFiles.parse(text, "w.yml"))
        .hasMessageStartingWith("w.yml:13: jobs[1].gpux: unknown field \"gpux\"")
        .hasMessageEndingWith("did you mean gpu?");
  }

  @Test
  void aBadTenantLimitPointsAtItsLine() {
    String text =
        """
        version: v1
        name: t
        tenants:
          ml:
            max-slices: 2
            max-gpu-memory: lots
        jobs:
          - name: a
            command: [x]
        """;

    assertThatThrownBy(() -> WorkloadFiles.parse(text, "w.yml"))
        .hasMessageStartingWith("w.yml:6: tenants.ml.max-gpu-memory: 'lots' is not a memory size");
  }

  @Test
  void anUnknownEnvironmentPointsAtTheJob() {
    String text = WORKLOAD.replace("environment: train", "environment: infer");

    assertThatThrownBy(() -> WorkloadFiles.parse(text, "w.yml"))
        .hasMessage(
            "w.yml:9: jobs[0].environment: \"infer\" is not one of the workload's environments"
                + " (train)");
  }

  @Test
  void aBadSimulatedNodeIsRefused() {
    String text = WORKLOAD.replace("a100-40gb:1", "a200:1");

    assertThatThrownBy(() -> WorkloadFiles.parse(text, "w.yml"))
        .hasMessageStartingWith(
            "w.yml:4: node.simulate: simulated node spec \"a200:1\": unknown GPU model \"a200\"");
  }

  @Test
  void yamlErrorsCarryLineAndColumn() {
    assertThatThrownBy(() -> WorkloadFiles.parse("version: v1\njobs: [a, b\nname: x\n", "w.yml"))
        .isInstanceOf(WorkloadException.class)
        .hasMessageStartingWith("w.yml:3:")
        .hasMessageContaining("is not valid YAML");
    assertThatThrownBy(() -> WorkloadFiles.parse("version: v1\nname: a\nname: b\n", "w.yml"))
        .hasMessageStartingWith("w.yml:3:")
        .hasMessageContaining("found duplicate key name");
    assertThatThrownBy(() -> WorkloadFiles.parse(WORKLOAD + "---\n" + WORKLOAD, "w.yml"))
        .hasMessage("w.yml: holds 2 YAML documents (separated by ---); a workload file holds one");
    assertThatThrownBy(() -> WorkloadFiles.parse("# nothing\n", "w.yml"))
        .hasMessage("w.yml: the workload is empty; start it with version: v1, name: and jobs:");
  }

  @Test
  void yesAndOnStayStrings() {
    // YAML 1.2 core schema: a job named "on" is a name, not a boolean.
    Workload w =
        WorkloadFiles.parse(
            "version: v1\nname: w\njobs:\n  - name: on\n    command: [echo, yes]\n", "w.yml");

    assertThat(w.jobs().getFirst().name()).isEqualTo("on");
    assertThat(w.jobs().getFirst().command()).containsExactly("echo", "yes");
  }

  @Test
  void aMissingFileSaysSo() {
    Path file = dir.resolve("nope/workload.yml");

    assertThatThrownBy(() -> WorkloadFiles.read(file))
        .isInstanceOf(WorkloadException.class)
        .hasMessageStartingWith(file + ": no such file (nor its folder)");
  }

  // --- bundled examples ---------------------------------------------------------------------

  @Test
  void copiesAnExampleFromAFolderOnTheClasspath() throws IOException {
    Path classes = dir.resolve("classes");
    String root = WorkloadFiles.EXAMPLES + "/demo/";
    write(classes, root + "workload.yml", WORKLOAD);
    write(classes, root + "envs/train.yml", "dependencies: [python]\n");
    write(classes, root + "train.py", "print('hi')\n");
    write(classes, root + "__pycache__/train.cpython-311.pyc", "x");

    try (URLClassLoader loader = loaderOf(classes.toUri().toURL())) {
      Workload bundled = WorkloadFiles.readExample(loader, "demo");
      Path file = WorkloadFiles.copyExample(loader, "demo", dir.resolve("copy"));

      assertThat(bundled.environments()).containsExactly(Map.entry("train", "envs/train.yml"));
      assertThat(file).isEqualTo(dir.resolve("copy/workload.yml"));
      assertThat(dir.resolve("copy/train.py")).hasContent("print('hi')");
      assertThat(dir.resolve("copy/__pycache__")).doesNotExist();
      assertThat(WorkloadFiles.read(file).environments())
          .containsExactly(Map.entry("train", dir.resolve("copy/envs/train.yml").toString()));
    }
  }

  @Test
  void copiesAnExampleFromAJarAndAgainOverTheFirstCopy() throws IOException {
    Path jar = dir.resolve("migctl.jar");
    String root = WorkloadFiles.EXAMPLES + "/demo/";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      entry(out, root + "workload.yml", WORKLOAD);
      entry(out, root + "envs/train.yml", "dependencies: [python]\n");
      entry(out, root + "jobs/train.py", "print('hi')\n");
    }

    try (URLClassLoader loader = loaderOf(jar.toUri().toURL())) {
      Path first = WorkloadFiles.copyExample(loader, "demo", dir.resolve("run"));
      Files.writeString(dir.resolve("run/jobs/train.py"), "changed");
      Path again = WorkloadFiles.copyExample(loader, "demo", dir.resolve("run"));

      assertThat(again).isEqualTo(first);
      assertThat(dir.resolve("run/jobs/train.py")).hasContent("print('hi')");
      assertThat(dir.resolve("run/envs/train.yml")).exists();
      assertThat(WorkloadFiles.read(first).name()).isEqualTo("demo");
    }
  }

  @Test
  void anExampleWithAMissingEnvironmentIsABuildDefect() throws IOException {
    Path classes = dir.resolve("classes");
    write(classes, WorkloadFiles.EXAMPLES + "/demo/workload.yml", WORKLOAD);

    try (URLClassLoader loader = loaderOf(classes.toUri().toURL())) {
      assertThatThrownBy(() -> WorkloadFiles.readExample(loader, "demo"))
          .hasMessage(
              "classpath:io/migctl/cli/examples/demo/workload.yml:6: environments.train:"
                  + " envs/train.yml is not in the example's folder");
    }
  }

  @Test
  void anUnknownExampleIsRefused() throws IOException {
    try (URLClassLoader loader = loaderOf(dir.toUri().toURL())) {
      assertThatThrownBy(() -> WorkloadFiles.copyExample(loader, "nope", dir.resolve("x")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("migctl has no bundled example \"nope\"; the bundled one is shared-server");
      assertThatThrownBy(() -> WorkloadFiles.readExample(loader, "../etc"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  // --- input bounds (issue 13) -----------------------------------------------------------------

  @Test
  void aDeeplyNestedWorkloadIsRefusedNamingTheFileAndTheBound() throws IOException {
    Path file =
        write(
            "deep.yml",
            "version: v1\nname: deep\njobs: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
    assertThatThrownBy(() -> WorkloadFiles.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(file + ": nested more than 64 levels deep (line 3, column ");
  }

  @Test
  void aControlCharacterIsRefusedAtItsLineAndColumn() {
    assertThatThrownBy(
            () -> WorkloadFiles.parse("version: v1\njobs: []\nname: de\u0007mo\n", "w.yml"))
        .isInstanceOf(WorkloadException.class)
        .hasMessage(
            "w.yml:3:9: is not valid YAML (the control character U+0007 is not allowed in YAML)");
  }

  /** Found by WorkloadFileFuzzTest: a second empty key was a NullPointerException's text. */
  @Test
  void aSecondEmptyKeyIsADuplicateAtItsPlace() {
    assertThatThrownBy(
            () -> WorkloadFiles.parse("version: v1\nname: x\n? \n: 1\n? \n: 2\n", "w.yml"))
        .isInstanceOf(WorkloadException.class)
        .hasMessage(
            "w.yml:5:2: is not valid YAML (the empty key (null) is given twice in one mapping)");
  }

  @Test
  void aWorkloadThatIsNotUtf8IsRefusedNamingTheByte() throws IOException {
    Path file = dir.resolve("latin1.yml");
    Files.write(
        file, "version: v1\nname: caf\u00e9\njobs: []\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> WorkloadFiles.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(file + ": not UTF-8 text at byte 21");
  }

  private Path write(String relative, String text) throws IOException {
    return write(dir, relative, text);
  }

  private static Path write(Path base, String relative, String text) throws IOException {
    Path p = base.resolve(relative);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text);
  }

  private static void entry(JarOutputStream out, String name, String text) throws IOException {
    out.putNextEntry(new JarEntry(name));
    OutputStream o = out;
    o.write(text.getBytes(StandardCharsets.UTF_8));
    out.closeEntry();
  }

  /** A class loader that sees only {@code url}, not this test's classpath. */
  private static URLClassLoader loaderOf(URL url) {
    return new URLClassLoader(new URL[] {url}, ClassLoader.getPlatformClassLoader());
  }
}
