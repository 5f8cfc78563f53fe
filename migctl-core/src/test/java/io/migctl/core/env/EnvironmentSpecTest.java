package io.migctl.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvironmentSpecTest {

  private static EnvironmentSpec withDependencies(String... dependencies) {
    return new EnvironmentSpec(
        Optional.empty(),
        List.of(),
        List.of(dependencies).stream().map(MatchSpec::parse).toList(),
        List.of(),
        Map.of(),
        Optional.empty());
  }

  @Test
  void separatesPythonAndPipFromOtherCondaPackages() {
    EnvironmentSpec spec =
        withDependencies("Python>=3.10", "pip", "conda-forge::pip=24", "numpy", "cuda-version=12");
    assertThat(spec.condaPackagesBesidesPythonAndPip())
        .extracting(MatchSpec::canonical)
        .containsExactly("numpy", "cuda-version 12.*");
    assertThat(spec.python()).map(MatchSpec::canonical).contains("python >=3.10");
  }

  @Test
  void pythonIsTheFirstThatConstrainsTheVersion() {
    assertThat(withDependencies("python", "numpy", "python=3.12").python())
        .map(MatchSpec::canonical)
        .contains("python 3.12.*");
    assertThat(withDependencies("numpy", "python").python()).contains(MatchSpec.of("python"));
    assertThat(withDependencies("numpy").python()).isEmpty();
    assertThat(withDependencies("pip", "pythonnet").condaPackagesBesidesPythonAndPip())
        .containsExactly(MatchSpec.of("pythonnet"));
  }

  @Test
  void normalisesOnTheWayIn() {
    Map<String, String> variables = new HashMap<>();
    variables.put("B", "2");
    variables.put("A", "1");
    List<String> pip = new ArrayList<>(List.of("  torch==2.3.0 "));
    EnvironmentSpec spec =
        new EnvironmentSpec(
            Optional.of(" train "),
            List.of(" conda-forge", "pytorch", "conda-forge"),
            List.of(MatchSpec.parse("numpy"), MatchSpec.parse("numpy")),
            pip,
            variables,
            Optional.of(" /opt/envs/x "));
    pip.add("mutated later");
    assertThat(spec.name()).contains("train");
    assertThat(spec.channels()).containsExactly("conda-forge", "pytorch");
    assertThat(spec.dependencies()).hasSize(2);
    assertThat(spec.pip()).containsExactly("torch==2.3.0");
    assertThat(spec.variables().keySet()).containsExactly("A", "B");
    assertThat(spec.prefix()).contains("/opt/envs/x");
    assertThatThrownBy(() -> spec.variables().put("C", "3"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  /**
   * Builds are made by prefix ({@code conda env create -p}), where conda does not use the name; so
   * a name conda would refuse for {@code -n} is only a label here.
   */
  @ParameterizedTest
  @ValueSource(strings = {"my env", "a/b", "a:b", "a#b", "a\\b", "Übung 3"})
  void acceptsNamesThatCondaIgnoresWhenBuildingByPrefix(String name) {
    EnvironmentSpec spec =
        new EnvironmentSpec(
            Optional.of(name), List.of(), List.of(), List.of(), Map.of(), Optional.empty());
    assertThat(spec.name()).contains(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "a\nb", "a\u0000b", "tab\there"})
  void refusesBlankNamesAndNamesWithControlCharacters(String name) {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new EnvironmentSpec(
                    Optional.of(name), List.of(), List.of(), List.of(), Map.of(), Optional.empty()))
        .withMessageContaining("environment name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "conda forge"})
  void refusesBlankChannelsAndChannelsWithSpaces(String channel) {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new EnvironmentSpec(
                    Optional.empty(),
                    List.of(channel),
                    List.of(),
                    List.of(),
                    Map.of(),
                    Optional.empty()))
        .withMessageContaining("channel \"" + channel + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1ABC", "A-B", "A B", "A=B"})
  void refusesVariableNamesThatAreNotPortable(String name) {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new EnvironmentSpec(
                    Optional.empty(),
                    List.of(),
                    List.of(),
                    List.of(),
                    Map.of(name, "x"),
                    Optional.empty()))
        .withMessageContaining("variable name \"" + name + "\"");
  }

  @Test
  void refusesABadPipLineAndABlankPrefix() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new EnvironmentSpec(
                    Optional.empty(),
                    List.of(),
                    List.of(),
                    List.of("numpy=1.0"),
                    Map.of(),
                    Optional.empty()))
        .withMessageContaining("pip line \"numpy=1.0\"");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new EnvironmentSpec(
                    Optional.empty(), List.of(), List.of(), List.of(), Map.of(), Optional.of(" ")))
        .withMessageContaining("prefix");
  }
}
