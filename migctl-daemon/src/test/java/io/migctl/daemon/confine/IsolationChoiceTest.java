package io.migctl.daemon.confine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IsolationChoiceTest {

  private static final Optional<Path> SETPRIV = Optional.of(Path.of("/usr/bin/setpriv"));
  private static final Optional<Path> SYSTEMD_RUN = Optional.of(Path.of("/usr/bin/systemd-run"));

  @Test
  void autoTakesCgroupV1ThenSystemdThenSaysWhyNone() {
    IsolationChoice auto = IsolationChoice.AUTO;
    assertThat(auto.decide(new IsolationChoice.Host(true, true, true, SETPRIV, SYSTEMD_RUN)).kind())
        .isEqualTo(IsolationChoice.Kind.CGROUP_V1);
    assertThat(
            auto.decide(new IsolationChoice.Host(true, false, true, SETPRIV, SYSTEMD_RUN)).kind())
        .isEqualTo(IsolationChoice.Kind.SYSTEMD);
    IsolationChoice.Decision v2WithoutSystemd =
        auto.decide(new IsolationChoice.Host(true, false, false, SETPRIV, Optional.empty()));
    assertThat(v2WithoutSystemd.kind()).isEqualTo(IsolationChoice.Kind.NONE);
    assertThat(v2WithoutSystemd.why())
        .contains("not all mounted as cgroup v1", "systemd does not run", "BPF program");
  }

  @Test
  void aDaemonThatIsNotRootIsNeverConfinedAndSaysSo() {
    IsolationChoice.Decision d =
        IsolationChoice.AUTO.decide(
            new IsolationChoice.Host(false, true, true, SETPRIV, SYSTEMD_RUN));
    assertThat(d.kind()).isEqualTo(IsolationChoice.Kind.NONE);
    assertThat(d.why()).contains("not root");
  }

  @Test
  void anExplicitChoiceTheHostCannotGiveStopsTheStart() {
    IsolationChoice v1 = new IsolationChoice(IsolationChoice.Mode.CGROUP_V1, "migctl");
    assertThatIllegalStateException()
        .isThrownBy(
            () ->
                v1.decide(
                    new IsolationChoice.Host(true, true, false, Optional.empty(), SYSTEMD_RUN)))
        .withMessage(
            "--isolation cgroup-v1 is not possible here: setpriv (util-linux) is not installed");
    assertThat(
            IsolationChoice.NONE
                .decide(new IsolationChoice.Host(true, true, true, SETPRIV, SYSTEMD_RUN))
                .kind())
        .isEqualTo(IsolationChoice.Kind.NONE);
  }
}
