package io.migctl.core.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.change.Layouts;
import io.migctl.core.slurm.GresFinding.Kind;
import io.migctl.core.slurm.GresFinding.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SlurmGresCheckTest {

  private static final String NODE = "n1";

  private static final DeviceFilePaths FILES = TestDeviceFiles.BY_IDS;

  /** GPU 0: 1g.5gb at 0 and 1, 2g.10gb at 2; GPU 1: MIG off. Slurm GPUs 0-3. */
  private static NodeGres live(String... extra) {
    Layouts gpu0 = new Layouts(Catalog.A100_40GB).index(0).gi("1g.5gb", 0).gi("1g.5gb", 1);
    gpu0 = gpu0.gi("2g.10gb", 2);
    for (String profile : extra) {
      gpu0 = gpu0.gi(profile, 4);
    }
    GpuSnapshot off = new Layouts(Catalog.A100_40GB, MigMode.DISABLED).index(1).snapshot();
    return NodeGres.of(List.of(gpu0.snapshot(), off), GresNaming.PROFILE, FILES);
  }

  /** What slurmd -G prints for files written from {@code gres}. */
  private static List<SlurmdGres> slurmd(NodeGres gres) {
    return gres.devices().stream()
        .map(d -> new SlurmdGres("gpu", d.type(), 1, d.files()))
        .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
  }

  private static String controller(NodeGres gres) {
    return gres.nodeFragment(NODE).strip().replaceFirst("^NodeName=\\S+ Gres=", "");
  }

  private static Optional<GresMap> map(NodeGres gres) {
    return Optional.of(GresMap.parse(gres.mapTsv()));
  }

  private static List<GresFinding> check(
      NodeGres live, List<SlurmdGres> slurmd, String controller, Optional<GresMap> map) {
    return SlurmGresCheck.findings(NODE, live, slurmd, controller, map);
  }

  /** The check of files written from {@code gres} with the map's lines given. */
  private static List<GresFinding> checkMap(NodeGres gres, List<String> mapLines) {
    return check(
        gres,
        slurmd(gres),
        controller(gres),
        Optional.of(GresMap.parse(String.join("\n", mapLines))));
  }

  @Test
  void filesWrittenFromTheLiveLayoutAgreeWithIt() {
    NodeGres gres = live();

    assertThat(controller(gres)).isEqualTo("gpu:1g.5gb:2,gpu:2g.10gb:1,gpu:a100-40gb:1");
    assertThat(check(gres, slurmd(gres), controller(gres), map(gres))).isEmpty();
  }

  @Test
  void aNewSliceThatNoRecordNamesIsNotProtectedAndComesFirst() {
    NodeGres before = live();
    NodeGres after = live("3g.20gb");
    GresDevice added = after.devices().get(3);
    assertThat(added.type()).isEqualTo("3g.20gb");

    List<GresFinding> findings = check(after, slurmd(before), controller(before), map(before));

    GresFinding first = findings.getFirst();
    assertThat(first.kind()).isEqualTo(Kind.NOT_PROTECTED);
    assertThat(first.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(first.device()).isEqualTo(added.uuid());
    assertThat(first.message())
        .contains(added.uuid(), "3g.20gb", "NOT PROTECTED", added.files().getLast(), "node n1")
        .contains("migctl slurm gres -o DIR");
    // The GPU's own 3g.20gb count differs from the controller's too; nothing else is wrong.
    assertThat(findings)
        .extracting(GresFinding::kind, GresFinding::device)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Kind.NOT_PROTECTED, added.uuid()),
            org.assertj.core.groups.Tuple.tuple(Kind.COUNT_MISMATCH, "gpu:3g.20gb"));
  }

  @Test
  void aWholeGpuInNoRecordIsNotProtected() {
    NodeGres gres = live();
    List<SlurmdGres> records = slurmd(gres);
    records.removeLast();

    List<GresFinding> findings = check(gres, records, "", Optional.empty());

    assertThat(findings.getFirst().kind()).isEqualTo(Kind.NOT_PROTECTED);
    assertThat(findings.getFirst().message()).contains("GPU-test-1", "MIG off", "/dev/nvidia1");
  }

  @Test
  void aRecordOfADestroyedSliceIsStale() {
    NodeGres before = live("3g.20gb");
    NodeGres after = live();

    List<GresFinding> findings = check(after, slurmd(before), controller(after), Optional.empty());

    assertThat(findings)
        .filteredOn(f -> f.kind() == Kind.STALE_RECORD)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.device()).isEqualTo("Slurm GPU 3");
              assertThat(f.severity()).isEqualTo(Severity.ERROR);
              assertThat(f.message())
                  .contains("3g.20gb", before.devices().get(3).files().getLast(), "stale");
            });
    assertThat(findings).noneMatch(f -> f.kind() == Kind.NOT_PROTECTED);
  }

  @Test
  void aRecordWithPartOfADevicesFilesIsStaleButItsDeviceIsGuarded() {
    NodeGres gres = live();
    List<SlurmdGres> records = slurmd(gres);
    GresDevice first = gres.devices().getFirst();
    records.set(0, new SlurmdGres("gpu", first.type(), 1, first.files().subList(1, 3)));

    List<GresFinding> findings = check(gres, records, controller(gres), Optional.empty());

    assertThat(findings).extracting(GresFinding::kind).containsExactly(Kind.STALE_RECORD);
  }

  @Test
  void aRecordTypedOtherwiseThanItsSliceIsWrongType() {
    NodeGres gres = live();
    List<SlurmdGres> records = slurmd(gres);
    GresDevice big = gres.devices().get(2);
    records.set(2, new SlurmdGres("gpu", "1g.5gb", 1, big.files()));

    List<GresFinding> findings = check(gres, records, controller(gres), Optional.empty());

    assertThat(findings.getFirst().kind()).isEqualTo(Kind.WRONG_TYPE);
    assertThat(findings.getFirst().message())
        .contains(big.uuid(), "types it 1g.5gb", "get a 2g.10gb");
    // The controller's counts now differ from what slurmd reads, for both types.
    assertThat(findings)
        .filteredOn(f -> f.kind() == Kind.COUNT_MISMATCH)
        .extracting(GresFinding::device)
        .containsExactly("gpu:1g.5gb", "gpu:2g.10gb");
  }

  @Test
  void aSliceListedTwiceIsADuplicate() {
    NodeGres gres = live();
    List<SlurmdGres> records = slurmd(gres);
    records.add(records.getFirst());

    List<GresFinding> findings = check(gres, records, controller(gres), Optional.empty());

    assertThat(findings.getFirst().kind()).isEqualTo(Kind.DUPLICATE_RECORD);
    assertThat(findings.getFirst().message()).contains("Slurm GPU 0 and Slurm GPU 4");
  }

  @Test
  void controllerCountsOtherThanTheGpusAreReported() {
    NodeGres gres = live();

    List<GresFinding> findings =
        check(gres, slurmd(gres), "gpu:1g.5gb:3,gpu:a100-40gb:1", Optional.empty());

    assertThat(findings)
        .extracting(GresFinding::device, GresFinding::message)
        .satisfiesExactly(
            t ->
                assertThat(t.toList())
                    .containsExactly(
                        "gpu:1g.5gb",
                        "Slurm's controller has gpu:1g.5gb:3 for node n1 but the GPUs have 2 of"
                            + " type 1g.5gb: the node is set INVALID_REG or drained, or jobs wait"
                            + " for devices that are not there. Regenerate the files with 'migctl"
                            + " slurm gres -o DIR', then restart Slurm's daemons in this order:"
                            + " stop slurmd, restart slurmctld, start slurmd ('migctl slurm"
                            + " reshape' does both)."),
            t ->
                assertThat(t.toList().get(1).toString())
                    .startsWith("Slurm's controller has gpu:2g.10gb:0 for node n1")
                    .contains("cannot ask for"));
  }

  @Test
  void controllerCountsOtherThanGresConfAreReportedWhenTheGpusAgreeWithTheController() {
    NodeGres gres = live();
    List<SlurmdGres> records = slurmd(gres);
    records.remove(1);

    List<GresFinding> findings = check(gres, records, controller(gres), Optional.empty());

    assertThat(findings)
        .extracting(GresFinding::kind)
        .containsExactly(Kind.NOT_PROTECTED, Kind.COUNT_MISMATCH);
    assertThat(findings.getLast().message())
        .contains("gpu:1g.5gb:2", "gres.conf gives slurmd 1", "INVALID_REG");
  }

  @Test
  void readsTheControllersGresWithSocketsUntypedAndOtherResources() {
    assertThat(
            SlurmGresCheck.controllerCounts(
                "gpu:1g.5gb:2(S:0-1),gpu:2g.10gb:1(S:0,2),shard:8,gpu:2,gpu,mps:1K"))
        .containsExactly(Map.entry("1g.5gb", 2L), Map.entry("2g.10gb", 1L), Map.entry("", 3L));
    assertThat(SlurmGresCheck.controllerCounts("")).isEmpty();
    assertThatThrownBy(() -> SlurmGresCheck.controllerCounts("gpu:a:b:c"))
        .hasMessageContaining("'gpu:a:b:c', not gpu[:type][:count]");
  }

  @Test
  void aRecordOfSeveralFilesIsOneSlurmGpuPerFile() {
    NodeGres gres =
        NodeGres.of(
            List.of(
                new Layouts(Catalog.A100_40GB, MigMode.DISABLED).index(0).snapshot(),
                new Layouts(Catalog.A100_40GB, MigMode.DISABLED).index(1).snapshot()),
            GresNaming.PROFILE,
            FILES);
    List<SlurmdGres> records =
        List.of(new SlurmdGres("gpu", "a100-40gb", 2, List.of("/dev/nvidia0", "/dev/nvidia1")));

    assertThat(check(gres, records, controller(gres), map(gres))).isEmpty();
  }

  @Test
  void aMapThatSwapsTwoSlicesGivesTasksTheWrongDevices() {
    NodeGres gres = live();
    List<String> lines = new ArrayList<>(gres.mapTsv().lines().toList());
    String zero = lines.get(1).replaceFirst("^0\t", "1\t");
    lines.set(1, lines.get(2).replaceFirst("^1\t", "0\t"));
    lines.set(2, zero);

    List<GresFinding> findings = checkMap(gres, lines);

    String uuid0 = gres.devices().get(0).uuid();
    String uuid1 = gres.devices().get(1).uuid();
    assertThat(findings)
        .extracting(GresFinding::kind, GresFinding::device)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Kind.MAP_MISMATCH, uuid0),
            org.assertj.core.groups.Tuple.tuple(Kind.MAP_MISMATCH, uuid1));
    assertThat(findings.getFirst().message())
        .contains(
            "the map gives Slurm GPU 0 as " + uuid1,
            "hands out " + uuid0,
            "wrong CUDA_VISIBLE_DEVICES");
  }

  @Test
  void aMapWithoutARowForASlurmGpuOrWithARowTooManyIsReported() {
    NodeGres gres = live();
    List<String> lines = new ArrayList<>(gres.mapTsv().lines().toList());
    lines.remove(2);
    lines.add("9\tMIG-gone\t1g.5gb\t0\t9\t0");

    List<GresFinding> findings = checkMap(gres, lines);

    assertThat(findings)
        .extracting(GresFinding::kind, GresFinding::device)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Kind.MAP_MISMATCH, "Slurm GPU 1"),
            org.assertj.core.groups.Tuple.tuple(Kind.MAP_EXTRA_ROW, "Slurm GPU 9"));
    assertThat(findings.getFirst().message()).contains("task prolog fails every task");
    assertThat(findings.getLast().severity()).isEqualTo(Severity.WARNING);
  }

  @Test
  void aMapLineThatIsNoRowIsRefusedWithItsLineNumber() {
    assertThatThrownBy(() -> GresMap.parse("# index\tuuid\ttype\n0 MIG-x 1g.5gb\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2 of the GPU map")
        .hasMessageContaining("migctl slurm gres -o DIR");
  }
}
