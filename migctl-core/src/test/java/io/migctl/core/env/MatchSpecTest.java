package io.migctl.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.migctl.core.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MatchSpecTest {

  /** Written form → canonical form. Pipes in CSV need the custom delimiter. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '¦',
      value = {
        "numpy ¦ numpy",
        "NumPy ¦ numpy",
        "python=3.9 ¦ python 3.9.*",
        "python==3.9.1 ¦ python 3.9.1",
        "numpy 1.26.* ¦ numpy 1.26.*",
        "numpy >=1.20,<2 ¦ numpy >=1.20,<2",
        "pytorch::pytorch>=2.1 ¦ pytorch::pytorch >=2.1",
        "conda-forge/linux-64::pkg ¦ conda-forge/linux-64::pkg",
        "pkg=1.2=py39_0 ¦ pkg 1.2 py39_0",
        "pkg 1.2 py39_0 ¦ pkg 1.2 py39_0",
        "pkg[version='>=1.0',build=py*] ¦ pkg >=1.0 py*",
        "pkg=1.2.* ¦ pkg 1.2.*",
        "pkg 1.2|1.3 ¦ pkg 1.2|1.3",
        "pkg=1.2|1.3 ¦ pkg 1.2.*|1.3",
        "libblas=*=*openblas ¦ libblas * *openblas",
        "jaxlib>=0.4.31=cuda12* ¦ jaxlib >=0.4.31 cuda12*",
        "python >= 3.8 ¦ python >=3.8",
        "python = 3.6 ¦ python 3.6.*",
        "python =3.11 ¦ python 3.11.*",
        "ruff == 0.14.5 ¦ ruff 0.14.5",
        "scipy   >=    1.5.0,  < 2.0.0 ¦ scipy >=1.5.0,<2.0.0",
        "python>=3.8, < 3.10 ¦ python >=3.8,<3.10",
        "conda-forge::cudatoolkit==11.3.* ¦ conda-forge::cudatoolkit 11.3.*",
        "dask-cuda==26.10.*,>=0.0.0a0 ¦ dask-cuda 26.10.*,>=0.0.0a0",
        "pytest >=3.9,!=6.0.0rc1,!=6.0.0 ¦ pytest >=3.9,!=6.0.0rc1,!=6.0.0",
        "blas[build=mkl] ¦ blas * mkl",
        "pkg 1.2* ¦ pkg 1.2.*",
        "pkg >=1.2.* ¦ pkg >=1.2",
        "pkg <1.2.* ¦ pkg <1.2",
        "pkg !=1.2.* ¦ pkg !=1.2.*",
        "pkg ~=1.2 ¦ pkg ~=1.2",
        "pkg[version='(1.2|1.3),<2'] ¦ pkg[version='(1.2|1.3),<2']",
        "pkg[version=' ( 1.2 | 1.3 ) , <2', build=py*] ¦ pkg[version='(1.2|1.3),<2',build=py*]",
        "pkg 1.0RC1 ¦ pkg 1.0rc1",
        "pkg[channel=conda-forge,subdir=linux-64] ¦ conda-forge/linux-64::pkg",
        "pkg[channel=\"conda-forge\" version=\">=1, <2\"] ¦ conda-forge::pkg >=1,<2",
        "https://conda.anaconda.org/conda-forge::numpy ¦ https://conda.anaconda.org/conda-forge::numpy",
        "pkg * * ¦ pkg",
        "pkg * ¦ pkg",
        "openssl 1.1.1_ ¦ openssl 1.1.1_",
        "pkg 1!2.0+local.1 ¦ pkg 1!2.0+local.1",
        "pkg 2024.1-1 ¦ pkg 2024.1-1",
        "pkg 1.2 =py39_0 ¦ pkg 1.2 py39_0",
        "pkg=1.2 py39_0 ¦ pkg 1.2 py39_0",
        "pkg==1.2=py39_0 ¦ pkg 1.2 py39_0",
        "_libgcc_mutex=0.1=conda_forge ¦ _libgcc_mutex 0.1 conda_forge",
        "r-climdex.pcic ¦ r-climdex.pcic",
        "  gcc_linux-64>=6   ¦ gcc_linux-64 >=6",
        "pkg 1.*.3 ¦ pkg 1.*.3",
        "pkg >1.8,<2|==1.7 ¦ pkg >1.8,<2|1.7",
      })
  void readsTheWrittenFormsIntoOneNormalForm(String written, String canonical) {
    MatchSpec spec = MatchSpec.parse(written);
    assertThat(spec.canonical()).isEqualTo(canonical);
    assertThat(spec).hasToString(canonical);
    assertThat(MatchSpec.parse(canonical)).as("canonical form reads back").isEqualTo(spec);
  }

  /**
   * Brackets as conda's {@code MatchSpec} reads them ({@code conda/models/match_spec.py}, {@code
   * _parse_spec_str}): the section is cut out wherever it stands, only its {@code key=value} pairs
   * count (anything else is dropped), a bracket value overrides the one written outside, and the
   * match fields other than version, build and channel are kept.
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '¦',
      value = {
        "pkg[extra]!=1.0 ¦ pkg !=1.0",
        "pkg[extra, other] ¦ pkg",
        "numpy[extra, version=1.2] ¦ numpy 1.2",
        "numpy[version] ¦ numpy",
        "numpy[version='1.2] ¦ numpy",
        "numpy>=1.7[version='>=1.8'] ¦ numpy >=1.8",
        "numpy[version=1,version=2] ¦ numpy 2",
        "pkg=1.0=py_0[build=py_1] ¦ pkg 1.0 py_1",
        "conda-forge::numpy[channel=pytorch] ¦ pytorch::numpy",
        "numpy[channel=conda-forge/linux-64] ¦ conda-forge/linux-64::numpy",
        "numpy[subdir=linux-64] ¦ numpy[subdir=linux-64]",
        "conda-forge/linux-64::numpy[subdir=osx-64] ¦ conda-forge/osx-64::numpy",
        "numpy[name=scipy] ¦ numpy",
        "numpy # a comment ¦ numpy",
        "numpy>=1.2#comment ¦ numpy >=1.2",
        "numpy[md5=0123456789abcdef0123456789abcdef] ¦ numpy[md5=0123456789abcdef0123456789abcdef]",
        "numpy 1.26.* py_0[build_number='>=2'] ¦ numpy[version='1.26.*',build=py_0,build_number='>=2']",
        "numpy[license='BSD 3-Clause',fn=numpy-1.0-0.conda] ¦ numpy[fn=numpy-1.0-0.conda,license='BSD 3-Clause']",
        "blas[track_features=mkl] ¦ blas[track_features=mkl]",
      })
  void readsBracketsAsCondaDoes(String written, String canonical) {
    MatchSpec spec = MatchSpec.parse(written);
    assertThat(spec.canonical()).isEqualTo(canonical);
    assertThat(MatchSpec.parse(canonical)).as("canonical form reads back").isEqualTo(spec);
  }

  /** Written form → what the one warning says. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '¦',
      value = {
        "pkg[extra]!=1.0 ¦ drops \"extra\" (conda packages have no extras)",
        "numpy[extra, version=1.2, gpu] ¦ drops \"extra\", \"gpu\"",
        "numpy>=1.7[version='>=1.8'] ¦ version twice, >=1.7 before the brackets and [version=>=1.8]; conda takes the one in brackets",
        "numpy  # pinned later ¦ \"# pinned later\" is dropped",
        "numpy[name=scipy] ¦ ignores [name=scipy]: the name before the brackets, numpy, is the package",
        "numpy[version=1,version=2] ¦ [version=…] twice in its brackets; conda takes the last, 2",
      })
  void saysWhatCondaDropsOrOverrides(String written, String warning) {
    assertThat(MatchSpec.read(written).warnings()).singleElement().asString().contains(warning);
  }

  @ParameterizedTest
  @ValueSource(strings = {"numpy[version='>=1.8', build=py*]", "conda-forge::numpy >=1.8 py_0"})
  void warnsAboutNothingCondaReadsWhole(String written) {
    assertThat(MatchSpec.read(written).warnings()).isEmpty();
  }

  static Stream<Arguments> spellingsCondaReadsAlike() {
    return Stream.of(
        Arguments.of(
            List.of(
                "python=3.9",
                "python 3.9.*",
                "python==3.9.*",
                "python=3.9.*",
                "python 3.9*",
                "python[version='=3.9']",
                "python  =  3.9",
                "PYTHON=3.9")),
        Arguments.of(
            List.of("python==3.9", "python 3.9", "python[version='==3.9']", "python[version=3.9]")),
        Arguments.of(
            List.of(
                "numpy>=1.20,<2",
                "numpy >= 1.20 , < 2",
                "numpy[version='>=1.20,<2']",
                "numpy >=1.20.*,<2")),
        Arguments.of(
            List.of(
                "pkg=1.2=b", "pkg 1.2 b", "pkg==1.2=b", "pkg[version=1.2,build=b]", "pkg 1.2 =b")),
        Arguments.of(
            List.of(
                "conda-forge::numpy",
                "conda-forge :: numpy",
                "numpy[channel=conda-forge]",
                "numpy[channel='conda-forge']")));
  }

  @ParameterizedTest
  @MethodSource("spellingsCondaReadsAlike")
  void spellingsThatCondaReadsAlikeAreEqual(List<String> spellings) {
    MatchSpec first = MatchSpec.parse(spellings.get(0));
    for (String spelling : spellings) {
      assertThat(MatchSpec.parse(spelling)).as(spelling).isEqualTo(first);
    }
  }

  @ParameterizedTest(name = "{0} != {1}")
  @CsvSource({
    "python=3.9, python==3.9",
    "pkg=1.2, pkg=1.2=b",
    "pkg 1.2, pkg 1.2.*",
    "conda-forge::numpy, numpy",
    "conda-forge::numpy, conda-forge/linux-64::numpy",
    "pkg >=1.2, pkg >1.2",
    "pkg !=1.2, pkg !=1.2.*",
    "pkg * py_0, pkg * py_1",
  })
  void specsThatCondaReadsDifferentlyDiffer(String a, String b) {
    assertThat(MatchSpec.parse(a)).isNotEqualTo(MatchSpec.parse(b));
    assertThat(MatchSpec.parse(a).canonical()).isNotEqualTo(MatchSpec.parse(b).canonical());
  }

  @Test
  void holdsTheComponents() {
    MatchSpec spec = MatchSpec.parse("conda-forge/linux-64::PyTorch >=2.1, <3 cuda12*");
    assertThat(spec.channel()).contains("conda-forge/linux-64");
    assertThat(spec.name()).isEqualTo("pytorch");
    assertThat(spec.version()).contains(">=2.1,<3");
    assertThat(spec.build()).contains("cuda12*");

    MatchSpec bare = MatchSpec.parse("numpy");
    assertThat(bare.channel()).isEmpty();
    assertThat(bare.version()).isEmpty();
    assertThat(bare.build()).isEmpty();
    assertThat(bare).isEqualTo(MatchSpec.of("numpy"));
    assertThat(bare.isNamed("NumPy")).isTrue();
  }

  @Test
  void theConstructorNormalisesLikeParse() {
    MatchSpec built =
        new MatchSpec(Optional.of(" pytorch "), "PyTorch", Optional.of(">= 2.1"), Optional.of("*"));
    assertThat(built).isEqualTo(MatchSpec.parse("pytorch::pytorch>=2.1"));
    assertThat(new MatchSpec(Optional.empty(), "x", Optional.of("*"), Optional.empty()).version())
        .isEmpty();
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> new MatchSpec(Optional.empty(), "a b", Optional.empty(), Optional.empty()))
        .withMessageContaining("\"a b\"");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new MatchSpec(Optional.empty(), "x", Optional.of(">="), Optional.empty()))
        .withMessageContaining("dangling");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> new MatchSpec(Optional.of("a b"), "x", Optional.empty(), Optional.empty()))
        .withMessageContaining("channel");
  }

  /** Text → a fragment of the reason. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '¦',
      value = {
        "'' ¦ empty",
        "'   ' ¦ empty",
        "numpy>= ¦ dangling",
        "numpy= ¦ dangling",
        "numpy== ¦ dangling",
        "numpy >=1.2, ¦ empty constraint",
        "numpy >=1.2,,<2 ¦ empty constraint",
        "numpy 1,2| ¦ empty constraint",
        ">=1.2 ¦ no package name",
        "::numpy ¦ nothing before '::'",
        "conda-forge:numpy ¦ single ':'",
        "numpy$ ¦ package name",
        "num@py ¦ package name",
        "\"numpy\" ¦ package name",
        "setuptools <59.6. ¦ empty component",
        "numpy 1..2 ¦ empty component",
        "numpy >=1.2 <2 ¦ join version constraints with ','",
        "numpy 1.2 py39 extra ¦ 3 words",
        "numpy=>1.2 ¦ unknown operator '=>'",
        "numpy===1.2 ¦ unknown operator '==='",
        "numpy 1.2 py-39 ¦ not a build string",
        "numpy[version=1.2 ¦ '[' without a ']'",
        "numpy[foo=bar] ¦ cannot match on the field 'foo'",
        "numpy[build_number=two] ¦ build_number",
        "numpy[extras=[cuda]] ¦ extras=[…]",
        "numpy[md5=''] ¦ empty value",
        "numpy[version=1.2][build=x] ¦ more than one [...] section",
        "numpy] ¦ ']' without a '['",
        "numpy[version=] ¦ empty value",
        "https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.0-py312_0.conda ¦ package URL",
        "./numpy-1.26.0-py312_0.tar.bz2 ¦ package URL or file",
        "numpy (>=1.2) ¦ (…) section",
        "numpy[version='(1.2|1.3'] ¦ not closed",
        "numpy[version='1.2)'] ¦ ')' without",
        "numpy ^1.2$ ¦ regular expression",
        "numpy ~=1.2.* ¦ '~=' cannot take '.*'",
        "numpy >1.2* ¦ '*' after an operator",
        "numpy 1!!2 ¦ more than one '!'",
        "numpy a!1.0 ¦ epoch",
        "numpy 1.0+a+b ¦ more than one '+'",
        "numpy +a ¦ before its local part",
        "numpy 1.0_dev-1 ¦ characters a conda version cannot have",
        "numpy 1.2% ¦ '%'",
        "{{ local-package }} ¦ template placeholder",
      })
  void refusesMalformedSpecsNamingTheTextAndTheAcceptedForms(String text, String reason) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> MatchSpec.parse(text))
        .withMessageStartingWith("MatchSpec \"" + text + "\": ")
        .withMessageContaining(reason)
        .withMessageEndingWith("; accepted: " + MatchSpec.ACCEPTED_FORMS);
  }

  /**
   * Random specs in random surface forms: every one parses, its canonical form reads back to an
   * equal spec and is a fixed point, and respacing or bracketing the same spec changes nothing.
   */
  @Test
  void randomSpecsRoundTripThroughTheCanonicalForm() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      String name = pick(random, List.of("numpy", "py-torch", "_libgcc_mutex", "r-a.b", "gtk+"));
      Optional<String> channel =
          random.nextInt(3) == 0
              ? Optional.of(pick(random, List.of("conda-forge", "pytorch", "conda-forge/linux-64")))
              : Optional.empty();
      Optional<String> version =
          random.nextInt(4) == 0 ? Optional.empty() : Optional.of(versionExpression(random));
      Optional<String> build =
          random.nextInt(3) == 0
              ? Optional.of(pick(random, List.of("py39_0", "cuda12*", "*openblas", "0")))
              : Optional.empty();
      String compact =
          channel.map(c -> c + "::").orElse("")
              + name
              + version.map(v -> " " + v).orElse(build.isPresent() ? " *" : "")
              + build.map(b -> " " + b).orElse("");
      String spaced = respace(compact, random);
      String bracketed =
          channel.map(c -> c + "::").orElse("")
              + name
              + "["
              + String.join(
                  ",",
                  Stream.concat(
                          version.map(v -> "version='" + v + "'").stream(),
                          build.map(b -> "build=" + b).stream())
                      .toList())
              + "]";
      String context = "seed " + seed + ", spec " + compact;
      MatchSpec spec = MatchSpec.parse(compact);
      assertThat(MatchSpec.parse(spec.canonical())).as(context).isEqualTo(spec);
      assertThat(MatchSpec.parse(spec.canonical()).canonical())
          .as(context)
          .isEqualTo(spec.canonical());
      assertThat(MatchSpec.parse(spaced)).as(context + ", respaced " + spaced).isEqualTo(spec);
      if (version.isPresent() || build.isPresent()) {
        assertThat(MatchSpec.parse(bracketed))
            .as(context + ", bracketed " + bracketed)
            .isEqualTo(spec);
      }
    }
  }

  private static String versionExpression(Random random) {
    int terms = 1 + random.nextInt(3);
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < terms; i++) {
      String version =
          pick(
              random,
              List.of("1", "1.2", "1.2.3", "2024.1", "1.0rc1", "1!2.0", "1.2+local", "0a0"));
      String term =
          switch (random.nextInt(9)) {
            case 0 -> version;
            case 1 -> version + ".*";
            case 2 -> "==" + version;
            case 3 -> ">=" + version;
            case 4 -> "<" + version;
            case 5 -> "!=" + version;
            case 6 -> "!=" + version + ".*";
            case 7 -> "~=" + version;
            default -> ">" + version;
          };
      parts.add(term);
    }
    StringBuilder out = new StringBuilder(parts.get(0));
    for (int i = 1; i < parts.size(); i++) {
      out.append(random.nextBoolean() ? ',' : '|').append(parts.get(i));
    }
    return out.toString();
  }

  /** Adds spaces where conda ignores them: around ',' and '|', after operators. */
  private static String respace(String compact, Random random) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < compact.length(); i++) {
      char c = compact.charAt(i);
      boolean joiner = c == ',' || c == '|';
      if (joiner && random.nextBoolean()) {
        out.append("  ");
      }
      out.append(c);
      boolean operatorEnd =
          "=<>".indexOf(c) >= 0
              && i + 1 < compact.length()
              && "=<>".indexOf(compact.charAt(i + 1)) < 0;
      if ((joiner || operatorEnd) && random.nextBoolean()) {
        out.append(' ');
      }
    }
    return out.toString();
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }
}
