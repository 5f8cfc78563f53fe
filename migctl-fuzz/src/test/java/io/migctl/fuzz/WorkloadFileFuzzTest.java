package io.migctl.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migctl.workload.WorkloadFiles;

/** Workload files, as {@code migctl up} and {@code migctl mig plan --workload} read them. */
class WorkloadFileFuzzTest {

  private static final String SOURCE = "workload.yml";

  @FuzzTest
  void read(byte[] input) {
    Refusals.readText(SOURCE, input, text -> WorkloadFiles.parse(text, SOURCE));
  }
}
