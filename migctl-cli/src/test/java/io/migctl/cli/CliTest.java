package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.ComputeInstance;
import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.DriverError;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.MigDriverException;
import io.migctl.core.mig.Placement;
import io.migctl.nvidia.sim.SimOperation;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line run in-process on a simulated node under a temporary {@code MIGCTL_HOME}. */
class CliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The node most tests use: three GPUs of two models. */
  private static final String SPEC = "a100-40gb:2,h100-80gb:1";

  @TempDir Path home;

  private Invocations.Result run(String... args) {
    return runWith(Map.of(), args);
  }

  private Invocations.Result runWith(Map<String, String> extraEnv, String... args) {
    Map<String, String> env = new HashMap<>(extraEnv);
    // No NVML, even on a GPU machine: the default node is the simulated one.
    env.putIfAbsent("MIGCTL_NVML_LIBRARY", home.resolve("no-nvml/libnvidia-ml.so.1").toString());
    return new Invocations(home, env).run(args);
  }

  private SimulatedMigDriver driver(String spec) {
    return SimulatedMigDriver.persistent(SimulatedNodeSpec.parse(spec), home.resolve("sim"));
  }

  private static List<JsonNode> elements(JsonNode array) {
    assertThat(array.isArray()).as("%s is an array", array).isTrue();
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  private static JsonNode profileNamed(JsonNode gpu, String name) {
    return elements(gpu.get("profiles")).stream()
        .filter(p -> p.get("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no profile " + name + " in " + gpu));
  }

  private static List<String> texts(JsonNode array, String field) {
    return elements(array).stream().map(n -> n.get(field).asText()).toList();
  }

  private static List<Integer> ints(JsonNode array, String field) {
    return elements(array).stream().map(n -> n.get(field).asInt()).toList();
  }

  private static List<Placement> placements(JsonNode profile) {
    return elements(profile.get("placements")).stream()
        .map(p -> new Placement(p.get("start").asInt(), p.get("size").asInt()))
        .toList();
  }

  private static List<Placement> placements(int size, Integer... starts) {
    return Stream.of(starts).map(s -> new Placement(s, size)).toList();
  }

  static Stream<String> catalogKeys() {
    return Catalog.models().stream().map(GpuModel::key);
  }

  // ---------------------------------------------------------------- help

  @Nested
  class Help {

    @Test
    void rootHelpListsTheCommands() {
      Invocations.Result r = run("--help");

      assertThat(r.code()).isEqualTo(ExitCode.OK);
      assertThat(r.out()).contains("gpus", "profiles", "sim", "--simulate", "MIGCTL_HOME");
      assertThat(r.err()).isEmpty();
    }

    @Test
    void versionExitsZero() {
      Invocations.Result r = run("--version");

      assertThat(r.code()).isEqualTo(ExitCode.OK);
      assertThat(r.out()).startsWith("migctl ");
    }

    @Test
    void noSubcommandPrintsUsage() {
      Invocations.Result r = run();

      assertThat(r.code()).isEqualTo(ExitCode.OK);
      assertThat(r.out()).contains("Usage: migctl", "gpus", "profiles", "sim");
    }

    @ParameterizedTest(name = "{0} --help")
    @ValueSource(
        strings = {
          "gpus",
          "profiles",
          "sim",
          "sim hold",
          "sim release",
          "sim fail-next",
          "sim reset-state"
        })
    void everySubcommandHasHelp(String command) {
      List<String> args = new ArrayList<>(List.of(command.split(" ")));
      args.add("--help");

      Invocations.Result r = run(args.toArray(String[]::new));

      assertThat(r.code()).isEqualTo(ExitCode.OK);
      assertThat(r.out()).contains("Usage: migctl " + command);
      assertThat(r.err()).isEmpty();
    }

    @Test
    void simHelpListsItsSubcommands() {
      Invocations.Result r = run("sim", "--help");

      assertThat(r.out()).contains("hold", "release", "fail-next", "reset-state");
    }

    @Test
    void helpChangesNothing() {
      run("sim", "reset-state", "--help");
      run("sim", "fail-next", "create-gi", "--help");

      // fail-next --help registered no fault: the next creation succeeds
      assertThat(driver(SimulatedNodeSpec.DEFAULT).createGpuInstance(0, 0, Optional.empty()))
          .isNotNull();
    }
  }

  // ---------------------------------------------------------------- daemon options

  @Nested
  class Listen {

    @ParameterizedTest(name = "{0} --port 70000")
    @ValueSource(strings = {"serve", "up"})
    void aPortOutOfRangeIsInvalidInputAndChangesNothing(String command) {
      Invocations.Result r = run(command, "--port", "70000");

      assertThat(r.code()).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(r.err()).contains("--port 70000: use 0 to 65535");
      // up did not plan or apply anything first.
      assertThat(driver(SimulatedNodeSpec.DEFAULT).gpuInstances(0)).isEmpty();
    }
  }

  /** Issue 13.7, 13.8, 13.12: what the daemon allows its jobs, refused before anything changes. */
  @Nested
  class JobPolicy {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"serve", "up"})
    void badJobOptionsAreInvalidInputAndChangeNothing(String command) {
      Map<List<String>, String> cases =
          Map.of(
              List.of("--cpu-jobs", "0"),
              "--cpu-jobs 0: at least 1 job without a GPU must be able to run",
              List.of("--keep-finished", "7x"),
              "--keep-finished: '7x' is neither an age (7d, 12h, 90m) nor a count of jobs",
              List.of("--keep-finished", "7d", "--keep-finished", "1d"),
              "--keep-finished: '1d' is a second age",
              List.of("--pass-env", "CUDA_VISIBLE_DEVICES"),
              "--pass-env: CUDA_VISIBLE_DEVICES is set by migctl for each job",
              List.of("--pass-env", "NOT-A-NAME"),
              "--pass-env: 'NOT-A-NAME' is not a variable name");
      cases.forEach(
          (options, message) -> {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(options);
            Invocations.Result r = run(args.toArray(String[]::new));
            assertThat(r.code()).as(args + ": " + r.err()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(r.err()).contains(message).doesNotContain("Exception");
            assertThat(driver(SimulatedNodeSpec.DEFAULT).gpuInstances(0)).isEmpty();
          });
      assertThat(home.resolve("migctl.db")).doesNotExist();
    }

    @ParameterizedTest(name = "{0} --help")
    @ValueSource(strings = {"serve", "up"})
    void theHelpNamesTheOptions(String command) {
      assertThat(run(command, "--help").out())
          .contains("--cpu-jobs=N", "--keep-finished=AGE|COUNT", "--pass-env=NAME");
    }
  }

  // ---------------------------------------------------------------- profiles

  @Nested
  class Profiles {

    @Test
    void a100ProfilesAsTheReferenceListsThem() {
      Invocations.Result r = run("--simulate", "a100-40gb:1", "profiles", "--json");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      List<JsonNode> gpus = elements(r.json());
      assertThat(gpus).hasSize(1);
      JsonNode gpu = gpus.getFirst();
      assertThat(gpu.get("index").asInt()).isZero();
      assertThat(gpu.get("uuid").asText()).startsWith("GPU-");
      assertThat(gpu.get("model").asText()).isEqualTo("A100-SXM4-40GB");
      assertThat(gpu.get("computeSlices").asInt()).isEqualTo(7);
      assertThat(gpu.get("memorySlices").asInt()).isEqualTo(8);
      assertThat(gpu.get("migEnabled").asBoolean()).isTrue();

      JsonNode profiles = gpu.get("profiles");
      assertThat(texts(profiles, "name"))
          .containsExactly(
              "1g.5gb", "1g.5gb+me", "1g.10gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb");
      assertThat(ints(profiles, "id")).containsExactly(19, 20, 15, 14, 9, 5, 0);
      assertThat(ints(profiles, "maxCount")).containsExactly(7, 1, 4, 3, 2, 1, 1);
      assertThat(ints(profiles, "memoryMiB"))
          .containsExactly(4864, 4864, 9856, 9856, 19968, 19968, 40192);
      assertThat(ints(profiles, "computeSlices")).containsExactly(1, 1, 1, 2, 3, 4, 7);
      assertThat(ints(profiles, "memorySlices")).containsExactly(1, 1, 2, 2, 4, 4, 8);
      assertThat(ints(profiles, "free")).isEqualTo(ints(profiles, "maxCount"));

      assertThat(placements(profileNamed(gpu, "1g.5gb")))
          .isEqualTo(placements(1, 0, 1, 2, 3, 4, 5, 6));
      assertThat(placements(profileNamed(gpu, "1g.5gb+me")))
          .isEqualTo(placements(1, 0, 1, 2, 3, 4, 5, 6));
      assertThat(placements(profileNamed(gpu, "1g.10gb"))).isEqualTo(placements(2, 0, 2, 4, 6));
      assertThat(placements(profileNamed(gpu, "2g.10gb"))).isEqualTo(placements(2, 0, 2, 4));
      assertThat(placements(profileNamed(gpu, "3g.20gb"))).isEqualTo(placements(4, 0, 4));
      assertThat(placements(profileNamed(gpu, "4g.20gb"))).isEqualTo(placements(4, 0));
      assertThat(placements(profileNamed(gpu, "7g.40gb"))).isEqualTo(placements(8, 0));
      for (JsonNode p : elements(profiles)) {
        assertThat(elements(p.get("unverified"))).as(p.get("name").asText()).isEmpty();
      }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.migctl.cli.CliTest#catalogKeys")
    void everyModelsProfilesEqualTheCatalog(String key) {
      GpuModel model = Catalog.require(key);

      Invocations.Result r = run("--simulate", key + ":1", "profiles", "--json");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      List<JsonNode> gpus = elements(r.json());
      assertThat(gpus).hasSize(1);
      JsonNode gpu = gpus.getFirst();
      assertThat(gpu.get("model").asText()).isEqualTo(model.name());
      assertThat(gpu.get("computeSlices").asInt()).isEqualTo(model.computeSlices());
      assertThat(gpu.get("memorySlices").asInt()).isEqualTo(model.memorySlices());

      List<JsonNode> profiles = elements(gpu.get("profiles"));
      assertThat(texts(gpu.get("profiles"), "name"))
          .containsExactlyElementsOf(
              model.profiles().stream().map(p -> p.name().toString()).toList());
      for (int i = 0; i < profiles.size(); i++) {
        JsonNode json = profiles.get(i);
        GpuInstanceProfile expected = model.profiles().get(i);
        String what = key + " " + expected.name();
        assertThat(json.get("id").asInt()).as(what).isEqualTo(expected.id());
        assertThat(json.get("computeSlices").asInt()).as(what).isEqualTo(expected.computeSlices());
        assertThat(json.get("memorySlices").asInt()).as(what).isEqualTo(expected.memorySlices());
        assertThat(json.get("memoryMiB").asLong()).as(what).isEqualTo(expected.memoryMiB());
        assertThat(json.get("maxCount").asInt()).as(what).isEqualTo(expected.maxCount());
        assertThat(json.get("free").asInt())
            .as(what + " free on an empty GPU")
            .isEqualTo(expected.maxCount());
        assertThat(json.get("multiprocessors").asInt())
            .as(what)
            .isEqualTo(expected.multiprocessors());
        assertThat(placements(json)).as(what).isEqualTo(expected.placements());
        List<String> unverified =
            elements(json.get("unverified")).stream().map(JsonNode::asText).toList();
        assertThat(unverified).as(what).hasSameElementsAs(expected.unverified());
        assertThat(unverified).as(what).hasSize(expected.unverified().size()).isSorted();
        JsonNode engines = json.get("engines");
        assertThat(engines.get("copy").asInt()).as(what).isEqualTo(expected.engines().copy());
        assertThat(engines.get("decoders").asInt())
            .as(what)
            .isEqualTo(expected.engines().decoders());
        assertThat(engines.get("ofa").asInt()).as(what).isEqualTo(expected.engines().ofa());
      }
    }

    @Test
    void freeCountsFollowTheInstancesOnTheGpu() {
      SimulatedMigDriver driver = driver(SPEC);
      driver.createGpuInstance(0, 9, Optional.of(new Placement(4, 4)));

      Invocations.Result r = run("--simulate", SPEC, "profiles", "--gpu", "0", "--json");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      List<JsonNode> gpus = elements(r.json());
      assertThat(gpus).hasSize(1);
      JsonNode gpu = gpus.getFirst();
      assertThat(gpu.get("index").asInt()).isZero();
      assertThat(profileNamed(gpu, "3g.20gb").get("free").asInt()).isEqualTo(1);
      assertThat(profileNamed(gpu, "7g.40gb").get("free").asInt()).isZero();
      assertThat(profileNamed(gpu, "4g.20gb").get("free").asInt()).isEqualTo(1);
      assertThat(profileNamed(gpu, "1g.5gb").get("free").asInt()).isEqualTo(4);
      assertThat(profileNamed(gpu, "2g.10gb").get("free").asInt()).isEqualTo(2);
      assertThat(profileNamed(gpu, "3g.20gb").get("maxCount").asInt()).isEqualTo(2);
    }

    @Test
    void otherGpusKeepTheirFreeCounts() {
      driver(SPEC).createGpuInstance(0, 0, Optional.empty());

      Invocations.Result r = run("--simulate", SPEC, "profiles", "--gpu", "1", "--json");

      JsonNode gpu = elements(r.json()).getFirst();
      assertThat(gpu.get("index").asInt()).isEqualTo(1);
      assertThat(profileNamed(gpu, "7g.40gb").get("free").asInt()).isEqualTo(1);
    }

    @Test
    void withoutGpuEveryGpuIsListed() {
      Invocations.Result r = run("--simulate", SPEC, "profiles", "--json");

      assertThat(ints(r.json(), "index")).containsExactly(0, 1, 2);
      assertThat(texts(r.json(), "model"))
          .containsExactly("A100-SXM4-40GB", "A100-SXM4-40GB", "H100 80GB HBM3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9", "3"})
    void unknownGpuIsInvalidInput(String index) {
      Invocations.Result r = run("--simulate", SPEC, "profiles", "--gpu", index, "--json");

      assertThat(r.code()).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(r.json().get("error").get("code").asText()).isEqualTo("invalid-input");
      assertThat(r.json().get("exitCode").asInt()).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(r.err()).contains("--gpu " + index).contains("0..2");
    }

    @Test
    void textShowsHeaderAndPlacements() {
      driver(SPEC).createGpuInstance(0, 9, Optional.of(new Placement(4, 4)));

      Invocations.Result r = run("--simulate", SPEC, "profiles", "--gpu", "0");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      List<String> lines = r.out().lines().toList();
      assertThat(lines)
          .anySatisfy(l -> assertThat(l).contains("PROFILE", "ID", "FREE/TOTAL", "PLACEMENTS"));
      assertThat(lines)
          .anySatisfy(l -> assertThat(l).contains("3g.20gb", " 9 ", "1/2", "19968", "{0,4}:4"));
      assertThat(lines).anySatisfy(l -> assertThat(l).contains("7g.40gb", "0/1", "{0}:8"));
      assertThat(lines)
          .anySatisfy(l -> assertThat(l).contains("1g.5gb ", "4/7", "{0,1,2,3,4,5,6}:1"));
      assertThat(r.out()).doesNotContain("*").doesNotContain("not confirmed");
    }

    @Test
    void textMarksUnverifiedValues() {
      Invocations.Result r = run("--simulate", "h200-141gb:1", "profiles");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      GpuInstanceProfile p = Catalog.H200_141GB.profiles().getFirst();
      assertThat(p.unverified()).contains("memoryMiB");
      assertThat(r.out()).contains(p.memoryMiB() + "*");
      assertThat(r.out()).contains("* not confirmed by a real nvidia-smi output");
    }
  }

  // ---------------------------------------------------------------- choosing the node

  @Nested
  class NodeSpec {

    @Test
    void defaultNodeWithoutSpec() {
      Invocations.Result r = run("gpus", "--json");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      assertThat(texts(r.json(), "model")).containsExactly("A100-SXM4-40GB", "A100-SXM4-40GB");
    }

    @Test
    void environmentVariableIsHonoured() {
      Invocations.Result r = runWith(Map.of("MIGCTL_SIMULATE", "h100-80gb:1"), "gpus", "--json");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      assertThat(texts(r.json(), "model")).containsExactly("H100 80GB HBM3");
    }

    @Test
    void optionWinsOverEnvironmentVariable() {
      Invocations.Result r =
          runWith(
              Map.of("MIGCTL_SIMULATE", "h100-80gb:1"),
              "--simulate",
              "a30-24gb:2",
              "gpus",
              "--json");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      assertThat(texts(r.json(), "model")).containsExactly("A30", "A30");
    }

    @Test
    void optionAcceptedAfterTheSubcommand() {
      Invocations.Result r = run("gpus", "--simulate", "a30-24gb:1", "--json");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      assertThat(texts(r.json(), "model")).containsExactly("A30");
    }

    @Test
    void optionAfterTheSubcommandWinsOverEnvironmentVariable() {
      Invocations.Result r =
          runWith(
              Map.of("MIGCTL_SIMULATE", "h100-80gb:1"),
              "profiles",
              "--simulate",
              "a30-24gb:1",
              "--json");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      assertThat(texts(r.json(), "model")).containsExactly("A30");
    }

    @Test
    void badEnvironmentVariableIsInvalidInputNamingIt() {
      Invocations.Result r = runWith(Map.of("MIGCTL_SIMULATE", "a100-41gb:1"), "gpus");

      assertThat(r.code()).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).contains("MIGCTL_SIMULATE", "a100-41gb");
    }
  }

  // ---------------------------------------------------------------- gpus

  @Nested
  class Gpus {

    @Test
    void listsEveryGpuEmpty() {
      Invocations.Result r = run("--simulate", SPEC, "gpus", "--json");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      List<JsonNode> gpus = elements(r.json());
      assertThat(gpus).hasSize(3);
      assertThat(ints(r.json(), "index")).containsExactly(0, 1, 2);
      assertThat(texts(r.json(), "model"))
          .containsExactly("A100-SXM4-40GB", "A100-SXM4-40GB", "H100 80GB HBM3");
      List<String> uuids = texts(r.json(), "uuid");
      assertThat(uuids).doesNotHaveDuplicates().allSatisfy(u -> assertThat(u).startsWith("GPU-"));
      for (JsonNode gpu : gpus) {
        assertThat(gpu.get("migEnabled").asBoolean()).isTrue();
        assertThat(elements(gpu.get("instances"))).isEmpty();
      }
    }

    @Test
    void uuidsAreStableAcrossInvocationsAndMatchTheDriver() {
      List<String> first = texts(run("--simulate", SPEC, "gpus", "--json").json(), "uuid");
      List<String> second = texts(run("--simulate", SPEC, "gpus", "--json").json(), "uuid");

      assertThat(second).isEqualTo(first);
      assertThat(first).isEqualTo(driver(SPEC).gpus().stream().map(g -> g.uuid()).toList());
    }

    @Test
    void showsInstancesWithUuidsAndHolders() {
      SimulatedMigDriver driver = driver(SPEC);
      GpuInstance big = driver.createGpuInstance(0, 9, Optional.of(new Placement(4, 4)));
      ComputeInstance bigCi = driver.createComputeInstance(0, big.id(), 2, Optional.empty());
      GpuInstance small = driver.createGpuInstance(0, 19, Optional.of(new Placement(0, 1)));
      ComputeInstance smallCi = driver.createComputeInstance(0, small.id(), 0, Optional.empty());
      driver.hold(bigCi.uuid(), 4242);

      Invocations.Result r = run("--simulate", SPEC, "gpus", "--json");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      List<JsonNode> gpus = elements(r.json());
      assertThat(gpus).hasSize(3);
      List<JsonNode> instances = elements(gpus.getFirst().get("instances"));
      assertThat(instances).hasSize(2);
      // ordered by placement: the 1g at 0 first
      JsonNode s = instances.get(0);
      assertThat(s.get("profile").asText()).isEqualTo("1g.5gb");
      assertThat(s.get("start").asInt()).isZero();
      assertThat(s.get("size").asInt()).isEqualTo(1);
      assertThat(s.get("gi").asInt()).isEqualTo(small.id());
      assertThat(s.get("ci").asInt()).isEqualTo(smallCi.id());
      assertThat(s.get("uuid").asText()).startsWith("MIG-").isEqualTo(smallCi.uuid());
      assertThat(s.get("busy").asBoolean()).isFalse();
      assertThat(elements(s.get("pids"))).isEmpty();

      JsonNode b = instances.get(1);
      assertThat(b.get("profile").asText()).isEqualTo("3g.20gb");
      assertThat(b.get("start").asInt()).isEqualTo(4);
      assertThat(b.get("size").asInt()).isEqualTo(4);
      assertThat(b.get("gi").asInt()).isEqualTo(big.id());
      assertThat(b.get("ci").asInt()).isEqualTo(bigCi.id());
      assertThat(b.get("uuid").asText()).startsWith("MIG-").isEqualTo(bigCi.uuid());
      assertThat(b.get("busy").asBoolean()).isTrue();
      assertThat(elements(b.get("pids")).stream().map(JsonNode::asLong).toList())
          .containsExactly(4242L);

      assertThat(bigCi.uuid()).isNotEqualTo(smallCi.uuid());
      assertThat(elements(gpus.get(1).get("instances"))).isEmpty();
      assertThat(elements(gpus.get(2).get("instances"))).isEmpty();
    }

    @Test
    void gpuInstanceWithoutComputeInstanceHasNoUuid() {
      GpuInstance gi = driver(SPEC).createGpuInstance(2, 0, Optional.empty());

      Invocations.Result r = run("--simulate", SPEC, "gpus", "--json");

      List<JsonNode> instances = elements(elements(r.json()).get(2).get("instances"));
      assertThat(instances).hasSize(1);
      JsonNode i = instances.getFirst();
      assertThat(i.get("gi").asInt()).isEqualTo(gi.id());
      assertThat(i.get("ci").isNull()).isTrue();
      assertThat(i.get("uuid").isNull()).isTrue();
      assertThat(i.get("busy").asBoolean()).isFalse();
    }

    @Test
    void textShowsUuidsAndHolders() {
      SimulatedMigDriver driver = driver(SPEC);
      GpuInstance big = driver.createGpuInstance(0, 9, Optional.of(new Placement(4, 4)));
      ComputeInstance bigCi = driver.createComputeInstance(0, big.id(), 2, Optional.empty());
      GpuInstance small = driver.createGpuInstance(0, 19, Optional.of(new Placement(0, 1)));
      ComputeInstance smallCi = driver.createComputeInstance(0, small.id(), 0, Optional.empty());
      driver.hold(bigCi.uuid(), 4242);

      Invocations.Result r = run("--simulate", SPEC, "gpus");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      List<String> lines = r.out().lines().toList();
      assertThat(lines)
          .anySatisfy(l -> assertThat(l).contains(bigCi.uuid(), "3g.20gb", "busy (pid 4242)"));
      assertThat(lines).anySatisfy(l -> assertThat(l).contains(smallCi.uuid(), "1g.5gb", "idle"));
      assertThat(lines)
          .filteredOn(l -> l.contains(smallCi.uuid()))
          .noneMatch(l -> l.contains("busy"));
      assertThat(r.out()).contains("H100 80GB HBM3", "no GPU instances");
    }
  }

  // ---------------------------------------------------------------- invalid input

  @Nested
  class InvalidInput {

    private void assertInvalid(Invocations.Result r, String... named) {
      assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).startsWith("migctl: ").contains(named);
    }

    @Test
    void unknownModel() {
      Invocations.Result r = run("--simulate", "a100-41gb:1", "gpus");

      assertInvalid(r, "--simulate", "a100-41gb");
      assertThat(r.err())
          .contains(Catalog.models().stream().map(GpuModel::key).toArray(String[]::new));
    }

    @Test
    void countNotANumber() {
      assertInvalid(run("--simulate", "a100-40gb:x", "gpus"), "--simulate", "\"x\"");
    }

    @Test
    void emptySpecOptionIsNotTheDefaultNode() {
      assertInvalid(run("--simulate", "", "gpus"), "--simulate", "empty");
    }

    @Test
    void countZero() {
      assertInvalid(run("--simulate", "a100-40gb:0", "gpus"), "--simulate", "a100-40gb:0");
    }

    @Test
    void unknownOption() {
      assertInvalid(run("gpus", "--frobnicate"), "--frobnicate");
    }

    @Test
    void unknownRootOption() {
      assertInvalid(run("--frobnicate", "gpus"), "--frobnicate");
    }

    @Test
    void unknownSubcommand() {
      assertInvalid(run("frobnicate"), "frobnicate");
    }

    @Test
    void unknownOperation() {
      assertInvalid(run("sim", "fail-next", "explode"), "explode", "create-gi");
    }

    @Test
    void unknownError() {
      assertInvalid(
          run("sim", "fail-next", "create-gi", "--error", "nope"),
          "--error nope",
          "insufficient-resources");
    }

    @Test
    void zeroTimes() {
      assertInvalid(run("sim", "fail-next", "create-gi", "--times", "0"), "--times 0");
    }

    @Test
    void negativeAfter() {
      assertInvalid(run("sim", "fail-next", "create-gi", "--after", "-1"), "--after -1");
    }

    @Test
    void invalidFailNextChangesNothing() {
      run("sim", "fail-next", "create-gi", "--times", "0");
      run("sim", "fail-next", "create-gi", "--error", "nope");
      run("sim", "fail-next", "explode");

      assertThat(driver(SimulatedNodeSpec.DEFAULT).createGpuInstance(0, 0, Optional.empty()))
          .isNotNull();
    }

    @Test
    void zeroPid() {
      SimulatedMigDriver driver = driver(SPEC);
      GpuInstance gi = driver.createGpuInstance(0, 0, Optional.empty());
      ComputeInstance ci = driver.createComputeInstance(0, gi.id(), 4, Optional.empty());

      assertInvalid(run("--simulate", SPEC, "sim", "hold", ci.uuid(), "--pid", "0"), "--pid 0");
      assertThat(driver.processes(0)).isEmpty();
    }

    @Test
    void holdWithoutUuid() {
      assertInvalid(run("sim", "hold"), "UUID");
    }

    @Test
    void holdUnknownUuidIsADriverFailure() {
      Invocations.Result r = run("sim", "hold", "MIG-does-not-exist");

      assertThat(r.code()).isEqualTo(ExitCode.FAILURE);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).contains("Not Found", "MIG-does-not-exist");
    }

    @Test
    void releaseUnknownUuidIsADriverFailure() {
      Invocations.Result r = run("sim", "release", "MIG-does-not-exist");

      assertThat(r.code()).isEqualTo(ExitCode.FAILURE);
      assertThat(r.err()).contains("Not Found");
    }
  }

  // ---------------------------------------------------------------- sim

  @Nested
  class Sim {

    private ComputeInstance createMigDevice(SimulatedMigDriver driver) {
      GpuInstance gi = driver.createGpuInstance(2, 9, Optional.of(new Placement(0, 4)));
      return driver.createComputeInstance(2, gi.id(), 2, Optional.empty());
    }

    private JsonNode instanceOn(int gpu) {
      Invocations.Result r = run("--simulate", SPEC, "gpus", "--json");
      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      List<JsonNode> instances = elements(elements(r.json()).get(gpu).get("instances"));
      assertThat(instances).hasSize(1);
      return instances.getFirst();
    }

    @Test
    void holdThenRelease() {
      SimulatedMigDriver driver = driver(SPEC);
      ComputeInstance ci = createMigDevice(driver);
      assertThat(instanceOn(2).get("busy").asBoolean()).isFalse();

      Invocations.Result hold = run("--simulate", SPEC, "sim", "hold", ci.uuid(), "--pid", "7");

      assertThat(hold.code()).as(hold.err()).isEqualTo(ExitCode.OK);
      assertThat(hold.out()).contains(ci.uuid(), "GPU 2", "pid 7");
      JsonNode held = instanceOn(2);
      assertThat(held.get("busy").asBoolean()).isTrue();
      assertThat(elements(held.get("pids")).stream().map(JsonNode::asLong).toList())
          .containsExactly(7L);
      assertThat(driver.processes(2)).containsExactly(new DeviceProcess(7, ci.uuid(), 0));

      Invocations.Result release = run("--simulate", SPEC, "sim", "release", ci.uuid());

      assertThat(release.code()).as(release.err()).isEqualTo(ExitCode.OK);
      assertThat(release.out()).contains(ci.uuid(), "released 1 holder(s)");
      assertThat(instanceOn(2).get("busy").asBoolean()).isFalse();
      assertThat(driver.processes(2)).isEmpty();
    }

    @Test
    void holdAcceptsTheUuidInAnyCase() {
      SimulatedMigDriver driver = driver(SPEC);
      ComputeInstance ci = createMigDevice(driver);

      Invocations.Result r =
          run("--simulate", SPEC, "sim", "hold", ci.uuid().toLowerCase(Locale.ROOT), "--pid", "5");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      assertThat(driver.processes(2)).extracting(DeviceProcess::pid).containsExactly(5L);
    }

    @Test
    void releaseOneHolderKeepsTheOthers() {
      SimulatedMigDriver driver = driver(SPEC);
      ComputeInstance ci = createMigDevice(driver);
      run("--simulate", SPEC, "sim", "hold", ci.uuid(), "--pid", "7");
      run("--simulate", SPEC, "sim", "hold", ci.uuid(), "--pid", "8");

      Invocations.Result r = run("--simulate", SPEC, "sim", "release", ci.uuid(), "--pid", "7");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      assertThat(r.out()).contains("released 1 holder(s)");
      JsonNode inst = instanceOn(2);
      assertThat(inst.get("busy").asBoolean()).isTrue();
      assertThat(elements(inst.get("pids")).stream().map(JsonNode::asLong).toList())
          .containsExactly(8L);
    }

    @Test
    void releaseAllHolders() {
      SimulatedMigDriver driver = driver(SPEC);
      ComputeInstance ci = createMigDevice(driver);
      driver.hold(ci.uuid(), 7);
      driver.hold(ci.uuid(), 8);

      Invocations.Result r = run("--simulate", SPEC, "sim", "release", ci.uuid());

      assertThat(r.out()).contains("released 2 holder(s)");
      assertThat(driver.processes(2)).isEmpty();
    }

    @Test
    void heldDeviceCannotBeDestroyed() {
      SimulatedMigDriver driver = driver(SPEC);
      ComputeInstance ci = createMigDevice(driver);
      run("--simulate", SPEC, "sim", "hold", ci.uuid(), "--pid", "7");

      MigDriverException e =
          catchThrowableOfType(
              MigDriverException.class,
              () -> driver.destroyComputeInstance(2, ci.gpuInstanceId(), ci.id()));

      assertThat(e.error()).isEqualTo(DriverError.IN_USE);
    }

    @Test
    void failNextMakesTheNextCreationFailOnce() {
      SimulatedMigDriver driver = driver(SPEC);

      Invocations.Result r =
          run(
              "--simulate",
              SPEC,
              "sim",
              "fail-next",
              "create-gi",
              "--error",
              "insufficient-resources");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      assertThat(r.out()).contains("create-gi", "Insufficient Resources");
      MigDriverException e =
          catchThrowableOfType(
              MigDriverException.class,
              () -> driver.createGpuInstance(0, 9, Optional.of(new Placement(0, 4))));
      assertThat(e).isNotNull();
      assertThat(e.error()).isEqualTo(DriverError.INSUFFICIENT_RESOURCES);
      assertThat(driver.gpuInstances(0)).isEmpty();

      GpuInstance gi = driver.createGpuInstance(0, 9, Optional.of(new Placement(0, 4)));
      assertThat(gi.placement()).isEqualTo(new Placement(0, 4));
    }

    @Test
    void failNextTimesAndDefaultError() {
      SimulatedMigDriver driver = driver(SPEC);

      Invocations.Result r =
          run("--simulate", SPEC, "sim", "fail-next", "create-gi", "--times", "2");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      assertThat(r.out()).contains("2", "Unknown Error");
      for (int i = 0; i < 2; i++) {
        MigDriverException e =
            catchThrowableOfType(
                MigDriverException.class, () -> driver.createGpuInstance(0, 0, Optional.empty()));
        assertThat(e).as("call %d", i).isNotNull();
        assertThat(e.error()).isEqualTo(DriverError.UNKNOWN);
      }
      assertThat(driver.createGpuInstance(0, 0, Optional.empty())).isNotNull();
    }

    @Test
    void failNextAfterLetsCallsThroughFirst() {
      SimulatedMigDriver driver = driver(SPEC);

      Invocations.Result r =
          run("--simulate", SPEC, "sim", "fail-next", "create-gi", "--after", "2", "--times", "2");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      assertThat(r.out()).contains("after the next 2", "create-gi", "Unknown Error");
      for (int i = 0; i < 5; i++) {
        boolean fails = i == 2 || i == 3;
        MigDriverException e =
            catchThrowableOfType(
                MigDriverException.class, () -> driver.createGpuInstance(0, 19, Optional.empty()));
        assertThat(e != null).as("call %d fails", i + 1).isEqualTo(fails);
      }
    }

    @Test
    void failNextAffectsOnlyItsOperation() {
      SimulatedMigDriver driver = driver(SPEC);
      run("--simulate", SPEC, "sim", "fail-next", "create-ci", "--error", "in-use");

      GpuInstance gi = driver.createGpuInstance(0, 0, Optional.empty());
      MigDriverException e =
          catchThrowableOfType(
              MigDriverException.class,
              () -> driver.createComputeInstance(0, gi.id(), 4, Optional.empty()));

      assertThat(e).isNotNull();
      assertThat(e.error()).isEqualTo(DriverError.IN_USE);
    }

    @Test
    void failNextIsPerSpec() {
      run("--simulate", "h100-80gb:1", "sim", "fail-next", "create-gi");

      assertThat(driver(SPEC).createGpuInstance(0, 0, Optional.empty())).isNotNull();
    }

    @Test
    void resetStateClearsEverything() {
      SimulatedMigDriver driver = driver(SPEC);
      ComputeInstance ci = createMigDevice(driver);
      driver.hold(ci.uuid(), 7);
      driver.createGpuInstance(0, 0, Optional.empty());
      driver.failNext(SimOperation.CREATE_GI, DriverError.UNKNOWN, 1);

      Invocations.Result r = run("--simulate", SPEC, "sim", "reset-state");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
      assertThat(r.out()).contains(SPEC, "initial state");
      Invocations.Result gpus = run("--simulate", SPEC, "gpus", "--json");
      for (JsonNode gpu : elements(gpus.json())) {
        assertThat(elements(gpu.get("instances"))).isEmpty();
        assertThat(gpu.get("migEnabled").asBoolean()).isTrue();
      }
      assertThat(driver.gpuInstances(0)).isEmpty();
      assertThat(driver.gpuInstances(2)).isEmpty();
      assertThat(driver.processes(2)).isEmpty();
      assertThat(driver.createGpuInstance(0, 0, Optional.empty())).isNotNull();
    }

    @Test
    void simWithoutSubcommandPrintsUsage() {
      Invocations.Result r = run("sim");

      assertThat(r.code()).isEqualTo(ExitCode.OK);
      assertThat(r.out()).contains("hold", "release", "fail-next", "reset-state");
    }
  }
}
