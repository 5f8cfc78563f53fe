package io.migctl.core.job;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What Linux's {@code execve(2)} accepts, so that a job that could never start is refused at submit
 * instead of failing at launch with {@code E2BIG}.
 *
 * <p>Two limits: each argument and each {@code NAME=VALUE} environment string may take at most
 * {@link #MAX_ARG_STRLEN} bytes with its terminating NUL; and all of them together, with one
 * pointer per string, at most {@code argMaxBytes} — the node's {@code ARG_MAX} ({@code getconf
 * ARG_MAX}: a quarter of the stack limit, 2 MiB for the usual 8 MiB), which the kernel never lets
 * exceed {@link #KERNEL_CAP}. Strings are counted as their UTF-8 bytes.
 *
 * @param argMaxBytes the node's limit on arguments and environment together, in bytes
 */
public record ExecLimits(long argMaxBytes) {

  /** Linux's limit on one string: 32 pages of 4 KiB, with the NUL. */
  public static final int MAX_ARG_STRLEN = 32 * 4096;

  /** The least {@code ARG_MAX} Linux gives (its {@code limits.h}); the default when unknown. */
  public static final long DEFAULT_ARG_MAX = 128 * 1024;

  /** Three quarters of the kernel's 8 MiB {@code _STK_LIM}: never more, whatever the stack. */
  public static final long KERNEL_CAP = 6L * 1024 * 1024;

  /** Bytes of the pointer to each string in {@code argv} and {@code envp} (64-bit). */
  public static final int POINTER_BYTES = 8;

  /** Limits as {@code getconf ARG_MAX} reported them: above the kernel's cap counts as the cap. */
  public ExecLimits {
    if (argMaxBytes < MAX_ARG_STRLEN) {
      throw new IllegalArgumentException(
          "ARG_MAX must be at least " + MAX_ARG_STRLEN + " bytes, was " + argMaxBytes);
    }
    argMaxBytes = Math.min(argMaxBytes, KERNEL_CAP);
  }

  /** The conservative limits used when the node's are not known. */
  public static final ExecLimits DEFAULT = new ExecLimits(DEFAULT_ARG_MAX);

  /**
   * One string handed to {@code execve}.
   *
   * @param field the job's field it comes from, as messages name it ({@code command[2]}, {@code
   *     env.SEED}, {@code environment PATH}); empty for what migctl adds itself (its supervisor)
   * @param text the string, for an environment variable {@code NAME=VALUE}
   */
  public record Entry(Optional<String> field, String text) {}

  /** The bytes {@code text} takes in {@code execve}'s memory: its UTF-8 encoding and a NUL. */
  public static long stringBytes(String text) {
    long bytes = 1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes += 1; // a lone surrogate: Java's encoder writes '?' in its place
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** What a string is to {@code execve}, for {@link #checkString}. */
  public static final String ARGUMENT = "argument";

  /** What a string is to {@code execve}, for {@link #checkString}: {@code NAME=VALUE}. */
  public static final String ENVIRONMENT_VARIABLE = "environment variable";

  /**
   * Refuses one string over {@link #MAX_ARG_STRLEN}; the message gives its size, not its text.
   *
   * @param field the field to name, e.g. {@code command[1]}
   * @param what {@link #ARGUMENT} or {@link #ENVIRONMENT_VARIABLE}
   * @throws JobSpecException naming the field, the size and the limit
   */
  public static void checkString(String field, String text, String what) {
    long bytes = stringBytes(text);
    if (bytes > MAX_ARG_STRLEN) {
      throw new JobSpecException(field, tooLong(bytes, what));
    }
  }

  private static String tooLong(long bytes, String what) {
    return "takes "
        + bytes
        + (what.equals(ENVIRONMENT_VARIABLE) ? " bytes as NAME=VALUE" : " bytes")
        + " with its terminating NUL; Linux passes at most "
        + MAX_ARG_STRLEN
        + " bytes per "
        + what
        + " (MAX_ARG_STRLEN); pass long data in a file";
  }

  /** The most UTF-8 bytes one {@code char} of a Java string takes. */
  private static final int MAX_BYTES_PER_CHAR = 3;

  /**
   * Whether strings of these sizes fit whatever their text: a bound from their lengths alone (at
   * most {@value #MAX_BYTES_PER_CHAR} UTF-8 bytes per {@code char}), so that the usual case needs
   * no counting of bytes. {@code false} says only that {@link #check} must count.
   *
   * @param strings how many strings {@code argv} and {@code envp} hold together
   * @param chars their {@code char}s together ({@link String#length()})
   * @param longestChars the {@code char}s of the longest of them
   */
  public boolean surelyFits(long strings, long chars, long longestChars) {
    long most = MAX_BYTES_PER_CHAR * chars + strings + (long) POINTER_BYTES * strings;
    return MAX_BYTES_PER_CHAR * longestChars + 1 <= MAX_ARG_STRLEN && most <= argMaxBytes;
  }

  /**
   * Refuses an {@code execve} whose strings would not fit: one over {@link #MAX_ARG_STRLEN}, or all
   * together over {@link #argMaxBytes}.
   *
   * @throws JobSpecException naming the field (for the total: {@code command}), the size and the
   *     limit
   */
  public void check(List<Entry> argv, List<Entry> envp) {
    long[] job = new long[2]; // arguments, environment
    long own = 0;
    for (List<Entry> strings : List.of(argv, envp)) {
      boolean arguments = strings == argv;
      String what = arguments ? ARGUMENT : ENVIRONMENT_VARIABLE;
      for (Entry e : strings) {
        long bytes = stringBytes(e.text());
        if (e.field().isPresent()) {
          if (bytes > MAX_ARG_STRLEN) {
            throw new JobSpecException(e.field().get(), tooLong(bytes, what));
          }
          job[arguments ? 0 : 1] += bytes;
        } else {
          if (bytes > MAX_ARG_STRLEN) {
            throw new JobSpecException("command", "migctl's supervisor " + tooLong(bytes, what));
          }
          own += bytes;
        }
      }
    }
    long pointers = (long) POINTER_BYTES * (argv.size() + envp.size());
    long total = job[0] + job[1] + own + pointers;
    if (total > argMaxBytes) {
      throw new JobSpecException(
          "command",
          String.format(
              Locale.ROOT,
              "the command and its environment take %,d bytes when the job starts (arguments %,d,"
                  + " environment %,d, migctl's supervisor %,d, and %d bytes per string for its"
                  + " pointer), over this node's limit of %,d bytes (ARG_MAX); pass large data in"
                  + " files instead of arguments or variables",
              total,
              job[0],
              job[1],
              own,
              POINTER_BYTES,
              argMaxBytes));
    }
  }
}
