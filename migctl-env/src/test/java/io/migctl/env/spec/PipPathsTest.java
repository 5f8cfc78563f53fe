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
        // paths without ./, as conda hands them to pip (issue 13, item 20)
        "submodules/simple-knn|/work/proj/submodules/simple-knn",
        "-e submodules/x|-e /work/proj/submodules/x",
        "sub/pkg; python_version>'3'|/work/proj/sub/pkg; python_version>'3'",
        "sub/pkg;python_version>'3'|/work/proj/sub/pkg;python_version>'3'",
        "--requirement=reqs/base.txt|--requirement=/work/proj/reqs/base.txt",
        "-rreqs.txt|-r/work/proj/reqs.txt",
        "--editable=sub/x|--editable=/work/proj/sub/x",
        "--find-links=wheels|--find-links=/work/proj/wheels",
        "-c constraints.txt|-c /work/proj/constraints.txt",
        "-e .[dev]|-e /work/proj[dev]",
        "./pkg[gpu,test]|/work/proj/pkg[gpu,test]",
        "dist/pkg-1.0.tar.gz|/work/proj/dist/pkg-1.0.tar.gz",
        // not paths
        "requests[security]>=2.8|requests[security]>=2.8",
        "name@https://example.org/x/name-1.0-py3-none-any.whl|name@https://example.org/x/name-1.0-py3-none-any.whl",
        "pkg @ file:///abs/pkg|pkg @ file:///abs/pkg",
        "${HOME}/src/pkg|${HOME}/src/pkg",
        "-r ${REQS}/base.txt|-r ${REQS}/base.txt",
        "pkg==1.0 --hash=sha256:abcd|pkg==1.0 --hash=sha256:abcd",
        "-e /abs/pkg|-e /abs/pkg",
      })
  void makesLocalPathsAbsoluteAndLeavesTheRest(String line, String expected) {
    assertThat(PipPaths.resolveLine(line, Path.of("/work/proj"))).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void longLinesAreResolvedInOnePass() {
    String brackets = "./" + "[".repeat(200_000);
    assertThat(PipPaths.resolveLine(brackets, Path.of("/work/proj")))
        .isEqualTo("/work/proj/" + "[".repeat(200_000));
    String extras = "./pkg[" + "a,".repeat(100_000) + "b]";
    assertThat(PipPaths.resolveLine(extras, Path.of("/work/proj")))
        .isEqualTo("/work/proj/pkg[" + "a,".repeat(100_000) + "b]");
  }
}
