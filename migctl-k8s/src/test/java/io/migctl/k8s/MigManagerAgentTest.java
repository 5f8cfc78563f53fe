package io.migctl.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.k8s.MigManagerLabels;
import io.migctl.core.k8s.OperatorClient;
import io.migctl.core.k8s.PodAllocation;
import io.migctl.core.mig.DriverError;
import io.migctl.core.mig.ForwardingMigDriver;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.Placement;
import io.migctl.k8s.node.NodeEvent;
import io.migctl.nvidia.sim.SimOperation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The agent's scenarios on an in-memory GPU Operator node with a simulated a100-40gb:2. */
class MigManagerAgentTest {

  static final String CONFIG =
      """
      version: v1
      mig-configs:
        all-disabled:
          - devices: all
            mig-enabled: false
        all-1g.5gb:
          - devices: all
            mig-enabled: true
            mig-devices:
              "1g.5gb": 7
        all-balanced:
          - devices: all
            mig-enabled: true
            mig-devices:
              "1g.5gb": 2
              "2g.10gb": 1
              "3g.20gb": 1
        gpu0-changes:
          - devices: [0]
            mig-enabled: true
            mig-devices:
              "3g.20gb": 2
          - devices: [1]
            mig-enabled: true
            mig-devices:
              "1g.5gb": 2
              "2g.10gb": 1
              "3g.20gb": 1
        split:
          - devices: all
            mig-enabled: true
            mig-devices:
              "3g.20gb": 1
              "1g.5gb": 3
        gpu0-off:
          - devices: [0]
            mig-enabled: false
          - devices: [1]
            mig-enabled: true
            mig-devices:
              "1g.5gb": 2
              "2g.10gb": 1
              "3g.20gb": 1
      """;

  private static final List<String> ALL_PAUSED =
      OperatorClient.ALL.stream().map(c -> MigManagerLabels.PAUSED).toList();
  private static final List<String> ALL_TRUE =
      OperatorClient.ALL.stream().map(c -> "true").toList();

  private final InMemoryNodeHarness h = new InMemoryNodeHarness("a100-40gb:2");

