package io.migctl.core.env;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
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
 * means exactly 1.2 with that build.
 *
 * <p>Stricter than conda where conda would only fail later: package names are {@code
 * [a-z0-9_][a-z0-9_.+-]*}, a dangling operator ({@code numpy>=}, {@code numpy=}) is refused, and
 * package URLs, regular-expression versions, {@code (…)} sections and bracket keys other than
 * {@code version}, {@code build}, {@code channel} and {@code subdir} are not taken.
 *
 * @param channel the channel, with its subdir when one was given ({@code conda-forge/linux-64})
 * @param name the package name, lower case
 * @param version the normalised version expression; empty for any version
 * @param build the build string or glob ({@code py39_0}, {@code cuda12*}); empty for any build
 */
public record MatchSpec(
    Optional<String> channel, String name, Optional<String> version, Optional<String> build) {

  /** The forms {@link #parse} takes, for error messages. */
  public static final String ACCEPTED_FORMS =
      "name, name=1.2, name==1.2, name 1.2.*, name>=1.0,<2, name 1.2|1.3, name=1.2=build,"
          + " name 1.2 build, channel::name, channel/subdir::name,"
          + " name[version='>=1.0',build=py*]";

  private static final Pattern NAME = Pattern.compile("[a-z0-9_][a-z0-9_.+-]*");
  private static final Pattern BUILD = Pattern.compile("[A-Za-z0-9_.*+]+");
  private static final Pattern CHANNEL = Pattern.compile("[^\\s\\[\\]()'\",|<>=!~#]+");

  public MatchSpec {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(build, "build");
    name = checkName(name);
    channel = channel.map(MatchSpec::checkChannel);
    version = version.map(CondaVersionSpec::normalise).filter(v -> !v.equals("*"));
    build = build.map(MatchSpec::checkBuild).filter(b -> !b.equals("*"));
  }

  /** A spec for any version of {@code name} from any channel. */
  public static MatchSpec of(String name) {
    return new MatchSpec(Optional.empty(), name, Optional.empty(), Optional.empty());
  }

  /**
   * Reads a MatchSpec as an {@code environment.yml} writes it.
   *
   * @throws IllegalArgumentException naming the text, what is wrong and the forms accepted
   */
  public static MatchSpec parse(String text) {
    Objects.requireNonNull(text, "text");
    try {
      return MatchSpecParser.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "MatchSpec \"" + text + "\": " + e.getMessage() + "; accepted: " + ACCEPTED_FORMS, e);
    }
  }

  /**
   * The one normal form: {@code channel::name version build}, single spaces, the version as held
   * ({@code *} when only a build is given). A version with parentheses goes in brackets instead,
   * {@code name[version='(1.2|1.3),<2',build=py*]}, because conda reads {@code (…)} after a name as
   * something else. Both {@link #parse} and conda read the form back to the same spec.
   */
  public String canonical() {
    StringBuilder out = new StringBuilder();
    channel.ifPresent(c -> out.append(c).append("::"));
    out.append(name);
    if (version.filter(v -> v.indexOf('(') >= 0).isPresent()) {
      out.append("[version='").append(version.get()).append('\'');
      build.ifPresent(b -> out.append(",build=").append(b));
      return out.append(']').toString();
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
              + name
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
              + channel
              + "\" has whitespace or one of [ ] ( ) ' \" , | < > = ! ~ #, which a channel cannot"
              + " have");
    }
    return stripped;
  }

  private static String checkBuild(String build) {
    String stripped = build.strip();
    if (!BUILD.matcher(stripped).matches()) {
      throw new IllegalArgumentException(
          "build \""
              + build
              + "\" is not a build string; builds use A-Z a-z 0-9 _ . + and '*' as a wildcard"
              + " (py39_0, cuda12*)");
    }
    return stripped;
  }
}
