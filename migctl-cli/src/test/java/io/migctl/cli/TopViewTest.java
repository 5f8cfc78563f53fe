package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code migctl top}'s frame from the daemon's JSON: SM and tensor activity per slice. */
class TopViewTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private static final String GPUS =
      """
      [{'index': 0, 'model': 'NVIDIA H100 80GB HBM3', 'uuid': 'GPU-0000000000000', 'migEnabled': true,
        'memorySlices': 8, 'instances': [
          {'uuid': 'MIG-aaaaaaaaaaaaa', 'profile': '3g.40gb', 'start': 0, 'size': 4, 'gi': 2,
           'busy': true, 'job': 7, 'jobName': 'train'},
          {'uuid': 'MIG-bbbbbbbbbbbbb', 'profile': '1g.10gb', 'start': 4, 'size': 1, 'gi': 9,
           'busy': true, 'job': 8, 'jobName': 'tiny'},
          {'uuid': 'MIG-ccccccccccccc', 'profile': '1g.10gb', 'start': 5, 'size': 1, 'gi': 10,
           'busy': false}]},
       {'index': 1, 'model': 'NVIDIA A100-SXM4-40GB', 'uuid': 'GPU-1111111111111', 'migEnabled': true,
        'memorySlices': 8, 'instances': [
          {'uuid': 'MIG-ddddddddddddd', 'profile': '1g.5gb', 'start': 0, 'size': 1, 'gi': 7,
           'busy': true, 'job': 9, 'jobName': 'ampere'}]}]
      """;

  private static final String TELEMETRY =
      """
      {'simulated': true, 'gpus': [
        {'index': 0, 'instances': [
          {'uuid': 'MIG-aaaaaaaaaaaaa', 'fbUsedMiB': 20000, 'fbTotalMiB': 40000, 'grEngineActive': 0.8,
           'activity': {'grEngineActive': 0.8, 'smActive': 0.7, 'tensorActive': 0.45}},
          {'uuid': 'MIG-bbbbbbbbbbbbb', 'fbUsedMiB': 500, 'fbTotalMiB': 10000, 'grEngineActive': 0.06,
           'activity': {'grEngineActive': 0.06, 'smActive': 0.05, 'tensorActive': 0.01}},
          {'uuid': 'MIG-ccccccccccccc', 'fbUsedMiB': 0, 'fbTotalMiB': 10000, 'grEngineActive': 0.02,
           'activity': {'grEngineActive': 0.02, 'smActive': 0.02, 'tensorActive': 0.0}}]},
        {'index': 1, 'instances': [
          {'uuid': 'MIG-ddddddddddddd', 'fbUsedMiB': 1000, 'fbTotalMiB': 4864}]}]}
      """;

  private static final String JOBS =
      """
      [{'id': 7, 'name': 'train', 'state': 'running', 'gpu': '3g.40gb', 'startedAt': '2026-03-01T11:00:00Z'},
       {'id': 8, 'name': 'tiny', 'state': 'running', 'gpu': '1g.10gb', 'startedAt': '2026-03-01T11:00:00Z'},
       {'id': 9, 'name': 'ampere', 'state': 'running', 'gpu': '1g.5gb', 'startedAt': '2026-03-01T11:00:00Z'}]
      """;

  private static String line(List<String> frame, String uuidStart) {
    return frame.stream().filter(l -> l.contains(uuidStart)).findFirst().orElseThrow();
  }

  @Test
  void slicesShowSmAndTensorActivityAndAnUnderusedOneIsMarked() throws Exception {
    List<String> frame = TopView.render(json(GPUS), json(TELEMETRY), json(JOBS), 200, NOW);

    assertThat(line(frame, "MIG-aaaaaaaa")).contains("SM  70%  tensor  45%").doesNotContain("▼");
    assertThat(line(frame, "MIG-bbbbbbbb")).contains("SM   5%  tensor   1%  ▼ underused");
    // a free slice with idle SMs is not underused: nobody holds it
    assertThat(line(frame, "MIG-cccccccc")).contains("SM   2%").doesNotContain("underused");
    // Ampere reports no SM activity: nothing shown, never 0 %
    assertThat(line(frame, "MIG-dddddddd"))
        .contains("mem ")
        .doesNotContain("SM ")
        .doesNotContain("active")
        .doesNotContain("underused");
  }
}
