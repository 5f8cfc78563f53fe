package io.migctl.cli;

import io.migctl.daemon.NodeDaemon;
import io.migctl.daemon.TlsFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where and how the daemon listens: {@code --port}, {@code --bind}, {@code --allow-host} and TLS,
 * shared by {@code serve} and {@code up}.
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
      description = {
        "The address the daemon listens on (default ${DEFAULT-VALUE}, this machine only);",
        "0.0.0.0 for every address. Other than loopback, give it TLS too."
      })
  String bind = "127.0.0.1";

  @Option(
      names = "--allow-host",
      paramLabel = "NAME",
      description = {
        "A name clients may reach the daemon by besides those of its address (repeatable): a",
        "request whose Host header names none of them is refused (421), as DNS rebinding needs."
      })
  List<String> allowHosts = new ArrayList<>();

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "Serve HTTPS with this PEM certificate (then its chain); needs --tls-key.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "The certificate's unencrypted PEM private key (keep it 0600).")
  Path tlsKey;

  /**
   * Refuses a port out of range and TLS half given; call it before changing anything.
   *
   * @throws InvalidInputException naming the option
   */
  void check() {
    if (port < 0 || port > 65535) {
      throw new InvalidInputException("--port " + port + ": use 0 to 65535");
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new InvalidInputException(
          (tlsCert == null ? "--tls-key without --tls-cert" : "--tls-cert without --tls-key")
              + ": TLS needs both the certificate and its key");
    }
  }

  /** {@code options} listening as asked (checked). */
  NodeDaemon.Options applyTo(NodeDaemon.Options options) {
    check();
    Optional<TlsFiles> tls =
        tlsCert == null ? Optional.empty() : Optional.of(new TlsFiles(tlsCert, tlsKey));
    return options
        .withPort(port)
        .withBind(bind)
        .withTransport(new NodeDaemon.Transport(allowHosts, tls));
  }
}
