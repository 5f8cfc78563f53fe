package io.migctl.cli;

import io.migctl.apply.cdi.CdiSpec;
import io.migctl.nvidia.GpuNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code migctl cdi}: the Container Device Interface spec of this node's MIG devices. */
@Command(
    name = "cdi",
    mixinStandardHelpOptions = true,
    description = {
      "The CDI spec of this node's MIG devices, for container engines.",
      "",
      "With the NVIDIA container toolkit, Podman (and Docker 25 or later with CDI on) give",
      "a container one MIG device by its name: --device nvidia.com/mig=MIG-<uuid>."
    },
    subcommands = CdiCommand.Generate.class)
final class CdiCommand implements Runnable {

  @ParentCommand MigctlCommand root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code migctl cdi generate}. */
  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Write the CDI spec of the MIG devices as they are now.",
        "",
        "Kind nvidia.com/mig: one device per MIG device, named by its MIG UUID, with exactly",
        "its device nodes; the nodes all share (nvidiactl, nvidia-uvm) in the common edits.",
        "'serve --cdi-spec FILE' keeps such a file current after every layout change."
      })
  static final class Generate implements Runnable {
    @ParentCommand CdiCommand cdi;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description =
            "Write it here, atomically (e.g. /etc/cdi/migctl.yaml); default: standard output.")
    Path output;

    @Option(names = "--json", description = "Write JSON instead of YAML.")
    boolean json;

    @Override
    public void run() {
      GpuNode node = cdi.root.node();
      CdiSpec spec = CdiSpec.of(node.driver(), node.deviceNodes());
      String text = json ? spec.json() : spec.yaml();
      PrintWriter out = cdi.spec.commandLine().getOut();
      if (output == null) {
        out.print(text);
      } else {
        try {
          CdiSpec.write(output, text);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write " + output + ": " + e.getMessage(), e);
        }
        out.println(
            "wrote " + output + ": " + spec.deviceCount() + " MIG devices (" + CdiSpec.KIND + ")");
      }
      out.flush();
    }
  }
}
