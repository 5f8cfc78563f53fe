package io.migctl.daemon.confine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CgroupV1SettingsTest {

  private static final String OOM_CONTROL_KILLED = "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n";

  @Test
  void anOomKillIsSaidWithTheLimit() {
    assertThat(CgroupV1Settings.finding(OOM_CONTROL_KILLED, "67108864\n", "max 0\n", "max\n"))
        .contains("killed: out of memory (limit 64 MiB)");
  }

  @Test
  void refusedForksAreSaidWithTheLimit() {
    assertThat(CgroupV1Settings.finding("oom_kill 0\n", "9223372036854771712\n", "max 3\n", "64\n"))
        .contains("reached its process limit (64): 3 forks were refused");
  }

  @Test
  void bothAreSaidAndNothingIsSaidWhenNoLimitActed() {
    assertThat(CgroupV1Settings.finding(OOM_CONTROL_KILLED, "4194304", "max 1", "8"))
        .contains(
            "killed: out of memory (limit 4 MiB); reached its process limit (8): 1 fork was"
                + " refused");
    assertThat(CgroupV1Settings.finding("oom_kill_disable 0\nunder_oom 0\n", "", "", "")).isEmpty();
  }
}
