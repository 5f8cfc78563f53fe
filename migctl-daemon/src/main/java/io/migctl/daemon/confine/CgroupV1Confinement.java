package io.migctl.daemon.confine;

import io.migctl.daemon.run.LaunchConfinement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Confinement in cgroup v1, written directly: each attempt gets {@code
 * <root>/<controller>/<parent>/ <name>} in the devices, memory, cpu and pids hierarchies, set as
 * {@link CgroupV1Settings} says; its command joins them from the supervisor's subshell and runs
 * behind {@link Setpriv} as the tenant's user. Needs root, and the four controllers mounted as v1
 * hierarchies under {@code root}.
 *
 * <p>{@link #release}: kills what is left in the attempt's cgroups (a fork bomb's orphans, a
 * daemonised child), reads whether the OOM killer fired or forks were refused, then removes the
 * cgroups.
 */
public final class CgroupV1Confinement implements Confinement {

  private static final Logger LOG = Logger.getLogger(CgroupV1Confinement.class.getName());

  /** Rounds of killing what is left before giving up on a cgroup that keeps refilling. */
  private static final int KILL_ROUNDS = 50;

  private final Path root;
  private final String parent;
  private final UnixUsers users;
  private final Path setpriv;

  /**
   * @param root where the v1 hierarchies are mounted, normally {@code /sys/fs/cgroup}
   * @param parent the cgroup under each hierarchy's root that holds migctl's, e.g. {@code migctl}
   * @param users resolves tenants' Unix users
   * @param setpriv the {@code setpriv} program
   */
  public CgroupV1Confinement(Path root, String parent, UnixUsers users, Path setpriv) {
    this.root = Objects.requireNonNull(root, "root");
    this.parent = Objects.requireNonNull(parent, "parent");
    this.users = Objects.requireNonNull(users, "users");
    this.setpriv = Objects.requireNonNull(setpriv, "setpriv");
  }

  @Override
  public Isolation isolation() {
    return new Isolation(
        "cgroup-v1",
        true,
        "jobs run as their tenant's Unix user ("
            + ConfineRequest.DEFAULT_USER
            + " for a tenant without one) with no capabilities and no_new_privs, in cgroups "
            + root.resolve("{devices,memory,cpu,pids}").resolve(parent)
            + ": their own device nodes only, their memory, CPU and process limits");
  }

  @Override
  public LaunchConfinement prepare(ConfineRequest request) {
    UnixIdentity user = users.unprivileged(request.user());
    List<Path> made = new ArrayList<>();
    try {
      for (String controller : CgroupV1Settings.CONTROLLERS) {
        Path dir = dir(controller, request.name());
        Files.createDirectories(dir);
        made.add(dir);
      }
      boolean memsw =
          Files.exists(dir("memory", request.name()).resolve("memory.memsw.limit_in_bytes"));
      for (CgroupV1Settings.Write w :
          CgroupV1Settings.writes(request.devices(), request.limits(), memsw)) {
        Path file = dir(w.controller(), request.name()).resolve(w.file());
        try {
          Files.writeString(
              file, w.value() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
          throw new IOException(
              "writing '" + w.value() + "' to " + file + ": " + e.getMessage(), e);
        }
      }
    } catch (IOException e) {
      made.forEach(CgroupV1Confinement::removeQuietly);
      throw new ConfinementException(
          "cannot make the cgroups of attempt " + request.name() + ": " + e.getMessage(), e);
    }
    List<Path> procs =
        CgroupV1Settings.CONTROLLERS.stream()
            .map(c -> dir(c, request.name()).resolve("cgroup.procs"))
            .toList();
    return new LaunchConfinement(
        Setpriv.dropTo(setpriv, user),
        procs,
        Optional.of(new LaunchConfinement.FileOwner(user.uid(), user.gid())));
  }

  @Override
  public Optional<String> release(String name) {
    List<Path> dirs =
        CgroupV1Settings.CONTROLLERS.stream()
            .map(c -> dir(c, name))
            .filter(Files::isDirectory)
            .toList();
    if (dirs.isEmpty()) {
      return Optional.empty();
    }
    killLeftovers(dirs);
    Path memory = dir("memory", name);
    Path pids = dir("pids", name);
    Optional<String> finding =
        CgroupV1Settings.finding(
            read(memory.resolve("memory.oom_control")),
            read(memory.resolve("memory.limit_in_bytes")),
            read(pids.resolve("pids.events")),
            read(pids.resolve("pids.max")));
    dirs.forEach(CgroupV1Confinement::removeQuietly);
    return finding;
  }

  private Path dir(String controller, String name) {
    return root.resolve(controller).resolve(parent).resolve(name);
  }

  /**
   * Kills every process in {@code dirs} until they are empty (a fork bomb keeps refilling them).
   */
  private static void killLeftovers(List<Path> dirs) {
    for (int round = 0; round < KILL_ROUNDS; round++) {
      Set<Long> pids = new LinkedHashSet<>();
      for (Path d : dirs) {
        for (String line : read(d.resolve("cgroup.procs")).split("\n")) {
          if (!line.isBlank()) {
            pids.add(Long.parseLong(line.strip()));
          }
        }
      }
      if (pids.isEmpty()) {
        return;
      }
      List<ProcessHandle> killed = new ArrayList<>();
      for (long pid : pids) {
        ProcessHandle.of(pid)
            .ifPresent(
                p -> {
                  p.destroyForcibly();
                  killed.add(p);
                });
      }
      for (ProcessHandle p : killed) {
        try {
          p.onExit().get(1, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          // Looked at again in the next round.
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    LOG.warning(
        "processes are still left in " + dirs + " after " + KILL_ROUNDS + " rounds of SIGKILL");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      LOG.log(Level.FINE, "cannot read " + file, e);
      return "";
    }
  }

  private static void removeQuietly(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      LOG.warning("cannot remove the cgroup " + dir + ": " + e.getMessage());
    }
  }
}
