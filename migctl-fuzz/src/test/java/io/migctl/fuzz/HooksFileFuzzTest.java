package io.migctl.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migctl.apply.MigPartedFiles;

/** mig-parted hooks files, as {@code migctl mig apply -k} reads them. */
class HooksFileFuzzTest {

  private static final String SOURCE = "hooks.yaml";

  @FuzzTest
  void read(byte[] input) {
    Refusals.readText(SOURCE, input, text -> MigPartedFiles.readHooks(text, SOURCE));
  }
}
