package io.migctl.core.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.JobSpec;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.plan.Demand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadParserTest {

  // --- what is accepted ---------------------------------------------------------------------

  @Test
  void readsTheDocumentedExample() {
    Workload w = WorkloadParser.parse(example());

    assertThat(w.name()).isEqualTo("shared-server");
    assertThat(w.description()).isEqualTo("two A100s shared by a team");
    assertThat(w.simulate()).contains("a100-40gb:2");
    assertThat(w.environments()).containsExactly(Map.entry("train", "envs/train.yml"));
    assertThat(w.jobs()).hasSize(2);
    WorkloadJob train = w.jobs().getFirst();
    assertThat(train.name()).isEqualTo("train");
    assertThat(train.environment()).contains("train");
    assertThat(train.gpu()).isEqualTo(new GpuNeed.Profile(ProfileName.parse("2g.10gb")));
    assertThat(train.command()).containsExactly("python", "train.py", "--epochs", "3");
    assertThat(train.replicaCount()).isEqualTo(2);
    assertThat(train.priority()).isEqualTo(10);
    assertThat(train.tenant()).isEqualTo("research");
    assertThat(train.timeout()).contains(Duration.ofMinutes(10));
    assertThat(train.retries()).isEqualTo(1);
    assertThat(train.env()).containsExactly(Map.entry("OMP_NUM_THREADS", "1"));
    WorkloadJob prep = w.jobs().get(1);
    assertThat(prep.gpu()).isEqualTo(GpuNeed.NONE);
    assertThat(prep.replicaCount()).isEqualTo(1);
    assertThat(prep.tenant()).isEqualTo(JobSpec.DEFAULT_TENANT);
    assertThat(prep.environment()).isEmpty();
  }

  @Test
  void replicasBecomeNumberedJobSpecs() {
    Workload w = WorkloadParser.parse(example());

    List<JobSpec> specs = w.jobSpecs(Optional.of("/srv/work"));

    assertThat(specs).extracting(JobSpec::name).containsExactly("train-1", "train-2", "prep");
    JobSpec second = specs.get(1);
    assertThat(second.environment()).contains("train");
    assertThat(second.workdir()).contains("/srv/work");
    assertThat(second.maxRetries()).isEqualTo(1);
    assertThat(second.variables())
        .containsEntry("OMP_NUM_THREADS", "1")
        .containsEntry("MIGCTL_REPLICA", "2")
        .containsEntry("MIGCTL_REPLICAS", "2");
    assertThat(specs.get(2).variables()).containsEntry("MIGCTL_REPLICA", "1");
    assertThat(w.jobSpecs()).allSatisfy(s -> assertThat(s.workdir()).isEmpty());
  }

  @Test
  void demandsAreOnePerReplica() {
    List<Demand> demands = WorkloadParser.parse(example()).demands();

    assertThat(demands)
        .containsExactly(
            new Demand(
                "train-1", new GpuNeed.Profile(ProfileName.parse("2g.10gb")), 10, "research"),
            new Demand(
                "train-2", new GpuNeed.Profile(ProfileName.parse("2g.10gb")), 10, "research"),
            new Demand("prep", GpuNeed.NONE, 0));
  }

  @Test
  void gpuNeedsInEveryForm() {
    assertThat(gpuOf("1g.5gb")).isEqualTo(new GpuNeed.Profile(ProfileName.parse("1g.5gb")));
    assertThat(gpuOf("none")).isEqualTo(GpuNeed.NONE);
    assertThat(gpuOf(null)).isEqualTo(GpuNeed.NONE);
    assertThat(gpuOf(map("memory", "8GiB", "compute", 2))).isEqualTo(new GpuNeed.Memory(8192, 2));
    assertThat(gpuOf(map("memory", 2048))).isEqualTo(new GpuNeed.Memory(2048, 1));
  }

  @ParameterizedTest
  @CsvSource({
    "30s, PT30S",
    "10m, PT10M",
    "2h, PT2H",
    "1h30m, PT1H30M",
    "500ms, PT0.5S",
    "1d, PT24H",
    "PT10M, PT10M",
    "pt1h, PT1H"
  })
  void durations(String text, String iso) {
    assertThat(WorkloadParser.duration(text, "t")).isEqualTo(Duration.parse(iso));
  }

  @Test
  void commandAndEnvTakeWholeNumbersAndBooleansAsText() {
    Map<String, Object> job = job("a", List.of("python", "run.py", 3, true));
    job.put("env", map("THREADS", 4, "DEBUG", false));

    WorkloadJob parsed = WorkloadParser.parse(workload(job)).jobs().getFirst();

    assertThat(parsed.command()).containsExactly("python", "run.py", "3", "true");
    assertThat(parsed.env()).containsEntry("THREADS", "4").containsEntry("DEBUG", "false");
  }

  @Test
  void withEnvironmentsKeepsNamesAndOrder() {
    Workload w = WorkloadParser.parse(example());

    Workload resolved = w.withEnvironments(Map.of("train", "/abs/envs/train.yml"));

    assertThat(resolved.environments()).containsExactly(Map.entry("train", "/abs/envs/train.yml"));
    assertThat(resolved.jobs()).isEqualTo(w.jobs());
    assertThatThrownBy(() -> w.withEnvironments(Map.of("other", "/x")))
        .hasMessageContaining("must stay [train]");
  }

  // --- what is refused, and where -----------------------------------------------------------

  @Test
  void aCommandAsOneStringIsRefusedWithTheListToWrite() {
    Map<String, Object> tree = example();
    jobAt(tree, 0).put("command", "python train.py --epochs 3");

    assertRefused(
        tree,
        "jobs[0].command",
        e ->
            assertThat(e.problem())
                .contains("migctl runs no shell")
                .endsWith("command: [python, train.py, --epochs, \"3\"]"));
  }

  @Test
  void unknownKeysNameTheAllowedOnesAndTheNearest() {
    Map<String, Object> tree = example();
    jobAt(tree, 1).put("comand", List.of("x"));

    assertRefused(
        tree,
        "jobs[1].comand",
        e ->
            assertThat(e.problem())
                .contains("a job has name, environment, gpu, command, replicas")
                .endsWith("did you mean command?"));

    Map<String, Object> top = example();
    top.put("enviroments", Map.of());
    assertRefused(
        top, "enviroments", e -> assertThat(e.problem()).endsWith("did you mean environments?"));

    Map<String, Object> gpu = example();
    jobAt(gpu, 0).put("gpu", map("memory", "8GiB", "slices", 2));
    assertRefused(
        gpu, "jobs[0].gpu.slices", e -> assertThat(e.problem()).contains("memory, compute"));
  }

  @Test
  void anUnknownEnvironmentNamesTheKnownOnes() {
    Map<String, Object> tree = example();
    jobAt(tree, 1).put("environment", "infer");

    assertRefused(
        tree,
        "jobs[1].environment",
        e ->
            assertThat(e.problem())
                .isEqualTo("\"infer\" is not one of the workload's environments (train)"));
  }

  @Test
  void wholeGpusAndSeveralMigDevices() {
    Map<String, Object> job = job("a", List.of("x"));
    job.put("gpus", 2);
    assertThat(WorkloadParser.parse(workload(job)).jobs().getFirst().gpu())
        .isEqualTo(new GpuNeed.WholeGpus(2));
    job.put("gpus", map("count", 4, "model", "A100-40GB", "memory", "40GiB"));
    assertThat(WorkloadParser.parse(workload(job)).jobs().getFirst().gpu())
        .isEqualTo(new GpuNeed.WholeGpus(4, Optional.of("a100-40gb"), OptionalLong.of(40960)));
    Map<String, Object> slices = job("b", List.of("x"));
    slices.put("gpu", "1g.5gb");
    slices.put("count", 3);
    assertThat(WorkloadParser.parse(workload(slices)).jobs().getFirst().gpu())
        .isEqualTo(new GpuNeed.MigDevices(new GpuNeed.Profile(ProfileName.parse("1g.5gb")), 3));
  }

  @Test
  void badGpuCountsSayWhatToWrite() {
    Map<String, Object> both = job("a", List.of("x"));
    both.put("gpu", "1g.5gb");
    both.put("gpus", 2);
    assertRefused(
        workload(both), "jobs[0].gpus", e -> assertThat(e.problem()).contains("not both"));
    Map<String, Object> zero = job("a", List.of("x"));
    zero.put("gpus", 0);
    assertRefused(
        workload(zero), "jobs[0].gpus", e -> assertThat(e.problem()).contains("ask for 1 to 64"));
    Map<String, Object> countAlone = job("a", List.of("x"));
    countAlone.put("count", 2);
    assertRefused(
        workload(countAlone),
        "jobs[0].count",
        e -> assertThat(e.problem()).contains("asks for no GPU").endsWith("gpus: 2"));
    Map<String, Object> noCount = job("a", List.of("x"));
    noCount.put("gpus", map("model", "a100-40gb"));
    assertRefused(
        workload(noCount), "jobs[0].gpus.count", e -> assertThat(e.problem()).contains("missing"));
  }

  @Test
  void badGpuNeedsSayWhatToWrite() {
    assertRefused(
        withGpu("2g.10"),
        "jobs[0].gpu",
        e -> assertThat(e.problem()).contains("is not a MIG profile name"));
    assertRefused(
        withGpu("8GiB"),
        "jobs[0].gpu",
        e -> assertThat(e.problem()).endsWith("write gpu: {memory: 8GiB}"));
    assertRefused(
        withGpu(7),
        "jobs[0].gpu",
        e -> assertThat(e.problem()).startsWith("the number 7 is not a GPU need"));
    assertRefused(
        withGpu(map("compute", 2)),
        "jobs[0].gpu.memory",
        e -> assertThat(e.problem()).startsWith("is missing"));
    assertRefused(
        withGpu(map("memory", "lots")),
        "jobs[0].gpu.memory",
        e -> assertThat(e.problem()).contains("is not a memory size"));
    assertRefused(
        withGpu(map("memory", "1GiB", "compute", 0)),
        "jobs[0].gpu.compute",
        e -> assertThat(e.problem()).contains("at least 1"));
  }

  @Test
  void numbersAndDurationsAreChecked() {
    assertRefused(
        withField(0, "replicas", 0),
        "jobs[0].replicas",
        e -> assertThat(e.problem()).contains("out of range; use 1 to 256"));
    assertRefused(
        withField(0, "replicas", "2"),
        "jobs[0].replicas",
        e -> assertThat(e.problem()).endsWith("write it without quotes: 2"));
    assertRefused(
        withField(0, "priority", 5000),
        "jobs[0].priority",
        e -> assertThat(e.problem()).contains("out of range"));
    assertRefused(
        withField(0, "retries", -1),
        "jobs[0].retries",
        e -> assertThat(e.problem()).contains("out of range"));
    assertRefused(
        withField(0, "timeout", "10 minutes"),
        "jobs[0].timeout",
        e -> assertThat(e.problem()).contains("write e.g. 30s, 10m"));
    assertRefused(
        withField(0, "timeout", 600),
        "jobs[0].timeout",
        e -> assertThat(e.problem()).contains("a number without a unit"));
    assertRefused(
        withField(0, "timeout", "0s"),
        "jobs[0].timeout",
        e -> assertThat(e.problem()).contains("out of range"));
  }

  @Test
  void commandAndEnvElementsAreChecked() {
    assertRefused(
        withField(0, "command", List.of("python", 1.10)),
        "jobs[0].command[1]",
        e -> assertThat(e.problem()).contains("quote it"));
    assertRefused(
        withField(0, "command", List.of()),
        "jobs[0].command",
        e -> assertThat(e.problem()).contains("is empty"));
    assertRefused(
        withField(0, "command", List.of(" ")),
        "jobs[0].command[0]",
        e -> assertThat(e.problem()).contains("blank"));
    assertRefused(
        withField(0, "env", map("CUDA_VISIBLE_DEVICES", "0")),
        "jobs[0].env.CUDA_VISIBLE_DEVICES",
        e -> assertThat(e.problem()).contains("set by migctl"));
    assertRefused(
        withField(0, "env", map("MIGCTL_REPLICA", "1")),
        "jobs[0].env.MIGCTL_REPLICA",
        e -> assertThat(e.problem()).contains("number the replicas"));
    assertRefused(
        withField(0, "env", map("1BAD", "x")),
        "jobs[0].env",
        e -> assertThat(e.problem()).contains("not a variable name"));
  }

  @Test
  void replicaNamesMustNotCollide() {
    Map<String, Object> tree = example();
    jobAt(tree, 1).put("name", "train-2");

    assertRefused(
        tree,
        "jobs[1].name",
        e ->
            assertThat(e.problem())
                .isEqualTo("job name \"train-2\" is taken by jobs[0]; rename one of them"));
  }

  @Test
  void theFileItselfIsChecked() {
    Map<String, Object> noVersion = example();
    noVersion.remove("version");
    assertRefused(noVersion, "version", e -> assertThat(e.problem()).contains("version: v1"));

    Map<String, Object> v2 = example();
    v2.put("version", "v2");
    assertRefused(
        v2,
        "version",
        e -> assertThat(e.problem()).startsWith("the string \"v2\" is not a version"));

    Map<String, Object> noJobs = example();
    noJobs.put("jobs", List.of());
    assertRefused(noJobs, "jobs", e -> assertThat(e.problem()).contains("at least one job"));

    Map<String, Object> badName = example();
    badName.put("name", "my workload");
    assertRefused(badName, "name", e -> assertThat(e.problem()).contains("is not a workload name"));

    Map<String, Object> badEnv = example();
    badEnv.put("environments", map("train", 3));
    assertRefused(
        badEnv, "environments.train", e -> assertThat(e.problem()).contains("is not a path"));

    Map<String, Object> noName = example();
    jobAt(noName, 0).remove("name");
    assertRefused(
        noName, "jobs[0]", e -> assertThat(e.problem()).startsWith("missing required field name"));

    assertThatThrownBy(() -> WorkloadParser.parse(null))
        .hasMessageContaining("the workload is empty");
    assertThatThrownBy(() -> WorkloadParser.parse(List.of()))
        .hasMessageContaining("expected a workload (a mapping)");
  }

  @Test
  void anExceptionPlacedInAFileKeepsItsPath() {
    WorkloadException e = new WorkloadException("jobs[2].command", "is empty");

    WorkloadException placed = e.at("workload.yml:14");

    assertThat(placed).hasMessage("workload.yml:14: jobs[2].command: is empty");
    assertThat(placed.path()).isEqualTo("jobs[2].command");
    assertThat(placed.problem()).isEqualTo("is empty");
    assertThat(placed.getCause()).isSameAs(e);
  }

  // --- helpers ------------------------------------------------------------------------------

  /** The example of the format's documentation, as a YAML loader gives it. */
  static Map<String, Object> example() {
    Map<String, Object> train = job("train", List.of("python", "train.py", "--epochs", "3"));
    train.put("environment", "train");
    train.put("gpu", "2g.10gb");
    train.put("replicas", 2);
    train.put("priority", 10);
    train.put("tenant", "research");
    train.put("timeout", "10m");
    train.put("retries", 1);
    train.put("env", map("OMP_NUM_THREADS", "1"));
    Map<String, Object> tree = workload(train, job("prep", List.of("python", "prep.py")));
    tree.put("description", "two A100s shared by a team");
    tree.put("node", map("simulate", "a100-40gb:2"));
    tree.put("environments", map("train", "envs/train.yml"));
    return tree;
  }

  @SafeVarargs
  private static Map<String, Object> workload(Map<String, Object>... jobs) {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("version", "v1");
    tree.put("name", "shared-server");
    List<Object> list = new ArrayList<>();
    for (Map<String, Object> job : jobs) {
      list.add(job);
    }
    tree.put("jobs", list);
    return tree;
  }

  private static Map<String, Object> job(String name, List<Object> command) {
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("name", name);
    job.put("command", command);
    return job;
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> jobAt(Map<String, Object> tree, int i) {
    return ((List<Map<String, Object>>) tree.get("jobs")).get(i);
  }

  private static Map<String, Object> withGpu(Object gpu) {
    return withField(0, "gpu", gpu);
  }

  private static Map<String, Object> withField(int job, String key, Object value) {
    Map<String, Object> tree = example();
    jobAt(tree, job).put(key, value);
    return tree;
  }

  private static GpuNeed gpuOf(Object gpu) {
    Map<String, Object> job = job("a", List.of("x"));
    job.put("gpu", gpu);
    return WorkloadParser.parse(workload(job)).jobs().getFirst().gpu();
  }

  private static void assertRefused(
      Map<String, Object> tree, String path, Consumer<WorkloadException> check) {
    ThrowableAssert.ThrowingCallable parse = () -> WorkloadParser.parse(tree);
    assertThatThrownBy(parse)
        .isInstanceOfSatisfying(
            WorkloadException.class,
            e -> {
              assertThat(e.path()).as(e.getMessage()).isEqualTo(path);
              assertThat(e.getMessage()).startsWith(path + ": ");
              check.accept(e);
            });
  }
}
