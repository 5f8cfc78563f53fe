package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migctl replay} (and its older name {@code sim trace}): trace replay from the command line.
 */
class ReplayCommandTest {

  @TempDir Path home;
  @TempDir Path work;

  private static Path shared(String relative) {
    return Path.of(System.getProperty("migctl.shared.dir", "../../shared")).resolve(relative);
  }

  private Path tinyCsv() throws Exception {
    Path f = work.resolve("tiny.csv");
    // One GPU, FIFO, one job at a time: job 0 runs 0..100 (JCT 100), job 1 waits until 100 and
    // runs to 150 (JCT 140), job 2 waits until 150 and runs to 160 (JCT 140).
    Files.writeString(f, "arrival_s,duration_s,need\n0,100,0.5\n10,50,0.1\n20,10,1\n");
    return f;
  }

  @Test
  void wholeGpuOnATinyCsvGivesHandCheckedCompletionTimes() throws Exception {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Invocations.Result r =
        migctl.run(
            "sim",
            "trace",
            tinyCsv().toString(),
            "--cluster",
            "a100-40gb:1",
            "--policy",
            "whole-gpu",
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = r.json();
    assertThat(json.get("gpus").asInt()).isEqualTo(1);
    JsonNode row = json.get("policies").get(0);
    assertThat(row.get("policy").asText()).isEqualTo("whole-gpu");
    assertThat(row.get("jctMean").asDouble()).isCloseTo(380.0 / 3, within(0.01));
    assertThat(row.get("queueMean").asDouble()).isCloseTo((0 + 90 + 130) / 3.0, within(0.01));
    assertThat(row.get("reconfigurations").asDouble()).isZero();
    // No queue: each job on a whole GPU at once. Pooled 7 slices, shortest work first (jobs 0 and 2
    // fit only the 7g; 4g.20gb holds less than half the memory): job 1 (1g x 50 s) runs 10..17.1,
    // job 2 (7g x 10 s) 20..30, job 0 (7g x 100 s) is done when all 820 slice-seconds are, 117.1.
    assertThat(json.get("bound").get("noQueue").asDouble()).isCloseTo(160.0 / 3, within(0.01));
    assertThat(json.get("bound").get("work").asDouble())
        .isCloseTo((820.0 / 7 + 50.0 / 7 + 10) / 3, within(0.01));

    Invocations.Result table =
        migctl.run(
            "sim",
            "trace",
            tinyCsv().toString(),
            "--cluster",
            "a100-40gb:1",
            "--policy",
            "whole-gpu");
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out()).contains("whole-gpu").contains("127");
  }

  @Test
  void allRunsEveryPolicyOnTheSameArrivalsAndWritesJsonAndSvg() throws Exception {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Path out = work.resolve("report");
    Invocations.Result r =
        migctl.run(
            "sim",
            "trace",
            tinyCsv().toString(),
            "--cluster",
            "a100-40gb:2",
            "--policy",
            "all",
            "--out",
            out.toString(),
            "--checkpoint",
            "12");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("reconfiguration 5.0 s, checkpoint-restart of a moved job 12.0 s");
    assertThat(r.out()).contains("whole-gpu").contains("(best static)").contains("dynamic");
    assertThat(r.out()).contains("all static layouts:");
    assertThat(Files.readString(out.resolve("csv.svg"))).startsWith("<svg");
    JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(Files.readString(out.resolve("csv.json")));
    assertThat(json.get("policies").findValuesAsText("policy")).contains("whole-gpu", "dynamic");
    assertThat(json.get("bestStatic").asText()).startsWith("static:");
    // Both reconfiguration costs are parameters of the report.
    assertThat(json.get("reconfigSeconds").asDouble()).isEqualTo(5.0);
    assertThat(json.get("checkpointRestartSeconds").asDouble()).isEqualTo(12.0);
    JsonNode first = json.get("policies").get(0);
    assertThat(first.get("jctMean").asDouble()).isPositive();
    assertThat(first.has("sliceUtilisation")).isTrue();
    assertThat(first.has("runs")).isFalse();
    JsonNode series = first.get("series");
    assertThat(series.size()).isPositive();
    assertThat(series.get(0).size()).isEqualTo(json.get("seriesColumns").size());
  }

