package io.migctl.cli;

import io.migctl.node.daemon.NodeDaemon;
import picocli.CommandLine.Option;

/**
 * Where the daemon listens: {@code --port} and {@code --bind}, shared by {@code serve} and {@code
 * up}.
 */
final class ListenOptions {

  @Option(
      names = "--port",
      paramLabel = "P",
      description = "The daemon's port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = NodeDaemon.DEFAULT_PORT;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      description =
          "The address the daemon listens on (default ${DEFAULT-VALUE}, this machine only).")
  String bind = "127.0.0.1";

  /**
   * Refuses a port out of range; call it before changing anything.
   *
   * @throws InvalidInputException naming the option
   */
  void check() {
    if (port < 0 || port > 65535) {
      throw new InvalidInputException("--port " + port + ": use 0 to 65535");
    }
  }

  /** {@code options} listening as asked (checked). */
  NodeDaemon.Options applyTo(NodeDaemon.Options options) {
    check();
    return options.withPort(port).withBind(bind);
  }
}
