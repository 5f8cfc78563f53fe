package io.migctl.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.replay.SimJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trace files: bounded lines, values named by line and column, no Java exception texts. */
class TraceReadersTest {

  private static final GpuModel A100 = Catalog.require("a100-40gb");

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void aPlainCsvReadsItsJobs() throws Exception {
    Path file = write("t.csv", "arrival_s,duration_s,need\n0,10,0.5\n5,20,1\n");
    assertThat(CsvTrace.plain(file, A100)).hasSize(2);
  }

  @Test
  void aPlainCsvWhoseHeaderNamesATenantColumnGivesEachJobItsTenant() throws Exception {
    Path file = write("t.csv", "arrival_s,duration_s,need,tenant\n0,10,0.5,alice\n5,20,1, bob\n");
    assertThat(CsvTrace.plain(file, A100))
        .extracting(SimJob::tenant)
        .containsExactly("alice", "bob");
    // Synonyms, in any column after the first three; without one, the default tenant.
    Path user = write("u.csv", "arrival_s,duration_s,need,gpu,user\n0,10,0.5,x,carol\n");
    assertThat(CsvTrace.plain(user, A100)).extracting(SimJob::tenant).containsExactly("carol");
    Path group = write("g.csv", "arrival_s,duration_s,need,group\n0,10,0.5,lab-7\n");
    assertThat(CsvTrace.plain(group, A100)).extracting(SimJob::tenant).containsExactly("lab-7");
    Path none = write("n.csv", "arrival_s,duration_s,need,owner\n0,10,0.5,dave\n");
    assertThat(CsvTrace.plain(none, A100)).extracting(SimJob::tenant).containsExactly("default");
  }

  @Test
  void theCommittedTwoTenantTraceOfTheReadmeReadsAsItsHeaderSays() throws Exception {
    Path file = Path.of(getClass().getResource("/traces/two-tenants.csv").toURI());
    assertThat(CsvTrace.plain(file, A100))
        .extracting(SimJob::tenant)
        .containsOnly("batch", "interactive")
        .filteredOn("interactive"::equals)
        .hasSize(8);
  }

