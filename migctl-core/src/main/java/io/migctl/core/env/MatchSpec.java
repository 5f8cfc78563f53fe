package io.migctl.core.env;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A conda MatchSpec, the package request of an {@code environment.yml}: {@code
 * [channel[/subdir]::]name[ version[ build]]}, also written {@code name=version=build}, {@code
 * name>=1.0,<2} or {@code name[version='>=1.0',build=py*]}.
 *
 * <p>The components are held in one normal form, so two specs that conda reads alike are equal
 * records: the name in lower case (conda compares names case-insensitively), the version as {@link
 * CondaVersionSpec} prints it ({@code 1.2.*}, {@code >=1.0,<2}), {@code *} versions and builds
 * dropped. The version follows conda's own reading of the written form: {@code name=1.2} means
 * "1.2.*", {@code name==1.2} and {@code name 1.2} mean exactly 1.2, and {@code name=1.2=build}
 * means exactly 1.2 with that build. Brackets are read as conda reads them ({@link
 * MatchSpecParser}): what conda drops is dropped, with a warning ({@link #read}).
 *
 * <p>Stricter than conda where conda would only fail later: package names are {@code
 * [a-z0-9_][a-z0-9_.+-]*}, a dangling operator ({@code numpy>=}, {@code numpy=}) is refused, and
 * package URLs, regular-expression versions and {@code (…)} sections are not taken.
 *
 * @param channel the channel, with its subdir when one was given ({@code conda-forge/linux-64})
 * @param name the package name, lower case
 * @param version the normalised version expression; empty for any version
 * @param build the build string or glob ({@code py39_0}, {@code cuda12*}); empty for any build
 * @param attributes conda's other match fields, by key ({@link #ATTRIBUTE_KEYS}): {@code
 *     build_number}, {@code md5}, {@code url}, …; {@code subdir} only when there is no channel
 */
public record MatchSpec(
    Optional<String> channel,
    String name,
    Optional<String> version,
    Optional<String> build,
    Map<String, String> attributes) {

  /** The forms {@link #parse} takes, for error messages. */
  public static final String ACCEPTED_FORMS =
      "name, name=1.2, name==1.2, name 1.2.*, name>=1.0,<2, name 1.2|1.3, name=1.2=build,"
          + " name 1.2 build, channel::name, channel/subdir::name,"
          + " name[version='>=1.0',build=py*,md5=…]";

  /**
   * The match fields conda takes in brackets besides {@code name}, {@code version}, {@code build}
   * and {@code channel}, which are components of their own ({@code MatchSpec.FIELD_NAMES} in
   * conda).
   */
  public static final List<String> ATTRIBUTE_KEYS =
      List.of(
          "build_number",
          "features",
          "fn",
          "license",
          "license_family",
          "md5",
          "subdir",
          "track_features",
          "url");

  private static final Pattern NAME = Pattern.compile("[a-z0-9_][a-z0-9_.+-]*");
  private static final Pattern BUILD = Pattern.compile("[A-Za-z0-9_.*+]+");
  private static final Pattern CHANNEL = Pattern.compile("[^\\s\\[\\]()'\",|<>=!~#]+");
  private static final Pattern BUILD_NUMBER = Pattern.compile("(==|!=|<=|>=|<|>|=)?[0-9]{1,9}");
  private static final Pattern ATTRIBUTE_VALUE = Pattern.compile("[^'\"\\[\\]\\p{Cntrl}]+");
  private static final Pattern UNQUOTED_VALUE = Pattern.compile("[A-Za-z0-9_.*+-]+");

  public MatchSpec {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(build, "build");
    Objects.requireNonNull(attributes, "attributes");
    name = checkName(name);
    channel = channel.map(MatchSpec::checkChannel);
    version = version.map(CondaVersionSpec::normalise).filter(v -> !v.equals("*"));
    build = build.map(MatchSpec::checkBuild).filter(b -> !b.equals("*"));
    attributes = checkAttributes(attributes, channel.isPresent());
  }

  /** A spec without conda's other match fields. */
  public MatchSpec(
      Optional<String> channel, String name, Optional<String> version, Optional<String> build) {
    this(channel, name, version, build, Map.of());
  }

  /** A spec for any version of {@code name} from any channel. */
  public static MatchSpec of(String name) {
    return new MatchSpec(Optional.empty(), name, Optional.empty(), Optional.empty());
  }

  /**
   * A MatchSpec read from its written form, and what conda would ignore in it.
   *
   * @param spec the spec
   * @param warnings one sentence per thing conda drops or overrides (bracket text that is not
   *     {@code key=value}, a {@code #} comment, a value given twice); empty when none
   */
  public record Parsed(MatchSpec spec, List<String> warnings) {
    public Parsed {
      Objects.requireNonNull(spec, "spec");
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Reads a MatchSpec as an {@code environment.yml} writes it, dropping what conda drops.
   *
   * @throws IllegalArgumentException naming the text, what is wrong and the forms accepted
   */
  public static MatchSpec parse(String text) {
    return read(text).spec();
  }

  /**
   * Reads a MatchSpec as an {@code environment.yml} writes it, with a warning for each thing conda
   * would silently drop or override. Total: any string gives a value or an {@link
   * IllegalArgumentException}.
   *
   * @throws IllegalArgumentException naming the text, what is wrong and the forms accepted
   */
  public static Parsed read(String text) {
    Objects.requireNonNull(text, "text");
    try {
      return MatchSpecParser.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "MatchSpec \""
              + SpecText.abbreviate(text)
              + "\": "
              + e.getMessage()
              + "; accepted: "
              + ACCEPTED_FORMS,
          e);
    }
  }

  /**
   * The one normal form. Without attributes: {@code channel::name version build}, single spaces,
   * the version as held ({@code *} when only a build is given). With attributes, or a version with
   * parentheses (which conda would read as a {@code (…)} section after a name), everything after
   * the name goes in brackets: {@code channel::name[version='(1.2|1.3),<2',build=py*,md5=…]}, the
   * version quoted, then the build, then the attributes by key, quoted when they hold more than
   * {@code A-Z a-z 0-9 _ . * + -}. Both {@link #parse} and conda read the form back to the same
   * spec.
   */
  public String canonical() {
    StringBuilder out = new StringBuilder();
    channel.ifPresent(c -> out.append(c).append("::"));
    out.append(name);
    if (!attributes.isEmpty() || version.filter(v -> v.indexOf('(') >= 0).isPresent()) {
      List<String> fields = new ArrayList<>();
      version.ifPresent(v -> fields.add("version='" + v + "'"));
      build.ifPresent(b -> fields.add("build=" + b));
      attributes.forEach(
          (key, value) ->
              fields.add(
                  key
                      + "="
                      + (UNQUOTED_VALUE.matcher(value).matches() ? value : "'" + value + "'")));
      return out.append('[').append(String.join(",", fields)).append(']').toString();
    }
    if (version.isPresent() || build.isPresent()) {
      out.append(' ').append(version.orElse("*"));
    }
    build.ifPresent(b -> out.append(' ').append(b));
    return out.toString();
  }

  /** Whether this spec asks for the package {@code packageName} (case-insensitive). */
  public boolean isNamed(String packageName) {
    return name.equals(packageName.toLowerCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return canonical();
  }

  private static String checkName(String name) {
    String lower = name.strip().toLowerCase(Locale.ROOT);
    if (lower.isEmpty()) {
      throw new IllegalArgumentException("the package name is empty");
    }
    if (!NAME.matcher(lower).matches()) {
      throw new IllegalArgumentException(
          "package name \""
              + SpecText.abbreviate(name)
              + "\" has characters a conda package name cannot have; names use a-z 0-9 _ . + -"
              + " and start with a letter, digit or '_'");
    }
    return lower;
  }

  private static String checkChannel(String channel) {
    String stripped = channel.strip();
    if (stripped.isEmpty()) {
      throw new IllegalArgumentException("the channel is empty");
    }
    if (!CHANNEL.matcher(stripped).matches()) {
      throw new IllegalArgumentException(
          "channel \""
              + SpecText.abbreviate(channel)
              + "\" has whitespace or one of [ ] ( ) ' \" , | < > = ! ~ #, which a channel cannot"
              + " have");
    }
    return stripped;
  }

  private static Map<String, String> checkAttributes(
      Map<String, String> attributes, boolean hasChannel) {
    TreeMap<String, String> sorted = new TreeMap<>();
    attributes.forEach(
        (key, value) -> {
          Objects.requireNonNull(key, "attribute key");
          Objects.requireNonNull(value, "attribute value");
          if (!ATTRIBUTE_KEYS.contains(key)) {
            throw new IllegalArgumentException(
                "conda cannot match on the field '"
                    + SpecText.abbreviate(key)
                    + "'; bracket keys are version, build, channel, name and "
                    + String.join(", ", ATTRIBUTE_KEYS));
          }
          if (key.equals("subdir") && hasChannel) {
            throw new IllegalArgumentException(
                "gives a subdir apart from its channel; write channel/subdir::name");
          }
          String stripped = value.strip();
          if (!ATTRIBUTE_VALUE.matcher(stripped).matches()) {
            throw new IllegalArgumentException(
                "["
                    + key
                    + "=…] \""
                    + SpecText.abbreviate(value)
                    + "\" is empty or has a quote, a bracket or a control character");
          }
          if (key.equals("build_number") && !BUILD_NUMBER.matcher(stripped).matches()) {
            throw new IllegalArgumentException(
                "[build_number=…] \""
                    + SpecText.abbreviate(value)
                    + "\" is not a build number, optionally after an operator (3, >=2, !=0)");
          }
          sorted.put(key, stripped);
        });
    return Collections.unmodifiableMap(sorted);
  }

  private static String checkBuild(String build) {
    String stripped = build.strip();
    if (!BUILD.matcher(stripped).matches()) {
      throw new IllegalArgumentException(
          "build \""
              + SpecText.abbreviate(build)
              + "\" is not a build string; builds use A-Z a-z 0-9 _ . + and '*' as a wildcard"
              + " (py39_0, cuda12*)");
    }
    return stripped;
  }
}
