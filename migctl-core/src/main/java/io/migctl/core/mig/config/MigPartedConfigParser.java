package io.migctl.core.mig.config;

import io.migctl.core.mig.ProfileName;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a mig-parted {@code version: v1} config from the tree a YAML or JSON loader gives, with
 * mig-parted's rules (its {@code api/spec/v1} schema): what it refuses is refused here, with a
 * {@link ConfigException} whose path points at the element ({@code
 * mig-configs.custom[1].mig-devices."3g.41gb"}) and whose message says how to fix it.
 *
 * <p>The tree is made of {@link Map} (keys of any scalar type; mig-parted turns them into strings:
 * {@code true}, {@code 7}), {@link List}, {@link String}, {@link Integer}, {@link Long}, {@link
 * BigInteger}, {@link Double}, {@link Boolean} and {@code null}. Rules, as mig-parted has them:
 *
 * <ul>
 *   <li>A null tree (an empty document) is a config without configs. Otherwise {@code version} is
 *       required and is the string {@code v1}; {@code version} and {@code mig-configs} are the only
 *       fields. {@code mig-configs} may be absent, but when present holds at least one config, and
 *       every config at least one entry.
 *   <li>An entry has {@code devices} ({@code all} or a list of GPU indices) and {@code mig-enabled}
 *       (a boolean; a null value counts as false, as in mig-parted), optionally {@code
 *       device-filter} (a string or a list of strings; empty or null means every GPU) and {@code
 *       mig-devices} (profile to count). {@code mig-devices} is required, maybe {@code {}}, when
 *       MIG is enabled, and must be empty when it is not; when not empty, at least one count is
 *       above 0 (a null count is 0).
 *   <li>Profile names are checked for syntax only ({@link ProfileName#parse}); whether a GPU has
 *       the profile is decided per GPU later.
 * </ul>
 *
 * <p>The types are mig-parted's exactly. It turns the YAML into JSON (YAML 1.1 scalars: unquoted
 * {@code yes}/{@code on} are booleans, {@code 010} is 8) and unmarshals that strictly, so: {@code
 * mig-enabled} is a JSON boolean only (the quoted {@code "true"} is a string and refused); GPU
 * indices and counts are whole numbers, where a float that is whole ({@code 1.0}) counts, since the
 * JSON step writes it as {@code 1}, and a quoted number, a fraction or a boolean does not; {@code
 * devices} is the string {@code all} exactly or a list of indices; {@code device-filter} is a
 * string or a list of strings. The tree must come from a loader that resolves YAML 1.1 scalars as
 * go-yaml v2 does (migctl's {@code MigPartedFiles}).
 *
 * <p>Stricter than mig-parted, because the value cannot mean anything: negative GPU indices, a null
 * among the indices or filters (Go reads it as 0 or ""), profile keys with spaces or a {@code MIG }
 * prefix, and two keys that name the same profile ({@code 3g.20gb} and {@code 3c.3g.20gb}).
 *
 * <p>Stateless and thread-safe; performs no I/O.
 */
public final class MigPartedConfigParser {

  private static final Set<String> TOP_FIELDS = Set.of("version", "mig-configs");
  private static final List<String> ENTRY_FIELDS =
      List.of("device-filter", "devices", "mig-enabled", "mig-devices");

  private MigPartedConfigParser() {}

  /**
   * Reads a whole mig-parted config file.
   *
   * @param tree the loaded document; null for an empty one
   * @return the configs in file order
   * @throws ConfigException naming the first wrong element and how to fix it
   */
  public static MigPartedConfig parse(Object tree) {
    if (tree == null) {
      return new MigPartedConfig(Map.of());
    }
    Map<String, Object> top = mapping(tree, "", "a mig-parted config");
    if (!top.containsKey("version")) {
      throw new ConfigException(
          "version", "is missing; a mig-parted config starts with version: v1 (then mig-configs:)");
    }
    Object version = top.get("version");
    if (!"v1".equals(version)) {
      throw new ConfigException(
          "version",
          describe(version)
              + " is not a version migctl reads; mig-parted config files are version: v1");
    }
    for (String key : top.keySet()) {
      if (!TOP_FIELDS.contains(key)) {
        throw new ConfigException(
            key,
            "unknown field \""
                + key
                + "\"; a mig-parted config has only version and mig-configs"
                + unknownTopFieldHint(key, top.get(key)));
      }
    }
    if (!top.containsKey("mig-configs")) {
      return new MigPartedConfig(Map.of());
    }
    Object configsTree = top.get("mig-configs");
    if (configsTree == null) {
      throw new ConfigException(
          "mig-configs", "is empty; add at least one named config, e.g. all-disabled:");
    }
    Map<String, Object> configsMap = mapping(configsTree, "mig-configs", "named configs");
    if (configsMap.isEmpty()) {
      throw new ConfigException(
          "mig-configs", "is empty; add at least one named config, e.g. all-disabled:");
    }
    Map<String, List<ConfigEntry>> configs = new LinkedHashMap<>();
    for (Map.Entry<String, Object> config : configsMap.entrySet()) {
      String path = "mig-configs." + segment(config.getKey());
      configs.put(config.getKey(), entries(config.getValue(), path));
    }
    return new MigPartedConfig(configs);
  }

  /**
   * What an unknown top-level field most likely is: an entry field written too far left, or a named
   * config whose indentation was lost (its value is a list of entries, as under mig-configs).
   */
  private static String unknownTopFieldHint(String key, Object value) {
    if (looksLikeEntryField(key)) {
      return " (entry fields go under mig-configs.<name>[i])";
    }
    if (value instanceof List<?>) {
      return "; it looks like a named config: indent it under mig-configs: and its entries under"
          + " it";
    }
    return "";
  }

  private static List<ConfigEntry> entries(Object tree, String path) {
    if (tree == null) {
      throw new ConfigException(
          path, "has no entries; add at least one, e.g. - devices: all / mig-enabled: false");
    }
    if (!(tree instanceof List<?> list)) {
      throw new ConfigException(
          path,
          "must be a list of entries (- devices: ...), was "
              + describe(tree)
              + (tree instanceof Map<?, ?> m && m.containsKey("devices")
                  ? "; put a - before devices:"
                  : "")
              + templateHint(tree));
    }
    if (list.isEmpty()) {
      throw new ConfigException(
          path, "has no entries; add at least one, e.g. - devices: all / mig-enabled: false");
    }
    List<ConfigEntry> entries = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      entries.add(entry(list.get(i), path + "[" + i + "]"));
    }
    return entries;
  }

  private static ConfigEntry entry(Object tree, String path) {
    if (tree == null) {
      throw new ConfigException(
          path, "is empty; an entry needs devices and mig-enabled (- devices: all)");
    }
    Map<String, Object> fields = mapping(tree, path, "an entry with devices and mig-enabled");
    for (String key : fields.keySet()) {
      if (!ENTRY_FIELDS.contains(key)) {
        throw new ConfigException(
            path + "." + segment(key),
            "unknown field \""
                + key
                + "\"; an entry has "
                + String.join(", ", ENTRY_FIELDS)
                + suggestion(key));
      }
    }
    for (String required : List.of("devices", "mig-enabled")) {
      if (!fields.containsKey(required)) {
        throw new ConfigException(
            path,
            "missing required field "
                + required
                + (required.equals("devices")
                    ? "; write devices: all or devices: [0, 1]"
                    : "; write mig-enabled: true or mig-enabled: false"));
      }
    }
    List<DeviceFilter> filter = deviceFilter(fields.get("device-filter"), path + ".device-filter");
    DeviceSelection devices = devices(fields.get("devices"), path + ".devices");
    boolean enabled = migEnabled(fields.get("mig-enabled"), path + ".mig-enabled");
    String devicesPath = path + ".mig-devices";
    Map<ProfileName, Integer> migDevices =
        fields.get("mig-devices") == null
            ? null
            : migDevices(fields.get("mig-devices"), devicesPath);
    if (enabled && migDevices == null) {
      throw new ConfigException(
          devicesPath,
          "is required when mig-enabled is true; list profiles (\"1g.5gb\": 7) or write"
              + " mig-devices: {} to only turn MIG mode on");
    }
    if (!enabled && migDevices != null && !migDevices.isEmpty()) {
      throw new ConfigException(
          devicesPath,
          "lists MIG devices but mig-enabled is false; set mig-enabled: true or remove them");
    }
    return new ConfigEntry(
        path, filter, devices, enabled, migDevices == null ? Map.of() : migDevices);
  }

  private static List<DeviceFilter> deviceFilter(Object tree, String path) {
    if (tree == null || "".equals(tree)) {
      // mig-parted reads a null or empty filter as "no filter".
      return List.of();
    }
    if (tree instanceof String s) {
      return List.of(new DeviceFilter(s));
    }
    if (tree instanceof List<?> list) {
      List<DeviceFilter> filters = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        Object item = list.get(i);
        if (!(item instanceof String s)) {
          throw new ConfigException(path + "[" + i + "]", notAFilter(item));
        }
        filters.add(new DeviceFilter(s));
      }
      return filters;
    }
    throw new ConfigException(path, notAFilter(tree));
  }

  private static String notAFilter(Object value) {
    String fix = "a PCI device id in quotes, like \"0x20B010DE\"";
    if (value instanceof Long || value instanceof Integer) {
      // YAML reads an unquoted 0x20B010DE as a number; mig-parted refuses it too.
      long id = ((Number) value).longValue();
      if (id >= 0 && id <= 0xFFFFFFFFL) {
        fix = "quote the PCI id: \"0x" + String.format(Locale.ROOT, "%08X", id) + "\"";
      }
    }
    return describe(value)
        + " is not a device filter; a filter is a string or a list of strings, "
        + fix
        + templateHint(value);
  }

  private static DeviceSelection devices(Object tree, String path) {
    if ("all".equals(tree)) {
      return new DeviceSelection.All();
    }
    if (tree instanceof List<?> list) {
      List<Integer> indices = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        Object item = list.get(i);
        Optional<Integer> index = wholeNumber(item).filter(n -> n >= 0);
        if (index.isEmpty()) {
          throw new ConfigException(
              path + "[" + i + "]",
              describe(item)
                  + " is not a GPU index; indices are whole numbers from 0, as nvidia-smi"
                  + " numbers the GPUs"
                  + templateHint(item));
        }
        indices.add(index.get());
      }
      return new DeviceSelection.Indices(indices);
    }
    if (wholeNumber(tree).isPresent()) {
      throw new ConfigException(
          path,
          tree
              + " is a single number; devices takes a list: write devices: ["
              + tree
              + "] for GPU "
              + tree
              + ", or devices: all");
    }
    throw new ConfigException(
        path,
        describe(tree)
            + " is not all or a list of GPU indices; write devices: all or devices: [0, 1]"
            + templateHint(tree));
  }

  private static boolean migEnabled(Object tree, String path) {
    if (tree == null) {
      // mig-parted decodes a null into false without complaint.
      return false;
    }
    if (tree instanceof Boolean b) {
      return b;
    }
    throw new ConfigException(
        path,
        describe(tree)
            + " is not a boolean; write true or false"
            + (tree instanceof String ? ", without quotes" : "")
            + templateHint(tree));
  }

  private static Map<ProfileName, Integer> migDevices(Object tree, String path) {
    if (!(tree instanceof Map<?, ?>)) {
      throw new ConfigException(
          path,
          describe(tree)
              + " is not a mapping of profile to count; write e.g. mig-devices: {\"1g.5gb\": 7},"
              + " or mig-devices: {} for none"
              + templateHint(tree));
    }
    Map<String, Object> counts = mapping(tree, path, "profile counts");
    Map<ProfileName, Integer> result = new LinkedHashMap<>();
    Map<ProfileName, String> spelled = new LinkedHashMap<>();
    boolean anyAboveZero = false;
    for (Map.Entry<String, Object> e : counts.entrySet()) {
      String key = e.getKey();
      String keyPath = path + "." + quote(key);
      ProfileName profile = profile(key, keyPath);
      int count = count(e.getValue(), keyPath);
      if (spelled.containsKey(profile)) {
        throw new ConfigException(
            keyPath,
            "names the same profile as \""
                + spelled.get(profile)
                + "\" ("
                + profile
                + "); write it once with the total count");
      }
      spelled.put(profile, key);
      result.put(profile, count);
      anyAboveZero |= count > 0;
    }
    if (!result.isEmpty() && !anyAboveZero) {
      throw new ConfigException(
          path,
          "every count is 0; give at least one profile a count above 0, or write mig-devices: {}"
              + " for MIG mode without devices");
    }
    return result;
  }

  private static ProfileName profile(String key, String path) {
    if (!key.equals(key.strip()) || key.startsWith("MIG ")) {
      throw new ConfigException(
          path,
          "\""
              + key
              + "\" is not written as mig-parted reads profiles; write \""
              + key.strip().replaceFirst("^MIG\\s+", "")
              + "\" (no spaces, no MIG prefix)");
    }
    try {
      return ProfileName.parse(key);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, e.getMessage() + templateHint(key));
    }
  }

  private static int count(Object value, String path) {
    if (value == null) {
      return 0; // mig-parted decodes a null count as 0
    }
    Optional<Integer> n = wholeNumber(value);
    if (n.isEmpty() || n.get() < 0) {
      throw new ConfigException(
          path,
          describe(value)
              + " is not a count; a count is a whole number from 0, e.g. \"1g.5gb\": 7"
              + templateHint(value));
    }
    return n.get();
  }

  /**
   * The int of a whole number that fits in an int, as Go's JSON decoder reads it into an {@code
   * int}: an integer, or a float that is whole, since mig-parted's YAML-to-JSON step writes {@code
   * 1.0} as {@code 1}.
   */
  static Optional<Integer> wholeNumber(Object value) {
    return switch (value) {
      case Integer i -> Optional.of(i);
      case Long l when l == l.intValue() -> Optional.of(l.intValue());
      case BigInteger b when b.bitLength() < Integer.SIZE -> Optional.of(b.intValue());
      case Double d when d == Math.rint(d) && d == (int) d.doubleValue() ->
          Optional.of((int) d.doubleValue());
      case null, default -> Optional.empty();
    };
  }

  /**
   * The map with its keys as mig-parted sees them: YAML keys become JSON strings, so {@code true}
   * is {@code "true"} and {@code 7} is {@code "7"}.
   */
  static Map<String, Object> mapping(Object tree, String path, String expected) {
    if (!(tree instanceof Map<?, ?> map)) {
      throw new ConfigException(
          path,
          "expected " + expected + " (a mapping), found " + describe(tree) + templateHint(tree));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      result.put(keyString(e.getKey(), path), e.getValue());
    }
    return result;
  }

  private static String keyString(Object key, String path) {
    return switch (key) {
      case String s -> s;
      case Boolean b -> b.toString();
      case Integer i -> i.toString();
      case Long l -> l.toString();
      case BigInteger b -> b.toString();
      case Double d -> goFloat(d, true);
      case null ->
          throw new ConfigException(path, "has an empty (null) key; give every key a name");
      default -> throw new ConfigException(path, "has a key that is " + describe(key));
    };
  }

  /**
   * A float as mig-parted's YAML-to-JSON step writes it where a string is wanted: Go's {@code
   * strconv.FormatFloat(v, 'g', -1, 32)}, the shortest text of its 32-bit value, exponent form
   * below 1e-4 and from 1e6 ({@code 1e+06}, {@code 1.2345679e+08}, {@code 0.0001}, {@code 1}).
   *
   * @param key a map key, whose infinities and NaN are written as YAML ones ({@code .inf})
   */
  static String goFloat(double value, boolean key) {
    if (Double.isNaN(value)) {
      return key ? ".nan" : "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? (key ? ".inf" : "+Inf") : (key ? "-.inf" : "-Inf");
    }
    float f = (float) value;
    if (Float.isInfinite(f)) {
      return f > 0 ? "+Inf" : "-Inf";
    }
    String sign = (f < 0 || (f == 0 && 1 / f < 0)) ? "-" : "";
    if (f == 0) {
      return sign + "0";
    }
    BigDecimal shortest = new BigDecimal(Float.toString(Math.abs(f))).stripTrailingZeros();
    String digits = shortest.unscaledValue().toString();
    int exponent = digits.length() - shortest.scale() - 1;
    if (exponent < -4 || exponent >= 6) {
      String mantissa =
          digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign
          + mantissa
          + "e"
          + (exponent < 0 ? "-" : "+")
          + (Math.abs(exponent) < 10 ? "0" : "")
          + Math.abs(exponent);
    }
    return sign + shortest.toPlainString();
  }

  /** A short description of a value for messages: {@code the string "x"}, {@code a list}. */
  static String describe(Object value) {
    return switch (value) {
      case null -> "nothing (an empty value)";
      case String s -> "the string \"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"";
      case Boolean b -> "the boolean " + b;
      case Number n -> "the number " + n;
      case Map<?, ?> m -> m.isEmpty() ? "an empty mapping {}" : "a mapping";
      case List<?> l -> l.isEmpty() ? "an empty list []" : "a list";
      default -> "a " + value.getClass().getSimpleName();
    };
  }

  /** A hint for values that are unrendered Puppet, Helm, Jinja or shell placeholders. */
  static String templateHint(Object value) {
    if (value instanceof String s
        && (s.contains("${") || s.contains("{{") || s.contains("{%") || s.contains("<%"))) {
      return "; it is a template placeholder: render the template first (Puppet, Helm, Jinja) and"
          + " give migctl the result";
    }
    return "";
  }

  /** A path segment: plain when it is a simple name, else quoted. */
  static String segment(String name) {
    return name.matches("[A-Za-z0-9_.+-]+") ? name : quote(name);
  }

  /** A double-quoted path segment, as in {@code mig-devices."3g.41gb"}. */
  static String quote(String name) {
    return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static boolean looksLikeEntryField(String key) {
    return ENTRY_FIELDS.contains(key);
  }

  private static String suggestion(String key) {
    String k = key.toLowerCase(Locale.ROOT).replace('_', '-').replace(" ", "");
    for (String field : ENTRY_FIELDS) {
      if (k.equals(field)
          || k.equals(field.replace("-", ""))
          || (k.length() > 3 && (field.startsWith(k) || k.startsWith(field)))) {
        return "; did you mean " + field + "?";
      }
    }
    return "";
  }
}
