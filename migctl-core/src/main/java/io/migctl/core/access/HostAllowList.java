package io.migctl.core.access;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The names a request's {@code Host} header may carry: those of the addresses the daemon serves. A
 * web page from another site that makes its own name resolve to this machine (DNS rebinding) makes
 * the browser send that site's name, and is refused; people and tools use one of the names below.
 *
 * <ul>
 *   <li>a daemon on a loopback address answers to {@code localhost}, {@code 127.0.0.1}, {@code ::1}
 *       and its bind address;
 *   <li>a daemon on every address ({@code 0.0.0.0}, {@code ::}) answers to those and to the
 *       machine's names and addresses;
 *   <li>a daemon on one other address answers to that address and the machine's names;
 *   <li>each adds the names the operator allows ({@code serve --allow-host NAME}).
 * </ul>
 *
 * <p>Only the name is compared, not the port: a port forwarded through SSH or a proxy arrives with
 * the forwarded port, and a rebinding page cannot choose the name its browser sends. Names compare
 * without case and without a final dot; IPv6 addresses in their canonical form (RFC 5952).
 *
 * @param names the allowed names, normalized
 */
public record HostAllowList(Set<String> names) {

  /** How the daemon's bind address reaches the machine. */
  public enum Bind {
    /** A loopback address: this machine only. */
    LOOPBACK,
    /** Every address of the machine. */
    WILDCARD,
    /** One address that others can reach. */
    ADDRESS
  }

  /** The names every loopback daemon answers to. */
  public static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "::1");

  /** Normalizes the names; an empty list allows nothing. */
  public HostAllowList {
    Set<String> normalized = new LinkedHashSet<>();
    for (String n : names) {
      String name = normalize(n);
      if (!name.isEmpty()) {
        normalized.add(name);
      }
    }
    names = Collections.unmodifiableSet(normalized);
  }

  /**
   * The names a daemon bound as {@code bind} to {@code address} answers to.
   *
   * @param address the bind address as given ({@code --bind})
   * @param machineNames the machine's host names and the addresses of its interfaces
   * @param allowed names the operator allows besides ({@code --allow-host})
   */
  public static HostAllowList forBind(
      Bind bind, String address, Collection<String> machineNames, Collection<String> allowed) {
    List<String> names = new ArrayList<>();
    switch (bind) {
      case LOOPBACK -> names.addAll(LOOPBACK_NAMES);
      case WILDCARD -> {
        names.addAll(LOOPBACK_NAMES);
        names.addAll(machineNames);
      }
      case ADDRESS -> names.addAll(machineNames);
    }
    if (bind != Bind.WILDCARD) {
      names.add(address);
    }
    names.addAll(allowed);
    return new HostAllowList(new LinkedHashSet<>(names));
  }

  /**
   * Why a request with this {@code Host} header is refused, or empty when it is allowed.
   *
   * @param hostHeader the header's value; null when the request had none
   */
  public Optional<String> refusal(String hostHeader) {
    Optional<String> name = hostName(hostHeader);
    if (name.isPresent() && names.contains(name.get())) {
      return Optional.empty();
    }
    String shown = hostHeader == null ? "(none)" : "'" + hostHeader + "'";
    return Optional.of(
        "Host "
            + shown
            + " is not a name this daemon serves; it answers to "
            + String.join(", ", names)
            + ". A page of another site may be reaching it through DNS rebinding. Use one of"
            + " these names, or start the daemon with --allow-host NAME for a name of yours");
  }

  /** One to five ASCII digits. */
  private static boolean isPort(String port) {
    if (port.isEmpty() || port.length() > 5) {
      return false;
    }
    for (int i = 0; i < port.length(); i++) {
      if (port.charAt(i) < '0' || port.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** The name in a {@code Host} header ({@code name}, {@code name:port}, {@code [v6]:port}). */
  static Optional<String> hostName(String hostHeader) {
    if (hostHeader == null) {
      return Optional.empty();
    }
    String h = hostHeader.strip();
    String name;
    String port;
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      if (close < 0) {
        return Optional.empty();
      }
      name = h.substring(1, close);
      String rest = h.substring(close + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        return Optional.empty();
      }
      port = rest.isEmpty() ? null : rest.substring(1);
    } else {
      int colon = h.indexOf(':');
      if (colon >= 0 && h.indexOf(':', colon + 1) >= 0) {
        return Optional.empty(); // an IPv6 address must be in brackets
      }
      name = colon < 0 ? h : h.substring(0, colon);
      port = colon < 0 ? null : h.substring(colon + 1);
    }
    if (port != null && !isPort(port)) {
      return Optional.empty();
    }
    String normalized = normalize(name);
    return normalized.isEmpty() ? Optional.empty() : Optional.of(normalized);
  }

  /** Lower case, no final dot, no brackets; IPv6 addresses in RFC 5952's form. */
  static String normalize(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    if (n.startsWith("[") && n.endsWith("]")) {
      n = n.substring(1, n.length() - 1);
    }
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    return n.contains(":") ? ipv6(n).orElse(n) : n;
  }

  /**
   * An IPv6 address in canonical text: lower-case hex, no leading zeros, longest zero run as ::.
   */
  static Optional<String> ipv6(String text) {
    int zone = text.indexOf('%');
    String address = zone < 0 ? text : text.substring(0, zone);
    String[] halves = address.split("::", -1);
    if (halves.length > 2) {
      return Optional.empty();
    }
    List<Integer> head = groups(halves[0]);
    List<Integer> tail = halves.length == 2 ? groups(halves[1]) : List.of();
    if (head == null || tail == null) {
      return Optional.empty();
    }
    int missing = 8 - head.size() - tail.size();
    if (halves.length == 1 ? missing != 0 : missing < 1) {
      return Optional.empty();
    }
    List<Integer> all = new ArrayList<>(head);
    for (int i = 0; i < missing; i++) {
      all.add(0);
    }
    all.addAll(tail);
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && all.get(j) == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append(i == 0 ? "::" : ":");
        i += bestLength - 1;
        continue;
      }
      out.append(Integer.toHexString(all.get(i)));
      if (i < 7) {
        out.append(':');
      }
    }
    return Optional.of(out + (zone < 0 ? "" : text.substring(zone)));
  }

  /** The 16-bit groups of a part of an address (an IPv4 tail counts as two); null if malformed. */
  private static List<Integer> groups(String part) {
    List<Integer> out = new ArrayList<>();
    if (part.isEmpty()) {
      return out;
    }
    String[] fields = part.split(":", -1);
    for (int i = 0; i < fields.length; i++) {
      String f = fields[i];
      if (i == fields.length - 1 && f.contains(".")) {
        String[] octets = f.split("\\.", -1);
        if (octets.length != 4) {
          return null;
        }
        int[] v = new int[4];
        for (int k = 0; k < 4; k++) {
          if (!octets[k].matches("[0-9]{1,3}") || Integer.parseInt(octets[k]) > 255) {
            return null;
          }
          v[k] = Integer.parseInt(octets[k]);
        }
        out.add(v[0] << 8 | v[1]);
        out.add(v[2] << 8 | v[3]);
      } else if (f.matches("[0-9a-f]{1,4}")) {
        out.add(Integer.parseInt(f, 16));
      } else {
        return null;
      }
    }
    return out;
  }
}
