package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code mig plan --workload} on the harder workloads in {@code src/test/resources/workloads}: each
 * plan places every job, and its file is one that {@code mig apply} accepts, applies and {@code mig
 * assert} confirms on a simulated node of the same GPUs.
 */
class MigPlanWorkloadsTest {

  private static final Path WORKLOADS = Path.of("src/test/resources/workloads");

  @TempDir Path home;
  @TempDir Path work;

  /**
   * @param gpusUsed how many GPUs the plan touches
   * @param layouts the profiles of each GPU the plan touches, in any order of GPUs and profiles;
   *     empty to leave them unchecked
   * @param profiles the profile some jobs must get
   * @param proven whether the plan must say that it is optimal (the search ended within its budget)
   */
  record Case(
      String workload,
      String gpus,
      int jobs,
      int gpusUsed,
      List<String> layouts,
      Map<String, String> profiles,
      boolean proven) {
    Case(
        String workload,
        String gpus,
        int jobs,
        List<String> layouts,
        Map<String, String> profiles) {
      this(workload, gpus, jobs, layouts.size(), layouts, profiles, true);
    }

    @Override
    public String toString() {
      return workload + " on " + gpus;
    }
  }

  static Stream<Arguments> workloads() {
    return Stream.of(
            new Case(
                "mixed-node",
                "a100-40gb:2,h100-80gb:2",
                12,
                List.of(
                    "2g.10gb 2g.10gb 1g.5gb 1g.5gb",
                    "2g.20gb 2g.20gb 3g.40gb",
                    "1g.10gb 1g.10gb 1g.10gb 1g.10gb 3g.40gb"),
                Map.of("finetune", "3g.40gb")),
            new Case(
                "a100-exact-fill",
                "a100-40gb:3",
                6,
                List.of("4g.20gb 3g.20gb", "3g.20gb 2g.10gb 1g.5gb 1g.5gb"),
                Map.of("medium", "2g.10gb", "xlarge", "4g.20gb")),
            new Case(
                "many-replicas",
                "a100-40gb:5",
                21,
                List.of(
                    "2g.10gb" + " 1g.5gb".repeat(4),
                    "1g.5gb ".repeat(6).strip(),
                    "1g.5gb ".repeat(6).strip(),
                    "1g.5gb ".repeat(4).strip()),
                Map.of("train", "2g.10gb")),
            new Case(
                "memory-needs",
                "h100-80gb:1",
                3,
                List.of("1g.20gb 2g.20gb 3g.40gb"),
                Map.of("tokenizer", "1g.20gb", "ranker", "2g.20gb", "retriever", "3g.40gb")),
            new Case(
                "a100-memory-needs",
                "a100-40gb:1",
                3,
                List.of("1g.10gb 2g.10gb 3g.20gb"),
                Map.of("features", "1g.10gb", "scorer", "2g.10gb", "trainer", "3g.20gb")),
            new Case(
                "media-extensions",
                "h100-80gb:3",
                14,
                List.of("1g.10gb+me" + " 1g.10gb".repeat(6), "1g.10gb+me" + " 1g.10gb".repeat(6)),
                Map.of("decode-1", "1g.10gb+me", "decode-2", "1g.10gb+me")),
            new Case(
                "dgx-full",
                "a100-40gb:8",
                34,
                8,
                List.of(
                    "4g.20gb 3g.20gb",
                    "4g.20gb 3g.20gb",
                    "3g.20gb 2g.10gb 2g.10gb",
                    "3g.20gb 2g.10gb 2g.10gb",
                    "3g.20gb 2g.10gb 2g.10gb",
                    "1g.10gb" + " 1g.5gb".repeat(6),
                    "1g.10gb" + " 1g.5gb".repeat(6),
                    "1g.10gb" + " 1g.5gb".repeat(6)),
                Map.of("pretrain-1", "4g.20gb", "embed-1", "1g.10gb"),
                true),
            new Case(
                "eight-gpus",
                "a100-40gb:8",
                32,
                8,
                List.of(),
                Map.of("pretrain-1", "4g.20gb", "pretrain-2", "4g.20gb"),
                false))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("workloads")
  void placesEveryJobWithALayoutThatApplies(Case c) throws Exception {
    Invocations migctl = new Invocations(home, c.gpus());
    Path out = work.resolve("plan.yaml");

    Invocations.Result plan = plan(migctl, c.workload(), c.gpus(), "-o", out.toString(), "--json");

    assertThat(plan.code()).as(plan.err()).isZero();
    JsonNode json = plan.json();
    assertThat(json.get("unplaced")).as(plan.out()).isEmpty();
    assertThat(json.get("placedAll").asBoolean()).isTrue();
    if (c.proven()) {
      assertThat(json.get("optimal").asBoolean()).isTrue();
    }
    assertThat(json.get("gpusUsed").asInt()).isEqualTo(c.gpusUsed());
    Map<String, String> profileOf = new TreeMap<>();
    Map<Integer, List<String>> planned = new TreeMap<>();
    for (JsonNode a : json.get("assignments")) {
      profileOf.put(a.get("job").asText(), a.get("profile").asText());
      planned
          .computeIfAbsent(a.get("gpu").asInt(), g -> new ArrayList<>())
          .add(a.get("profile").asText());
    }
    assertThat(profileOf).hasSize(c.jobs()).containsAllEntriesOf(c.profiles());
    if (!c.layouts().isEmpty()) {
      assertThat(planned.values().stream().map(MigPlanWorkloadsTest::sorted))
          .containsExactlyInAnyOrderElementsOf(
              c.layouts().stream().map(l -> sorted(Arrays.asList(l.split(" ")))).toList());
    }

    Invocations.Result dry = migctl.run("mig", "apply", "-f", out.toString(), "--dry-run");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("dry run: nothing was changed");
    assertThat(live(migctl)).isEmpty();

    Invocations.Result apply = migctl.run("mig", "apply", "-f", out.toString());
    assertThat(apply.code()).as(apply.err()).isZero();
    Invocations.Result check = migctl.run("mig", "assert", "-f", out.toString());
    assertThat(check.code()).as(check.out()).isZero();
    // Each job has its own instance: the GPUs hold exactly the profiles the jobs were given.
    planned.replaceAll((gpu, profiles) -> sorted(profiles));
    assertThat(live(migctl)).isEqualTo(planned);
  }

  @Test
  void aJobThatCannotJoinTheOthersQueuesAndThePlanStillApplies() throws Exception {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Path out = work.resolve("plan.yaml");

    Invocations.Result plan = plan(migctl, "queued", "a100-40gb:1", "-o", out.toString());

    assertThat(plan.code()).as(plan.err()).isZero();
    assertThat(plan.out())
        .contains("extra needs 1g.5gb and will queue")
        .contains("needs 9 memory slices, A100-SXM4-40GB has 8");
    JsonNode json = plan(migctl, "queued", "a100-40gb:1", "--json").json();
    assertThat(json.get("placedAll").asBoolean()).isFalse();
    assertThat(json.get("unplaced").findValuesAsText("job")).containsExactly("extra");
    assertThat(json.get("unplaced").get(0).get("queues").asBoolean()).isTrue();

    assertThat(migctl.run("mig", "apply", "-f", out.toString(), "--dry-run").code()).isZero();
    assertThat(migctl.run("mig", "apply", "-f", out.toString()).code()).isZero();
    assertThat(live(migctl)).isEqualTo(Map.of(0, List.of("3g.20gb", "3g.20gb")));
  }

  @Test
  void jobsNoGpuCanRunAreNamedWithWhyAndExit1() throws Exception {
    Invocations migctl = new Invocations(home, "a100-40gb:2");
    Path out = work.resolve("plan.yaml");

    Invocations.Result plan = plan(migctl, "unplaceable", "a100-40gb:2", "-o", out.toString());

    assertThat(plan.code()).isEqualTo(ExitCode.FAILURE);
    assertThat(plan.out())
        .contains(
            "llm needs 49152MiB and can never run here: no GPU here has a profile with at least"
                + " 49152 MiB")
        .contains("the largest is 7g.40gb (40192 MiB, 7 compute slices) on A100-SXM4-40GB")
        .contains("finetune needs 7g.80gb and can never run here");
    JsonNode json = plan(migctl, "unplaceable", "a100-40gb:2", "--json").json();
    assertThat(json.get("unplaced").findValuesAsText("job"))
        .containsExactlyInAnyOrder("llm", "finetune");
    assertThat(json.get("unplaced").findValuesAsText("queues")).containsOnly("false");
    assertThat(json.get("assignments").findValuesAsText("job"))
        .containsExactlyInAnyOrder("infer-1", "infer-2", "infer-3");

    // The jobs that can run still get a layout that applies.
    assertThat(migctl.run("mig", "apply", "-f", out.toString(), "--dry-run").code()).isZero();
    assertThat(migctl.run("mig", "apply", "-f", out.toString()).code()).isZero();
    assertThat(live(migctl).values()).containsExactly(List.of("1g.5gb", "1g.5gb", "1g.5gb"));
  }

  private static Invocations.Result plan(
      Invocations migctl, String workload, String gpus, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "mig",
                "plan",
                "--workload",
                WORKLOADS.resolve(workload + ".yml").toString(),
                "--gpus",
                gpus));
    args.addAll(List.of(more));
    assertThat(Files.isRegularFile(WORKLOADS.resolve(workload + ".yml"))).isTrue();
    return migctl.run(args.toArray(String[]::new));
  }

  /** The profiles of each GPU's instances, sorted, by GPU index; GPUs without any are left out. */
  private static Map<Integer, List<String>> live(Invocations migctl) {
    Invocations.Result gpus = migctl.run("gpus", "--json");
    assertThat(gpus.code()).as(gpus.err()).isZero();
    Map<Integer, List<String>> out = new TreeMap<>();
    for (JsonNode g : gpus.json()) {
      List<String> profiles = g.get("instances").findValuesAsText("profile");
      if (!profiles.isEmpty()) {
        out.put(g.get("index").asInt(), sorted(profiles));
      }
    }
    return out;
  }

  private static List<String> sorted(List<String> profiles) {
    return profiles.stream().sorted().toList();
  }
}
