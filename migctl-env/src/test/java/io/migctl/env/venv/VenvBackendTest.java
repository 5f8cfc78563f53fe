package io.migctl.env.venv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.migctl.env.spec.EnvironmentFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VenvBackendTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "3.11.7; 3.11; true",
        "3.11.7; 3.11.*; true",
        "3.11.7; 3.1; false",
        "3.11.7; >=3.8,<3.12; true",
        "3.11.7; >=3.8,<3.11; false",
        "3.11.7; 3.10|3.11; true",
        "3.11.7; 3.9|3.10; false",
        "3.11.7; ==3.11.7; true",
        "3.11.7; !=3.11; false",
        "3.11.7; >3.11; false",
        "3.12.0; >3.11; true",
      })
  void pythonVersionsFollowCondasSyntax(String version, String spec, boolean ok) {
    assertThat(VenvBackend.satisfies(version, spec)).isEqualTo(ok);
  }

  @Test
  void condaPackagesAreRefusedByName() {
    var spec =
        EnvironmentFiles.parse(
            "dependencies:\n  - python=3.11\n  - pip\n  - numpy=1.26\n  - pytorch::pytorch\n",
            "x.yml");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> VenvBackend.check(spec))
        .withMessageContaining("numpy")
        .withMessageContaining("pytorch")
        .withMessageContaining("--backend conda");
  }
}
