package io.migctl.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.input.InvalidTextException;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.replay.SimJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job tables read by their column names. The headers are those the traces publish (Helios's {@code
 * cluster_log.csv}, AcmeTrace's {@code trace_kalos.csv}, Alibaba's spot-GPU v2026 {@code
 * job_info_df.csv}, PAI v2020's headerless {@code pai_task_table.csv}; see
 * shared/reference/traces/README.md); the rows are made up to cover each rule.
 */
class JobTableTest {

  private static final GpuModel A100 = Catalog.require("a100-40gb");

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private static final String HELIOS =
      "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue\n";

  @Test
  void heliosJobsAreGangJobsOnTheirWholeGpusFromTheirSubmitTimes() throws IOException {
    Path file =
        write(
            "cluster_log.csv",
            HELIOS
                + "j1,ua,vc1,1,4,1,COMPLETED,2020-04-01 00:00:10,2020-04-01 00:00:12,2020-04-01"
                + " 00:01:12,60,2\n"
                + "j2,ub,vc1,0,4,1,COMPLETED,2020-04-01 00:00:20,2020-04-01 00:00:20,2020-04-01"
                + " 00:00:30,10,0\n"
                + "j3,ub,vc2,2,8,1,FAILED,2020-04-01 00:00:30,2020-04-01 00:00:31,2020-04-01"
                + " 00:00:41,10,1\n"
                + "j4,ua,vc2,16,32,2,COMPLETED,2020-04-01 00:00:40,2020-04-01 00:00:41,2020-04-01"
                + " 00:10:41,600,1\n"
                + "j5,ua,vc1,1,4,1,RUNNING,2020-04-01 00:00:50,2020-04-01 00:00:50,,,0\n"
                + "j6,ua,vc1,1,4,1,CANCELLED,2020-04-01 00:01:00,,,0,5\n");

    JobTable.Read read = JobTable.read(file, A100, 8, 100);

    assertThat(read.kind()).contains("gpu_num");
    assertThat(read.tooLarge()).as("the 16-GPU job on 8 GPUs").isEqualTo(1);
    assertThat(read.jobs())
        .extracting(SimJob::arrival, SimJob::duration, SimJob::gpus, SimJob::tenant)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0.0, 60.0, 1, "ua"),
            org.assertj.core.groups.Tuple.tuple(20.0, 10.0, 2, "ub"));
    assertThat(read.jobs()).allMatch(SimJob::isGang);
  }

  @Test
  void acmeTimesWithOffsetsAreCountedInAbsoluteTime() throws IOException {
    Path file =
        write(
            "trace_kalos.csv",
            "job_id,user,node_num,gpu_num,cpu_num,mem_per_pod_GB,shared_mem_per_pod,type,state,"
                + "submit_time,start_time,end_time,fail_time,stop_time,duration,queue,gpu_time\n"
                + "a,u1,1,1,8,100,10,Other,COMPLETED,2023-05-17 19:00:00+08:00,,,,,100,0,100\n"
                + "b,u2,1,1,8,100,10,Other,COMPLETED,2023-05-17 11:00:30.25+00:00,,,,,50,0,50\n");

    List<SimJob> jobs = JobTable.read(file, A100, 8, 100).jobs();

    // 19:00 at +08:00 is 11:00 UTC: the first, 30.25 s before the second.
    assertThat(jobs).extracting(SimJob::arrival).containsExactly(0.0, 30.25);
    assertThat(jobs).extracting(SimJob::tenant).containsExactly("u1", "u2");
  }

  @Test
  void spotWorkersBelowOneGpuAreSliceJobsEachAndWholeGpusAGangOfAllWorkers() throws IOException {
    Path file =
        write(
            "job_info_df.csv",
            "job_name,organization,gpu_model,cpu_request,gpu_request,worker_num,submit_time,"
                + "duration,job_type\n"
                + "s1,org-a,A10,4,0.3,2,100,500,Spot\n"
                + "s2,org-b,A100-SXM4-80GB,16,1.0,1,50,200,HP\n"
                + "s3,org-b,H800,64,8,2,120,900,HP\n"
                + "s4,org-a,A10,4,0,1,130,10,Spot\n"
                + "s5,org-a,A10,4,2,3,140,40,HP\n");

    JobTable.Read read = JobTable.read(file, A100, 8, 100);

    assertThat(read.tooLarge()).as("8 GPUs x 2 workers on 8 GPUs").isEqualTo(1);
    List<SimJob> jobs = read.jobs();
    assertThat(jobs)
        .extracting(SimJob::arrival, SimJob::gpus, SimJob::tenant)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0.0, 1, "org-b"),
            org.assertj.core.groups.Tuple.tuple(50.0, 0, "org-a"),
            org.assertj.core.groups.Tuple.tuple(50.0, 0, "org-a"),
            org.assertj.core.groups.Tuple.tuple(90.0, 6, "org-a"));
    // 0.3 of an A100-40GB fits 3g.20gb (3/7 of its compute) and not 2g.10gb (2/7).
    assertThat(jobs.get(1).smallestFit()).isEqualTo(3);
    assertThat(jobs).extracting(SimJob::id).containsExactly(0, 1, 2, 3);
  }

  @Test
  void paiTaskTablesWithoutAHeaderReadPlanGpuAsPercentPerInstance() throws IOException {
    Path file =
        write(
            "pai_task_table.csv",
            "j1,worker,2,Terminated,1000.0,1600.0,600.0,29.3,50.0,V100\n"
                + "j2,worker,1,Failed,1100.0,1150.0,600.0,29.3,100.0,T4\n"
                + "j3,PS,1,Terminated,1200.0,1300.0,600.0,29.3,,\n"
                + "j4,worker,1,Running,1300.0,,600.0,29.3,50.0,V100\n"
                + "j5,worker,1,Terminated,1400.0,1500.0,600.0,29.3,600.0,MISC\n");

    assertThat(JobTable.detect("j1,worker,2,Terminated,1000.0,1600.0,600.0,29.3,50.0,V100"))
        .isTrue();
    JobTable.Read read = JobTable.read(file, A100, 8, 100);

    assertThat(read.kind()).contains("PAI");
    assertThat(read.jobs())
        .extracting(SimJob::arrival, SimJob::duration, SimJob::gpus)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0.0, 600.0, 0),
            org.assertj.core.groups.Tuple.tuple(0.0, 600.0, 0),
            org.assertj.core.groups.Tuple.tuple(100.0, 50.0, 1),
            org.assertj.core.groups.Tuple.tuple(400.0, 100.0, 6));
  }

  @Test
  void theLimitKeepsTheEarliestJobsWhateverTheOrderOfTheRows() throws IOException {
    Path file =
        write(
            "t.csv",
            "job_name,organization,gpu_request,worker_num,submit_time,duration\n"
                + "c,o,0.5,1,300,10\n"
                + "a,o,0.5,1,100,10\n"
                + "b,o,0.5,1,200,10\n");

    assertThat(JobTable.read(file, A100, 8, 2).jobs())
        .extracting(SimJob::arrival)
        .containsExactly(0.0, 100.0);
  }

  @Test
  void hugeCountsAreJobsLargerThanTheClusterNotOverflows() throws IOException {
    Path file =
        write(
            "t.csv",
            "job_name,organization,gpu_request,worker_num,submit_time,duration\n"
                + "a,o,8,3000000000,0,10\n"
                + "b,o,1e300,1,1,10\n"
                + "c,o,0.5,1,2,10\n");

    JobTable.Read read = JobTable.read(file, A100, 8, 10);

    assertThat(read.tooLarge()).isEqualTo(2);
    assertThat(read.jobs()).singleElement().extracting(SimJob::gpus).isEqualTo(0);
  }

  @Test
  void edgeRowsAreReadAsTheRulesSay() throws IOException {
    Path file =
        write(
            "edges.csv",
            HELIOS
                // an empty user is the default tenant; a fraction of a second counts
                + "j1,,vc1,1,4,1,COMPLETED,2020-04-01 00:00:10.5,,,60,2\n"
                // a job of exactly the cluster's 8 GPUs fits it
                + "j2,ua,vc1,8,4,1,COMPLETED,2020-04-01 00:00:11,,,60,2\n"
                // no submit time, or a row shorter than the header: left out
                + "j3,ua,vc1,1,4,1,COMPLETED,,,,60,2\n"
                + "j4,ua,vc1,1,4,1,COMPLETED,2020-04-01 00:00:12\n"
                // a row without its last field, queue, which is not read: kept
                + "j5,ub,vc1,1,4,1,COMPLETED,2020-04-01 00:00:13,,,30\n");

    List<SimJob> jobs = JobTable.read(file, A100, 8, 100).jobs();

    assertThat(jobs)
        .extracting(SimJob::arrival, SimJob::gpus, SimJob::tenant)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0.0, 1, SimJob.DEFAULT_TENANT),
            org.assertj.core.groups.Tuple.tuple(0.5, 8, "ua"),
            org.assertj.core.groups.Tuple.tuple(2.5, 1, "ub"));
  }

  @Test
  void theLimitCountsEachWorkerOfASharedTask() throws IOException {
    Path file =
        write(
            "t.csv",
            "job_name,organization,gpu_request,worker_num,submit_time,duration\n"
                + "a,o,0.5,3,0,10\n"
                + "b,o,0.5,3,5,10\n");

    assertThat(JobTable.read(file, A100, 8, 4).jobs())
        .extracting(SimJob::arrival)
        .containsExactly(0.0, 0.0, 0.0, 5.0);
    assertThat(JobTable.read(file, A100, 8, 3).jobs()).hasSize(3);
  }

  @Test
  void aColumnIsFoundWhereverItStands() throws IOException {
    // Each of state, duration, worker_num and user as the first column.
    Path stateFirst =
        write("a.csv", "state,gpu_num,submit_time,duration\nRUNNING,1,0,10\nCOMPLETED,1,5,10\n");
    Path durationFirst = write("b.csv", "duration,gpu_num,submit_time\n10,1,0\n20,2,5\n");
    Path workersFirst = write("c.csv", "worker_num,gpu_request,submit_time,duration\n2,1,0,10\n");
    Path userFirst = write("d.csv", "user,gpu_num,submit_time,duration\nbob,1,0,10\n");

    assertThat(JobTable.read(stateFirst, A100, 8, 10).jobs())
        .extracting(SimJob::arrival)
        .containsExactly(0.0);
    assertThat(JobTable.read(durationFirst, A100, 8, 1).jobs()).as("the limit").hasSize(1);
    assertThat(JobTable.read(durationFirst, A100, 8, 10).jobs())
        .extracting(SimJob::duration, SimJob::gpus)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(10.0, 1),
            org.assertj.core.groups.Tuple.tuple(20.0, 2));
    assertThat(JobTable.read(workersFirst, A100, 8, 10).jobs())
        .singleElement()
        .extracting(SimJob::gpus)
        .isEqualTo(2);
    assertThat(JobTable.read(userFirst, A100, 8, 10).jobs())
        .singleElement()
        .extracting(SimJob::tenant)
        .isEqualTo("bob");
  }

  @Test
  void headersAreDetectedByTheirColumnNames() {
    assertThat(JobTable.detect(HELIOS.strip())).isTrue();
    assertThat(JobTable.detect("job_name,organization,gpu_model,gpu_request,submit_time,duration"))
        .isTrue();
    assertThat(JobTable.detect("arrival_s,duration_s,need")).isFalse();
    assertThat(JobTable.detect("name,cpu_milli,memory_mib,num_gpu,gpu_milli")).isFalse();
    assertThat(JobTable.detect("job_name,inst_id,user,status,start_time,end_time"))
        .as("PAI's job table names no GPU")
        .isFalse();
    assertThat(JobTable.detect("job_id,gpu_num,submit_time")).as("no duration").isFalse();
  }

  @Test
  void badTimesAndTenantsAreNamedByLineAndColumn() throws IOException {
    Path badTime = write("a.csv", HELIOS + "j1,ua,vc1,1,4,1,COMPLETED,yesterday,,,60,2\n");
    Path badTenant =
        write("b.csv", HELIOS + "j1,u a,vc1,1,4,1,COMPLETED,2020-04-01 00:00:10,,,60,2\n");
    Path badDate =
        write("d.csv", HELIOS + "j1,ua,vc1,1,4,1,COMPLETED,2020-13-01 00:00:10,,,60,2\n");
    Path notATable = write("c.csv", "alpha,beta\n1,2\n");

    assertThatThrownBy(() -> JobTable.read(badTime, A100, 8, 10))
        .isInstanceOf(InvalidTextException.class)
        .hasMessage(
            "%s, line 2: submit_time \"yesterday\" is neither seconds nor a date such as"
                + " 2020-04-01 00:00:09",
            badTime);
    assertThatThrownBy(() -> JobTable.read(badDate, A100, 8, 10))
        .hasMessageContaining("line 2: submit_time \"2020-13-01 00:00:10\" is neither");
    assertThatThrownBy(() -> JobTable.read(badTenant, A100, 8, 10))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith(badTenant + ", line 2, column 2 (user): ");
    assertThatThrownBy(() -> JobTable.read(notATable, A100, 8, 10))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageContaining("not a job table");
  }
}
