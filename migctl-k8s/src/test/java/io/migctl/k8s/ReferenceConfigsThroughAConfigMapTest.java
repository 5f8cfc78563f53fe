package io.migctl.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.apply.MigPartedFiles;
import io.migctl.core.mig.config.ConfigException;
import io.migctl.core.mig.config.MigPartedConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every valid mig-parted file of the shared reference data, mounted as the kubelet mounts a
 * ConfigMap ({@code config.yaml -> ..data/config.yaml}, {@code ..data -> ..<timestamp>/}, the link
 * swapped when the ConfigMap changes), and every config in it labelled on a simulated node: the
 * agent either brings the node to {@code success} with the GPUs as asserted, or fails the config
 * with a reason that names the config's entry — never a parse error, never anything else.
 */
class ReferenceConfigsThroughAConfigMapTest {

  @TempDir Path mount;

  @Test
  void everyConfigOfEveryValidReferenceFileSucceedsOrFailsWithItsReason() throws IOException {
    List<Path> files = new ArrayList<>();
    Path mig = shared("reference/mig");
    files.add(mig.resolve("mig-parted-default-config.yaml"));
    try (Stream<Path> s = Files.list(mig.resolve("configs-in-the-wild"))) {
      s.filter(Files::isRegularFile)
          .filter(p -> !p.toString().endsWith(".md"))
          .sorted()
          .forEach(files::add);
    }
    Path config = mount.resolve("config.yaml");
    Files.createSymbolicLink(config, Path.of("..data", "config.yaml"));
    int succeeded = 0;
    int refused = 0;
    int fileCount = 0;
    for (Path file : files) {
      String text = Files.readString(file);
      MigPartedConfig parsed;
      try {
        parsed = MigPartedFiles.readConfig(text, file.getFileName().toString());
      } catch (ConfigException e) {
        continue; // hooks files, templates: not configs (ConfigsInTheWildTest covers them)
      }
      fileCount++;
      swapConfigMap(text, fileCount);
      for (String name : parsed.configs().keySet()) {
        for (String spec : List.of("a100-40gb:2", "h100-80gb:1")) {
          InMemoryNodeHarness h = new InMemoryNodeHarness(spec);
          h.label(name);
          Reconciled r =
              h.agent(ConfigSource.file(config), h.driver, AgentSettings.defaults()).reconcile();
          String what = file.getFileName() + " " + name + " on " + spec + ": " + r.message();
          if (r.action().equals("invalid")) {
            assertThat(r.message()).as(what).contains("mig-configs." + name);
            refused++;
          } else {
            assertThat(r.action()).as(what).isIn("applied", "as-desired");
            assertThat(h.state()).as(what).isEqualTo("success");
            assertThat(
                    h.agent(ConfigSource.file(config), h.driver, AgentSettings.defaults())
                        .reconcile()
                        .action())
                .as("applying again: " + what)
                .isEqualTo("as-desired");
            succeeded++;
          }
          assertThat(h.deployLabels()).as(what).doesNotContainValue("paused-for-mig-change");
        }
      }
    }
    assertThat(fileCount).isGreaterThan(20);
    assertThat(succeeded).isGreaterThan(100);
    assertThat(refused).isPositive();
  }

  /** What the kubelet does when a ConfigMap changes: a new timestamped folder, ..data re-linked. */
  private void swapConfigMap(String text, int generation) throws IOException {
    Path folder = mount.resolve("..2026_12_06_12_00_00." + generation);
    Files.createDirectory(folder);
    Files.writeString(folder.resolve("config.yaml"), text);
    Path next = mount.resolve("..data_tmp");
    Files.createSymbolicLink(next, folder.getFileName());
    Files.move(
        next,
        mount.resolve("..data"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  static Path shared(String relative) {
    Path p = Path.of(System.getProperty("migctl.shared.dir", "../../shared")).resolve(relative);
    assertThat(p).as("reference data (set -Dmigctl.shared.dir to the shared folder)").exists();
    return p;
  }
}
