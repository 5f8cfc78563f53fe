package io.migctl.env.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PipPathsTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "-r requirements.txt|-r /work/proj/requirements.txt",
        "--requirement ../req.txt|--requirement /work/req.txt",
        "-e .|-e /work/proj",
        "./wheels/pkg-1.0-py3-none-any.whl|/work/proj/wheels/pkg-1.0-py3-none-any.whl",
        "-e git+https://github.com/x/y.git#egg=y|-e git+https://github.com/x/y.git#egg=y",
        "-r /abs/req.txt|-r /abs/req.txt",
        "numpy==1.26|numpy==1.26",
        "--index-url https://example.org/simple|--index-url https://example.org/simple",
        "--find-links wheels|--find-links /work/proj/wheels",
      })
  void makesLocalPathsAbsoluteAndLeavesTheRest(String line, String expected) {
    assertThat(PipPaths.resolveLine(line, Path.of("/work/proj"))).isEqualTo(expected);
  }
}