  /** Tenant {@code batch} floods one GPU with 10 jobs at 0; {@code interactive} sends 2 later. */
  @Test
  void aJobTableIsDetectedByItsColumnsAndReplayedUnderEveryPolicy() throws Exception {
    StringBuilder csv =
        new StringBuilder(
            "job_name,organization,gpu_model,cpu_request,gpu_request,worker_num,submit_time,"
                + "duration,job_type\n");
    String[] shares = {"0.1", "0.3", "0.5", "1", "0.2", "2"};
    for (int i = 0; i < 24; i++) {
      csv.append("j")
          .append(i)
          .append(",org-")
          .append(i % 3)
          .append(",A10,4,")
          .append(shares[i % shares.length])
          .append(",1,")
          .append(i * 40)
          .append(',')
          .append(300 + 50 * (i % 5))
          .append(",Spot\n");
    }
    Path f = work.resolve("job_info_df.csv");
    Files.writeString(f, csv.toString());
    Invocations migctl = new Invocations(home, "a100-40gb:1");

    Invocations.Result r =
        migctl.run("replay", f.toString(), "--cluster", "a100-40gb:2", "--policy", "all");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("job_info_df.csv, job table (GPUs per worker: gpu_request × worker_num)")
        .contains("the first 24 jobs by arrival (8 of them gang jobs on whole GPUs)")
        .contains("whole-gpu", "dynamic");
    Invocations.Result forced =
        migctl.run("replay", tinyCsv().toString(), "--format", "jobs", "--cluster", "a100-40gb:1");
    assertThat(forced.code()).isEqualTo(2);
    assertThat(forced.err()).contains("not a job table").doesNotContain("Exception");
  }

