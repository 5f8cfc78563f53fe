package io.migctl.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PipLineTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "numpy",
        "numpy==1.26.4",
        "PyYAML==5.4.1",
        "test-tube>=0.7.5",
        "wavio >=0.0.5",
        "torch==2.0.0+cu118",
        "requests[security,socks]>=2.8.1,<3",
        "requests (>=2.8)",
        "pkg; python_version < \"3.8\"",
        "flit-core === 3.9.0 --hash=sha256:1234",
        "flit-core==3.9.0 --hash sha256:1234",
        "requests @ https://github.com/psf/requests/releases/download/v2.31.0/requests-2.31.0-py3-none-any.whl",
        "git+https://github.com/NVIDIA/dllogger.git",
        "git+https://github.com/shapely/shapely.git@main",
        "https://example.org/pkg-1.0.tar.gz",
        "submodules/simple-knn",
        "./local-dir",
        "~/src/pkg",
        "pkg-1.0-py3-none-any.whl",
        "-r requirements.txt",
        "-rrequirements.txt",
        "--requirement=requirements.txt",
        "-r file:requirements.txt",
        "-c constraints.txt",
        "-e .",
        "-e ..",
        "-e git+https://github.com/CompVis/taming-transformers.git@master#egg=taming-transformers",
        "-e git+{ARGH_PATH_PLACEHOLDER}#egg=argh",
        "--index-url https://pypi.doubanio.com/simple",
        "-i https://pypi.org/simple",
        "--extra-index-url https://pypi.nvidia.com",
        "--find-links https://download.pytorch.org/whl/torch_stable.html",
        "-f ./wheels",
        "--pre --index-url https://a/simple --extra-index-url https://b/ --extra-index-url https://c/simple",
        "--no-index",
        "--trusted-host pypi.example.org",
        "--prefer-binary",
      })
  void acceptsWhatPipAcceptsInARequirementsFile(String line) {
    assertThat(new PipLine(line).text()).isEqualTo(line);
  }

  /**
   * pip parses every requirements-file option on a requirement's line and ignores those that do not
   * act there (its req_file.py: "Other options from SUPPORTED_OPTIONS may be present, but are
   * ignored"). The mne-python line {@code dipy --only-binary dipy} is one that acts.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '¦',
      value = {
        "dipy --only-binary dipy ¦ ''",
        "psycopg2 --no-binary=psycopg2 ¦ ''",
        "flit-core==3.9.0 --hash sha256:1234 --global-option=--x ¦ ''",
        "numpy --index-url https://x ¦ --index-url",
        "numpy --pre -i https://x --hash=sha256:1 -rmore.txt ¦ --pre,-i,-r",
        "-r a.txt --pre ¦ ''",
      })
  void keepsOptionsAfterARequirementAndNamesThoseThatPipIgnores(String line, String ignored) {
    PipLine pipLine = new PipLine(line);
    assertThat(pipLine.text()).isEqualTo(line);
    assertThat(String.join(",", pipLine.ignoredOptions())).isEqualTo(ignored);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '¦',
      value = {
        "'  numpy==1.0  ' ¦ numpy==1.0",
        "'--index-url    https://x/simple' ¦ --index-url https://x/simple",
        "'-e\t.' ¦ -e .",
      })
  void stripsAndCollapsesWhitespace(String written, String normal) {
    assertThat(new PipLine(written).text()).isEqualTo(normal);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '¦',
      value = {
        "'' ¦ is empty",
        "'   ' ¦ is empty",
        "matplotlib=3.5.3 ¦ write matplotlib==3.5.3",
        "sentry-sdk = 0.12.3 ¦ conda's single '='",
        "numpy>= ¦ not an operator",
        "numpy 1.2 ¦ version clause \"1.2\"",
        "numpy>=1,<2,  ¦ not an operator",
        "-r ¦ without its value",
        "--index-url ¦ without its value",
        "--bogus x ¦ unknown pip option \"--bogus\"",
        "--pre=yes ¦ takes none",
        "-e . stray ¦ neither a pip option",
        "numpy; ¦ empty environment marker",
        "numpy @ ¦ without a URL",
        "*numpy ¦ not a requirement",
      })
  void refusesWhatPipWouldRefuse(String line, String reason) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new PipLine(line))
        .withMessageStartingWith("pip line \"" + line + "\": ")
        .withMessageContaining(reason)
        .withMessageEndingWith("; accepted: " + PipLine.ACCEPTED_FORMS);
  }
}
