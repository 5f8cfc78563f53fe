package io.migctl.env.conda;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing a conda-family tool printed on standard output with {@code --json}: a JSON document
 * (progress, the final success or error document, or another document such as {@code info --json}),
 * a document that looked like JSON but did not parse, or a plain text line (post-link script
 * output, progress bars, the text older versions print despite {@code --json}).
 *
 * <p>Produced by {@link CondaOutput} and {@link CondaStreamReader}; immutable values.
 */
public sealed interface CondaMessage {

  /** A line that is not part of a JSON document, without its line separator. */
  record Text(String line) implements CondaMessage {
    public Text {
      Objects.requireNonNull(line, "line");
    }
  }

  /**
   * A progress document, {@code {"fetch": …, "finished": …, "maxval": …, "progress": …}} (conda ≥
   * 4.3 downloads, {@code progress} a fraction of {@code maxval} = 1) or the 4.1/4.2 forms with
   * byte counts or package counts and an optional {@code "name"} (extract and link phases).
   *
   * @param fetch the {@code fetch} label, e.g. {@code "pandas-1.5.2 | 11.9 MB | "}
   * @param name the {@code name} of the package being extracted or linked
   * @param progress how far, in units of {@code maxval}
   * @param maxval the end of the scale; 0 when the document has none
   * @param finished whether this step is done
   */
  record Progress(
      Optional<String> fetch,
      Optional<String> name,
      double progress,
      double maxval,
      boolean finished)
      implements CondaMessage {
    public Progress {
      Objects.requireNonNull(fetch, "fetch");
      Objects.requireNonNull(name, "name");
    }

    /** {@code progress / maxval} clamped to 0..1, or -1 when the scale is unknown. */
    public double fraction() {
      if (!(maxval > 0) || Double.isNaN(progress)) {
        return -1;
      }
      return Math.clamp(progress / maxval, 0.0, 1.0);
    }

    /**
     * What the step is about, for people: the package of a {@code fetch} label (the text before its
     * first {@code |}), else the {@code name}, else empty.
     */
    public Optional<String> subject() {
      if (fetch.isPresent()) {
        String label = fetch.get();
        int bar = label.indexOf('|');
        String pkg = (bar >= 0 ? label.substring(0, bar) : label).strip();
        if (!pkg.isEmpty()) {
          return Optional.of(pkg);
        }
      }
      return name.map(String::strip).filter(n -> !n.isEmpty());
    }

    /** A phase name for {@code BuildProgress}: "downloading X", "installing X" or "installing". */
    public String phase() {
      Optional<String> subject = subject();
      if (fetch.isPresent()) {
        return "downloading" + subject.map(s -> " " + s).orElse("");
      }
      return "installing" + subject.map(s -> " " + s).orElse("");
    }
  }

  /**
   * The final document of a successful run: {@code "success": true}.
   *
   * @param prefix the environment's prefix: top-level {@code prefix}, else {@code actions.PREFIX}
   *     (conda 4.2 and later keep it there; 4.3 has {@code actions} as a list)
   * @param message {@code message}, e.g. classic mamba's "All requested packages already
   *     installed."
   * @param dryRun {@code dry_run}
   * @param linked the packages of {@code actions.LINK}, as {@code name-version-build}: the first
   *     word of the 4.1/4.2 strings, {@code dist_name} of 4.3+ records, else {@code
   *     name-version-build} of repodata-style records (mamba 2, micromamba)
   */
  record Success(
      Optional<String> prefix, Optional<String> message, boolean dryRun, List<String> linked)
      implements CondaMessage {
    public Success {
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(message, "message");
      linked = List.copyOf(linked);
    }
  }

  /**
   * An error document: conda's {@code {"error", "exception_name", "exception_type", "message",
   * "caused_by", …}}, conda 3.x's {@code {"error", "error_type"}}, a {@code CondaMultiError} with
   * its {@code errors}, or any document with {@code "success": false}.
   *
   * @param exceptionName {@code exception_name}, else {@code error_type}
   * @param message {@code message}, else {@code error}; empty when the document has neither
   * @param causedBy {@code caused_by} unless it is absent or Python's {@code "None"}
   * @param errors the documents of a {@code CondaMultiError}'s {@code errors}
   * @param hints the texts of {@code guidance.hints} (conda's error-hint plugins)
   */
  record Failure(
      Optional<String> exceptionName,
      String message,
      Optional<String> causedBy,
      List<Failure> errors,
      List<String> hints)
      implements CondaMessage {
    public Failure {
      Objects.requireNonNull(exceptionName, "exceptionName");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(causedBy, "causedBy");
      errors = List.copyOf(errors);
      hints = List.copyOf(hints);
    }

    /**
     * The explanation for people: {@code Name: message} per error (the wrapped errors of a {@code
     * CondaMultiError} instead of its "Multiple Errors Encountered."), one per line, then the
     * hints.
     */
    public String describe() {
      List<String> lines = new ArrayList<>();
      if (errors.isEmpty()) {
        lines.add(own());
      } else {
        errors.forEach(e -> lines.add(e.describe()));
      }
      hints.forEach(h -> lines.add("Hint: " + h.strip()));
      return String.join("\n", lines);
    }

    private String own() {
      String text = message.strip();
      // conda 3.x puts the whole text in "error"; 4.x prefixes it with the exception's name.
      if (exceptionName.isPresent() && !text.startsWith(exceptionName.get() + ":")) {
        return text.isEmpty() ? exceptionName.get() : exceptionName.get() + ": " + text;
      }
      return text.isEmpty() ? "unknown error" : text;
    }
  }

  /**
   * A well-formed JSON document that is neither progress nor a result, e.g. {@code info --json},
   * {@code env list --json}.
   *
   * @param keys its top-level keys, in document order (empty for a non-object value)
   */
  record Other(List<String> keys) implements CondaMessage {
    public Other {
      keys = List.copyOf(keys);
    }
  }

  /**
   * Text that started like a JSON document but is not one: cut short, interrupted by the next
   * document, or not valid JSON (conda 22.11's interleaved bytes, a reporter's {@code ...}).
   *
   * @param text the document's text as received
   * @param reason why it was rejected
   */
  record Malformed(String text, String reason) implements CondaMessage {
    public Malformed {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
