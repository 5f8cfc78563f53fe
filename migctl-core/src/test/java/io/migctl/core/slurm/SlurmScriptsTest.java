package io.migctl.core.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The scripts' text; {@code SlurmScriptsIT} in migctl-slurm runs them. */
class SlurmScriptsTest {

  @Test
  void quotesBakedInPathsAsOneShWord() {
    assertThat(SlurmScripts.quote("/etc/slurm's map")).isEqualTo("'/etc/slurm'\\''s map'");
    assertThat(SlurmScripts.taskProlog("/a b/m.tsv")).contains("\nmap='/a b/m.tsv'\n");
    assertThat(SlurmScripts.prolog("/m", "/run/$x")).contains("\ndir='/run/$x'\n");
  }

  @Test
  void onlyTheTaskPrologFailsOnAMissingMap() {
    assertThat(SlurmScripts.taskProlog("/m")).contains("  exit 1\nfi\n");
    assertThat(SlurmScripts.prolog("/m", "/d")).doesNotContain("exit 1");
    assertThat(SlurmScripts.epilog("/m", "/d")).doesNotContain("exit 1");
  }
}
