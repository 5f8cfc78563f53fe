package io.migctl.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalSpecTest {

  private static final List<String> DEPENDENCIES =
      List.of(
          "python=3.11",
          "numpy >=1.20,<2",
          "pytorch::pytorch>=2.1",
          "cudatoolkit=11.8=h4ba93d1_13",
          "blas[build=mkl]",
          "pip",
          "scipy",
          "conda-forge/linux-64::zlib 1.2.13");

  private static EnvironmentSpec spec(
      Optional<String> name,
      List<String> channels,
      List<String> dependencies,
      List<String> pip,
      Map<String, String> variables,
      Optional<String> prefix) {
    return new EnvironmentSpec(
        name,
        channels,
        dependencies.stream().map(MatchSpec::parse).toList(),
        pip,
        variables,
        prefix);
  }

  private static EnvironmentSpec example() {
    return spec(
        Optional.of("train"),
        List.of("conda-forge", "nodefaults"),
        DEPENDENCIES,
        List.of("--index-url https://pypi.org/simple", "torchmetrics==1.2.0"),
        Map.of("OMP_NUM_THREADS", "4", "A_FLAG", "on"),
        Optional.of("/opt/envs/train"));
  }

  private static String hash(EnvironmentSpec spec) {
    return CanonicalSpec.of(spec, "linux-64", "conda").hash();
  }

  @Test
  void writesTheDocumentedText() {
    CanonicalSpec canonical = CanonicalSpec.of(example(), "linux-64", "conda");
    assertThat(canonical.text())
        .isEqualTo(
            """
            {
              "format": "migctl-environment/1",
              "platform": "linux-64",
              "backend": "conda",
              "channels": [
                "conda-forge",
                "nodefaults"
              ],
              "dependencies": [
                "blas * mkl",
                "conda-forge/linux-64::zlib 1.2.13",
                "cudatoolkit 11.8 h4ba93d1_13",
                "numpy >=1.20,<2",
                "pip",
                "python 3.11.*",
                "pytorch::pytorch >=2.1",
                "scipy"
              ],
              "pip": [
                "--index-url https://pypi.org/simple",
                "torchmetrics==1.2.0"
              ],
              "variables": {
                "A_FLAG": "on",
                "OMP_NUM_THREADS": "4"
              }
            }
            """);
    // The hash is an address of builds on disk: it must not drift. Computed with sha256sum.
    assertThat(canonical.hash())
        .isEqualTo("abaac63f8d35efafdb9d1ae81876c16bbd32c61c3aac59e958fb6222ec3ea073");
  }

  @Test
  void emptySectionsAreEmptyJson() throws Exception {
    EnvironmentSpec empty =
        spec(Optional.empty(), List.of(), List.of(), List.of(), Map.of(), Optional.empty());
    String text = CanonicalSpec.of(empty, "noarch", "venv").text();
    assertThat(text).contains("\"channels\": [],\n").contains("\"variables\": {}\n");
    JsonNode json = new ObjectMapper().readTree(text);
    assertThat(json.get("dependencies").isEmpty()).isTrue();
    assertThat(json.get("backend").asText()).isEqualTo("venv");
  }

  @Test
  void reorderingDependenciesKeepsTheHash() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    String expected = hash(example());
    for (int i = 0; i < 50; i++) {
      List<String> shuffled = new ArrayList<>(DEPENDENCIES);
      Collections.shuffle(shuffled, random);
      EnvironmentSpec reordered =
          spec(
              Optional.of("train"),
              List.of("conda-forge", "nodefaults"),
              shuffled,
              List.of("--index-url https://pypi.org/simple", "torchmetrics==1.2.0"),
              Map.of("OMP_NUM_THREADS", "4", "A_FLAG", "on"),
              Optional.of("/opt/envs/train"));
      assertThat(hash(reordered)).as("seed %d, order %s", seed, shuffled).isEqualTo(expected);
    }
  }

  @Test
  void channelOrderChangesTheHash() {
    EnvironmentSpec swapped =
        with(example(), List.of("nodefaults", "conda-forge"), example().pip());
    assertThat(hash(swapped)).isNotEqualTo(hash(example()));
  }

  @Test
  void platformAndBackendChangeTheHash() {
    EnvironmentSpec spec = example();
    String base = CanonicalSpec.of(spec, "linux-64", "conda").hash();
    assertThat(CanonicalSpec.of(spec, "linux-aarch64", "conda").hash()).isNotEqualTo(base);
    assertThat(CanonicalSpec.of(spec, "linux-64", "micromamba").hash()).isNotEqualTo(base);
    assertThat(CanonicalSpec.of(spec, "linux-64", "venv").hash()).isNotEqualTo(base);
  }

  @Test
  void nameAndPrefixDoNotChangeTheHash() {
    EnvironmentSpec spec = example();
    EnvironmentSpec renamed =
        new EnvironmentSpec(
            Optional.of("other-name"),
            spec.channels(),
            spec.dependencies(),
            spec.pip(),
            spec.variables(),
            Optional.empty());
    EnvironmentSpec unnamed =
        new EnvironmentSpec(
            Optional.empty(),
            spec.channels(),
            spec.dependencies(),
            spec.pip(),
            spec.variables(),
            Optional.of("/somewhere/else"));
    assertThat(hash(renamed)).isEqualTo(hash(spec));
    assertThat(hash(unnamed)).isEqualTo(hash(spec));
  }

  /**
   * pip reads a requirements file whole before it resolves: its options apply to every requirement
   * wherever they stand, and the requirements are a set. So requirement lines commute, with each
   * other and with option lines; option lines keep their order among themselves (the later of two
   * {@code --index-url}s wins, {@code -r}/{@code -e}/{@code -c} are kept as written).
   */
  @Test
  void pipRequirementLinesCommuteButOptionLinesKeepTheirOrder() {
    List<String> pip =
        List.of(
            "--index-url https://a.example/simple",
            "torch==2.3.0",
            "-r requirements.txt",
            "numpy>=1.26",
            "--extra-index-url https://b.example/simple",
            "-e ./local-pkg",
            "git+https://github.com/x/y.git",
            "einops");
    List<String> options = pip.stream().filter(l -> l.startsWith("-")).toList();
    EnvironmentSpec spec = with(example(), example().channels(), pip);
    String expected = hash(spec);
    long seed = Seeds.seed();
    Random random = new Random(seed);
    for (int i = 0; i < 50; i++) {
      List<String> shuffled = new ArrayList<>(pip);
      Collections.shuffle(shuffled, random);
      // put the option lines back in their written order, in the places they were shuffled to
      List<String> reordered = new ArrayList<>();
      int option = 0;
      for (String line : shuffled) {
        reordered.add(line.startsWith("-") ? options.get(option++) : line);
      }
      assertThat(hash(with(spec, spec.channels(), reordered)))
          .as("seed %d, pip %s", seed, reordered)
          .isEqualTo(expected);
    }
    assertThat(CanonicalSpec.of(spec, "linux-64", "conda").text())
        .contains(
            """
              "pip": [
                "--index-url https://a.example/simple",
                "-r requirements.txt",
                "--extra-index-url https://b.example/simple",
                "-e ./local-pkg",
                "einops",
                "git+https://github.com/x/y.git",
                "numpy>=1.26",
                "torch==2.3.0"
              ],
            """);

    List<String> optionsSwapped = new ArrayList<>(pip);
    Collections.swap(optionsSwapped, 0, 4);
    assertThat(hash(with(spec, spec.channels(), optionsSwapped))).isNotEqualTo(expected);
    List<String> requirementChanged = new ArrayList<>(pip);
    requirementChanged.set(1, "torch==2.3.1");
    assertThat(hash(with(spec, spec.channels(), requirementChanged))).isNotEqualTo(expected);
  }

  @Test
  void variableOrderDoesNotChangeTheHash() {
    EnvironmentSpec spec = example();
    Map<String, String> reversed = new LinkedHashMap<>();
    reversed.put("OMP_NUM_THREADS", "4");
    reversed.put("A_FLAG", "on");
    EnvironmentSpec variablesReordered =
        new EnvironmentSpec(
            spec.name(), spec.channels(), spec.dependencies(), spec.pip(), reversed, spec.prefix());
    assertThat(hash(variablesReordered)).isEqualTo(hash(spec));

    EnvironmentSpec otherValue =
        new EnvironmentSpec(
            spec.name(),
            spec.channels(),
            spec.dependencies(),
            spec.pip(),
            Map.of("OMP_NUM_THREADS", "8", "A_FLAG", "on"),
            spec.prefix());
    assertThat(hash(otherValue)).isNotEqualTo(hash(spec));
  }

  @Test
  void spellingRepeatsAndSpacingChangeNothing() {
    EnvironmentSpec plain =
        spec(
            Optional.empty(),
            List.of("conda-forge"),
            List.of("numpy>=1.20,<2", "python=3.11"),
            List.of("--extra-index-url https://x.org/simple", "torch==2.3.0"),
            Map.of(),
            Optional.empty());
    EnvironmentSpec spelledOtherwise =
        spec(
            Optional.empty(),
            List.of(" conda-forge ", "conda-forge"),
            List.of("python 3.11.*", "numpy >= 1.20 , < 2", "NumPy[version='>=1.20,<2']"),
            List.of("  --extra-index-url   https://x.org/simple ", "torch==2.3.0"),
            Map.of(),
            Optional.empty());
    assertThat(hash(spelledOtherwise)).isEqualTo(hash(plain));
  }

  @Test
  void differentDependenciesChangeTheHash() {
    EnvironmentSpec spec = example();
    List<MatchSpec> changed = new ArrayList<>(spec.dependencies());
    changed.set(0, MatchSpec.parse("python==3.11"));
    EnvironmentSpec exact =
        new EnvironmentSpec(
            spec.name(), spec.channels(), changed, spec.pip(), spec.variables(), spec.prefix());
    assertThat(hash(exact)).isNotEqualTo(hash(spec));
  }

  @Test
  void escapesStringsAsJson() throws Exception {
    EnvironmentSpec spec =
        spec(
            Optional.empty(),
            List.of(),
            List.of(),
            List.of(),
            Map.of("ODD", "a \"quoted\" back\\slash\nnew line\ttab\u0001 é"),
            Optional.empty());
    String text = CanonicalSpec.of(spec, "linux-64", "venv").text();
    assertThat(text)
        .contains("\\\"quoted\\\"", "back\\\\slash", "\\nnew line", "\\ttab", "\\u0001");
    assertThat(new ObjectMapper().readTree(text).get("variables").get("ODD").asText())
        .isEqualTo("a \"quoted\" back\\slash\nnew line\ttab\u0001 é");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "linux", "Linux-64", "linux 64", "../x"})
  void refusesAPlatformThatIsNotACondaSubdir(String platform) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> CanonicalSpec.of(example(), platform, "conda"))
        .withMessageContaining("\"" + platform + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Conda", "con da", "-x"})
  void refusesABackendThatIsNotAKind(String backend) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> CanonicalSpec.of(example(), "linux-64", backend))
        .withMessageContaining("\"" + backend + "\"");
  }

  @Test
  void acceptsTheBackendKindsInUse() {
    for (String kind :
        List.of("venv", "venv+system-site-packages", "conda", "mamba", "micromamba")) {
      assertThat(CanonicalSpec.of(example(), "linux-64", kind).text()).contains(kind);
    }
  }

  @Test
  void aCanonicalSpecIsItsTextAndThatTextsHash() {
    CanonicalSpec canonical = CanonicalSpec.of(example(), "linux-64", "conda");
    assertThat(new CanonicalSpec(canonical.text(), canonical.hash())).isEqualTo(canonical);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new CanonicalSpec(canonical.text() + " ", canonical.hash()))
        .withMessageContaining("is not the SHA-256");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new CanonicalSpec(canonical.text(), canonical.hash().toUpperCase()))
        .withMessageContaining("64 lower-case hex");
  }

  private static EnvironmentSpec with(
      EnvironmentSpec spec, List<String> channels, List<String> pip) {
    return new EnvironmentSpec(
        spec.name(), channels, spec.dependencies(), pip, spec.variables(), spec.prefix());
  }
}
