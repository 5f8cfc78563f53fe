package io.migctl.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migctl.core.env.CanonicalSpec;
import io.migctl.core.env.EnvironmentSpec;
import io.migctl.env.spec.EnvironmentFiles;

/**
 * Conda {@code environment.yml} files, as {@code migctl env create -f} reads them, up to the
 * canonical form that addresses the build.
 */
class EnvironmentSpecFuzzTest {

  private static final String SOURCE = "environment.yml";

  @FuzzTest
  void readAndCanonicalise(byte[] input) {
    Refusals.readText(
        SOURCE,
        input,
        text -> {
          EnvironmentSpec spec = EnvironmentFiles.parse(text, SOURCE);
          CanonicalSpec.of(spec, "linux-64", "conda");
        });
  }
}
