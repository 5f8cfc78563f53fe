package io.migctl.env.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import io.migctl.core.env.BuildTarget;
import io.migctl.core.env.CanonicalSpec;
import io.migctl.core.env.EnvironmentSpec;
import io.migctl.core.env.MatchSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvironmentFilesTest {

  private static final String SOURCE = "env.yml";
  private static final BuildTarget CONDA = new BuildTarget("linux-64", "conda");

  private static EnvironmentSpec parse(String yaml) {
    return EnvironmentFiles.read(yaml, SOURCE, CONDA).spec();
  }

  private static List<String> warnings(String yaml, BuildTarget target) {
    return EnvironmentFiles.read(yaml, SOURCE, target).warnings();
  }

  private static SpecException refused(String yaml) {
    SpecException e = catchThrowableOfType(SpecException.class, () -> parse(yaml));
    assertThat(e).as("refused:%n%s", yaml).isNotNull();
    return e;
  }

  /** Asserts the {@code source:line: element: } start of the message and the line. */
  private static SpecException refusedAt(String yaml, int line, String element) {
    SpecException e = refused(yaml);
    String where = line > 0 ? SOURCE + ":" + line : SOURCE;
    assertThat(e.getMessage()).startsWith(where + ": " + element + ": ");
    assertThat(e.line()).isEqualTo(line);
    assertThat(e.element()).isEqualTo(element);
    assertThat(e.source()).isEqualTo(SOURCE);
    return e;
  }

  private static String hash(String yaml) {
    return CanonicalSpec.of(parse(yaml), "linux-64", "conda").hash();
  }

  @Test
  void readsEveryCondaKey() {
    EnvironmentSpec spec =
        parse(
            """
            name: train
            channels:
              - pytorch
              - conda-forge
              - nodefaults
            dependencies:
              - python=3.11
              - pytorch::pytorch>=2.1
              - pip
              - pip:
                - --index-url https://pypi.org/simple
                - torchmetrics==1.2.0
            variables:
              OMP_NUM_THREADS: 4
              MODE: fast
            prefix: /opt/envs/train
            """);
    assertThat(spec.name()).contains("train");
    assertThat(spec.channels()).containsExactly("pytorch", "conda-forge", "nodefaults");
    assertThat(spec.dependencies())
        .extracting(MatchSpec::canonical)
        .containsExactly("python 3.11.*", "pytorch::pytorch >=2.1", "pip");
    assertThat(spec.pip())
        .containsExactly("--index-url https://pypi.org/simple", "torchmetrics==1.2.0");
    assertThat(spec.variables())
        .containsExactly(entry("MODE", "fast"), entry("OMP_NUM_THREADS", "4"));
    assertThat(spec.prefix()).contains("/opt/envs/train");
  }

  @Test
  void onlyDependenciesIsRequired() {
    EnvironmentSpec spec = parse("dependencies:\n  - python\n");
    assertThat(spec.name()).isEmpty();
    assertThat(spec.channels()).isEmpty();
    assertThat(spec.pip()).isEmpty();
    assertThat(spec.variables()).isEmpty();
    assertThat(spec.prefix()).isEmpty();
    assertThat(parse("dependencies: []\n").dependencies()).isEmpty();
  }

  @Test
  void acceptsCondaLocksKeysAndIgnoresThem() {
    String plain = "channels: [conda-forge]\ndependencies:\n  - python=3.11\n";
    String withCondaLockKeys =
        """
        channels: [conda-forge]
        platforms:
          - linux-64
          - osx-arm64
        category: dev
        pip-repositories:
          - http://$PIP_USER:$PIP_PASSWORD@private-pypi.org/api/pypi/simple
        dependencies:
          - python=3.11
        """;
    assertThat(parse(withCondaLockKeys)).isEqualTo(parse(plain));
  }

  @Test
  void yamlOnePointTwoCoreSchema() {
    EnvironmentSpec spec =
        parse(
            """
            name: yes
            dependencies:
              - on
            variables:
              A: on
              B: yes
              C: 3.10
              D: true
              E: 007
              F: ~/x
              G: "quoted: value"
            """);
    assertThat(spec.name()).contains("yes");
    assertThat(spec.dependencies()).containsExactly(MatchSpec.of("on"));
    assertThat(spec.variables())
        .containsEntry("A", "on")
        .containsEntry("B", "yes")
        .containsEntry("C", "3.10")
        .containsEntry("D", "true")
        .containsEntry("E", "007")
        .containsEntry("F", "~/x")
        .containsEntry("G", "quoted: value");
  }

  @Test
  void quotingSpacingCommentsAndFlowStyleChangeNothing() {
    String block =
        """
        name: a
        channels:
          - conda-forge
        dependencies:
          - numpy>=1.20,<2
          - python=3.11
          - pip:
            - torch==2.3.0
        variables:
          X: "1"
        """;
    String other =
        """
        # a comment
        ---
        name: "b"   # another name: still the same build
        channels: [ 'conda-forge' ]
        dependencies: [ "python =3.11", 'numpy >= 1.20 , < 2', {pip: ["  torch==2.3.0 "]} ]
        variables: {X: 1}
        """;
    assertThat(hash(other)).isEqualTo(hash(block));
  }

  @Test
  void keepsChannelEnvironmentReferencesUnexpanded() {
    EnvironmentSpec spec =
        parse(
            "channels:\n  - https://localhost/t/${CONDA_TOKEN}/stable\n  - ${MIRROR}\n"
                + "dependencies: [nltk]\n");
    assertThat(spec.channels())
        .containsExactly("https://localhost/t/${CONDA_TOKEN}/stable", "${MIRROR}");
  }

  @Test
  void anEmptyPipSectionIsNoPipLines() {
    assertThat(parse("dependencies:\n  - pip\n  - pip:\n").pip()).isEmpty();
  }

  @Test
  void readsAByteOrderMark() {
    assertThat(parse("\uFEFFdependencies: [numpy]\n").dependencies())
        .containsExactly(MatchSpec.of("numpy"));
  }

  // ---- refusals, each with its line ----

  @Test
  void refusesInvalidYamlAtItsLine() {
    SpecException e =
        refusedAt(
            """
            name: x
            dependencies:
              - python
              pip:
                - foo
            """,
            4,
            "file");
    assertThat(e).hasMessageContaining("is not valid YAML").hasMessageContaining("; accepted: ");
  }

  @Test
  void refusesAnEmptyFileAndADocumentThatIsNotAMapping() {
    assertThat(refusedAt("# only a comment\n", 0, "file"))
        .hasMessageContaining("no YAML document")
        .hasMessageContaining("accepted: a YAML mapping with dependencies:");
    assertThat(refusedAt("\n- numpy\n", 2, "file"))
        .hasMessageContaining("is a list, not a mapping");
    assertThat(refusedAt("dependencies: [a]\n---\ndependencies: [b]\n", 2, "file"))
        .hasMessageContaining("single document");
  }

  @Test
  void refusesDuplicateKeys() {
    assertThat(refusedAt("name: a\ndependencies: [x]\nname: b\n", 3, "name"))
        .hasMessageContaining("is given twice (first on line 1)")
        .hasMessageContaining("accepted: each key once");
    assertThat(
            refusedAt("dependencies: [x]\nvariables:\n  A: 1\n  B: 2\n  A: 3\n", 5, "variables.A"))
        .hasMessageContaining("first on line 3");
  }

  @Test
  void refusesAMisspeltDependenciesWhenDependenciesIsMissing() {
    SpecException misspelt = refusedAt("name: x\ndependecies:\n  - python\n", 2, "dependecies");
    assertThat(misspelt)
        .hasMessageContaining("did you mean dependencies?")
        .hasMessageContaining("conda would ignore this key and build an empty environment")
        .hasMessageEndingWith(
            "; accepted: name, channels, dependencies, variables, prefix (conda); platforms,"
                + " category, pip-repositories (conda-lock's, ignored)");
    assertThat(refusedAt("dependencies: [x]\n1: one\n", 2, "file"))
        .hasMessageContaining("the number 1, not a string");
  }

  @Test
  void warnsAboutUnknownKeysWhereTheyStand() {
    assertThat(
            warnings("name: x\ncolour: blue\ndependencies: [python]\nvariabels: {A: 1}\n", CONDA))
        .containsExactly(
            "env.yml:2: colour: is not a key of an environment file; conda ignores it",
            "env.yml:4: variabels: is not a key of an environment file (did you mean"
                + " variables?); conda ignores it");
    assertThat(warnings("dependencies:\n  - numpy\npip:\n  - something\n", CONDA))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("env.yml:3: pip: is not a top-level key")
        .contains("belongs inside dependencies, as the item '- pip: [...]'", "not installed");
    assertThat(warnings("name: x\ndependencies: [python]\nplatforms: [linux-64]\n", CONDA))
        .isEmpty();
  }

  @Test
  void warnsAboutWhatCondaDropsFromAMatchSpecAtItsLine() {
    assertThat(
            warnings(
                "dependencies:\n  - python\n  - pkg[extra]!=1.0\n  - \"numpy # pinned\"\n", CONDA))
        .satisfiesExactly(
            w ->
                assertThat(w)
                    .startsWith("env.yml:3: dependencies[1]: MatchSpec \"pkg[extra]!=1.0\": ")
                    .contains("drops \"extra\""),
            w ->
                assertThat(w)
                    .startsWith("env.yml:4: dependencies[2]: MatchSpec \"numpy # pinned\": ")
                    .contains("\"# pinned\" is dropped"));
  }

  /**
   * mne-python's {@code .devcontainer/environment_cs.yml} has {@code dipy --only-binary dipy},
   * which pip reads (the option acts for the whole install); migctl refused it. Options pip ignores
   * after a requirement are kept and named in a warning.
   */
  @Test
  void keepsPipOptionsAfterARequirementAndWarnsAboutThoseThatPipIgnores() {
    String yaml =
        """
        dependencies:
          - pip
          - pip:
            - dipy --only-binary dipy
            - numpy --index-url https://example.org/simple
        """;
    assertThat(parse(yaml).pip())
        .containsExactly("dipy --only-binary dipy", "numpy --index-url https://example.org/simple");
    assertThat(warnings(yaml, CONDA))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("env.yml:5: dependencies[1].pip[1]: pip line \"numpy --index-url")
        .contains("pip ignores --index-url after a requirement", "give it a line of its own");
  }

  @Test
  void micromambaSelectorsAreEvaluatedForTheTargetPlatform() {
    String yaml =
        """
        dependencies:
          - python
          - sel(linux): libgcc-ng
          - sel(osx): llvm-openmp
          - sel(unix): ncurses
          - sel(win): pywin32
          - pip:
            - numpy
        """;
    assertThat(
            EnvironmentFiles.read(yaml, SOURCE, new BuildTarget("linux-64", "micromamba")).spec())
        .extracting(EnvironmentSpec::dependencies)
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.list(MatchSpec.class))
        .extracting(MatchSpec::name)
        .containsExactly("python", "libgcc-ng", "ncurses");
    assertThat(
            EnvironmentFiles.read(yaml, SOURCE, new BuildTarget("osx-arm64", "micromamba"))
                .spec()
                .dependencies())
        .extracting(MatchSpec::name)
        .containsExactly("python", "llvm-openmp", "ncurses");
    assertThat(
            EnvironmentFiles.read(yaml, SOURCE, new BuildTarget("win-64", "micromamba"))
                .spec()
                .dependencies())
        .extracting(MatchSpec::name)
        .containsExactly("python", "pywin32");
    // the selected package is read like any other, with its warnings
    assertThat(
            EnvironmentFiles.read(
                    "dependencies:\n  - sel(linux): pkg[gpu]\n",
                    SOURCE,
                    new BuildTarget("linux-64", "micromamba"))
                .warnings())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("env.yml:2: dependencies[0].sel(linux): MatchSpec \"pkg[gpu]\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"conda", "mamba", "venv"})
  void otherBackendsRefuseSelectorsNamingTheBackend(String backend) {
    SpecException e =
        catchThrowableOfType(
            SpecException.class,
            () ->
                EnvironmentFiles.read(
                    "dependencies:\n  - python\n  - sel(linux): libgcc-ng\n",
                    SOURCE,
                    new BuildTarget("linux-64", backend)));
    assertThat(e)
        .hasMessageStartingWith(
            "env.yml:3: dependencies[1]: \"sel(linux)\" is a micromamba selector")
        .hasMessageContaining("the " + backend + " backend does not read")
        .hasMessageContaining("--backend micromamba");
  }

  @Test
  void refusesSelectorsMicromambaRefuses() {
    BuildTarget micromamba = new BuildTarget("linux-64", "micromamba");
    assertThat(
            catchThrowableOfType(
                SpecException.class,
                () ->
                    EnvironmentFiles.read(
                        "dependencies:\n  - sel(linux64): x\n", SOURCE, micromamba)))
        .hasMessageStartingWith(
            "env.yml:2: dependencies[0]: selector sel(linux64) names no system");
    assertThat(
            catchThrowableOfType(
                SpecException.class,
                () ->
                    EnvironmentFiles.read(
                        "dependencies:\n  - sel(linux): [a, b]\n", SOURCE, micromamba)))
        .hasMessageStartingWith("env.yml:2: dependencies[0].sel(linux): is a list")
        .hasMessageContaining("one MatchSpec per sel(...) item");
    assertThat(
            catchThrowableOfType(
                SpecException.class,
                () -> EnvironmentFiles.read("dependencies:\n  - conda: [a]\n", SOURCE, micromamba)))
        .hasMessageContaining("key(s) conda")
        .hasMessageContaining("sel(...)");
  }

  @Test
  void refusesAMissingOrEmptyDependencies() {
    assertThat(refusedAt("name: x\n", 0, "dependencies"))
        .hasMessageContaining("is missing; CEP 24 requires it");
    assertThat(refusedAt("name: x\ndependencies:\n", 2, "dependencies"))
        .hasMessageContaining("is empty, not a list");
    assertThat(refusedAt("dependencies:\n  python: 3.11\n", 2, "dependencies"))
        .hasMessageContaining("is a mapping, not a list");
  }

  @Test
  void refusesMalformedMatchSpecsAtTheirLine() {
    SpecException e =
        refusedAt(
            "dependencies:\n  - numpy\n  # comment\n  - setuptools <59.6.\n", 4, "dependencies[1]");
    assertThat(e)
        .hasMessageContaining("MatchSpec \"setuptools <59.6.\"")
        .hasMessageContaining("empty component")
        .hasMessageContaining("; accepted: " + MatchSpec.ACCEPTED_FORMS);
    assertThat(refusedAt("dependencies:\n  - numpy>=\n", 2, "dependencies[0]"))
        .hasMessageContaining("dangling");
  }

  @Test
  void refusesDependencyItemsOfTheWrongKind() {
    assertThat(refusedAt("dependencies:\n  - numpy\n  - 3.10\n", 3, "dependencies[1]"))
        .hasMessageContaining("is the number 3.10, not a string (quote it to make it a string)");
    assertThat(refusedAt("dependencies:\n  - numpy\n  -\n  - scipy\n", 3, "dependencies[1]"))
        .hasMessageContaining("is empty, not a string");
    assertThat(refusedAt("dependencies:\n  - [a, b]\n", 2, "dependencies[0]"))
        .hasMessageContaining("is a list, not a string");
    assertThat(refusedAt("dependencies:\n  - true\n", 2, "dependencies[0]"))
        .hasMessageContaining("the boolean true");
  }

  @Test
  void refusesASecondPipSectionAndOtherMappings() {
    assertThat(
            refusedAt(
                "dependencies:\n  - pip:\n    - a\n  - pip:\n    - b\n", 4, "dependencies[1]"))
        .hasMessageContaining("a second pip: section");
    assertThat(refusedAt("dependencies:\n  - conda:\n    - a\n", 2, "dependencies[0]"))
        .hasMessageContaining("key(s) conda")
        .hasMessageContaining("accepted: pip");
    assertThat(refusedAt("dependencies:\n  - pip: [a]\n    pip: [b]\n", 3, "dependencies[0].pip"))
        .hasMessageContaining("given twice");
  }

  @Test
  void refusesBadPipLinesAtTheirLine() {
    assertThat(
            refusedAt(
                """
                dependencies:
                  - pip
                  - pip:
                    - numpy==1.26.4
                    - matplotlib=3.5.3
                """,
                5,
                "dependencies[1].pip[1]"))
        .hasMessageContaining("pip line \"matplotlib=3.5.3\"")
        .hasMessageContaining("write matplotlib==3.5.3");
    assertThat(refusedAt("dependencies:\n  - pip:\n    - ''\n", 3, "dependencies[0].pip[0]"))
        .hasMessageContaining("is empty");
    assertThat(refusedAt("dependencies:\n  - pip:\n    - 1\n", 3, "dependencies[0].pip[0]"))
        .hasMessageContaining("the number 1, not a string");
    assertThat(refusedAt("dependencies:\n  - pip: numpy\n", 2, "dependencies[0].pip"))
        .hasMessageContaining("not a list");
  }

  @Test
  void refusesBadChannels() {
    assertThat(refusedAt("channels: conda-forge\ndependencies: [x]\n", 1, "channels"))
        .hasMessageContaining("the value \"conda-forge\", not a list");
    assertThat(refusedAt("channels:\n  - a\n  - 5\ndependencies: [x]\n", 3, "channels[1]"))
        .hasMessageContaining("not a string");
    assertThat(refusedAt("channels:\n  - conda forge\ndependencies: [x]\n", 2, "channels[0]"))
        .hasMessageContaining("whitespace");
  }

  @ParameterizedTest
  @ValueSource(strings = {"name: [a]", "name: {a: b}", "name: \"a\\u0007b\""})
  void refusesNamesThatAreNotText(String line) {
    assertThat(refusedAt(line + "\ndependencies: [x]\n", 1, "name")).hasMessageContaining("name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"name: ''", "name:", "name: '  '"})
  void anEmptyNameIsNoName(String line) {
    assertThat(parse(line + "\ndependencies: [x]\n").name()).isEmpty();
  }

  @Test
  void refusesBadVariables() {
    assertThat(refusedAt("dependencies: [x]\nvariables:\n  A:\n", 3, "variables.A"))
        .hasMessageContaining("has no value")
        .hasMessageContaining("write A: \"\" for an empty value");
    assertThat(refusedAt("dependencies: [x]\nvariables:\n  A: [1, 2]\n", 3, "variables.A"))
        .hasMessageContaining("is a list, not one value");
    assertThat(refusedAt("dependencies: [x]\nvariables:\n  MY-VAR: 1\n", 3, "variables.MY-VAR"))
        .hasMessageContaining("not a portable environment variable name");
    assertThat(refusedAt("dependencies: [x]\nvariables: [A]\n", 2, "variables"))
        .hasMessageContaining("not a mapping");
  }

  @Test
  void refusesABlankPrefixAndMisshapenCondaLockKeys() {
    assertThat(refusedAt("dependencies: [x]\nprefix: ' '\n", 2, "prefix"))
        .hasMessageContaining("is blank");
    assertThat(
            refusedAt(
                "dependencies: [x]\nplatforms:\n  - linux-64\n  - Linux\n", 4, "platforms[1]"))
        .hasMessageContaining("\"Linux\" is not a conda subdir");
    assertThat(refusedAt("dependencies: [x]\nplatforms: linux-64\n", 2, "platforms"))
        .hasMessageContaining("not a list");
    assertThat(refusedAt("dependencies: [x]\ncategory: [a]\n", 2, "category"))
        .hasMessageContaining("not a string");
    assertThat(
            refusedAt("dependencies: [x]\npip-repositories:\n  - ''\n", 3, "pip-repositories[0]"))
        .hasMessageContaining("is blank");
  }

  @Test
  void theMessageNamesTheSourceGiven() {
    SpecException e =
        catchThrowableOfType(
            SpecException.class,
            () ->
                EnvironmentFiles.read(
                    "dependencies: [numpy=]\n", "/home/u/proj/environment.yml", CONDA));
    assertThat(e).hasMessageStartingWith("/home/u/proj/environment.yml:1: dependencies[0]: ");
    assertThat(e).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsedSpecsAreEqualWhenTheFilesMeanTheSame() {
    assertThat(parse("dependencies: [python=3.11, numpy]\n").dependencies())
        .isEqualTo(List.of(MatchSpec.parse("python 3.11.*"), MatchSpec.of("numpy")));
  }

  // ---- read as conda reads it (issue 13, item 20) ----

  @Test
  void anEmptyChannelsSectionIsNoChannels() {
    assertThat(parse("channels:\ndependencies: [x]\n").channels()).isEmpty();
    assertThat(parse("channels: []\ndependencies: [x]\n").channels()).isEmpty();
    assertThat(hash("channels:\ndependencies: [x]\n")).isEqualTo(hash("dependencies: [x]\n"));
  }

  @Test
  void unknownTopLevelKeysAreIgnoredAsCondaIgnoresThem() {
    assertThat(parse("name: x\nfoo: bar\ndependencies: [python]\nextra: {a: [1]}\n"))
        .isEqualTo(parse("name: x\ndependencies: [python]\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"my env", "Übung 3: GPU", "team/project", "a#b"})
  void aNameCondaWouldRefuseForDashNIsKeptAsALabel(String name) {
    EnvironmentSpec spec = parse("name: \"" + name + "\"\ndependencies: [python]\n");
    assertThat(spec.name()).contains(name);
    assertThat(hash("name: \"" + name + "\"\ndependencies: [python]\n"))
        .isEqualTo(hash("dependencies: [python]\n"));
  }

  @Test
  void bracketExtrasAreReadAsCondaReadsThem() {
    assertThat(
            parse("dependencies:\n  - pkg[extra]!=1.0\n  - numpy[version='>=1.8']\n")
                .dependencies())
        .extracting(MatchSpec::canonical)
        .containsExactly("pkg !=1.0", "numpy >=1.8");
  }

  @Test
  void deeplyNestedYamlIsRefusedWithTheLimitNotAStackOverflow() {
    String deep = "dependencies:\n  - " + "[".repeat(5_000) + "]".repeat(5_000) + "\n";
    Throwable thrown = catchThrowable(() -> parse(deep));
    assertThat(thrown)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(SOURCE + ": nested more than 64 levels deep (line 2")
        .hasMessageContaining("dependencies");
    String deepBlock =
        "dependencies:\n"
            + java.util.stream.IntStream.range(0, 300)
                .mapToObj(i -> " ".repeat(2 * i + 2) + "- ")
                .collect(java.util.stream.Collectors.joining("\n"))
            + "x\n";
    assertThat(catchThrowable(() -> parse(deepBlock)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nested more than 64 levels deep");
  }

  @Test
  void aStringLongerThanTheLimitIsRefused() {
    String big = "x".repeat(io.migctl.core.input.InputLimits.MAX_STRING_CHARS + 1);
    assertThat(
            catchThrowable(() -> parse("dependencies: [python]\nvariables:\n  BIG: " + big + "\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            SOURCE + ": a string value is longer than 1048576 characters (line 3");
  }

  @Test
  void aliasesBeyondTheLimitAreRefusedInMigctlsWords() {
    StringBuilder text = new StringBuilder("dependencies: &d [python]\nchannels: [");
    for (int i = 0; i < 51; i++) {
      text.append(i == 0 ? "" : ", ").append("*d");
    }
    text.append("]\n");
    assertThat(catchThrowable(() -> parse(text.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            SOURCE
                + ": more than 50 aliases (*name) in one document (line 2, column 212, in"
                + " channels); migctl reads at most 50");
    assertThat(catchThrowable(() -> parse(text.toString().replace(", *d]", "]"))))
        .as("50 aliases are read (and a list of lists is not a list of channels)")
        .hasMessageContaining("channels[0]: is a list, not a string");
  }

  @Test
  void controlCharactersAreRefusedAtTheirLineAndColumn() {
    String accepted =
        "; accepted: UTF-8 text; tabs and line breaks are the only control characters YAML allows";
    assertThat(refusedAt("name: x\ndependencies:\n  - num\u0001py\n", 3, "file"))
        .hasMessage(
            SOURCE
                + ":3: file: has the control character U+0001 at column 8, which is not allowed in"
                + " YAML"
                + accepted);
    // Past the reader's first 1024 characters, the line is still the file's.
    String longName = "name: " + "x".repeat(3000) + "\n";
    assertThat(refusedAt(longName + "dependencies:\n  - num\u0001py\n", 3, "file"))
        .hasMessageContaining("U+0001 at column 8");
  }
}
