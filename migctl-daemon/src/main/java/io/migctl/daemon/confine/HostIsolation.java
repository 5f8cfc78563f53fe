package io.migctl.daemon.confine;

import io.migctl.daemon.run.HostPrograms;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Looks at the host for {@link IsolationChoice#decide} and makes the confinement decided on: the
 * one place the kinds of {@link Confinement} are constructed.
 */
public final class HostIsolation {

  /** Where cgroup hierarchies are mounted. */
  public static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

  private HostIsolation() {}

  /** What this host offers. */
  public static IsolationChoice.Host probe() {
    boolean v1 =
        CgroupV1Settings.CONTROLLERS.stream()
            .allMatch(c -> Files.isRegularFile(CGROUP_ROOT.resolve(c).resolve("tasks")));
    return new IsolationChoice.Host(
        isRoot(),
        v1,
        Files.isDirectory(Path.of("/run/systemd/system")),
        HostPrograms.systemProgram("setpriv"),
        HostPrograms.systemProgram("systemd-run"));
  }

  /**
   * The confinement {@code choice} comes to on {@code host}.
   *
   * @throws IllegalStateException as {@link IsolationChoice#decide}
   */
  public static Confinement confinement(
      IsolationChoice choice, IsolationChoice.Host host, ToolRunner tools) {
    IsolationChoice.Decision d = choice.decide(host);
    UnixUsers users = new GetentUnixUsers(tools);
    return switch (d.kind()) {
      case CGROUP_V1 ->
          new CgroupV1Confinement(
              CGROUP_ROOT, choice.cgroupParent(), users, host.setpriv().orElseThrow());
      case SYSTEMD ->
          new SystemdScopeConfinement(
              host.systemdRun().orElseThrow(), host.setpriv().orElseThrow(), users, tools);
      case NONE -> new NoConfinement(d.why());
    };
  }

  /** The folders a job of another user must be able to enter: {@code 0711}, listable by none. */
  public static void letJobsEnter(List<Path> folders) throws IOException {
    for (Path f : folders) {
      Files.createDirectories(f);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx--x--x"));
    }
  }

  private static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
