package io.migctl.daemon;

import io.migctl.apply.cdi.CdiSpec;
import io.migctl.nvidia.GpuNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The CDI spec file the daemon keeps current ({@code serve --cdi-spec}): written at start and after
 * every layout change, so that an engine resolving {@code nvidia.com/mig=MIG-…} finds exactly the
 * MIG devices that exist. JSON when the file's name ends in {@code .json}, YAML otherwise, as CDI
 * reads both. A spec that cannot be written is logged; the layout change stands.
 */
final class CdiSpecFile {

  private static final Logger LOG = Logger.getLogger(CdiSpecFile.class.getName());

  private final Path file;
  private final GpuNode node;

  CdiSpecFile(Path file, GpuNode node) {
    this.file = file;
    this.node = node;
  }

  /** Writes the spec of the devices as they are now. */
  void refresh() {
    try {
      CdiSpec spec = CdiSpec.of(node.driver(), node.deviceNodes());
      CdiSpec.write(file, file.toString().endsWith(".json") ? spec.json() : spec.yaml());
      LOG.fine("wrote " + file + ": " + spec.deviceCount() + " MIG devices");
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "cannot write the CDI spec " + file + ": " + e.getMessage(), e);
    }
  }
}
