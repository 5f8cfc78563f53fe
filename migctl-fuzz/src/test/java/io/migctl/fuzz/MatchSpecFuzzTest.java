package io.migctl.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migctl.core.env.MatchSpec;

/**
 * Conda MatchSpecs, one dependency line of an {@code environment.yml}; what is accepted must read
 * back from its canonical form to the same spec.
 */
class MatchSpecFuzzTest {

  @FuzzTest
  void parse(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    Refusals.valueOrRefusal(
        text,
        () -> {
          MatchSpec spec = MatchSpec.parse(text);
          MatchSpec again = MatchSpec.parse(spec.canonical());
          if (!again.equals(spec)) {
            throw new AssertionError(
                "\"" + text + "\" reads as " + spec + " but its canonical form as " + again);
          }
        });
  }
}
