package io.migctl.core.input;

/**
 * The bounds every reader of user input holds to, so that no file or request body can exhaust the
 * stack or the heap, whatever its format (YAML, JSON, CSV). A reader that meets a bound refuses the
 * input with {@link InvalidTextException}, naming the source and the bound; it never fails with
 * another exception.
 *
 * <p>The values are far above what any real file needs (NVIDIA's default mig-parted config is 12
 * KiB and nests 6 levels; conda's largest real environment files a few KiB and 5 levels) and far
 * below what would hurt the daemon.
 */
public final class InputLimits {

  private InputLimits() {}

  /** The largest file a command reads (mig-parted, hooks, workload, environment, checkpoint). */
  public static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

  /** The deepest nesting of mappings and sequences (YAML) or objects and arrays (JSON). */
  public static final int MAX_DEPTH = 64;

  /**
   * The longest single string value, in characters. A layout sent to the API carries a whole
   * mig-parted file in one string, so this is as large as a request body.
   */
  public static final int MAX_STRING_CHARS = 1024 * 1024;

  /** Anchors and aliases one YAML document may use (a guard against "billion laughs"). */
  public static final int MAX_YAML_ALIASES = 50;

  /**
   * Refuses a text longer than {@link #MAX_FILE_BYTES}.
   *
   * @param source how messages name the input, e.g. the file's path or {@code request body}
   * @throws InvalidTextException when {@code bytes} exceeds the bound
   */
  public static void checkSize(String source, long bytes) {
    if (bytes > MAX_FILE_BYTES) {
      throw new InvalidTextException(
          source
              + ": "
              + bytes
              + " bytes is more than migctl reads from one file ("
              + MAX_FILE_BYTES
              + " bytes, 4 MiB); is it the right file?");
    }
  }

  /** The message for input nested deeper than {@link #MAX_DEPTH}, at a place in it. */
  public static String tooDeep(String source, String where) {
    return source
        + ": nested more than "
        + MAX_DEPTH
        + " levels deep"
        + (where.isEmpty() ? "" : " (" + where + ")")
        + "; migctl reads at most "
        + MAX_DEPTH
        + " levels of mappings and lists";
  }

  /** The message for a string value longer than {@link #MAX_STRING_CHARS}. */
  public static String stringTooLong(String source, String where) {
    return source
        + ": a string value is longer than "
        + MAX_STRING_CHARS
        + " characters"
        + (where.isEmpty() ? "" : " (" + where + ")");
  }
}
