package io.migctl.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.slurm.GresDevice;
import io.migctl.core.slurm.GresNaming;
import io.migctl.core.slurm.SlurmdGres;
import io.migctl.nvidia.GpuNode;
import io.migctl.process.SystemToolRunner;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.testing.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Debian's {@code slurmd -G} (Slurm 22.05) reads every generated {@code gres.conf} with the
 * generated {@code NodeName} fragment, on simulated nodes whose device nodes are real ({@code
 * mknod}, so as root), and numbers the GPUs as the generated map says.
 */
class SlurmdGresIT {

  private static final String NODE = "migctl-gres-it";

  private static Path slurmd;

  @BeforeAll
  static void needsSlurmdAsRoot() {
    RequiredTools tools = RequiredTools.fromEnvironment();
    slurmd =
        tools.require(
            Stream.of("/usr/sbin/slurmd", "/usr/bin/slurmd")
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst(),
            () -> "slurmd is not installed (apt-get install slurmd)");
    tools.require(
        "root".equals(System.getProperty("user.name")),
        () -> "slurmd -G stats real device nodes, which only root can make with mknod");
  }

  static Stream<Arguments> nodes() {
    List<Arguments> out = new ArrayList<>();
    for (GresNaming naming : GresNaming.values()) {
      out.add(
          Arguments.of(
              "a30",
              naming,
              (Supplier<SimulatedLayouts>)
                  () ->
                      new SimulatedLayouts("a30:2")
                          .gi(0, "1g.6gb")
                          .gi(0, "2g.12gb", "1c.2g.12gb", "1c.2g.12gb")
                          .gi(0, "1g.6gb")
                          .migOff(1)));
      out.add(
          Arguments.of(
              "a100",
              naming,
              (Supplier<SimulatedLayouts>)
                  () ->
                      new SimulatedLayouts("a100-40gb:2")
                          .gi(0, "3g.20gb", "2c.3g.20gb", "1c.3g.20gb")
                          .gi(0, "2g.10gb")
                          .gi(0, "1g.5gb")
                          .gi(0, "1g.5gb+me")
                          .migOff(1)));
      out.add(
          Arguments.of(
              "h100",
              naming,
              (Supplier<SimulatedLayouts>)
                  () ->
                      new SimulatedLayouts("h100-80gb:3")
                          .gi(0, "3g.40gb", "1c.3g.40gb", "1c.3g.40gb", "1c.3g.40gb")
                          .gi(0, "1g.10gb")
                          .gi(0, "1g.20gb")
                          .migOff(1)
                          .gi(2, "1g.10gb")
                          .gi(2, "2g.20gb")));
      out.add(
          Arguments.of(
              "h200",
              naming,
              (Supplier<SimulatedLayouts>)
                  () ->
                      new SimulatedLayouts("h200:3")
                          .gi(0, "7g.141gb")
                          .gi(1, "4g.71gb", "2c.4g.71gb", "2c.4g.71gb")
                          .gi(1, "1g.18gb")
                          .gi(1, "1g.18gb")
                          .migOff(2)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}, types {1}")
  @MethodSource("nodes")
  void slurmdAcceptsTheFilesAndNumbersTheGpusAsTheMapSays(
      String name, GresNaming naming, Supplier<SimulatedLayouts> layouts, @TempDir Path dir)
      throws Exception {
    SimulatedLayouts layout = layouts.get();
    GresFiles.Written written;
    try (GpuNode node = GpuNode.simulated(layout.driver())) {
      written = new GresFiles(node.driver(), node.deviceNodes()).write(dir, NODE, naming);

      Files.writeString(
          dir.resolve("slurm.conf"),
          String.join(
              "\n",
              "ClusterName=migctl",
              "SlurmctldHost=localhost",
              "SlurmUser=root",
              "GresTypes=gpu",
              "StateSaveLocation=" + dir.resolve("state"),
              "SlurmdSpoolDir=" + dir.resolve("spool"),
              "NodeName=DEFAULT CPUs=1 State=UNKNOWN",
              "Include " + written.nodeFragment(),
              "PartitionName=all Nodes=" + NODE + " Default=YES",
              ""));
      ToolResult result =
          new SystemToolRunner()
              .run(
                  ToolCommand.of(
                          slurmd.toString(),
                          "-G",
                          "-f",
                          dir.resolve("slurm.conf").toString(),
                          "-N",
                          NODE)
                      .withOutput(ToolCommand.Output.MERGED)
                      .withTimeout(Duration.ofMinutes(1)));

      String output = result.output();
      assertThat(result.succeeded()).as(output).isTrue();
      assertThat(output.lines().filter(l -> l.matches("(?i).*\\b(error|fatal)\\b.*")))
          .as(output)
          .isEmpty();
      List<SlurmdGres> records =
          SlurmdGres.parse(output).stream().filter(r -> r.name().equals("gpu")).toList();
      List<GresDevice> devices = written.gres().devices();
      assertThat(devices).as("the layout gives Slurm GPUs").hasSizeGreaterThan(3);
      assertThat(records)
          .as(output)
          .extracting(r -> r.type() + " " + r.count() + " " + r.files())
          .containsExactlyElementsOf(
              devices.stream().map(d -> d.type() + " 1 " + d.files()).toList());

      // The map on disk: row i is Slurm's GPU i, with the record's type and the device's UUID.
      List<String[]> rows =
          Files.readAllLines(written.map()).stream()
              .filter(l -> !l.startsWith("#"))
              .map(l -> l.split("\t"))
              .toList();
      assertThat(rows).hasSameSizeAs(records);
      for (int i = 0; i < rows.size(); i++) {
        assertThat(rows.get(i)[0]).isEqualTo(Integer.toString(i));
        assertThat(rows.get(i)[2]).isEqualTo(records.get(i).type());
        assertThat(rows.get(i)[1]).startsWith(devices.get(i).isMigDevice() ? "MIG-" : "GPU-");
      }
      // Every MIG device of the node is there once.
      assertThat(Arrays.stream(rows.toArray(String[][]::new)).map(r -> r[1]).distinct())
          .hasSize(rows.size());
      assertThat(Optional.of(written.nodeFragment()).map(Files::exists)).contains(true);
    }
  }
}
