package io.migctl.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.migctl.core.mig.Catalog;
import io.migctl.core.replay.SimJob;
import io.migctl.replay.CsvTrace;
import io.migctl.replay.MisoTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MISO's arrival process and the trace adapters' mappings, on small files written here. */
class MisoTraceTest {

  @Test
  void arrivalGapsHaveMisosMeans() {
    int n = 90_000;
    double[] a = MisoTrace.arrivals(new Random(42), n, 60);
    assertThat(a[0]).isZero();
    double firstThird = a[n / 3 - 1] / (n / 3 - 1);
    double rest = (a[n - 1] - a[n / 3 - 1]) / (n - n / 3);
    assertThat(firstThird).isCloseTo(30, within(0.03 * 30));
    assertThat(rest).isCloseTo(60, within(0.03 * 60));
    for (int i = 1; i < n; i++) {
      assertThat(a[i]).isGreaterThanOrEqualTo(a[i - 1]);
    }
  }

  @Test
  void readsDurationsModelsAndSpeeds(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("trace_100.json"), "{\n \"0\": 120,\n \"1\": 300.5\n}");
    Files.writeString(
        dir.resolve("job_models.json"), "{\"0\": \"bert_train2\", \"1\": \"gnn_train8\"}");
    Files.writeString(
        dir.resolve("DERIVED_mig_slice_speed.csv"),
        "model_batch,mig_profile,gpc_slices,mean_iter_time_s,n_samples,speed_rel_7g\n"
            + "bert_train2,7g.40gb,7,0.04723,4770,1.0\n"
            + "bert_train2,3g.20gb,3,0.07534,3067,0.6269\n"
            + "gnn_train8,7g.40gb,7,0.1,10,1.0\n"
            + "gnn_train8,1g.5gb,1,0.5,10,0.2\n");
    MisoTrace trace = MisoTrace.read(dir);
    List<SimJob> a = trace.jobs(7, 60);
    List<SimJob> b = trace.jobs(7, 60);
    assertThat(a).isEqualTo(b);
    SimJob bert = a.stream().filter(j -> j.id() == 0).findFirst().orElseThrow();
    assertThat(bert.duration()).isEqualTo(120);
    assertThat(bert.speeds()).isEqualTo(Map.of(7, 1.0, 3, 0.6269));
    assertThat(bert.fits(4)).isFalse();
    SimJob gnn = a.stream().filter(j -> j.id() == 1).findFirst().orElseThrow();
    assertThat(gnn.runTime(1)).isCloseTo(300.5 / 0.2, within(1e-9));
  }

  @Test
  void plainCsvMapsNeedToTheSlicesItFits(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("t.csv");
    Files.writeString(f, "arrival_s,duration_s,need\n0,100,0.1\n5,50,0.47\n9,10,1\n");
    List<SimJob> jobs = CsvTrace.plain(f, Catalog.A100_40GB);
    assertThat(jobs).hasSize(3);
    assertThat(jobs.get(0).speeds().keySet()).containsExactlyInAnyOrder(1, 2, 3, 4, 7);
    assertThat(jobs.get(1).speeds().keySet()).containsExactlyInAnyOrder(4, 7);
    assertThat(jobs.get(2).speeds().keySet()).containsExactly(7);
    assertThat(jobs.get(1).arrival()).isEqualTo(5);
  }

  @Test
  void alibabaKeepsFinishedGpuPodsTheMultiGpuOnesAsGangJobs(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("pods.csv");
    Files.writeString(
        f,
        "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
            + "deletion_time,scheduled_time\n"
            + "p0,1000,100,1,1000,,LS,Succeeded,100,700,200\n"
            + "p1,1000,100,1,320,,LS,Failed,150,400,160\n"
            + "p2,1000,100,0,0,,LS,Succeeded,150,400,160\n"
            + "p3,1000,100,8,1000,,LS,Succeeded,150,400,160\n"
            + "p4,1000,100,1,500,,LS,Running,150,900,160\n");
    List<SimJob> jobs = CsvTrace.alibaba(f, Catalog.A100_40GB, 30, 100);
    assertThat(jobs).hasSize(3);
    assertThat(jobs.get(0).arrival()).isZero();
    assertThat(jobs.get(0).duration()).isEqualTo(500);
    assertThat(jobs.get(0).speeds().keySet()).containsExactly(7);
    assertThat(jobs).extracting(SimJob::gpus).containsExactly(1, 0, 8);
    assertThat(jobs.get(2).duration()).isEqualTo(240);
    assertThat(jobs.get(1).arrival()).isEqualTo(50);
    assertThat(jobs.get(1).duration()).isEqualTo(240);
    assertThat(jobs.get(1).speeds().keySet()).containsExactlyInAnyOrder(3, 4, 7);
  }
}
