package io.migctl.core.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a job inherits from the daemon's environment: a small allow-list, and the names the operator
 * passes on ({@code serve --pass-env NAME}); nothing else, so that the daemon's credentials (cloud
 * keys, tokens) never reach a job by accident. A job's environment is built on top of it: its
 * environment build's activation, the job's own variables, its device variables and {@code
 * MIGCTL_JOB_*}.
 *
 * <p>The allow-list, and why each is there: {@code PATH} (programs are found on it, and an
 * activation puts the environment's folders first), {@code HOME} (where tools keep their
 * configuration and caches: pip, conda, Hugging Face, PyTorch), {@code LANG}, {@code LANGUAGE} and
 * {@code LC_*} (the locale: Python's default text encoding follows it), {@code TZ} (times in the
 * job's logs), {@code USER} and {@code LOGNAME} (who runs it, as {@code getpass} and tools that
 * name caches by user ask), {@code TMPDIR} (where temporary files go, often a node's scratch disk).
 * Left out on purpose: {@code TERM} (jobs write to files, and tools that see a terminal type colour
 * their logs), {@code LD_LIBRARY_PATH} and {@code LD_PRELOAD} (code injected into every job),
 * proxies (their URLs often hold credentials) — pass any of them by name when a node needs it.
 */
public final class JobEnvironment {
  private JobEnvironment() {}

  /** Variables every job gets from the daemon's environment, where it has them. */
  public static final List<String> ALLOWED =
      List.of("PATH", "HOME", "LANG", "LANGUAGE", "TZ", "USER", "LOGNAME", "TMPDIR");

  /** Locale categories ({@code LC_ALL}, {@code LC_CTYPE}, …) are allowed by this prefix. */
  public static final String ALLOWED_PREFIX = "LC_";

  /** Prefixes of names migctl sets for each job or uses itself: never inherited. */
  public static final List<String> RESERVED_PREFIXES = List.of("MIGCTL_JOB_", "MIGCTL_SUPERVISOR_");

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /**
   * The variables of {@code daemon} that a job inherits: the allow-list and {@code passed}, less
   * the names migctl sets itself.
   *
   * @param daemon the daemon's environment
   * @param passed names the operator passes on to jobs, each valid per {@link #checkPassable}
   */
  public static Map<String, String> inherited(Map<String, String> daemon, Set<String> passed) {
    Map<String, String> out = new LinkedHashMap<>();
    daemon.forEach(
        (name, value) -> {
          boolean allowed = ALLOWED.contains(name) || name.startsWith(ALLOWED_PREFIX);
          if ((allowed || passed.contains(name)) && !isReserved(name)) {
            out.put(name, value);
          }
        });
    return out;
  }

  /**
   * Checks a name the operator wants passed on to jobs.
   *
   * @return the name
   * @throws IllegalArgumentException when it is not a variable name, or migctl sets it for each job
   */
  public static String checkPassable(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a variable name; use [A-Za-z_][A-Za-z0-9_]*");
    }
    if (isReserved(name)) {
      throw new IllegalArgumentException(
          name + " is set by migctl for each job (from its device and id); it cannot be passed on");
    }
    return name;
  }

  private static boolean isReserved(String name) {
    return JobSpec.RESERVED.contains(name) || RESERVED_PREFIXES.stream().anyMatch(name::startsWith);
  }
}
