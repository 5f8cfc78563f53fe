package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Catalog;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransitionBenchmarkTest {

  private static final long SEED = 20_240_611;

  @TempDir static Path dir;

  private static TransitionReport report;

  @BeforeAll
  static void runOnce() {
    report = run(SEED, 50);
  }

  private static TransitionReport run(long seed, int transitions) {
    return TransitionBenchmark.run(
        new TransitionBenchmark.Options(
            seed, transitions, List.of(Catalog.A100_40GB, Catalog.H100_80GB)),
        dir.resolve("journal-" + seed + ".jsonl"));
  }

  @Test
  void migctlNeverDestroysBusyDevicesNorEmptiesAGpuAndEndsAtTheTargetUnlessItRefuses() {
    assertThat(report.models()).hasSize(2);
    for (TransitionReport.ModelResult m : report.models()) {
      ToolStats migctl = m.migctlStats();
      String context = m.model().key() + ", seed " + SEED;
      assertThat(migctl.transitions()).as(context).isEqualTo(50);
      assertThat(migctl.busyDestroyed()).as(context).isZero();
      assertThat(migctl.emptied()).as(context).isZero();
      assertThat(migctl.collateralDestroyed()).as(context).isZero();
      assertThat(migctl.failed()).as(context).isZero();
      assertThat(migctl.failedCalls()).as(context).isZero();
      assertThat(migctl.refused() + migctl.reachedTarget()).as(context).isEqualTo(50);
      for (int i = 0; i < m.transitions().size(); i++) {
        Measurement run = m.migctl().get(i);
        if (run.refused()) {
          assertThat(run.operations()).as(context + ", " + m.transitions().get(i)).isZero();
        }
      }
      // The driver keeps busy devices alive for mig-parted too.
      assertThat(m.baselineStats().busyDestroyed()).as(context).isZero();
    }
  }

  @Test
  void theBaselineFailsOnlyWhereABusyDeviceIsInTheWay() {
    for (TransitionReport.ModelResult m : report.models()) {
      for (int i = 0; i < m.transitions().size(); i++) {
        Transition t = m.transitions().get(i);
        Measurement baseline = m.baseline().get(i);
        String context = "seed " + SEED + ", " + t + " on " + m.model().key();
        if (baseline.failed()) {
          assertThat(t.hasBusyDevice()).as(context).isTrue();
        }
        if (!baseline.reachedTarget()) {
          assertThat(baseline.failed()).as(context).isTrue();
        }
      }
    }
  }

  @Test
  void equalSeedsPrintEqualTablesAndOtherSeedsOtherOnes() {
    String first = report.markdown();
    String again = run(SEED, 50).markdown();
    String other = run(SEED + 1, 50).markdown();

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    assertThat(first)
        .contains("| a100-40gb | mig-parted | 50 |")
        .contains("| a100-40gb | migctl | 50 |")
        .contains("| h100-80gb | mig-parted | 50 |")
        .contains("| h100-80gb | migctl | 50 |")
        .contains("migctl / mig-parted mean operations on the");
  }

  @Test
  void parsesItsArguments() {
    TransitionBenchmark.Options defaults = TransitionBenchmark.Options.parse();
    TransitionBenchmark.Options given =
        TransitionBenchmark.Options.parse(
            "--seed", "7", "--transitions", "12", "--models", "h100-80gb, a30-24gb");

    assertThat(defaults.seed()).isEqualTo(42);
    assertThat(defaults.transitions()).isEqualTo(1000);
    assertThat(defaults.models()).containsExactly(Catalog.A100_40GB, Catalog.H100_80GB);
    assertThat(given.seed()).isEqualTo(7);
    assertThat(given.transitions()).isEqualTo(12);
    assertThat(given.models()).containsExactly(Catalog.H100_80GB, Catalog.A30_24GB);
  }

  @Test
  void rejectsBadArgumentsNamingThem() {
    assertThatThrownBy(() -> TransitionBenchmark.Options.parse("--seed", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--seed takes a whole number, not \"x\"");
    assertThatThrownBy(() -> TransitionBenchmark.Options.parse("--transitions", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> TransitionBenchmark.Options.parse("--models", "v100"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("v100");
    assertThatThrownBy(() -> TransitionBenchmark.Options.parse("--fast"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--fast");
    assertThatThrownBy(() -> TransitionBenchmark.Options.parse("--seed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--seed needs a value");
  }
}
