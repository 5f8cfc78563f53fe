package io.migctl.daemon.run;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the programs that supervision and confinement run ({@code setsid}, {@code env}, {@code
 * setpriv}) are found: on this process's {@code PATH}, or in the system directories alone, as the
 * supervisor script's {@code _migctl_which} looks.
 */
public final class HostPrograms {

  private static final List<String> SYSTEM_DIRS =
      List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

  private HostPrograms() {}

  /** The first executable {@code name} on this process's PATH, then in the system directories. */
  public static Optional<Path> findProgram(String name) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(SYSTEM_DIRS);
    return firstProgram(name, dirs);
  }

  /**
   * The first executable file {@code name} in the system directories: the one the supervisor script
   * finds ({@code _migctl_which}).
   */
  public static Optional<Path> systemProgram(String name) {
    return firstProgram(name, SYSTEM_DIRS);
  }

  private static Optional<Path> firstProgram(String name, List<String> dirs) {
    for (String d : dirs) {
      if (d.isEmpty() || !d.startsWith("/")) {
        continue;
      }
      Path p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
