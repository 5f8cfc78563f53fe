package io.migctl.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hardware comparison on recorded output: the A100-40GB of NVIDIA's MIG guide (empty, MIG on)
 * and the {@code nvidia-smi -q -x} of an A100-SXM4-40GB with two 3g.20gb instances.
 */
class HardwareCheckTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static String sample(String name) throws IOException {
    return Files.readString(
        Path.of(
            System.getProperty("migctl.shared.dir", "../../shared"),
            "reference/mig/nvidia-smi-samples",
            name));
  }

  /** migctl's profiles JSON for an empty A100-40GB, as the catalog gives it. */
  private static final String PROFILES =
      """
      [{"index":0,"migEnabled":true,"profiles":[
       {"name":"1g.5gb","id":19,"free":7,"maxCount":7,"placements":[{"start":0,"size":1},{"start":1,"size":1},{"start":2,"size":1},{"start":3,"size":1},{"start":4,"size":1},{"start":5,"size":1},{"start":6,"size":1}]},
       {"name":"1g.5gb+me","id":20,"free":1,"maxCount":1,"placements":[{"start":0,"size":1},{"start":1,"size":1},{"start":2,"size":1},{"start":3,"size":1},{"start":4,"size":1},{"start":5,"size":1},{"start":6,"size":1}]},
       {"name":"1g.10gb","id":15,"free":4,"maxCount":4,"placements":[{"start":0,"size":2},{"start":2,"size":2},{"start":4,"size":2},{"start":6,"size":2}]},
       {"name":"2g.10gb","id":14,"free":3,"maxCount":3,"placements":[{"start":0,"size":2},{"start":2,"size":2},{"start":4,"size":2}]},
       {"name":"3g.20gb","id":9,"free":2,"maxCount":2,"placements":[{"start":0,"size":4},{"start":4,"size":4}]},
       {"name":"4g.20gb","id":5,"free":1,"maxCount":1,"placements":[{"start":0,"size":4}]},
       {"name":"7g.40gb","id":0,"free":1,"maxCount":1,"placements":[{"start":0,"size":8}]}]}]
      """;

  @Test
  void theCatalogsA100TableMatchesNvidiasOutput() throws IOException {
    HardwareCheck c = new HardwareCheck();
    c.compareProfiles(
        sample("mig-user-guide_a100-40gb_mig-lgip.txt"),
        sample("mig-user-guide_a100-40gb_mig-lgipp.txt"),
        JSON.readTree("[]"),
        JSON.readTree(PROFILES));
    assertThat(c.passed()).as(String.join("\n", c.findings())).isTrue();
  }

  @Test
  void aDifferenceIsNamed() throws IOException {
    String wrong = PROFILES.replace("\"id\":9,", "\"id\":8,");
    HardwareCheck c = new HardwareCheck();
    c.compareProfiles(
        sample("mig-user-guide_a100-40gb_mig-lgip.txt"),
        sample("mig-user-guide_a100-40gb_mig-lgipp.txt"),
        JSON.readTree("[]"),
        JSON.readTree(wrong));
    assertThat(c.passed()).isFalse();
    assertThat(c.findings())
        .anyMatch(
            f ->
                f.startsWith("MISMATCH GPU 0 profiles")
                    && f.contains("3g.20gb id 9")
                    && f.contains("3g.20gb id 8"));
    assertThat(c.verdict()).startsWith("verdict: FAIL");
  }

  @Test
  void gpusAndInstancesAreComparedWithTheXmlAndTheGpuInstanceList() throws IOException {
    // The sample is an excerpt: its verbatim head (through </mig_devices>) and, after "...", the
    // GPU's uuid, pci and memory sections; join them into one document.
    String excerpt = sample("a100-sxm4-40gb_nvidia-smi-q-x_mig-section_510.47.03.xml.txt");
    int start = excerpt.indexOf("<?xml");
    int end = excerpt.indexOf("</mig_devices>", start) + "</mig_devices>".length();
    String head = excerpt.substring(start, end);
    String tail = excerpt.substring(end);
    String uuid = tail.replaceAll("(?s).*?(<uuid>[^<]*</uuid>).*", "$1");
    String device = tail.replaceAll("(?s).*?(<pci_device_id>[^<]*</pci_device_id>).*", "$1");
    String memory = tail.replaceAll("(?s).*?<fb_memory_usage>\\s*(<total>[^<]*</total>).*", "$1");
    List<NvidiaSmiXml.Gpu> xml =
        NvidiaSmiXml.gpus(
            head
                + uuid
                + "<pci>"
                + device
                + "</pci><fb_memory_usage>"
                + memory
                + "</fb_memory_usage></gpu></nvidia_smi_log>");
    assertThat(xml).hasSize(1);
    NvidiaSmiXml.Gpu g = xml.getFirst();
    assertThat(g.productName()).isEqualTo("NVIDIA A100-SXM4-40GB");
    assertThat(g.migCurrent()).isEqualTo("Enabled");
    assertThat(g.uuid()).isEqualTo("GPU-27b94a00-ed54-5c24-b1fd-1054085de32a");
    assertThat(g.memoryTotalMiB()).isEqualTo(40960);
    assertThat(g.pciDeviceId()).isEqualTo("20B010DE");
    JsonNode ours =
        JSON.readTree(
            "[{\"index\":0,\"name\":\"NVIDIA A100-SXM4-40GB\",\"uuid\":\""
                + g.uuid()
                + "\",\"memoryMiB\":"
                + g.memoryTotalMiB()
                + ",\"migEnabled\":true,\"migPending\":true,\"instances\":[]}]");
    HardwareCheck c = new HardwareCheck();
    c.compareGpus(xml, ours);
    assertThat(c.passed()).as(String.join("\n", c.findings())).isTrue();

    String lgi = sample("mig-user-guide_a100-40gb_cgi-19-14-5_4-2-1-geometry_and_lgi.txt");
    JsonNode instances =
        JSON.readTree(
            "[{\"index\":0,\"migEnabled\":true,\"instances\":["
                + "{\"gi\":13,\"gpuInstanceProfile\":\"1g.5gb\",\"start\":6,\"size\":1},"
                + "{\"gi\":5,\"gpuInstanceProfile\":\"2g.10gb\",\"start\":4,\"size\":2},"
                + "{\"gi\":1,\"gpuInstanceProfile\":\"4g.20gb\",\"start\":0,\"size\":4}]}]");
    c.compareInstances(lgi, instances);
    assertThat(c.passed()).as(String.join("\n", c.findings())).isTrue();
  }
}
