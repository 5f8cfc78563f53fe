package io.migctl.home;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MigctlHomeTest {

  private static final Path ROOT = Path.of("/srv/migctl-home");

  /** Every path the home names: each public method without parameters that returns a Path. */
  private static List<Path> everyPath(MigctlHome home) throws ReflectiveOperationException {
    List<Path> paths = new ArrayList<>();
    for (Method m : MigctlHome.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers())
          && !Modifier.isStatic(m.getModifiers())
          && m.getParameterCount() == 0
          && m.getReturnType() == Path.class
          && !m.getName().equals("root")) {
        paths.add((Path) m.invoke(home));
      }
    }
    return paths;
  }

  @Test
  void everyPathIsUnderTheHomeAndNoneIsTheHomeItselfOrAnother() throws Exception {
    List<Path> paths = everyPath(new MigctlHome(ROOT));

    assertThat(paths).hasSizeGreaterThanOrEqualTo(8);
    assertThat(paths)
        .allSatisfy(
            p -> {
              assertThat(p.normalize().startsWith(ROOT)).as("%s is under %s", p, ROOT).isTrue();
              assertThat(p.normalize()).isNotEqualTo(ROOT);
            });
    Set<Path> distinct = new HashSet<>(paths);
    assertThat(distinct).as("no two uses share a path").hasSameSizeAs(paths);
    // none is inside another, so that removing one never removes another's files
    for (Path a : paths) {
      for (Path b : paths) {
        if (a != b) {
          assertThat(a.startsWith(b)).as("%s is inside %s", a, b).isFalse();
        }
      }
    }
  }

  @Test
  void aRelativeHomeKeepsItsPathsRelativeToIt() throws Exception {
    Path relative = Path.of("data", "migctl");

    assertThat(everyPath(new MigctlHome(relative)))
        .allSatisfy(p -> assertThat(p.normalize().startsWith(relative)).as("%s", p).isTrue());
  }

  @Test
  void theHomeIsMigctlHomeElseXdgDataHomeElseUnderTheUsersHome() {
    Path user = Path.of("/home/ada");

    assertThat(MigctlHome.of(Map.of("MIGCTL_HOME", "/x", "XDG_DATA_HOME", "/y"), user).root())
        .isEqualTo(Path.of("/x"));
    assertThat(MigctlHome.of(Map.of("XDG_DATA_HOME", "/y"), user).root())
        .isEqualTo(Path.of("/y/migctl"));
    assertThat(MigctlHome.of(Map.of("MIGCTL_HOME", " ", "XDG_DATA_HOME", ""), user).root())
        .isEqualTo(Path.of("/home/ada/.local/share/migctl"));
    assertThat(MigctlHome.of(Map.of(), user).root())
        .isEqualTo(Path.of("/home/ada/.local/share/migctl"));
  }

  @Test
  void theNamesAreTheOnesUsersAndOlderHomesKnow() {
    MigctlHome home = new MigctlHome(ROOT);

    assertThat(List.of(home.database(), home.token(), home.daemonFile(), home.daemonLock()))
        .containsExactly(
            ROOT.resolve("migctl.db"),
            ROOT.resolve("token"),
            ROOT.resolve("daemon.json"),
            ROOT.resolve("daemon.lock"));
    assertThat(List.of(home.jobs(), home.journal(), home.environments(), home.simulatedNode()))
        .containsExactly(
            ROOT.resolve("jobs"),
            ROOT.resolve("mig/journal.jsonl"),
            ROOT.resolve("envs"),
            ROOT.resolve("sim"));
  }
}