  @Test
  void aTableThatIsNoTraceIsRefusedSayingWhatReplayReads() throws Exception {
    Path nodes = work.resolve("openb_node_list_gpu_node.csv");
    Files.writeString(nodes, "sn,cpu_milli,memory_mib,gpu,model\nnode-1,96000,786432,8,V100M32\n");
    Path runtimes = work.resolve("philly_runtime.csv");
    Files.writeString(runtimes, "runtime\n120\n3600\n");
    Path badValue = work.resolve("bad.csv");
    Files.writeString(badValue, "arrival_s,duration_s,need\n0,ten,0.5\n");
    Invocations migctl = new Invocations(home, "a100-40gb:1");

    for (Path f : List.of(nodes, runtimes)) {
      Invocations.Result r = migctl.run("replay", f.toString(), "--cluster", "a100-40gb:1");
      assertThat(r.code()).as(r.err()).isEqualTo(2);
      assertThat(r.err())
          .contains("is no header of a trace: migctl replay reads MISO's workload folder")
          .doesNotContain("Exception");
    }
    Invocations.Result bad = migctl.run("replay", badValue.toString(), "--cluster", "a100-40gb:1");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err())
        .contains("duration_s \"ten\" is not a number")
        .doesNotContain("no header");
  }

  private Path twoTenants() throws Exception {
    StringBuilder csv = new StringBuilder("arrival_s,duration_s,need,tenant\n");
    for (int i = 0; i < 10; i++) {
      csv.append(i).append(",100,1,batch\n");
    }
    csv.append("50,20,1,interactive\n150,20,1,interactive\n");
    Path f = work.resolve("two.csv");
    Files.writeString(f, csv.toString());
    return f;
  }

  @Test
  void fairnessPoliciesRunSideBySideWithPerTenantWaitsAndJainsIndex() throws Exception {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    String csv = twoTenants().toString();
    Invocations.Result table =
        migctl.run(
            "replay",
            csv,
            "--cluster",
            "a100-40gb:2",
            "--policy",
            "whole-gpu",
            "--fairness",
            "fifo,drf");
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out())
        .contains("tenants: from the trace's tenant column; batch 10 jobs, weight 1;")
        .contains("-- fifo --", "-- drf --")
        .containsPattern("(?m)^whole-gpu\\s+interactive\\s+2\\s")
        .containsPattern("(?m)^whole-gpu\\s+JAIN\\s+\\d\\.\\d\\d\\s+\\d\\.\\d\\d$")
        .containsPattern("(?m)^whole-gpu .* drf +\\d\\.\\d\\d$");

    Invocations.Result r =
        migctl.run(
            "replay",
            csv,
            "--cluster",
            "a100-40gb:2",
            "--policy",
            "whole-gpu",
            "--fairness",
            "all",
            "--tenant-weights",
            "interactive=2",
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode rows = r.json().get("policies");
    assertThat(rows.findValuesAsText("fairness")).containsExactly("fifo", "drf");
    JsonNode fifo = rows.get(0);
    JsonNode drf = rows.get(1);
    assertThat(fifo.get("policy").asText()).isEqualTo("whole-gpu");
    assertThat(fifo.has("jctMean")).isTrue(); // the fields before tenants stay
    JsonNode fifoSmall = fifo.get("tenants").get(1);
    JsonNode drfSmall = drf.get("tenants").get(1);
    assertThat(fifoSmall.get("tenant").asText()).isEqualTo("interactive");
    assertThat(fifoSmall.get("jobs").asInt()).isEqualTo(2);
    // fifo: interactive waits behind batch's backlog; drf: for the next free GPU only.
    assertThat(drfSmall.get("waitMean").asDouble())
        .isLessThan(fifoSmall.get("waitMean").asDouble());
    assertThat(drfSmall.get("waitP99").asDouble()).isLessThanOrEqualTo(100);
    assertThat(drf.get("jain").asDouble()).isGreaterThan(fifo.get("jain").asDouble());
  }

  @Test
  void tenantOptionsThatCannotApplyExitTwoSayingWhy() throws Exception {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    String two = twoTenants().toString();
    Invocations.Result both =
        migctl.run("replay", two, "--cluster", "a100-40gb:1", "--tenants", "2");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err())
        .contains("names its own tenants in its tenant column; leave --tenants out");
    Invocations.Result unknown =
        migctl.run("replay", two, "--cluster", "a100-40gb:1", "--tenant-weights", "bacth=2");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err())
        .contains("tenant bacth has no jobs in the trace; its tenants are batch, interactive");
    Invocations.Result policy =
        migctl.run("replay", two, "--cluster", "a100-40gb:1", "--fairness", "fifo,fair");
    assertThat(policy.code()).isEqualTo(2);
    assertThat(policy.err()).contains("--fairness fifo,fair: unknown fairness policy \"fair\"");
    // A trace without tenants gets them by the documented rule.
    Invocations.Result hashed =
        migctl.run(
            "replay",
            tinyCsv().toString(),
            "--cluster",
            "a100-40gb:1",
            "--policy",
            "whole-gpu",
            "--tenants",
            "2",
            "--json");
    assertThat(hashed.code()).as(hashed.err()).isZero();
    assertThat(hashed.json().get("policies").get(0).get("tenants").findValuesAsText("tenant"))
        .isSubsetOf("t1", "t2");
  }

  @Test
  void replayIsItsOwnCommandAndSimListsOnlyTheSimulatedNodesControls() {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Invocations.Result top = migctl.run("--help");
    Invocations.Result sim = migctl.run("sim", "--help");
    Invocations.Result replay = migctl.run("replay", "--help");
    assertThat(top.out()).containsPattern("(?m)^\\s+replay\\s+Simulate a job trace");
    assertThat(sim.out()).contains("hold", "fail-next").doesNotContainPattern("(?m)^\\s+trace\\s");
    assertThat(replay.out()).contains("Usage: migctl replay");
  }

  @Test
  void simTraceAndSimDashDashTraceAreTheSameCommandAsReplay() throws Exception {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    String csv = tinyCsv().toString();
    Invocations.Result sub =
        migctl.run("replay", csv, "--cluster", "a100-40gb:1", "--policy", "whole-gpu");
    Invocations.Result alias =
        migctl.run("sim", "trace", csv, "--cluster", "a100-40gb:1", "--policy", "whole-gpu");
    assertThat(alias.code()).as(alias.err()).isZero();
    assertThat(alias.out()).isEqualTo(sub.out());
    Invocations.Result option =
        migctl.run("sim", "--trace", csv, "--cluster", "a100-40gb:1", "--policy", "whole-gpu");
    Invocations.Result equals =
        migctl.run("sim", "--trace=" + csv, "--cluster", "a100-40gb:1", "--policy", "whole-gpu");
    assertThat(sub.code()).as(sub.err()).isZero();
    assertThat(option.code()).as(option.err()).isZero();
    assertThat(equals.code()).as(equals.err()).isZero();
    assertThat(option.out()).isEqualTo(sub.out());
    assertThat(equals.out()).isEqualTo(sub.out());
  }

  @Test
  void badInputExits2NamingTheProblem() throws Exception {
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Path bad = work.resolve("bad.csv");
    Files.writeString(bad, "arrival_s,duration_s,need\n0,100,0.5\n10,fifty,0.1\n");
    Invocations.Result r =
        migctl.run("replay", bad.toString(), "--cluster", "a100-40gb:1", "--policy", "all");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("bad.csv").contains("fifty");

    Path need = work.resolve("need.csv");
    Files.writeString(need, "0,100,1.5\n");
    Invocations.Result n = migctl.run("replay", need.toString(), "--cluster", "a100-40gb:1");
    assertThat(n.code()).isEqualTo(2);
    assertThat(n.err()).contains("need must be in (0, 1]");

    Invocations.Result missing =
        migctl.run("replay", work.resolve("nope.csv").toString(), "--cluster", "a100-40gb:1");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("no such trace file");

    Invocations.Result folder = migctl.run("replay", work.toString(), "--cluster", "a100-40gb:1");
    assertThat(folder.code()).isEqualTo(2);
    assertThat(folder.err()).contains("not MISO's workload").contains("trace_100.json");

    Path miso = Files.createDirectories(work.resolve("miso"));
    Files.writeString(miso.resolve("trace_100.json"), "{\"0\": 120, \"1\": ");
    Files.writeString(miso.resolve("job_models.json"), "{\"0\": \"a\", \"1\": \"a\"}");
    Files.writeString(
        miso.resolve("DERIVED_mig_slice_speed.csv"),
        "model_batch,mig_profile,gpc_slices,mean_iter_time_s,n_samples,speed_rel_7g\n"
            + "a,7g.40gb,7,0.1,10,1.0\n");
    Invocations.Result truncated =
        migctl.run("replay", miso.toString(), "--cluster", "a100-40gb:1");
    assertThat(truncated.code()).isEqualTo(2);
    assertThat(truncated.err()).contains("trace_100.json");
    Files.writeString(miso.resolve("trace_100.json"), "{\"0\": 120, \"1\": 60}");
    Files.writeString(
        miso.resolve("DERIVED_mig_slice_speed.csv"),
        "model_batch,mig_profile,gpc_slices,mean_iter_time_s,n_samples,speed_rel_7g\n"
            + "a,7g.40gb,seven,0.1,10,1.0\n");
    Invocations.Result badSpeeds =
        migctl.run("replay", miso.toString(), "--cluster", "a100-40gb:1");
    assertThat(badSpeeds.code()).isEqualTo(2);
    assertThat(badSpeeds.err()).contains("DERIVED_mig_slice_speed.csv, line 2").contains("seven");

    Invocations.Result two =
        migctl.run("replay", tinyCsv().toString(), "--cluster", "a100-40gb:1,h100-80gb:1");
    assertThat(two.code()).isEqualTo(2);
    assertThat(two.err()).contains("one GPU model");

    Invocations.Result pause =
        migctl.run(
            "sim", "trace", tinyCsv().toString(), "--cluster", "a100-40gb:1", "--checkpoint", "-1");
    assertThat(pause.code()).isEqualTo(2);
    assertThat(pause.err()).contains("--checkpoint -1.0");

    Invocations.Result policy =
        migctl.run(
            "sim", "trace", tinyCsv().toString(), "--cluster", "a100-40gb:1", "--policy", "best");
    assertThat(policy.code()).isEqualTo(2);
    assertThat(policy.err()).contains("unknown policy");

    // --policy is all by default: the static search runs.
    String csv = tinyCsv().toString();
    Invocations.Result budget =
        migctl.run("sim", "trace", csv, "--cluster", "a100-40gb:1", "--search-budget", "0");
    assertThat(budget.code()).isEqualTo(2);
    assertThat(budget.err()).contains("--search-budget 0: give 1 or more");
  }

  @Test
  void misoFolderWithOneSeedShowsEveryPolicy() throws Exception {
    Path miso = shared("reference/traces/miso");
    Invocations migctl = new Invocations(home, "a100-40gb:1");
    Invocations.Result r =
        migctl.run(
            "sim",
            "trace",
            miso.toString(),
            "--cluster",
            "a100-40gb:8",
            "--policy",
            "all",
            "--seeds",
            "1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("MISO 100 jobs, 8 x a100-40gb");
    String table = r.out().substring(0, r.out().indexOf("all static layouts:"));
    assertThat(table.lines().filter(l -> l.startsWith("whole-gpu"))).hasSize(1);
    // The best static may be a per-GPU mix (issue 18): uniform layouts are searched first.
    assertThat(
            table
                .lines()
                .filter(
                    l ->
                        (l.startsWith("static:") || l.startsWith("mix:"))
                            && l.contains("(best static)")))
        .hasSize(1);
    assertThat(table.lines().filter(l -> l.startsWith("dynamic ")).map(l -> l.substring(0, 26)))
        .containsExactly("dynamic                   ", "dynamic from best static  ");
    assertThat(r.out())
        .containsPattern(
            "best static \\S+ found by .*; static search: \\d+ of 1000 simulation runs")
        .contains("planner mix (mig plan on the demand distribution): mix:")
        .containsPattern("guarded dynamic: (dynamic kept|stayed static on )")
        .containsPattern("bound on mean JCT: \\d+ s .*mean JCT / bound: whole-gpu \\d+\\.\\d\\d");
  }

  @Test
  void alibabasMultiGpuListRunsWithGangJobsOnSeededTimesAndShowsTheirFigures() throws Exception {
    String multi =
        shared("reference/traces/alibaba-gpu-v2023/openb_pod_list_multigpu50.csv").toString();
    Invocations migctl = new Invocations(home, "a100-40gb:1");

    Invocations.Result noSeed = migctl.run("replay", multi, "--cluster", "a100-40gb:8");
    assertThat(noSeed.code()).isEqualTo(2);
    assertThat(noSeed.err()).contains("without times").contains("--synthesize-times SEED");

    String[] args = {
      "replay",
      multi,
      "--cluster",
      "a100-40gb:8",
      "--synthesize-times",
      "1",
      "--limit",
      "300",
      "--search-budget",
      "20"
    };
    Invocations.Result r = migctl.run(args);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith("Alibaba v2023 300 GPU pods (")
        .contains("times synthesised (the list has none), seed 1: Poisson arrivals")
        .containsPattern("gang jobs \\(whole GPUs, all at once: \\d+ x 1 GPU, .*8 GPUs\\)");
    String gangs = r.out().substring(r.out().indexOf("gang jobs (whole GPUs"));
    assertThat(gangs.lines().filter(l -> l.startsWith("dynamic")).findFirst().orElseThrow())
        .matches("dynamic\\s+fifo\\s+[1-9]\\d* .*");
    assertThat(gangs.lines().filter(l -> l.startsWith("whole-gpu"))).hasSize(1);
    assertThat(migctl.run(args).out()).as("the same seed, the same report").isEqualTo(r.out());

    Invocations.Result small =
        migctl.run(
            "replay",
            multi,
            "--cluster",
            "a100-40gb:4",
            "--synthesize-times",
            "1",
            "--limit",
            "300");
    assertThat(small.code()).isEqualTo(2);
    assertThat(small.err()).contains("needs 8 whole GPUs at once and the cluster has 4");
  }
}
