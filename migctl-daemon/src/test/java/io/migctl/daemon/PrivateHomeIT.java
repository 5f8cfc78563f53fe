package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.migctl.env.spec.EnvironmentFiles;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.env.venv.VenvBackend;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import io.migctl.process.SystemToolRunner;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code $MIGCTL_HOME} is private: after a daemon ran a job in an environment on a layout it
 * applied, every folder under the home is 0700 and every file 0600 (environment prefixes keep the
 * modes their tools give); a home that others can write, or that another user owns, is refused.
 */
class PrivateHomeIT {

  private static final String SPEC = "name: demo\ndependencies:\n  - python\n  - pip\n";

  private static final String LAYOUT =
      """
      version: v1
      mig-configs:
        small:
          - devices: all
            mig-enabled: true
            mig-devices: {"1g.5gb": 7}
      """;

  @TempDir Path temp;

  @Test
  void everyFolderUnderTheHomeIs0700AndEveryFile0600AfterADaemonRanAJob() throws Exception {
    Optional<Path> python = VenvBackend.findPython(Optional.empty(), System.getenv());
    RequiredTools.fromEnvironment()
        .require(
            python.isPresent(), () -> "python3 is not on PATH; the venv backend cannot be tested");
    Path home = temp.resolve("home");
    new EnvironmentStore(
            home.resolve("envs"), Clock.systemUTC(), new SystemToolRunner(), Duration.ofMinutes(5))
        .create(
            EnvironmentFiles.parse(SPEC, "demo.yml"),
            SPEC,
            new VenvBackend(python.get(), false),
            "linux-64",
            Optional.of("demo"),
            Map.of(),
            progress -> {});
    SimulatedMigDriver sim =
        SimulatedMigDriver.persistent(SimulatedNodeSpec.parse("a100-40gb:1"), home.resolve("sim"));

    try (TestDaemon d = new TestDaemon(home, sim)) {
      TestDaemon.Reply applied =
          d.postJson("/api/v1/layout/apply", Map.of("config", LAYOUT, "select", "small"));
      assertThat(applied.status()).as(applied.body()).isEqualTo(200);
      long id =
          d.submit(
              Map.of(
                  "name",
                  "modes",
                  "command",
                  List.of("sh", "-c", "umask; echo err >&2"),
                  "gpu",
                  "1g.5gb",
                  "environment",
                  "demo"));
      d.awaitState(id, "succeeded");

      assertThat(Files.readString(d.daemon().jobs().attemptDir(id, 1).resolve("stdout.log")))
          .as("the job runs with the daemon's umask, not the supervisor's 077")
          .isEqualTo(daemonUmask() + "\n");
      assertThat(Files.exists(home.resolve("migctl.db-wal"))).isTrue();
      assertThat(notPrivate(home)).as("paths under the running daemon's home").isEmpty();
    }
    assertThat(notPrivate(home)).as("paths under the home after the daemon stopped").isEmpty();
  }

  @Test
  void aHomeThatOthersCanWriteIsRefusedAndNothingIsWritten() throws IOException {
    Path home = Files.createDirectories(temp.resolve("shared-home"));
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxr-x"));

    assertThatThrownBy(() -> daemonOn(home))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(home.toString())
        .hasMessageContaining("0775")
        .hasMessageContaining("owner " + System.getProperty("user.name"))
        .hasMessageContaining("chmod 700 " + home);
    try (Stream<Path> left = Files.list(home)) {
      assertThat(left).isEmpty();
    }
    assertThat(Files.getPosixFilePermissions(home))
        .isEqualTo(PosixFilePermissions.fromString("rwxrwxr-x"));
  }

  @Test
  void aHomeThatAnotherUserOwnsIsRefused() throws IOException {
    assumeTrue(System.getProperty("user.name").equals("root"), "only root can give a folder away");
    Path home = Files.createDirectories(temp.resolve("their-home"));
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
    UserPrincipal nobody =
        home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(home, nobody);

    assertThatThrownBy(() -> daemonOn(home))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(home.toString())
        .hasMessageContaining("owner nobody")
        .hasMessageContaining("chown");
    try (Stream<Path> left = Files.list(home)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void aHomeOthersCanOnlyReadIsMadePrivate() throws IOException {
    Path home = Files.createDirectories(temp.resolve("old-home"));
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));

    try (TestDaemon d = daemonOn(home)) {
      assertThat(Files.getPosixFilePermissions(home))
          .isEqualTo(PosixFilePermissions.fromString("rwx------"));
      assertThat(d.get("/api/v1/health").status()).isEqualTo(200);
    }
  }

  private static TestDaemon daemonOn(Path home) throws IOException {
    return new TestDaemon(
        home, SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1")));
  }

  /** Every path under {@code home} that is not private, with its mode; prefixes not looked into. */
  private static List<String> notPrivate(Path home) throws IOException {
    List<String> bad = new ArrayList<>();
    try (Stream<Path> all = Files.walk(home)) {
      for (Path p : all.toList()) {
        Path rel = home.relativize(p);
        if (rel.getNameCount() > 2
            && rel.getName(0).toString().equals("envs")
            && rel.getName(2).toString().equals("prefix")) {
          continue; // the environment's own files, with the modes its tools give
        }
        if (Files.isSymbolicLink(p)) {
          bad.add(rel + " is a symbolic link");
          continue;
        }
        String mode;
        try {
          mode =
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        } catch (java.nio.file.NoSuchFileException gone) {
          continue; // a running daemon's temporary file, renamed over its target meanwhile
        }
        String want = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------";
        if (!mode.equals(want)) {
          bad.add((rel.toString().isEmpty() ? "(home)" : rel) + " " + mode);
        }
      }
    }
    return bad;
  }

  /** This JVM's umask as {@code umask} prints it, e.g. {@code 0022}. */
  private static String daemonUmask() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Umask:")) {
        return line.substring("Umask:".length()).strip();
      }
    }
    throw new AssertionError("no Umask line in /proc/self/status");
  }
}
