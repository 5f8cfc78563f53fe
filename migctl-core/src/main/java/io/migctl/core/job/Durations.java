package io.migctl.core.job;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}, or ISO-8601.
 */
public final class Durations {
  private Durations() {}

  private static final Pattern SHORT = Pattern.compile("(?:\\d{1,9}(?:ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  /**
   * Reads {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}, {@code 1h30m}, {@code 500ms} or an
   * ISO-8601 duration such as {@code PT10M}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Duration parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("p")) {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      }
      if (SHORT.matcher(t).matches()) {
        Duration d = Duration.ZERO;
        Matcher m = PART.matcher(t);
        while (m.find()) {
          long n = Long.parseLong(m.group(1));
          d =
              d.plus(
                  switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                  });
        }
        return d;
      }
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException(message(text), e);
    }
    throw new IllegalArgumentException(message(text));
  }

  private static String message(String text) {
    return "\"" + text + "\" is not a duration; write e.g. 30s, 10m, 2h, 1h30m or PT10M";
  }

  /** The shortest of {@code 250ms}, {@code 90s}, {@code 10m}, {@code 2h} that is exact. */
  public static String format(Duration d) {
    return JobStateMachine.human(d);
  }
}
