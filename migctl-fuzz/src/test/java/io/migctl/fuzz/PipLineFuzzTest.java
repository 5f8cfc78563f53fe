package io.migctl.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migctl.core.env.PipLine;

/** Lines of an {@code environment.yml}'s {@code pip:} section. */
class PipLineFuzzTest {

  @FuzzTest
  void parse(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    Refusals.valueOrRefusal(text, () -> new PipLine(text));
  }
}
