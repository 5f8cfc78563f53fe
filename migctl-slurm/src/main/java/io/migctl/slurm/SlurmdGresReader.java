package io.migctl.slurm;

import io.migctl.core.slurm.SlurmdGres;
import io.migctl.process.ToolCommand;
import io.migctl.process.ToolResult;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The generic resources slurmd reads for a node, from {@code slurmd -G -f CONF -N NODE} ("print the
 * GRES configuration and exit"): the files on disk as the next slurmd start will see them, in
 * Slurm's index order. It runs through the {@link ToolRunner} with a time limit; it starts no
 * daemon. Thread-safe as its runner is.
 */
public final class SlurmdGresReader {

  private final ToolRunner tools;
  private final String program;
  private final Duration timeout;

  /**
   * @param program the {@code slurmd} to run: a path, or a name looked up on {@code PATH}
   * @param timeout how long {@code slurmd -G} may run
   */
  public SlurmdGresReader(ToolRunner tools, String program, Duration timeout) {
    this.tools = Objects.requireNonNull(tools, "tools");
    this.program = Objects.requireNonNull(program, "program");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Where {@code slurmd} is on this machine: the first on {@code path} (a {@code PATH} value), then
   * in {@code /usr/sbin} and {@code /sbin}, where Debian puts it out of ordinary users' {@code
   * PATH}; just {@code slurmd} when none is found, so that running it says it is missing.
   */
  public static String locate(String path) {
    return Stream.concat(Stream.of(path.split(":")), Stream.of("/usr/sbin", "/sbin"))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, "slurmd"))
        .filter(Files::isExecutable)
        .findFirst()
        .map(Path::toString)
        .orElse("slurmd");
  }

  /**
   * The records slurmd prints for {@code node} under {@code slurmConf}, every resource's, in its
   * order.
   *
   * @throws SlurmControlException when slurmd cannot be run, fails or runs past the time limit; the
   *     message names the command and what it printed
   */
  public List<SlurmdGres> read(Path slurmConf, String node) {
    List<String> argv = List.of(program, "-G", "-f", slurmConf.toString(), "-N", node);
    ToolResult r;
    try {
      r =
          tools.run(
              ToolCommand.of(argv)
                  .withAddedEnvironment(Map.of("SLURM_CONF", slurmConf.toString()))
                  .withOutput(ToolCommand.Output.MERGED)
                  .withTimeout(timeout));
    } catch (IOException e) {
      throw new SlurmControlException(
          "could not read the node's GPUs with slurmd -G: "
              + e.getMessage()
              + ". Is slurmd installed (Debian: apt-get install slurmd)?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SlurmControlException("interrupted while running slurmd -G", e);
    }
    if (!r.succeeded()) {
      throw new SlurmControlException(
          "could not read node "
              + node
              + "'s GPUs from "
              + slurmConf
              + ": "
              + ScontrolSlurmController.describe(argv, r));
    }
    return SlurmdGres.parse(r.output());
  }
}