  @Test
  void aLabelChangeGoesPendingWithTheClientsPausedThenSuccessWithThemBack() {
    h.label("all-balanced");
    int before = h.node.labelHistory().size();

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.action()).isEqualTo("applied");
    assertThat(r.resetGpus()).isEmpty();
    assertThat(r.operations()).isEqualTo(2 * 8);
    List<Map<String, String>> writes =
        h.node.labelHistory().subList(before, h.node.labelHistory().size());
    assertThat(writes)
        .extracting(l -> l.get(MigManagerLabels.STATE))
        .containsExactly("pending", "success");
    assertThat(writes.get(0)).containsAllEntriesOf(deploy(ALL_PAUSED));
    assertThat(writes.get(1)).containsAllEntriesOf(deploy(ALL_TRUE));
    assertThat(h.node.events())
        .extracting(NodeEvent::reason)
        .containsExactly(NodeEvent.PENDING, NodeEvent.APPLIED);
    assertThat(h.node.read().annotations())
        .containsEntry(Annotations.CONFIG, "all-balanced")
        .containsKey(Annotations.CONFIG_HASH)
        .containsKey(Annotations.PLAN)
        .doesNotContainKeys(Annotations.CHANGE, Annotations.REASON);
    assertThat(LiveGpus.devices(h.driver, 0))
        .isEqualTo(Map.of("1g.5gb", 2, "2g.10gb", 1, "3g.20gb", 1));
    assertThat(LiveGpus.devices(h.driver, 1))
        .isEqualTo(Map.of("1g.5gb", 2, "2g.10gb", 1, "3g.20gb", 1));
  }

  @Test
  void alreadyAppliedIsSuccessWithNothingPaused() {
    settle("all-balanced");
    h.node.setLabels(Map.of(MigManagerLabels.STATE, "pending")); // as after a restart mid-way
    int before = h.node.labelHistory().size();
    int events = h.node.events().size();

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.action()).isEqualTo("as-desired");
    List<Map<String, String>> writes =
        h.node.labelHistory().subList(before, h.node.labelHistory().size());
    assertThat(writes).hasSize(1);
    assertThat(writes.get(0))
        .containsEntry(MigManagerLabels.STATE, "success")
        .containsAllEntriesOf(deploy(ALL_TRUE));
    assertThat(h.node.events().subList(events, h.node.events().size()))
        .extracting(NodeEvent::reason)
        .containsExactly(NodeEvent.APPLIED);
  }

  @Test
  void aSettledNodeIsNotWrittenAgain() {
    settle("all-balanced");
    String version = h.node.read().resourceVersion();
    int events = h.node.events().size();

    h.agent(CONFIG).reconcile();

    assertThat(h.node.read().resourceVersion()).isEqualTo(version);
    assertThat(h.node.events()).hasSize(events);
  }

  @Test
  void onlyTheGpuThatChangesIsTouchedAndReset() {
    settle("all-balanced");
    String gpu1 = LiveGpus.uuids(h.driver, 1).toString();
    h.label("gpu0-changes");

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.action()).isEqualTo("applied");
    assertThat(r.resetGpus()).isEmpty();
    assertThat(r.plan()).contains("GPU 1: as desired");
    assertThat(LiveGpus.uuids(h.driver, 1).toString()).isEqualTo(gpu1);
    assertThat(LiveGpus.devices(h.driver, 0)).isEqualTo(Map.of("3g.20gb", 2));
  }

  @Test
  void aModeChangeResetsOnlyTheGpuWhoseModeChanges() {
    settle("all-balanced");
    String gpu1 = LiveGpus.uuids(h.driver, 1).toString();
    h.label("gpu0-off");
    int events = h.node.events().size();

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.resetGpus()).containsExactly(0);
    assertThat(h.node.events().subList(events, h.node.events().size()))
        .extracting(NodeEvent::reason)
        .containsExactly(NodeEvent.PENDING, NodeEvent.GPU_RESET, NodeEvent.APPLIED);
    assertThat(h.driver.gpus().get(0).migMode().current()).isFalse();
    assertThat(LiveGpus.uuids(h.driver, 1).toString()).isEqualTo(gpu1);
  }

  @Test
  void aDeviceHeldByAProcessKeepsTheNodePendingUntilItIsFreed() {
    settle("all-balanced");
    String held = LiveGpus.uuid(h.driver, 0, "3g.20gb");
    h.driver.hold(held, 4242);
    h.label("all-1g.5gb");

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.action()).isEqualTo("blocked");
    assertThat(h.state()).isEqualTo("pending");
    assertThat(h.deployLabels()).containsAllEntriesOf(deploy(ALL_TRUE));
    assertThat(h.node.events().getLast().reason()).isEqualTo(NodeEvent.REFUSED);
    assertThat(h.node.events().getLast().message()).contains(held).contains("pid 4242");
    assertThat(h.node.read().annotations().get(Annotations.HOLDERS)).contains("pid 4242");

    h.driver.release(held, Optional.empty());
    Reconciled after = h.agent(CONFIG).reconcile();

    assertThat(after.action()).isEqualTo("applied");
    assertThat(h.state()).isEqualTo("success");
    assertThat(h.node.read().annotations())
        .doesNotContainKeys(Annotations.HOLDERS, Annotations.PENDING_SINCE);
  }

  @Test
  void aDeviceOnlyAllocatedByTheKubeletIsProtectedAndThePodIsNamed() {
    settle("all-balanced");
    String allocated = LiveGpus.uuid(h.driver, 1, "3g.20gb");
    h.kubelet.allocate(
        new PodAllocation("ml", "train-0", "main", "nvidia.com/mig-3g.20gb", List.of(allocated)));
    h.label("all-1g.5gb");

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.action()).isEqualTo("blocked");
    assertThat(h.state()).isEqualTo("pending");
    NodeEvent refused = h.node.events().getLast();
    assertThat(refused.reason()).isEqualTo(NodeEvent.REFUSED);
    assertThat(refused.warning()).isTrue();
    assertThat(refused.message()).contains("pod ml/train-0 (container main)").contains(allocated);
    assertThat(LiveGpus.uuids(h.driver, 1)).contains(allocated);

    h.kubelet.release("ml", "train-0");
    assertThat(h.agent(CONFIG).reconcile().action()).isEqualTo("applied");
    assertThat(LiveGpus.devices(h.driver, 1)).isEqualTo(Map.of("1g.5gb", 7));
  }

  @Test
  void aBlockedChangeFailsOnlyAfterTheDeadlineAndRecoversWhenFreed() {
    settle("all-balanced");
    String held = LiveGpus.uuid(h.driver, 0, "2g.10gb");
    h.driver.hold(held, 77);
    h.label("all-disabled");
    h.agent(CONFIG).reconcile();
    h.clock.advance(Duration.ofMinutes(29));
    assertThat(h.agent(CONFIG).reconcile().state())
        .hasValue(io.migctl.core.k8s.MigConfigState.PENDING);

    h.clock.advance(Duration.ofMinutes(1));
    Reconciled late = h.agent(CONFIG).reconcile();

    assertThat(h.state()).isEqualTo("failed");
    assertThat(late.message()).startsWith("gave up after PT30M");
    assertThat(h.node.events().getLast().reason()).isEqualTo(NodeEvent.FAILED);

    h.driver.release(held, Optional.empty());
    assertThat(h.agent(CONFIG).reconcile().action()).isEqualTo("applied");
    assertThat(h.state()).isEqualTo("success");
  }

  @Test
  void aDriverFaultFailsWithTheLabelsRestoredAndTheNextReconcileConverges() {
    h.driver.failNext(SimOperation.CREATE_GI, DriverError.UNKNOWN, 1, 2);
    h.label("all-balanced");

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.action()).isEqualTo("failed");
    assertThat(h.state()).isEqualTo("failed");
    assertThat(h.deployLabels()).containsAllEntriesOf(deploy(ALL_TRUE));
    assertThat(h.node.read().annotations())
        .doesNotContainKey(Annotations.CHANGE)
        .containsKey(Annotations.REASON);
    assertThat(h.node.events().getLast().reason()).isEqualTo(NodeEvent.FAILED);

    assertThat(h.agent(CONFIG).reconcile().action()).isEqualTo("applied");
    assertThat(h.state()).isEqualTo("success");
    assertThat(LiveGpus.devices(h.driver, 0))
        .isEqualTo(Map.of("1g.5gb", 2, "2g.10gb", 1, "3g.20gb", 1));
  }

  @Test
  void conflictingWritesAreRetriedFromAFreshRead() {
    h.label("all-balanced");
    h.node.conflictNext(2);

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.action()).isEqualTo("applied");
    assertThat(h.log).filteredOn(l -> l.contains("reading it again")).hasSize(2);
  }

  @Test
  void anAgentKilledMidApplyFinishesItOnRestartAndLeavesNothingPaused() {
    h.label("all-balanced");
    AtomicInteger creates = new AtomicInteger();
    ForwardingMigDriver dying =
        new ForwardingMigDriver(h.driver) {
          @Override
          public GpuInstance createGpuInstance(int gpu, int profileId, Optional<Placement> p) {
            if (creates.incrementAndGet() == 3) {
              throw new Killed();
            }
            return delegate.createGpuInstance(gpu, profileId, p);
          }
        };
    try {
      h.agent(CONFIG, dying, AgentSettings.defaults()).reconcile();
    } catch (Killed expected) {
      // the process died here
    }
    assertThat(h.deployLabels()).containsAllEntriesOf(deploy(ALL_PAUSED));
    assertThat(h.node.read().annotations()).containsKey(Annotations.CHANGE);

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(h.log).anyMatch(l -> l.startsWith("recovered an interrupted apply"));
    assertThat(r.state()).hasValue(io.migctl.core.k8s.MigConfigState.SUCCESS);
    assertThat(h.deployLabels()).containsAllEntriesOf(deploy(ALL_TRUE));
    assertThat(h.node.read().annotations()).doesNotContainKey(Annotations.CHANGE);
    assertThat(LiveGpus.devices(h.driver, 0))
        .isEqualTo(Map.of("1g.5gb", 2, "2g.10gb", 1, "3g.20gb", 1));
    assertThat(LiveGpus.devices(h.driver, 1))
        .isEqualTo(Map.of("1g.5gb", 2, "2g.10gb", 1, "3g.20gb", 1));
  }

  @Test
  void theCdiSpecIsRewrittenAfterTheGpusChangedAndBeforeTheClientsComeBack() {
    h.label("all-balanced");
    List<String> seen = new java.util.ArrayList<>();
    h.afterChange =
        () ->
            seen.add(
                LiveGpus.devices(h.driver, 0)
                    + " "
                    + h.deployLabels().get(OperatorClient.ALL.getFirst().deployLabel()));

    h.agent(CONFIG).reconcile();

    assertThat(seen).containsExactly("{1g.5gb=2, 2g.10gb=1, 3g.20gb=1} " + MigManagerLabels.PAUSED);
  }

  @Test
  void aCdiSpecThatCannotBeWrittenFailsTheChangeWithTheClientsBack() {
    h.label("all-balanced");
    h.afterChange =
        () -> {
          throw new java.io.UncheckedIOException(
              "cannot write the CDI spec /var/run/cdi/nvidia-mig.yaml: read-only file system",
              new java.io.IOException("EROFS"));
        };

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.action()).isEqualTo("failed");
    assertThat(r.message()).contains("cannot write the CDI spec");
    assertThat(h.state()).isEqualTo("failed");
    assertThat(h.deployLabels()).containsAllEntriesOf(deploy(ALL_TRUE));
  }

  @Test
  void aChangeThatCanGoAroundAnAllocatedDeviceIsMadeAndKeepsIt() {
    settle("all-1g.5gb");
    List<String> ones = LiveGpus.uuids(h.driver, 0);
    String last = ones.getLast();
    h.kubelet.allocate(
        new PodAllocation("ml", "infer-0", "main", "nvidia.com/mig-1g.5gb", List.of(last)));
    h.label("split");

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.action()).isEqualTo("applied");
    assertThat(LiveGpus.uuids(h.driver, 0)).contains(last);
    assertThat(LiveGpus.devices(h.driver, 0)).isEqualTo(Map.of("3g.20gb", 1, "1g.5gb", 3));
  }

  @Test
  void theValidatorPodsAreDeletedSoThatTheyValidateTheNewLayout() {
    String before = validator();
    h.label("all-balanced");

    h.agent(CONFIG).reconcile();
    h.playOperator(); // its DaemonSet starts a new one

    assertThat(validator()).isNotEqualTo(before);
  }

  private String validator() {
    return h.node.operatorPods().stream()
        .filter(p -> p.app().equals(OperatorClient.VALIDATOR_APP))
        .map(io.migctl.k8s.node.OperatorPod::name)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aNodeThatKeepsChangingUnderEveryWriteIsAnErrorForTheNextReconcile() {
    h.label("all-balanced");
    h.node.conflictNext(5);

    assertThatThrownBy(() -> h.agent(CONFIG).reconcile())
        .isInstanceOf(io.migctl.k8s.node.ClusterException.class)
        .hasMessageContaining("kept changing under every write (5 conflicts in a row)");
    assertThat(h.agent(CONFIG).reconcile().action()).isEqualTo("applied");
  }

  @Test
  void theDeadlineCountsFromWhenTheNodeWentPendingForTheConfigItHasNow() {
    settle("all-balanced");
    h.driver.hold(LiveGpus.uuid(h.driver, 0, "2g.10gb"), 77);
    h.label("all-disabled");
    h.agent(CONFIG).reconcile();
    h.clock.advance(Duration.ofMinutes(29));
    h.label("all-1g.5gb");
    h.agent(CONFIG).reconcile();

    h.clock.advance(Duration.ofMinutes(2));

    assertThat(h.agent(CONFIG).reconcile().action()).isEqualTo("blocked");
    assertThat(h.state()).isEqualTo("pending");
    assertThat(h.node.read().annotations())
        .containsEntry(Annotations.PENDING_CONFIG, "all-1g.5gb")
        .containsEntry(Annotations.PENDING_SINCE, "2026-12-06T12:29:00Z");
  }

  @Test
  void theAppliedConfigsHashTellsAnEditedConfigFromTheOneApplied() {
    settle("all-balanced");
    String applied = h.node.read().annotations().get(Annotations.CONFIG_HASH);

    h.agent(CONFIG.replace("\"1g.5gb\": 2", "\"1g.5gb\": 1")).reconcile();

    assertThat(applied).matches("[0-9a-f]{16}");
    assertThat(h.node.read().annotations().get(Annotations.CONFIG_HASH))
        .matches("[0-9a-f]{16}")
        .isNotEqualTo(applied);
  }

  @Test
  void anAgentKilledWhileTheClientsArePausedRestoresThemOnRestartThenApplies() {
    h.label("all-balanced");
    h.operatorRuns = false; // the pods linger, so the agent waits...
    h.whilePaused =
        () -> {
          throw new Killed(); // ...and dies while waiting
        };
    assertThatThrownBy(() -> h.agent(CONFIG).reconcile()).isInstanceOf(Killed.class);
    assertThat(h.deployLabels()).containsAllEntriesOf(deploy(ALL_PAUSED));
    h.operatorRuns = true;
    h.whilePaused = h::playOperator;

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.action()).isEqualTo("applied");
    assertThat(h.deployLabels()).containsAllEntriesOf(deploy(ALL_TRUE));
    assertThat(h.log).anyMatch(l -> l.startsWith("found a change left unfinished"));
  }

  @Test
  void aNodeWithoutTheOperatorHasNothingPausedAndTheSameStates() {
    InMemoryNodeHarness bare = new InMemoryNodeHarness("h100-80gb:1");
    bare.node.setLabels(
        OperatorClient.ALL.stream()
            .collect(java.util.stream.Collectors.toMap(c -> c.deployLabel(), c -> "false")));
    bare.label("all-balanced-h100");
    String config =
        """
        version: v1
        mig-configs:
          all-balanced-h100:
            - devices: all
              mig-enabled: true
              mig-devices:
                "1g.10gb": 2
                "2g.20gb": 1
                "3g.40gb": 1
        """;
    int before = bare.node.labelHistory().size();

    Reconciled r = bare.agent(config).reconcile();

    assertThat(r.action()).isEqualTo("applied");
    assertThat(r.pausedClients()).isEmpty();
    assertThat(bare.node.labelHistory().subList(before, bare.node.labelHistory().size()))
        .extracting(l -> l.get(MigManagerLabels.STATE))
        .containsExactly("pending", "success");
    assertThat(bare.deployLabels()).doesNotContainValue(MigManagerLabels.PAUSED);
  }

  @Test
  void aConfigTheFileDoesNotHaveFailsAndSaysWhichItHas() {
    h.label("all-2g.10gb");

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(h.state()).isEqualTo("failed");
    assertThat(r.message()).contains("no config \"all-2g.10gb\"").contains("all-balanced");
    assertThat(h.deployLabels()).containsAllEntriesOf(deploy(ALL_TRUE));
  }

  @Test
  void aDryRunSaysWhatItWouldDoAndChangesNothing() {
    h.label("all-balanced");
    String version = h.node.read().resourceVersion();

    Reconciled r = h.agent(CONFIG, h.driver, AgentSettings.defaults().withDryRun(true)).reconcile();

    assertThat(r.dryRun()).isTrue();
    assertThat(r.message()).startsWith("would apply config \"all-balanced\"");
    assertThat(r.pausedClients()).hasSize(OperatorClient.ALL.size());
    assertThat(h.node.read().resourceVersion()).isEqualTo(version);
    assertThat(h.node.events()).isEmpty();
    assertThat(LiveGpus.devices(h.driver, 0)).isEmpty();
  }

  @Test
  void clientsThatDoNotStopFailTheChangeAndComeBack() {
    h.label("all-balanced");
    h.operatorRuns = false; // the operator is not there to take its pods away

    Reconciled r = h.agent(CONFIG).reconcile();

    assertThat(r.action()).isEqualTo("failed");
    assertThat(r.message()).contains("did not stop within PT5M");
    assertThat(h.deployLabels()).containsAllEntriesOf(deploy(ALL_TRUE));
    assertThat(LiveGpus.devices(h.driver, 0)).isEmpty();
  }

  @Test
  void aLabelThatIsFalseIsNeverTouched() {
    String dcgm = new OperatorClient("dcgm", "nvidia-dcgm").deployLabel();
    h.node.setLabels(Map.of(dcgm, "false"));
    h.label("all-balanced");
    int before = h.node.labelHistory().size();

    h.agent(CONFIG).reconcile();

    assertThat(h.node.labelHistory().subList(before, h.node.labelHistory().size()))
        .hasSize(2)
        .allSatisfy(l -> assertThat(l.get(dcgm)).isEqualTo("false"));
  }

  @Test
  void withoutTheKubeletANeededChangeWaits() {
    h.label("all-balanced");
    MigManagerAgent agent =
        new MigManagerAgent(
            h.node,
            () -> {
              throw new io.migctl.k8s.kubelet.KubeletUnavailableException(
                  "no kubelet socket at /var/lib/kubelet/pod-resources/kubelet.sock", null);
            },
            h.driver,
            ConfigSource.text(CONFIG, "config.yaml"),
            h.journal,
            io.migctl.apply.ApplyHooks.NONE,
            () -> "a",
            h.clock,
            d -> h.clock.advance(d),
            () -> {},
            h.log::add,
            AgentSettings.defaults());

    Reconciled r = agent.reconcile();

    assertThat(r.action()).isEqualTo("blocked");
    assertThat(h.state()).isEqualTo("pending");
    assertThat(r.message()).contains("kubelet");
    assertThat(LiveGpus.devices(h.driver, 0)).isEmpty();
  }

  /** Labels the node with {@code config} and lets the agent apply it. */
  private void settle(String config) {
    h.label(config);
    assertThat(h.agent(CONFIG).reconcile().state())
        .hasValue(io.migctl.core.k8s.MigConfigState.SUCCESS);
  }

  private static Map<String, String> deploy(List<String> values) {
    Map<String, String> out = new java.util.HashMap<>();
    for (int i = 0; i < OperatorClient.ALL.size(); i++) {
      out.put(OperatorClient.ALL.get(i).deployLabel(), values.get(i));
    }
    return out;
  }

  /** Stands for the process dying: nothing in the agent catches an Error. */
  private static final class Killed extends Error {
    private static final long serialVersionUID = 1L;
  }
}
