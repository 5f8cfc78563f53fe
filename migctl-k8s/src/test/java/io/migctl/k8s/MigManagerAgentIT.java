package io.migctl.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.migctl.apply.ApplyHooks;
import io.migctl.apply.ApplyJournal;
import io.migctl.core.k8s.MigManagerLabels;
import io.migctl.core.k8s.OperatorClient;
import io.migctl.core.k8s.PodAllocation;
import io.migctl.core.mig.DriverError;
import io.migctl.core.mig.ForwardingMigDriver;
import io.migctl.core.mig.GpuInstance;
import io.migctl.core.mig.MigDriver;
import io.migctl.core.mig.Placement;
import io.migctl.k8s.kubelet.FakeKubelet;
import io.migctl.k8s.kubelet.InMemoryDeviceAllocations;
import io.migctl.k8s.kubelet.PodResourcesAllocations;
import io.migctl.k8s.node.Await;
import io.migctl.k8s.node.ClusterNode;
import io.migctl.k8s.node.Fabric8ClusterNode;
import io.migctl.k8s.node.MockCluster;
import io.migctl.k8s.node.NodeEvent;
import io.migctl.k8s.node.NodePatch;
import io.migctl.k8s.node.NodeState;
import io.migctl.k8s.node.OperatorPlayer;
import io.migctl.k8s.node.OperatorPod;
import io.migctl.k8s.node.TestCluster;
import io.migctl.nvidia.sim.SimOperation;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's scenarios against an API server — fabric8's mock server in CRUD mode (no real
 * kube-apiserver runs on this kind of machine) — with a test helper playing the GPU Operator's
 * DaemonSets, the kubelet's PodResources API served over gRPC on a Unix socket, and a simulated
 * {@code a100-40gb:2} node. The agent runs as in the DaemonSet: {@link AgentLoop} on a node watch
 * and a short resync.
 */
class MigManagerAgentIT {

  /** The API server the scenarios run against; subclasses run them on another. */
  TestCluster startCluster() {
    return MockCluster.start();
  }

  private static final String NODE = "gpu-node-1";
  private static final String NS = "gpu-operator";

  @TempDir Path tmp;

  private TestCluster cluster;
  private KubernetesClient user;
  private OperatorPlayer operator;
  private final InMemoryDeviceAllocations pods = new InMemoryDeviceAllocations();
  private FakeKubelet kubelet;
  private PodResourcesAllocations allocations;
  private SimulatedMigDriver driver;
  private Fabric8ClusterNode node;
  private ApplyJournal journal;
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final List<AgentLoop> loops = new ArrayList<>();

