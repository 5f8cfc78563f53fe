package io.migctl.core.env;

/**
 * How messages about environment specs quote what a user wrote: whole when short, cut with its
 * length when not, so that a refusal of a megabyte-long value stays one readable line.
 */
public final class SpecText {

  /** Longer texts are cut in messages. */
  public static final int MAX_QUOTED_CHARS = 120;

  private SpecText() {}

  /** {@code text}, or its start followed by {@code …(N characters)} when it is long. */
  public static String abbreviate(String text) {
    if (text.length() <= MAX_QUOTED_CHARS) {
      return text;
    }
    return text.substring(0, MAX_QUOTED_CHARS) + "…(" + text.length() + " characters)";
  }
}
