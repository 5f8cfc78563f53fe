package io.migctl.env.conda;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure parsers of what conda, mamba and micromamba print: the {@code --json} stream (split by
 * {@link CondaStreamReader}, documents classified by {@link #classify}), the phase lines of their
 * human output, and explicit lock files ({@code conda list --explicit --md5}, {@code micromamba env
 * export --explicit}, conda-lock's {@code *.lock}).
 *
 * <p>Tested on every recorded output in {@code shared/reference/conda/outputs/}. Stateless and
 * thread-safe.
 */
public final class CondaOutput {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Phrases that start conda's (and conda-env's) human progress lines, in the order they run. */
  private static final List<String> PHASES =
      List.of(
          "Fetching package metadata",
          "Solving package specifications",
          "Collecting package metadata",
          "Solving environment",
          "Downloading and Extracting Packages",
          "Preparing transaction",
          "Verifying transaction",
          "Executing transaction",
          "Installing pip dependencies");

  private static final Pattern HEADER = Pattern.compile("#\\s*([A-Za-z][A-Za-z0-9_]*):\\s*(\\S.*)");
  private static final Pattern MD5 = Pattern.compile("[0-9a-fA-F]{32}");
  private static final Pattern SHA256 = Pattern.compile("(?:sha256:)?([0-9a-fA-F]{64})");

  private CondaOutput() {}

  /** The messages of a whole output, in order (see {@link CondaStreamReader} for the framing). */
  public static List<CondaMessage> messages(String output) {
    return CondaStreamReader.readAll(output);
  }

  /**
   * Classifies one JSON document: {@link CondaMessage.Progress} when it has numeric {@code
   * progress} and {@code maxval}; {@link CondaMessage.Failure} when it has {@code exception_name},
   * {@code error}, {@code error_type} or {@code "success": false}; {@link CondaMessage.Success}
   * when {@code "success": true}; else {@link CondaMessage.Other}. Text that does not parse is
   * {@link CondaMessage.Malformed}.
   */
  public static CondaMessage classify(String document) {
    JsonNode node;
    try {
      node = JSON.readTree(document);
    } catch (JacksonException e) {
      return new CondaMessage.Malformed(document, e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      return new CondaMessage.Other(List.of());
    }
    if (node.path("progress").isNumber() && node.path("maxval").isNumber()) {
      return new CondaMessage.Progress(
          text(node, "fetch"),
          text(node, "name"),
          node.get("progress").doubleValue(),
          node.get("maxval").doubleValue(),
          node.path("finished").booleanValue());
    }
    JsonNode success = node.path("success");
    if (node.has("exception_name")
        || node.has("error")
        || node.has("error_type")
        || (success.isBoolean() && !success.booleanValue())) {
      return failure(node);
    }
    if (success.isBoolean()) {
      return success(node);
    }
    List<String> keys = new ArrayList<>();
    node.properties().forEach(e -> keys.add(e.getKey()));
    return new CondaMessage.Other(keys);
  }

  /**
   * The phase a human progress line announces ("Collecting package metadata (repodata.json): done"
   * → "Collecting package metadata"), for tools that print text instead of progress documents.
   */
  public static Optional<String> phaseOf(String line) {
    String s = line.strip();
    return PHASES.stream().filter(s::startsWith).findFirst();
  }

  /**
   * Parses an explicit lock: {@code # key: value} header comments (conda's {@code platform}, {@code
   * env_hash}, conda-lock's {@code input_hash}), the {@code @EXPLICIT} marker, then one package URL
   * per line with an optional {@code #md5} (or {@code #sha256}) fragment; other comment lines are
   * kept as comments.
   *
   * @throws IllegalArgumentException when there is no {@code @EXPLICIT} line, or a URL does not
   *     name a {@code .conda} or {@code .tar.bz2} package under {@code <channel>/<subdir>/}
   */
  public static ExplicitLock explicitLock(String text) {
    Map<String, String> headers = new LinkedHashMap<>();
    List<String> comments = new ArrayList<>();
    List<LockedPackage> packages = new ArrayList<>();
    boolean explicit = false;
    int number = 0;
    for (String raw : text.split("\n", -1)) {
      number++;
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        Matcher m = HEADER.matcher(line);
        if (m.matches() && !headers.containsKey(m.group(1))) {
          headers.put(m.group(1), m.group(2).strip());
        } else {
          comments.add(line.substring(1).strip());
        }
      } else if (line.equals("@EXPLICIT")) {
        explicit = true;
      } else if (!explicit) {
        throw new IllegalArgumentException(
            "not an explicit lock: line "
                + number
                + " ("
                + abbreviate(line)
                + ") comes before any @EXPLICIT line; expected the output of"
                + " `conda list --explicit --md5`");
      } else {
        packages.add(lockedPackage(line, number));
      }
    }
    if (!explicit) {
      throw new IllegalArgumentException(
          "not an explicit lock: no @EXPLICIT line; expected the output of"
              + " `conda list --explicit --md5`");
    }
    return new ExplicitLock(headers, packages, comments);
  }

  private static LockedPackage lockedPackage(String line, int number) {
    int hash = line.indexOf('#');
    String url = hash >= 0 ? line.substring(0, hash) : line;
    String fragment = hash >= 0 ? line.substring(hash + 1).strip() : "";
    Optional<String> md5 = Optional.empty();
    Optional<String> sha256 = Optional.empty();
    if (MD5.matcher(fragment).matches()) {
      md5 = Optional.of(fragment.toLowerCase(Locale.ROOT));
    } else {
      Matcher sha = SHA256.matcher(fragment);
      if (sha.matches()) {
        sha256 = Optional.of(sha.group(1).toLowerCase(Locale.ROOT));
      } else if (!fragment.isEmpty()) {
        throw badLine(line, number, "its #fragment is neither an md5 nor a sha256");
      }
    }
    int fileStart = url.lastIndexOf('/');
    int subdirStart = fileStart > 0 ? url.lastIndexOf('/', fileStart - 1) : -1;
    if (subdirStart <= 0) {
      throw badLine(line, number, "it is not <channel>/<subdir>/<file>");
    }
    String file = url.substring(fileStart + 1);
    String stem;
    if (file.endsWith(".conda")) {
      stem = file.substring(0, file.length() - ".conda".length());
    } else if (file.endsWith(".tar.bz2")) {
      stem = file.substring(0, file.length() - ".tar.bz2".length());
    } else {
      throw badLine(line, number, "the file is neither .conda nor .tar.bz2");
    }
    int buildDash = stem.lastIndexOf('-');
    int versionDash = buildDash > 0 ? stem.lastIndexOf('-', buildDash - 1) : -1;
    if (versionDash <= 0) {
      throw badLine(line, number, "the file name is not <name>-<version>-<build>");
    }
    String channelUrl = url.substring(0, subdirStart);
    return new LockedPackage(
        url,
        md5,
        sha256,
        stem.substring(0, versionDash),
        stem.substring(versionDash + 1, buildDash),
        stem.substring(buildDash + 1),
        channelName(channelUrl),
        channelUrl,
        url.substring(subdirStart + 1, fileStart));
  }

  /**
   * conda's short channel name: the path on {@code conda.anaconda.org} ({@code conda-forge}) and
   * {@code repo.anaconda.com} ({@code pkgs/main}); the whole URL elsewhere.
   */
  static String channelName(String channelUrl) {
    for (String host : List.of("https://conda.anaconda.org/", "https://repo.anaconda.com/")) {
      if (channelUrl.startsWith(host)) {
        return channelUrl.substring(host.length());
      }
    }
    return channelUrl;
  }

  private static IllegalArgumentException badLine(String line, int number, String why) {
    return new IllegalArgumentException(
        "explicit lock line "
            + number
            + " ("
            + abbreviate(line)
            + ") is not a package URL: "
            + why);
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }

  private static CondaMessage.Failure failure(JsonNode node) {
    Optional<String> exceptionName =
        text(node, "exception_name").or(() -> text(node, "error_type"));
    String message = text(node, "message").or(() -> text(node, "error")).orElse("");
    Optional<String> causedBy = text(node, "caused_by").filter(c -> !c.equals("None"));
    List<CondaMessage.Failure> errors = new ArrayList<>();
    for (JsonNode e : node.path("errors")) {
      if (e.isObject()) {
        errors.add(failure(e));
      }
    }
    List<String> hints = new ArrayList<>();
    for (JsonNode h : node.path("guidance").path("hints")) {
      text(h, "text").ifPresent(hints::add);
    }
    return new CondaMessage.Failure(exceptionName, message, causedBy, errors, hints);
  }

  private static CondaMessage.Success success(JsonNode node) {
    JsonNode actions = node.path("actions");
    // conda 4.3 made "actions" a list of per-prefix plans; 4.2 and 4.4+ have one object.
    JsonNode plan = actions.isArray() ? actions.path(0) : actions;
    Optional<String> prefix = text(node, "prefix").or(() -> text(plan, "PREFIX"));
    List<String> linked = new ArrayList<>();
    for (JsonNode entry : plan.path("LINK")) {
      distName(entry).ifPresent(linked::add);
    }
    return new CondaMessage.Success(
        prefix, text(node, "message"), node.path("dry_run").booleanValue(), linked);
  }

  private static Optional<String> distName(JsonNode entry) {
    if (entry.isTextual()) {
      // 4.1/4.2: "numpy-1.11.1-py27_0 1 None" (dist, channel priority, ...)
      String[] words = entry.textValue().strip().split("\\s+");
      return words[0].isEmpty() ? Optional.empty() : Optional.of(words[0]);
    }
    Optional<String> dist = text(entry, "dist_name");
    if (dist.isPresent()) {
      return dist;
    }
    Optional<String> name = text(entry, "name");
    Optional<String> version = text(entry, "version");
    Optional<String> build = text(entry, "build_string").or(() -> text(entry, "build"));
    if (name.isPresent() && version.isPresent() && build.isPresent()) {
      return Optional.of(name.get() + "-" + version.get() + "-" + build.get());
    }
    return Optional.empty();
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? Optional.of(value.textValue()) : Optional.empty();
  }
}
