package io.migctl.apply;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.Schema;

/** YAML 1.1 scalars as go-yaml v2 resolves them. */
final class Yaml11Schema implements Schema, ScalarResolver {

  static final Set<String> TRUE =
      Set.of("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON");
  static final Set<String> FALSE =
      Set.of("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF");
  static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");
  static final Pattern FLOAT =
      Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  static final Pattern INFINITY = Pattern.compile("[-+]?\\.(inf|Inf|INF)");
  static final Pattern NAN = Pattern.compile("\\.(nan|NaN|NAN)");

  @Override
  public ScalarResolver getScalarResolver() {
    return this;
  }

  @Override
  public Map<Tag, ConstructNode> getSchemaTagConstructors() {
    return Map.of();
  }

  @Override
  public Tag resolve(String value, Boolean implicit) {
    if (!implicit) {
      return Tag.STR;
    }
    if (NULLS.contains(value)) {
      return Tag.NULL;
    }
    if (TRUE.contains(value) || FALSE.contains(value)) {
      return Tag.BOOL;
    }
    if (value.equals("<<")) {
      return Tag.MERGE;
    }
    char first = value.charAt(0);
    boolean numeric = Character.isDigit(first) || first == '+' || first == '-' || first == '.';
    if (numeric && integer(value).isPresent()) {
      return Tag.INT;
    }
    if (numeric && floating(value).isPresent()) {
      return Tag.FLOAT;
    }
    return Tag.STR;
  }

  /** An integer as Go's {@code ParseInt(s, 0, 64)} (or ParseUint) reads it, underscores gone. */
  static Optional<Number> integer(String value) {
    String s = value.replace("_", "");
    boolean negative = s.startsWith("-");
    if (s.startsWith("-") || s.startsWith("+")) {
      s = s.substring(1);
    }
    int radix = 10;
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("0x")) {
      radix = 16;
      s = s.substring(2);
    } else if (lower.startsWith("0o")) {
      radix = 8;
      s = s.substring(2);
    } else if (lower.startsWith("0b")) {
      radix = 2;
      s = s.substring(2);
    } else if (s.length() > 1 && s.startsWith("0")) {
      radix = 8;
      s = s.substring(1);
    }
    if (s.isEmpty()) {
      return Optional.empty();
    }
    for (char c : s.toCharArray()) {
      if (Character.digit(c, radix) < 0) {
        return Optional.empty();
      }
    }
    BigInteger n = new BigInteger(s, radix);
    if (negative) {
      n = n.negate();
    }
    if (n.bitLength() < Long.SIZE) {
      return Optional.of(n.longValue());
    }
    boolean fitsUnsigned = n.signum() > 0 && n.bitLength() <= Long.SIZE;
    return fitsUnsigned ? Optional.of(n) : Optional.empty();
  }

  static Optional<Double> floating(String value) {
    if (INFINITY.matcher(value).matches()) {
      return Optional.of(
          value.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
    }
    if (NAN.matcher(value).matches()) {
      return Optional.of(Double.NaN);
    }
    String plain = value.replace("_", "");
    if (!FLOAT.matcher(plain).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Double.parseDouble(plain));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
