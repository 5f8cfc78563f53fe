package io.migctl.core.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.change.Layouts;
import io.migctl.core.mig.change.Layouts.Ci;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeGresTest {

  private static final DeviceFilePaths FILES = TestDeviceFiles.BY_IDS;

  /** GPU 0: 1g.5gb, 2g.10gb, 3g.20gb split 1c+2c; GPU 1: MIG off; GPU 2: 1g.5gb, 1g.5gb+me. */
  private static List<GpuSnapshot> a100Node() {
    GpuSnapshot gpu0 =
        new Layouts(Catalog.A100_40GB)
            .index(0)
            .gi("1g.5gb", 0)
            .gi("2g.10gb", 2)
            .gi("3g.20gb", 4, List.of(new Ci("1c.3g.20gb", 0), new Ci("2c.3g.20gb", 1)))
            .snapshot();
    GpuSnapshot gpu1 = new Layouts(Catalog.A100_40GB, MigMode.DISABLED).index(1).snapshot();
    GpuSnapshot gpu2 =
        new Layouts(Catalog.A100_40GB).index(2).gi("1g.5gb", 0).gi("1g.5gb+me", 1).snapshot();
    // Given out of order: the GPUs' own indexes decide.
    return List.of(gpu2, gpu0, gpu1);
  }

  @Test
  void groupsByTypeInFirstSeenOrderSoThatPositionsAreSlurmsIndexes() {
    NodeGres gres = NodeGres.of(a100Node(), GresNaming.PROFILE, FILES);

    assertThat(gres.devices())
        .extracting(
            d ->
                d.index()
                    + " "
                    + d.type()
                    + " gpu"
                    + d.gpu()
                    + " "
                    + d.files().get(2 % d.files().size()))
        .containsExactly(
            "0 1g.5gb gpu0 /dev/nvidia-caps/nvidia-cap1001",
            "1 1g.5gb gpu2 /dev/nvidia-caps/nvidia-cap3001",
            "2 2g.10gb gpu0 /dev/nvidia-caps/nvidia-cap1011",
            "3 1c.3g.20gb gpu0 /dev/nvidia-caps/nvidia-cap1021",
            "4 2c.3g.20gb gpu0 /dev/nvidia-caps/nvidia-cap1022",
            "5 a100-40gb gpu1 /dev/nvidia1",
            "6 1g.5gb+me gpu2 /dev/nvidia-caps/nvidia-cap3011");
    assertThat(gres.nodeFragment("gpu-node-1"))
        .isEqualTo(
            "NodeName=gpu-node-1 Gres=gpu:1g.5gb:2,gpu:2g.10gb:1,gpu:1c.3g.20gb:1,"
                + "gpu:2c.3g.20gb:1,gpu:a100-40gb:1,gpu:1g.5gb+me:1\n");
  }

  @Test
  void writesGresConfLinesAndTheMapInTheSameOrder() {
    NodeGres gres = NodeGres.of(a100Node(), GresNaming.PROFILE, FILES);

    List<String> conf = gres.gresConf().lines().filter(l -> !l.startsWith("#")).toList();
    assertThat(conf.getFirst())
        .isEqualTo(
            "Name=gpu Type=1g.5gb MultipleFiles=/dev/nvidia0,/dev/nvidia-caps/nvidia-cap1000,"
                + "/dev/nvidia-caps/nvidia-cap1001");
    assertThat(conf.get(5)).isEqualTo("Name=gpu Type=a100-40gb File=/dev/nvidia1");
    List<String> map = gres.mapTsv().lines().toList();
    assertThat(map.getFirst()).isEqualTo("# index\tuuid\ttype\tgpu\tgi\tci");
    assertThat(map.get(1)).matches("0\tMIG-test-\\d+\t1g\\.5gb\t0\t100\t0");
    assertThat(map.get(4)).matches("3\tMIG-test-\\d+\t1c\\.3g\\.20gb\t0\t102\t0");
    assertThat(map.get(5)).matches("4\tMIG-test-\\d+\t2c\\.3g\\.20gb\t0\t102\t1");
    assertThat(map.get(6)).isEqualTo("5\tGPU-test-1\ta100-40gb\t1\t-\t-");
    assertThat(map).hasSize(1 + conf.size());
  }

  @Test
  void autodetectNamesAsSlurmsNvmlPluginDoesOnA100() {
    NodeGres gres = NodeGres.of(a100Node(), GresNaming.AUTODETECT, FILES);

    // 1g.5gb and 1g.5gb+me (4864 MiB) are one type, as is 1c/2c.3g.20gb (19968 MiB: 19.5 -> 20).
    assertThat(gres.typeCounts())
        .containsExactly(
            java.util.Map.entry("nvidia_a100_1g.5gb", 3),
            java.util.Map.entry("nvidia_a100_2g.10gb", 1),
            java.util.Map.entry("nvidia_a100_3g.20gb", 2),
            java.util.Map.entry("nvidia_a100-sxm4-40gb", 1));
    assertThat(gres.devices()).extracting(GresDevice::index).containsExactly(0, 1, 2, 3, 4, 5, 6);
  }

  @Test
  void autodetectOnA30H100AndH200() {
    GpuSnapshot a30 =
        new Layouts(Catalog.A30_24GB).index(0).gi("1g.6gb", 0).gi("2g.12gb", 2).snapshot();
    GpuSnapshot h100 =
        new Layouts(Catalog.H100_80GB).index(1).gi("1g.10gb", 0).gi("3g.40gb", 4).snapshot();
    GpuSnapshot h200 = new Layouts(Catalog.H200_141GB).index(2).gi("7g.141gb", 0).snapshot();
    GpuSnapshot a30off = new Layouts(Catalog.A30_24GB, MigMode.DISABLED).index(3).snapshot();
    GpuSnapshot h100off = new Layouts(Catalog.H100_80GB, MigMode.DISABLED).index(4).snapshot();

    NodeGres gres =
        NodeGres.of(List.of(a30, h100, h200, a30off, h100off), GresNaming.AUTODETECT, FILES);

    // No '-' in "NVIDIA A30", "NVIDIA H100 80GB HBM3", "NVIDIA H200": the whole name stays.
    assertThat(gres.devices())
        .extracting(GresDevice::type)
        .containsExactly(
            "nvidia_a30_1g.6gb",
            "nvidia_a30_2g.12gb",
            "nvidia_h100_80gb_hbm3_1g.10gb",
            "nvidia_h100_80gb_hbm3_3g.40gb",
            "nvidia_h200_7g."
                + Math.round(Catalog.H200_141GB.profiles().getLast().memoryMiB() / 1024.0)
                + "gb",
            "nvidia_a30",
            "nvidia_h100_80gb_hbm3");
  }

  @Test
  void profileNamesOnA30H100AndH200() {
    GpuSnapshot a30 =
        new Layouts(Catalog.A30_24GB)
            .index(0)
            .gi("2g.12gb", 0, List.of(new Ci("1c.2g.12gb", 0), new Ci("1c.2g.12gb", 1)))
            .gi("1g.6gb", 2)
            .snapshot();
    GpuSnapshot h100 = new Layouts(Catalog.H100_80GB).index(1).gi("1g.10gb", 3).snapshot();
    GpuSnapshot h200 =
        new Layouts(Catalog.H200_141GB).index(2).gi("1g.18gb", 0).gi("1g.18gb", 1).snapshot();
    GpuSnapshot h200off = new Layouts(Catalog.H200_141GB, MigMode.DISABLED).index(3).snapshot();

    NodeGres gres = NodeGres.of(List.of(a30, h100, h200, h200off), GresNaming.PROFILE, FILES);

    assertThat(gres.nodeFragment("n1"))
        .isEqualTo(
            "NodeName=n1 Gres=gpu:1c.2g.12gb:2,gpu:1g.6gb:1,gpu:1g.10gb:1,gpu:1g.18gb:2,"
                + "gpu:h200-141gb:1\n");
    assertThat(gres.devices())
        .extracting(d -> d.gpu() + "/" + d.gpuInstance() + "/" + d.computeInstance())
        .containsExactly(
            "0/OptionalInt[100]/OptionalInt[0]",
            "0/OptionalInt[100]/OptionalInt[1]",
            "0/OptionalInt[101]/OptionalInt[0]",
            "1/OptionalInt[100]/OptionalInt[0]",
            "2/OptionalInt[100]/OptionalInt[0]",
            "2/OptionalInt[101]/OptionalInt[0]",
            "3/OptionalInt.empty/OptionalInt.empty");
  }

  @Test
  void aGpuWithMigOnButNoInstanceGivesNothing() {
    NodeGres gres =
        NodeGres.of(List.of(new Layouts(Catalog.H100_80GB).snapshot()), GresNaming.PROFILE, FILES);

    assertThat(gres.devices()).isEmpty();
    assertThat(gres.nodeFragment("n1")).isEqualTo("NodeName=n1 Gres=none\n");
    assertThat(gres.mapTsv()).isEqualTo(NodeGres.MAP_HEADER + "\n");
  }

  @Test
  void refusesANodeNameThatIsNotAHostName() {
    NodeGres gres = NodeGres.of(a100Node(), GresNaming.PROFILE, FILES);

    assertThatThrownBy(() -> gres.nodeFragment("n1 Gres=gpu:9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'n1 Gres=gpu:9' is not a host name")
        .hasMessageContaining("--node");
  }
}
