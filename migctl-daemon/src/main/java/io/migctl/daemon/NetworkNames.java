package io.migctl.daemon;

import io.migctl.core.access.HostAllowList;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The names and addresses the daemon is reached by: what kind of address it binds, the machine's
 * names for the {@code Host} check, and the URL and address it tells its clients.
 */
final class NetworkNames {

  private NetworkNames() {}

  /**
   * The URL for clients on this machine: a wildcard bind is reached through 127.0.0.1.
   *
   * @param tls whether the API speaks HTTPS
   */
  static URI localUrl(boolean tls, String bind, int port) {
    return URI.create((tls ? "https://" : "http://") + hostForUrl(bind, true) + ":" + port);
  }

  /** Where the daemon listens, as {@code host:port}; a blank bind is every address. */
  static String address(String bind, int port) {
    return hostForUrl(bind.isBlank() ? "0.0.0.0" : bind, false) + ":" + port;
  }

  private static String hostForUrl(String bind, boolean loopbackForWildcard) {
    if (loopbackForWildcard && (bind.equals("0.0.0.0") || bind.equals("::") || bind.isBlank())) {
      return "127.0.0.1";
    }
    return bind.contains(":") ? "[" + bind + "]" : bind;
  }

  /** Whether {@code bind} is a loopback address, every address, or one other. */
  static HostAllowList.Bind bindKind(String bind) {
    if (bind.isBlank()) {
      return HostAllowList.Bind.WILDCARD;
    }
    try {
      InetAddress address = InetAddress.getByName(bind);
      return address.isAnyLocalAddress()
          ? HostAllowList.Bind.WILDCARD
          : address.isLoopbackAddress() ? HostAllowList.Bind.LOOPBACK : HostAllowList.Bind.ADDRESS;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "--bind "
              + bind
              + ": no such address or name; give an address of this machine, e.g."
              + " 127.0.0.1 or 0.0.0.0");
    }
  }

  /** This machine's names and the addresses of its interfaces, for the Host check. */
  static List<String> machineNames() {
    Set<String> names = new LinkedHashSet<>();
    try {
      InetAddress local = InetAddress.getLocalHost();
      names.add(local.getHostName());
      names.add(local.getCanonicalHostName());
    } catch (UnknownHostException e) {
      // no name resolves for this machine: its addresses still count
    }
    try {
      for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
        nic.inetAddresses().forEach(a -> names.add(a.getHostAddress()));
      }
    } catch (SocketException e) {
      // no interfaces to list: the names above and --allow-host remain
    }
    return List.copyOf(names);
  }

  /**
   * This machine's name, for the metrics' {@code Hostname} label; "localhost" when none resolves.
   */
  static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
