package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class K8sLabelChangeBenchTest {

  private static K8sBenchReport report;

  @BeforeAll
  static void runOnce() {
    report =
        K8sLabelChangeBench.run(
            shared("reference/mig/mig-parted-default-config.yaml"),
            K8sLabelChangeBench.nodes("a100-40gb:2,h100-80gb:2,a100-40gb:3"));
  }

  static Path shared(String relative) {
    String dir = System.getProperty("migctl.shared.dir", "../../shared");
    Path p = Path.of(dir).resolve(relative);
    assertThat(p).as("reference file (set -Dmigctl.shared.dir to the shared folder)").exists();
    return p;
  }

  @Test
  void migctlNeverDestroysABusyOrAllocatedDeviceNorFails() {
    for (K8sBenchReport.NodeResult n : report.nodes()) {
      for (K8sBenchReport.Row r : n.rows()) {
        String context = n.spec() + ": " + r.change().text();
        assertThat(r.migctl().userPodsLostDevice()).as(context).isZero();
        assertThat(r.migctl().failedCalls()).as(context).isZero();
        assertThat(r.migctl().outcome()).as(context).isNotEqualTo(ManagerRun.Outcome.FAILED);
      }
    }
  }

  @Test
  void migctlNeedsNoMoreOperationsResetsPausedSecondsOrPodsThanNvidiaOnAnyRow() {
    for (K8sBenchReport.NodeResult n : report.nodes()) {
      for (K8sBenchReport.Row r : n.rows()) {
        String context = n.spec() + ": " + r.change().text();
        assertThat(r.migctl().operations())
            .as(context)
            .isLessThanOrEqualTo(r.nvidia().operations());
        assertThat(r.migctl().resetGpus()).as(context).isLessThanOrEqualTo(r.nvidia().resetGpus());
        assertThat(r.migctl().pausedSeconds())
            .as(context)
            .isLessThanOrEqualTo(r.nvidia().pausedSeconds());
        assertThat(r.migctl().podsDisturbed())
            .as(context)
            .isLessThanOrEqualTo(r.nvidia().podsDisturbed());
      }
    }
  }

  @Test
  void aDeviceAllocatedByTheKubeletOnlyIsKeptByMigctlOrWaitsForAndNvidiaDestroysIt() {
    for (K8sBenchReport.NodeResult n : report.nodes()) {
      List<K8sBenchReport.Row> allocated =
          n.rows().stream()
              .filter(
                  r ->
                      r.change()
                          .holder()
                          .map(h -> h.use() == LabelChange.Use.KUBELET)
                          .orElse(false))
              .toList();
      assertThat(allocated).as(n.spec()).hasSize(4);
      for (K8sBenchReport.Row r : allocated) {
        String context = n.spec() + ": " + r.change().text();
        assertThat(r.nvidia().userPodsLostDevice()).as(context).isEqualTo(1);
        assertThat(r.migctl().userPodsLostDevice()).as(context).isZero();
        if (r.change().to().equals("all-disabled")) {
          assertThat(r.migctl().outcome()).as(context).isEqualTo(ManagerRun.Outcome.PENDING);
          assertThat(r.migctl().detail()).as(context).contains("pod default/train-0");
        } else {
          assertThat(r.migctl().outcome()).as(context).isEqualTo(ManagerRun.Outcome.APPLIED);
        }
      }
    }
  }

  @Test
  void aProcessOnAGpuThatMustChangeLeavesMigctlPendingAndFailsNvidia() {
    for (K8sBenchReport.NodeResult n : report.nodes()) {
      K8sBenchReport.Row blocked =
          n.rows().stream()
              .filter(
                  r ->
                      r.change().to().equals("all-disabled")
                          && r.change()
                              .holder()
                              .map(h -> h.use() == LabelChange.Use.PROCESS)
                              .orElse(false))
              .findFirst()
              .orElseThrow();
      assertThat(blocked.migctl().outcome()).isEqualTo(ManagerRun.Outcome.PENDING);
      assertThat(blocked.migctl().operations()).isZero();
      assertThat(blocked.migctl().pausedSeconds()).isZero();
      assertThat(blocked.migctl().detail()).contains("GPU 1", "pid");
      assertThat(blocked.nvidia().outcome()).isEqualTo(ManagerRun.Outcome.FAILED);
      assertThat(blocked.nvidia().operatorPods()).isEqualTo(K8sTimeModel.OPERATOR_PODS_PER_PAUSE);
    }
  }

  @Test
  void onAmpereNvidiaResetsEveryGpuWhereMigctlResetsOnlyTheOneWhoseModeChanges() {
    K8sBenchReport.NodeResult threeA100 =
        report.nodes().stream()
            .filter(n -> n.spec().equals("a100-40gb:3"))
            .findFirst()
            .orElseThrow();
    K8sBenchReport.Row gpu0Off =
        threeA100.rows().stream()
            .filter(r -> r.change().to().equals(LabelChange.ONE_GPU_OFF))
            .findFirst()
            .orElseThrow();
    assertThat(gpu0Off.migctl().resetGpus()).isEqualTo(1);
    assertThat(gpu0Off.nvidia().resetGpus()).isEqualTo(3);
    K8sBenchReport.NodeResult twoH100 =
        report.nodes().stream()
            .filter(n -> n.spec().equals("h100-80gb:2"))
            .findFirst()
            .orElseThrow();
    assertThat(K8sBenchReport.Totals.of(twoH100.nvidiaRuns()).resetGpus())
        .as("Hopper changes MIG mode without a reset")
        .isZero();
  }

  @Test
  void totalsAddUpOverRowsAndNodes() {
    int ops = 0;
    int resets = 0;
    int pods = 0;
    double paused = 0;
    int pauses = 0;
    for (K8sBenchReport.NodeResult n : report.nodes()) {
      K8sBenchReport.Totals t = K8sBenchReport.Totals.of(n.nvidiaRuns());
      assertThat(t.changes()).isEqualTo(n.rows().size());
      assertThat(t.outcomes().values().stream().mapToInt(Integer::intValue).sum())
          .isEqualTo(n.rows().size());
      for (K8sBenchReport.Row r : n.rows()) {
        ops += r.nvidia().operations();
        resets += r.nvidia().resetGpus();
        pods += r.nvidia().podsDisturbed();
        paused += r.nvidia().pausedSeconds();
        pauses += r.nvidia().pausedSeconds() > 0 ? 1 : 0;
      }
    }
    K8sBenchReport.Totals all = K8sBenchReport.Totals.of(report.allNvidia());
    assertThat(all.operations()).isEqualTo(ops);
    assertThat(all.resetGpus()).isEqualTo(resets);
    assertThat(all.podsDisturbed()).isEqualTo(pods);
    assertThat(all.pausedSeconds()).isEqualTo(paused);
    assertThat(all.operatorPods()).isEqualTo(pauses * K8sTimeModel.OPERATOR_PODS_PER_PAUSE);
    assertThat(report.markdown())
        .contains("| all nodes", K8sBenchReport.MIGCTL, K8sBenchReport.NVIDIA, "per pause: 15 s");
    assertThat(report.json()).contains("\"pausedSeconds\"", "\"timeModel\"");
  }

  @Test
  void aNodeOfOneGpuIsRefusedWithTheFix() {
    assertThatThrownBy(() -> K8sLabelChangeBench.nodes("a100-40gb:2,h100-80gb"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("h100-80gb has one GPU")
        .hasMessageContaining("h100-80gb:2");
    assertThat(K8sLabelChangeBench.nodes("a100-40gb:8"))
        .containsExactly(SimulatedNodeSpec.parse("a100-40gb:8"));
  }
}
