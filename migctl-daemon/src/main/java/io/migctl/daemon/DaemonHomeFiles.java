package io.migctl.daemon;

import io.migctl.daemon.store.TokenRecords;
import io.migctl.home.MigctlHome;
import io.migctl.home.PrivateFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a starting daemon tells the clients on its machine through its home: the token file, which
 * opens the API, and {@code daemon.json}, where the API is.
 */
final class DaemonHomeFiles {

  private static final String OWN_TOKEN = "the daemon's own token, ";

  private DaemonHomeFiles() {}

  /**
   * The token records with the home's token file among them; a token the file held before it was
   * replaced no longer opens the API.
   */
  static TokenRecords ownToken(MigctlHome home, TokenRecords tokens, Clock clock)
      throws IOException {
    String token = Tokens.loadOrCreate(home.token());
    if (!tokens.matches(token)) {
      for (TokenRecords.TokenRecord old : tokens.list()) {
        if (old.description().startsWith(OWN_TOKEN)) {
          tokens.remove(old.id());
        }
      }
      tokens.add(token, OWN_TOKEN + home.token(), clock.instant());
    }
    return tokens;
  }

  /**
   * {@code daemon.json}: the URL for clients on this machine, the pid, and with TLS the
   * certificate's path, which local clients trust without being told.
   */
  static void writeDaemonFile(MigctlHome home, URI url, Optional<TlsFiles> tls) throws IOException {
    Path file = home.daemonFile();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("url", url.toString());
    content.put("pid", ProcessHandle.current().pid());
    tls.ifPresent(t -> content.put("tlsCertificate", t.certificate().toAbsolutePath().toString()));
    String json = DaemonJson.MAPPER.writeValueAsString(content);
    PrivateFiles.writeString(tmp, json + "\n");
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
