package io.migctl.daemon.run;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The environment a supervisor is started with, so that its command sees exactly the environment
 * the caller gave, however a shell would treat those variables.
 *
 * <p>Whether {@code env(1)} takes {@code --default-signal} is found out once per JVM, on the first
 * launch, and given to each supervisor (in {@link #DEFAULT_SIGNAL}, which the command never sees)
 * rather than tested by each: every process the supervisor starts before the command delays it.
 */
final class SupervisorEnvironment {

  /**
   * Variables that a shell sets, changes or acts on (busybox exports a default {@code PATH}, dash a
   * {@code PWD}, bash {@code SHLVL} and {@code _}): the supervisor has {@code env(1)} set them for
   * the command, so that the command sees exactly the caller's values or none.
   */
  static final List<String> SHELL_VARIABLES =
      List.of(
          "BASHOPTS",
          "BASH_ENV",
          "CDPATH",
          "ENV",
          "IFS",
          "LINENO",
          "OLDPWD",
          "OPTIND",
          "PATH",
          "PPID",
          "PWD",
          "SHELLOPTS",
          "SHLVL",
          "_");

  static final String SET_PREFIX = "MIGCTL_SUPERVISOR_SET";
  static final String UNSET = "MIGCTL_SUPERVISOR_UNSET";

  /**
   * The launcher's finding about {@code env(1)}: "yes:PATH" or "no:PATH", whether the {@code env}
   * at PATH, the first in the system directories, takes {@code --default-signal}. Unset when it is
   * not known: the supervisor then tests it itself.
   */
  static final String DEFAULT_SIGNAL = "MIGCTL_SUPERVISOR_DEFAULT_SIGNAL";

  /**
   * The umask the command gets, as {@code umask} prints it: this JVM's, read once from {@code
   * /proc/self/status}. The supervisor itself runs with umask 077, so that the files it writes into
   * the attempt's directory are 0600; without this variable it gives the command the umask it was
   * started with.
   */
  static final String UMASK = "MIGCTL_SUPERVISOR_UMASK";

  /**
   * The {@code cgroup.procs} files, separated by spaces, that the command's subshell writes its own
   * pid to before it execs the command, so that the command starts confined and the supervisor does
   * not; set only by {@link JobProcesses} for a confined launch.
   */
  static final String CGROUPS = "MIGCTL_SUPERVISOR_CGROUPS";

  private static final Logger LOG = Logger.getLogger(SupervisorEnvironment.class.getName());
  private static final Optional<String> DAEMON_UMASK = readUmask();

  private SupervisorEnvironment() {}

  /**
   * What a supervisor is started with for a command that is to see exactly {@code environment}:
   * {@link #of} it, with this JVM's findings about {@code env(1)} ({@link #DEFAULT_SIGNAL}) and its
   * umask ({@link #UMASK}) where they are known.
   *
   * @throws IllegalArgumentException as {@link #of} does
   */
  static Map<String, String> forCommand(Map<String, String> environment) {
    Map<String, String> supervisorEnv = new LinkedHashMap<>(of(environment));
    EnvProbe.VERDICT.ifPresent(v -> supervisorEnv.put(DEFAULT_SIGNAL, v));
    DAEMON_UMASK.ifPresent(u -> supervisorEnv.put(UMASK, u));
    return supervisorEnv;
  }

  /**
   * The supervisor's environment for a command that is to see exactly {@code environment}:
   * variables a shell would drop (names that are not shell names) or change ({@link
   * #SHELL_VARIABLES}), and names the script uses, travel as {@code MIGCTL_SUPERVISOR_SET_i}
   * ("NAME=VALUE", count in {@code MIGCTL_SUPERVISOR_SET}); shell variables the command is not to
   * see are listed in {@code MIGCTL_SUPERVISOR_UNSET}.
   *
   * @throws IllegalArgumentException when a variable name is empty or holds {@code =} or NUL, or a
   *     value holds NUL
   */
  static Map<String, String> of(Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    Map<String, String> direct = new LinkedHashMap<>();
    List<String> viaEnv = new ArrayList<>();
    for (Map.Entry<String, String> e : environment.entrySet()) {
      String name = Objects.requireNonNull(e.getKey(), "variable name");
      String value = Objects.requireNonNull(e.getValue(), () -> "value of " + name);
      if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("invalid environment variable name: " + name);
      }
      if (value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("the value of " + name + " holds a NUL character");
      }
      if (passesThroughShell(name)) {
        direct.put(name, value);
      } else {
        viaEnv.add(name + "=" + value);
      }
    }
    for (int i = 0; i < viaEnv.size(); i++) {
      direct.put(SET_PREFIX + "_" + i, viaEnv.get(i));
    }
    direct.put(SET_PREFIX, Integer.toString(viaEnv.size()));
    direct.put(
        UNSET,
        String.join(
            " ", SHELL_VARIABLES.stream().filter(n -> !environment.containsKey(n)).toList()));
    return direct;
  }

  /**
   * The name under which a supervisor's environment carries {@code name} to the command when it is
   * not passed through directly: the variable it is the value of, as {@code NAME=VALUE}.
   */
  static Optional<String> carriedVariable(String name, String value) {
    return name.startsWith(SET_PREFIX + "_") && value.indexOf('=') > 0
        ? Optional.of(value.substring(0, value.indexOf('=')))
        : Optional.empty();
  }

  private static boolean passesThroughShell(String name) {
    return isShellName(name)
        && !SHELL_VARIABLES.contains(name)
        && !name.startsWith("MIGCTL_SUPERVISOR_")
        && !name.startsWith("_migctl_");
  }

  /** A name a POSIX shell takes as a variable's: {@code [A-Za-z_][A-Za-z0-9_]*}. */
  private static boolean isShellName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
      if (!letter && (i == 0 || c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  /**
   * The value of {@link #DEFAULT_SIGNAL} for every supervisor: "yes:PATH" when {@code PATH
   * --default-signal PATH} succeeds for the {@code env} at PATH (the test the script would run),
   * "no:PATH" when it fails; empty when there is no such {@code env} or it could not be run.
   */
  static Optional<String> probeDefaultSignal() {
    Optional<Path> env = HostPrograms.systemProgram("env");
    if (env.isEmpty()) {
      return Optional.empty();
    }
    String path = env.get().toString();
    ProcessBuilder pb =
        new ProcessBuilder(path, "--default-signal", path)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().clear();
    pb.environment().put("LC_ALL", "C");
    try {
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return Optional.of((p.exitValue() == 0 ? "yes:" : "no:") + path);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "cannot run " + path, e);
      return Optional.empty();
    }
  }

  /** {@link #probeDefaultSignal()}, run once, on the first launch. */
  private static final class EnvProbe {
    static final Optional<String> VERDICT = probeDefaultSignal();

    private EnvProbe() {}
  }

  /** This process's umask ({@code 0022}), from {@code /proc/self/status} (Linux 4.7 and later). */
  private static Optional<String> readUmask() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Umask:")) {
          String octal = line.substring("Umask:".length()).strip();
          return octal.matches("[0-7]{1,4}") ? Optional.of(octal) : Optional.empty();
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "cannot read this process's umask", e);
    }
    return Optional.empty();
  }
}
