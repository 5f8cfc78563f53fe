package io.migctl.core.env;

import java.util.List;
import java.util.Objects;

/**
 * A micromamba selector, the key of a dependency item {@code - sel(linux): libgcc}: the item's
 * package is part of the spec only when the selector holds for the build platform.
 *
 * <p>The rule is micromamba's own ({@code eval_selector} in libmamba's environment-file reader):
 * the key is exactly {@code sel(} + one of {@code linux}, {@code osx}, {@code win}, {@code unix} +
 * {@code )}, no spaces; {@code linux} holds on {@code linux-*} platforms, {@code osx} on {@code
 * osx-*}, {@code win} on {@code win-*}, {@code unix} on {@code linux-*} and {@code osx-*}. Nothing
 * holds on {@code noarch}. Anything else is refused, as micromamba refuses it.
 *
 * @param system {@code linux}, {@code osx}, {@code win} or {@code unix}
 */
public record PlatformSelector(String system) {

  /** The systems a selector may name. */
  public static final List<String> SYSTEMS = List.of("linux", "osx", "win", "unix");

  public PlatformSelector {
    Objects.requireNonNull(system, "system");
    if (!SYSTEMS.contains(system)) {
      throw new IllegalArgumentException(
          "selector sel("
              + system
              + ") names no system micromamba knows; it takes sel(linux), sel(osx), sel(win) or"
              + " sel(unix)");
    }
  }

  /** Whether a mapping key is meant as a selector: it starts with {@code sel(}. */
  public static boolean isSelector(String key) {
    return key.startsWith("sel(");
  }

  /**
   * Reads a selector key.
   *
   * @throws IllegalArgumentException when the key is not {@code sel(SYSTEM)} as micromamba reads it
   */
  public static PlatformSelector parse(String key) {
    Objects.requireNonNull(key, "key");
    if (!isSelector(key) || !key.endsWith(")")) {
      throw new IllegalArgumentException(
          "\""
              + key
              + "\" is not a selector; micromamba's selectors are sel(linux), sel(osx),"
              + " sel(win) and sel(unix)");
    }
    return new PlatformSelector(key.substring("sel(".length(), key.length() - 1));
  }

  /** Whether the selector holds for a build platform (a conda subdir such as linux-64). */
  public boolean selects(String platform) {
    return switch (system) {
      case "unix" -> platform.startsWith("linux-") || platform.startsWith("osx-");
      default -> platform.startsWith(system + "-");
    };
  }

  @Override
  public String toString() {
    return "sel(" + system + ")";
  }
}
