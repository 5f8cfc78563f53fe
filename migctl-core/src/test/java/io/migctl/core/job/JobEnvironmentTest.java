package io.migctl.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a job inherits from the daemon (issue 13.12): the allow-list and what is passed by name. */
class JobEnvironmentTest {

  private static Map<String, String> daemon() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/usr/bin:/bin");
    env.put("HOME", "/home/ops");
    env.put("LANG", "en_US.UTF-8");
    env.put("LC_ALL", "C.UTF-8");
    env.put("LC_TIME", "de_DE.UTF-8");
    env.put("TZ", "Europe/Berlin");
    env.put("USER", "ops");
    env.put("LOGNAME", "ops");
    env.put("TMPDIR", "/scratch/tmp");
    env.put("TERM", "xterm-256color");
    env.put("AWS_SECRET_ACCESS_KEY", "s3cr3t");
    env.put("GITHUB_TOKEN", "ghp_x");
    env.put("LD_PRELOAD", "/evil.so");
    env.put("HTTPS_PROXY", "http://user:pw@proxy:3128");
    env.put("MIGCTL_TOKEN", "t");
    env.put("CUDA_VISIBLE_DEVICES", "0");
    return env;
  }

  @Test
  void aJobInheritsOnlyTheAllowList() {
    assertThat(JobEnvironment.inherited(daemon(), Set.of()))
        .containsOnlyKeys(
            "PATH", "HOME", "LANG", "LC_ALL", "LC_TIME", "TZ", "USER", "LOGNAME", "TMPDIR")
        .containsEntry("PATH", "/usr/bin:/bin")
        .containsEntry("LC_TIME", "de_DE.UTF-8");
  }

  @Test
  void whatTheOperatorNamesIsPassedOnWhenTheDaemonHasIt() {
    assertThat(
            JobEnvironment.inherited(
                daemon(), Set.of("AWS_SECRET_ACCESS_KEY", "MIGCTL_TOKEN", "NOT_SET_ANYWHERE")))
        .containsEntry("AWS_SECRET_ACCESS_KEY", "s3cr3t")
        .containsEntry("MIGCTL_TOKEN", "t")
        .doesNotContainKeys("NOT_SET_ANYWHERE", "GITHUB_TOKEN", "TERM");
  }

  @Test
  void theDeviceVariablesAreNeverInheritedEvenWhenNamed() {
    Map<String, String> env = daemon();
    env.put("MIGCTL_JOB_ID", "99");
    assertThat(JobEnvironment.inherited(env, Set.of("PATH")))
        .doesNotContainKeys("CUDA_VISIBLE_DEVICES", "MIGCTL_JOB_ID");
  }

  @Test
  void namesThatCannotBePassedAreRefusedWithTheReason() {
    assertThat(JobEnvironment.checkPassable("AWS_SECRET_ACCESS_KEY"))
        .isEqualTo("AWS_SECRET_ACCESS_KEY");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobEnvironment.checkPassable("1BAD"))
        .withMessage("'1BAD' is not a variable name; use [A-Za-z_][A-Za-z0-9_]*");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobEnvironment.checkPassable("A=B"))
        .withMessageContaining("not a variable name");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobEnvironment.checkPassable("NVIDIA_VISIBLE_DEVICES"))
        .withMessage(
            "NVIDIA_VISIBLE_DEVICES is set by migctl for each job (from its device and id); it"
                + " cannot be passed on");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobEnvironment.checkPassable("MIGCTL_JOB_NAME"))
        .withMessageContaining("set by migctl");
  }
}
