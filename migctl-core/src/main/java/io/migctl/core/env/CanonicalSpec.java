package io.migctl.core.env;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The canonical text of an environment spec built for one platform by one backend, and its SHA-256:
 * the address of an environment build. Two specs that build the same environment have the same
 * text; quoting, spacing, comments, dependency order, {@code name} and {@code prefix} do not change
 * it.
 *
 * <p>The text is a JSON document, keys in this order, two-space indent, one array element per line,
 * a final newline:
 *
 * <pre>{@code
 * {
 *   "format": "migctl-environment/1",
 *   "platform": "linux-64",
 *   "backend": "conda",
 *   "channels": [
 *     "conda-forge",
 *     "nodefaults"
 *   ],
 *   "dependencies": [
 *     "numpy >=1.20,<2",
 *     "python 3.11.*"
 *   ],
 *   "pip": [
 *     "--index-url https://pypi.org/simple",
 *     "torch==2.3.0"
 *   ],
 *   "variables": {
 *     "OMP_NUM_THREADS": "4"
 *   }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code channels}: as written, repeats removed, in order: the order is channel priority.
 *   <li>{@code dependencies}: {@link MatchSpec#canonical()} of each, sorted (by UTF-16 code units)
 *       and without repeats: conda solves them as a set.
 *   <li>{@code pip}: the option lines ({@link PipLine#isOption()}: {@code --index-url}, {@code
 *       --extra-index-url}, {@code -r}, {@code -e}, {@code -c}, {@code -f}, …) in file order, then
 *       the requirement lines sorted (by UTF-16 code units) and without repeats. pip reads the
 *       whole requirements file before it resolves: options apply to every requirement wherever
 *       they stand, and the requirements are a set, so moving a requirement line keeps the hash.
 *       Option lines keep their order among themselves, since the later of two {@code --index-url}s
 *       wins and {@code -r}/{@code -e}/{@code -c} are kept as written. (Before issue 13 the pip
 *       lines were kept in file order; the format number stayed, as every text the new rule writes
 *       means what it meant: a spec whose requirements were out of order gets a new id once, and
 *       old builds keep theirs.)
 *   <li>{@code variables}: sorted by name.
 * </ul>
 *
 * Empty sections are {@code []} or {@code {}}. Strings are JSON strings: {@code "} and {@code \}
 * escaped, control characters as {@code \n}, {@code \r}, {@code \t} or JSON's six-character escape,
 * everything else as is. The hash is the lower-case hex SHA-256 of the text's UTF-8 bytes.
 *
 * @param text the canonical text
 * @param hash its SHA-256, 64 lower-case hex digits
 */
public record CanonicalSpec(String text, String hash) {

  /** Names this layout; a new layout gets a new number, so old hashes stay valid addresses. */
  public static final String FORMAT = "migctl-environment/1";

  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

  public CanonicalSpec {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(hash, "hash");
    if (!HEX_SHA256.matcher(hash).matches()) {
      throw new IllegalArgumentException(
          "hash \"" + hash + "\" is not 64 lower-case hex digits (a SHA-256)");
    }
    if (!hash.equals(sha256(text))) {
      throw new IllegalArgumentException(
          "hash " + hash + " is not the SHA-256 of the canonical text (" + sha256(text) + ")");
    }
  }

  /**
   * The canonical form of {@code spec} built for {@code platform} by {@code backend}.
   *
   * @param platform a conda subdir such as {@code linux-64}, {@code linux-aarch64}, {@code noarch}
   * @param backend the backend kind, e.g. {@code venv}, {@code conda}, {@code micromamba}
   * @throws IllegalArgumentException when the platform or backend is not such a word
   */
  public static CanonicalSpec of(EnvironmentSpec spec, String platform, String backend) {
    return of(spec, new BuildTarget(platform, backend));
  }

  /** The canonical form of {@code spec} built for {@code target}. */
  public static CanonicalSpec of(EnvironmentSpec spec, BuildTarget target) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(target, "target");
    List<String> dependencies =
        spec.dependencies().stream().map(MatchSpec::canonical).distinct().sorted().toList();
    StringBuilder out = new StringBuilder("{\n");
    field(out, "format", FORMAT);
    field(out, "platform", target.platform());
    field(out, "backend", target.backend());
    array(out, "channels", spec.channels());
    array(out, "dependencies", dependencies);
    array(out, "pip", pip(spec.pip()));
    object(out, "variables", spec.variables());
    out.append("}\n");
    String text = out.toString();
    return new CanonicalSpec(text, sha256(text));
  }

  /** Option lines in order, then the requirement lines sorted and without repeats. */
  private static List<String> pip(List<String> lines) {
    List<PipLine> pip = lines.stream().map(PipLine::new).toList();
    return Stream.concat(
            pip.stream().filter(PipLine::isOption).map(PipLine::text),
            pip.stream().filter(line -> !line.isOption()).map(PipLine::text).distinct().sorted())
        .toList();
  }

  private static void field(StringBuilder out, String key, String value) {
    out.append("  ").append(quote(key)).append(": ").append(quote(value)).append(",\n");
  }

  private static void array(StringBuilder out, String key, List<String> values) {
    out.append("  ").append(quote(key)).append(": ");
    if (values.isEmpty()) {
      out.append("[]");
    } else {
      out.append("[\n");
      for (int i = 0; i < values.size(); i++) {
        out.append("    ").append(quote(values.get(i)));
        out.append(i + 1 < values.size() ? ",\n" : "\n");
      }
      out.append("  ]");
    }
    out.append(",\n");
  }

  private static void object(StringBuilder out, String key, Map<String, String> values) {
    out.append("  ").append(quote(key)).append(": ");
    if (values.isEmpty()) {
      out.append("{}\n");
      return;
    }
    out.append("{\n");
    List<String> keys = values.keySet().stream().sorted().toList();
    for (int i = 0; i < keys.size(); i++) {
      String k = keys.get(i);
      out.append("    ").append(quote(k)).append(": ").append(quote(values.get(k)));
      out.append(i + 1 < keys.size() ? ",\n" : "\n");
    }
    out.append("  }\n");
  }

  /** A JSON string literal. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