  @Test
  void aBadOrMissingTenantIsNamedByLineAndColumn() throws IOException {
    Path bad = write("t.csv", "arrival_s,duration_s,need,tenant\n0,10,0.5,alice\n5,20,1,a b\n");
    assertThatThrownBy(() -> CsvTrace.plain(bad, A100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            bad + ", line 3, column 4 (tenant): 'a b' is not a tenant name; use letters");
    Path empty = write("e.csv", "arrival_s,duration_s,need,tenant\n0,10,0.5,\n");
    assertThatThrownBy(() -> CsvTrace.plain(empty, A100))
        .hasMessageStartingWith(empty + ", line 2, column 4 (tenant): '' is not a tenant name");
    Path missing = write("m.csv", "arrival_s,duration_s,need,tenant\n0,10,0.5\n");
    assertThatThrownBy(() -> CsvTrace.plain(missing, A100))
        .hasMessage(
            missing
                + ", line 2: no tenant field (column 4 of the header); give every job its tenant");
  }

  @Test
  void aValueThatIsNotANumberIsNamedByLineAndColumn() throws IOException {
    Path file = write("t.csv", "arrival_s,duration_s,need\n0,10,0.5\n5,abc,1\n");
    assertThatThrownBy(() -> CsvTrace.plain(file, A100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ", line 3: duration_s \"abc\" is not a number")
        .hasMessageNotContaining("For input string");
  }

  @Test
  void aLineLongerThanTheBoundIsRefused() throws IOException {
    Path file = write("t.csv", "0,10,0.5\n" + "1".repeat(70_000) + ",1,1\n");
    assertThatThrownBy(() -> CsvTrace.plain(file, A100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            file
                + ", line 2: longer than 65536 bytes; a trace line is a few hundred at most"
                + " (is it the right file?)");
  }

  @Test
  void textThatIsNotUtf8IsRefusedNamingTheLineAndByte() throws IOException {
    Path file = dir.resolve("t.csv");
    Files.write(file, "0,10,0.5\n1,\u00e9,1\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> CsvTrace.plain(file, A100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(file + ", line 2: not UTF-8 text at byte 2");
  }

  @Test
  void anAlibabaListWithoutItsColumnsIsRefusedNamingThem() throws IOException {
    Path file = write("pods.csv", "name,gpu_milli,creation_time\np1,500,0\n");
    assertThatThrownBy(() -> CsvTrace.alibaba(file, A100, 30, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            file
                + ", line 1: the header lacks the columns num_gpu, pod_phase, deletion_time,"
                + " scheduled_time of Alibaba's pod list");
    Path empty = write("empty.csv", "");
    assertThatThrownBy(() -> CsvTrace.alibaba(empty, A100, 30, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(empty + ": empty");
  }

  private static Path shared(String relative) {
    return Path.of(System.getProperty("migctl.shared.dir", "../../shared")).resolve(relative);
  }

  @Test
  void alibabasMultiGpuListReadsItsGangJobsWithSeededTimes() throws Exception {
    Path file = shared("reference/traces/alibaba-gpu-v2023/openb_pod_list_multigpu50.csv");
    CsvTrace.TimeSynthesis seed7 = new CsvTrace.TimeSynthesis(7);
    List<SimJob> jobs = CsvTrace.alibaba(file, A100, 30, 100_000, seed7);

    // The counts traces/README.md gives: 2-GPU 222, 4-GPU 206, 8-GPU 556; of the 6,989 one-GPU
    // pods 3,911 ask for a whole GPU, the others for a share.
    Map<Integer, Long> byGpus =
        jobs.stream().collect(Collectors.groupingBy(SimJob::gpus, Collectors.counting()));
    assertThat(byGpus)
        .containsExactlyInAnyOrderEntriesOf(Map.of(0, 3078L, 1, 3911L, 2, 222L, 4, 206L, 8, 556L));
    assertThat(jobs)
        .filteredOn(SimJob::isMultiGpu)
        .allMatch(j -> j.speeds().equals(Map.of(7, 1.0)));
    assertThat(jobs).extracting(SimJob::arrival).isSorted();
    // Seeded: the same seed draws the same times, another seed others.
    assertThat(CsvTrace.alibaba(file, A100, 30, 50, seed7)).isEqualTo(jobs.subList(0, 50));
    assertThat(CsvTrace.alibaba(file, A100, 30, 50, new CsvTrace.TimeSynthesis(8)))
        .isNotEqualTo(jobs.subList(0, 50));
    double[] durations = jobs.stream().mapToDouble(SimJob::duration).sorted().toArray();
    assertThat(durations[durations.length / 2]).isBetween(500.0, 580.0);
  }

  @Test
  void aListWithoutTimesIsReadOnlyWithASeedAndAListWithTimesNeverWithOne() throws IOException {
    Path timeless = write("m.csv", "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1,1,2,1000\n");
    assertThatThrownBy(() -> CsvTrace.alibaba(timeless, A100, 30, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without times")
        .hasMessageContaining("--synthesize-times SEED");
    Path timed =
        write(
            "t.csv",
            "name,num_gpu,gpu_milli,pod_phase,creation_time,deletion_time,scheduled_time\n"
                + "p,4,1000,Succeeded,0,100,10\n");
    assertThat(CsvTrace.alibaba(timed, A100, 30, 100))
        .singleElement()
        .satisfies(j -> assertThat(j.gpus()).isEqualTo(4))
        .satisfies(j -> assertThat(j.duration()).isEqualTo(90));
    assertThatThrownBy(() -> CsvTrace.alibaba(timed, A100, 30, 100, new CsvTrace.TimeSynthesis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has its own times");
  }

  @Test
  void deeplyNestedTraceJsonIsRefusedNamingTheFile() throws IOException {
    Path miso = Files.createDirectory(dir.resolve("miso"));
    Files.writeString(miso.resolve("trace_100.json"), "[".repeat(3000) + "]".repeat(3000));
    Files.writeString(miso.resolve("job_models.json"), "{}");
    Files.writeString(miso.resolve("DERIVED_mig_slice_speed.csv"), "h\n");
    assertThatThrownBy(() -> MisoTrace.read(miso))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(miso.resolve("trace_100.json") + ": nested more than 64 levels");
  }

  /** Found by TraceFileFuzzTest: a MISO file holding JSON null read as no map at all. */
  @Test
  void aMisoFileThatIsNotAnObjectIsRefusedSayingWhatItHolds() throws IOException {
    Path miso = Files.createDirectory(dir.resolve("miso-null"));
    Files.writeString(miso.resolve("trace_100.json"), "null");
    Files.writeString(miso.resolve("job_models.json"), "{}");
    Files.writeString(miso.resolve("DERIVED_mig_slice_speed.csv"), "h\n");
    assertThatThrownBy(() -> MisoTrace.read(miso))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            miso.resolve("trace_100.json")
                + ": the file holds null; MISO's trace files hold a JSON object, job index to"
                + " value");
  }
}