  @BeforeEach
  void start() {
    cluster = startCluster();
    user = cluster.newClient();
    Map<String, String> labels = new HashMap<>();
    OperatorClient.ALL.forEach(c -> labels.put(c.deployLabel(), "true"));
    cluster.createNode(NODE, labels);
    operator = OperatorPlayer.start(cluster.newClient(), NODE, NS);
    Await.until("the operator's pods", () -> operator.pods("nvidia-dcgm").size() == 1);
    kubelet = FakeKubelet.start(tmp.resolve("kubelet.sock"), pods);
    allocations = new PodResourcesAllocations(kubelet.socket());
    driver = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));
    node = new Fabric8ClusterNode(cluster.newClient(), NODE, NS, Clock.systemUTC());
    journal = new ApplyJournal(tmp.resolve("journal.jsonl"), Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    loops.forEach(AgentLoop::close);
    for (AutoCloseable c : new AutoCloseable[] {allocations, kubelet, operator, cluster}) {
      if (c != null) { // a skipped start leaves the rest unmade
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing " + c, e);
        }
      }
    }
  }

  private MigManagerAgent agent(MigDriver through, ClusterNode on) {
    AtomicInteger ids = new AtomicInteger();
    return new MigManagerAgent(
        on,
        allocations,
        through,
        ConfigSource.text(MigManagerAgentTest.CONFIG, "config.yaml"),
        journal,
        ApplyHooks.NONE,
        () -> "apply-" + ids.incrementAndGet(),
        Clock.systemUTC(),
        Pause.SLEEP,
        () -> {},
        log::add,
        new AgentSettings(
            Duration.ofMinutes(30), Duration.ofSeconds(30), Duration.ofMillis(20), false));
  }

  private void run() {
    AgentLoop loop =
        new AgentLoop(
            agent(driver, node),
            node,
            Duration.ofMillis(200),
            Clock.systemUTC(),
            r -> {},
            log::add);
    loops.add(loop);
    loop.start();
  }

  private void label(String config) {
    user.nodes()
        .withName(NODE)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"" + MigManagerLabels.CONFIG + "\":\"" + config + "\"}}}");
  }

  private String state() {
    return Optional.ofNullable(
            user.nodes().withName(NODE).get().getMetadata().getLabels().get(MigManagerLabels.STATE))
        .orElse("");
  }

  private void awaitState(String want) {
    Await.until(
        "state " + want, () -> state().equals(want), () -> "state " + state() + "; log " + log);
  }

  private List<String> eventReasons() {
    return user.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> NODE.equals(e.getInvolvedObject().getName()))
        .map(Event::getReason)
        .toList();
  }

  private List<Event> events(String reason) {
    return user.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  /** The state and deploy labels as the operator saw them change, after the config label. */
  private List<String> protocol() {
    List<String> out = new ArrayList<>();
    for (OperatorPlayer.Seen s : operator.timeline()) {
      if (s instanceof OperatorPlayer.Label(String key, Optional<String> value)
          && !key.equals(MigManagerLabels.CONFIG)) {
        out.add(key.replace("nvidia.com/", "") + "=" + value.orElse("-"));
      }
    }
    return out;
  }

  private Map<String, String> deployLabels() {
    Map<String, String> out = new HashMap<>();
    user.nodes()
        .withName(NODE)
        .get()
        .getMetadata()
        .getLabels()
        .forEach(
            (k, v) -> {
              if (k.startsWith(MigManagerLabels.DEPLOY_PREFIX)) {
                out.put(k, v);
              }
            });
    return out;
  }

  private static final Map<String, Integer> BALANCED =
      Map.of("1g.5gb", 2, "2g.10gb", 1, "3g.20gb", 1);

  @Test
  void aLabelChangeRunsTheManagersExactProtocolToSuccess() {
    run();
    label("all-balanced");
    awaitState("success");

    List<String> paused = new ArrayList<>();
    List<String> back = new ArrayList<>();
    for (OperatorClient c : OperatorClient.ALL) {
      paused.add(c.deployLabel().replace("nvidia.com/", "") + "=" + MigManagerLabels.PAUSED);
      back.add(c.deployLabel().replace("nvidia.com/", "") + "=true");
    }
    List<String> expected = new ArrayList<>();
    expected.add("mig.config.state=pending");
    expected.addAll(paused);
    expected.add("mig.config.state=success");
    expected.addAll(back);
    Await.until(
        "the operator to see the whole protocol",
        () ->
            protocol().contains("mig.config.state=success")
                && protocol().getLast().equals(expected.getLast()),
        this::protocol);
    List<String> seen = protocol();
    assertThat(seen.subList(seen.size() - expected.size(), seen.size()))
        .containsExactlyElementsOf(expected);
    assertThat(operator.timeline())
        .filteredOn(s -> s instanceof OperatorPlayer.PodDeleted)
        .hasSizeGreaterThanOrEqualTo(OperatorClient.ALL.size());
    assertThat(LiveGpus.devices(driver, 0)).isEqualTo(BALANCED);
    assertThat(LiveGpus.devices(driver, 1)).isEqualTo(BALANCED);
    Await.until("the Applied event", () -> eventReasons().contains(NodeEvent.APPLIED));
    assertThat(eventReasons()).containsSubsequence(NodeEvent.PENDING, NodeEvent.APPLIED);
    assertThat(user.nodes().withName(NODE).get().getMetadata().getAnnotations())
        .containsEntry(Annotations.CONFIG, "all-balanced")
        .doesNotContainKey(Annotations.CHANGE);
    Await.until(
        "the clients back", () -> operator.pods("nvidia-device-plugin-daemonset").size() == 1);
  }

  @Test
  void alreadyAppliedIsSuccessWithNothingPaused() {
    label("all-balanced");
    agent(driver, node).reconcile();
    int before = protocol().size();
    user.nodes()
        .withName(NODE)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"" + MigManagerLabels.STATE + "\":\"pending\"}}}");

    run();
    awaitState("success");

    Await.until(
        "the operator to see success",
        () -> protocol().subList(before, protocol().size()).contains("mig.config.state=success"),
        this::protocol);
    List<String> seen = protocol();
    assertThat(seen.subList(before, seen.size()))
        .containsExactly("mig.config.state=pending", "mig.config.state=success");
  }

  @Test
  void aDeviceHeldByAProcessKeepsItPendingWithAnEventThenSucceedsWhenFreed() {
    label("all-balanced");
    agent(driver, node).reconcile();
    String held = LiveGpus.uuid(driver, 0, "3g.20gb");
    driver.hold(held, 4242);
    run();
    label("all-1g.5gb");

    Await.until("a Refused event", () -> !events(NodeEvent.REFUSED).isEmpty(), () -> log);
    assertThat(state()).isEqualTo("pending");
    Event refused = events(NodeEvent.REFUSED).getFirst();
    assertThat(refused.getType()).isEqualTo("Warning");
    assertThat(refused.getMessage()).contains(held).contains("pid 4242");
    assertThat(deployLabels()).doesNotContainValue(MigManagerLabels.PAUSED);

    driver.release(held, Optional.empty());
    awaitState("success");
    assertThat(LiveGpus.devices(driver, 0)).isEqualTo(Map.of("1g.5gb", 7));
  }

  @Test
  void aDeviceOnlyAllocatedByTheKubeletIsProtectedAndThePodNamed() {
    label("all-balanced");
    agent(driver, node).reconcile();
    String allocated = LiveGpus.uuid(driver, 1, "3g.20gb");
    pods.allocate(
        new PodAllocation("ml", "train-0", "main", "nvidia.com/mig-3g.20gb", List.of(allocated)));
    run();
    label("all-1g.5gb");

    Await.until("a Refused event", () -> !events(NodeEvent.REFUSED).isEmpty(), () -> log);
    assertThat(state()).isEqualTo("pending");
    assertThat(events(NodeEvent.REFUSED).getFirst().getMessage())
        .contains("pod ml/train-0 (container main)");
    assertThat(
            user.nodes()
                .withName(NODE)
                .get()
                .getMetadata()
                .getAnnotations()
                .get(Annotations.HOLDERS))
        .contains("pod ml/train-0");

    pods.release("ml", "train-0");
    awaitState("success");
    assertThat(LiveGpus.devices(driver, 1)).isEqualTo(Map.of("1g.5gb", 7));
  }

  @Test
  void aDriverFaultFailsWithTheLabelsRestoredAndTheNextReconcileConverges() {
    driver.failNext(SimOperation.CREATE_GI, DriverError.UNKNOWN, 1, 2);
    label("all-balanced");
    Reconciled failed = agent(driver, node).reconcile();

    assertThat(failed.action()).isEqualTo("failed");
    assertThat(state()).isEqualTo("failed");
    assertThat(deployLabels()).doesNotContainValue(MigManagerLabels.PAUSED);
    assertThat(eventReasons()).contains(NodeEvent.FAILED);

    run();
    awaitState("success");
    assertThat(LiveGpus.devices(driver, 0)).isEqualTo(BALANCED);
  }

  @Test
  void aConflictingWriteIsRetriedFromAFreshRead() {
    AtomicBoolean once = new AtomicBoolean();
    ClusterNode racing =
        new DelegatingNode(node) {
          @Override
          public NodeState read() {
            NodeState s = super.read();
            if (s.label(MigManagerLabels.CONFIG).isPresent() && once.compareAndSet(false, true)) {
              // someone else writes the node between the agent's read and its write
              user.nodes()
                  .withName(NODE)
                  .patch(
                      PatchContext.of(PatchType.JSON_MERGE),
                      "{\"metadata\":{\"labels\":{\"example.com/other\":\"x\"}}}");
            }
            return s;
          }
        };
    label("all-balanced");

    Reconciled r = agent(driver, racing).reconcile();

    assertThat(r.action()).isEqualTo("applied");
    assertThat(log).anyMatch(l -> l.contains("reading it again"));
    assertThat(state()).isEqualTo("success");
  }

  @Test
  void anAgentKilledMidApplyFinishesOnRestartAndLeavesNothingPaused() {
    AtomicInteger creates = new AtomicInteger();
    MigDriver dying =
        new ForwardingMigDriver(driver) {
          @Override
          public GpuInstance createGpuInstance(int gpu, int profileId, Optional<Placement> p) {
            if (creates.incrementAndGet() == 3) {
              throw new Killed();
            }
            return delegate.createGpuInstance(gpu, profileId, p);
          }
        };
    label("all-balanced");
    try {
      agent(dying, node).reconcile();
    } catch (Killed expected) {
      // the agent's process died here
    }
    assertThat(deployLabels()).containsValue(MigManagerLabels.PAUSED);

    run(); // the DaemonSet starts a new agent
    awaitState("success");

    assertThat(deployLabels()).doesNotContainValue(MigManagerLabels.PAUSED);
    assertThat(log).anyMatch(l -> l.startsWith("recovered an interrupted apply"));
    assertThat(LiveGpus.devices(driver, 0)).isEqualTo(BALANCED);
    assertThat(LiveGpus.devices(driver, 1)).isEqualTo(BALANCED);
    Await.until("the clients back", () -> operator.pods("nvidia-dcgm-exporter").size() == 1);
  }

  /** Stands for the process dying: nothing in the agent catches an Error. */
  private static final class Killed extends Error {
    private static final long serialVersionUID = 1L;
  }

  /** A node that passes every call on; tests override what they change. */
  private static class DelegatingNode implements ClusterNode {
    private final ClusterNode to;

    DelegatingNode(ClusterNode to) {
      this.to = to;
    }

    @Override
    public String name() {
      return to.name();
    }

    @Override
    public NodeState read() {
      return to.read();
    }

    @Override
    public NodeState patch(NodePatch patch) {
      return to.patch(patch);
    }

    @Override
    public void record(NodeEvent event) {
      to.record(event);
    }

    @Override
    public List<OperatorPod> operatorPods() {
      return to.operatorPods();
    }

    @Override
    public void deletePod(String name) {
      to.deletePod(name);
    }

    @Override
    public AutoCloseable watch(Runnable onChange) {
      return to.watch(onChange);
    }
  }
}
