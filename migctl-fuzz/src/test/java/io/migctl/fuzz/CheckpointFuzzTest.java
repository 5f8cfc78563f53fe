package io.migctl.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migctl.apply.Checkpoint;

/** Checkpoint files, as {@code migctl mig restore -f} reads them. */
class CheckpointFuzzTest {

  private static final String SOURCE = "layout.json";

  @FuzzTest
  void read(byte[] input) {
    Refusals.readText(SOURCE, input, text -> Checkpoint.parse(text, SOURCE));
  }
}
