package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.migctl.core.k8s.MigManagerLabels;
import io.migctl.core.k8s.OperatorClient;
import io.migctl.k8s.kubelet.FakeKubelet;
import io.migctl.k8s.kubelet.InMemoryDeviceAllocations;
import io.migctl.k8s.node.Await;
import io.migctl.k8s.node.MockCluster;
import io.migctl.k8s.node.OperatorPlayer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migctl k8s agent} as the DaemonSet runs it — the shaded jar in its own process, the API
 * server found through {@code KUBECONFIG} (fabric8's mock server in CRUD mode), the kubelet's
 * socket served by a fake kubelet — on a simulated {@code a100-40gb:2}.
 */
class K8sAgentCliIT {

  private static final Path JAR = Path.of("target/migctl.jar");
  private static final String NODE = "gpu-node-7";
  private static final String CONFIG =
      """
      version: v1
      mig-configs:
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
      """;

  @TempDir Path tmp;

  private MockCluster cluster;
  private KubernetesClient user;
  private OperatorPlayer operator;
  private FakeKubelet kubelet;
  private final List<Process> processes = new ArrayList<>();
  private Path kubeconfig;
  private Path config;

  @BeforeEach
  void start() throws IOException {
    assertThat(JAR).as("the shaded jar (built by 'package')").isRegularFile();
    cluster = MockCluster.start();
    user = cluster.newClient();
    Map<String, String> labels = new HashMap<>();
    OperatorClient.ALL.forEach(c -> labels.put(c.deployLabel(), "true"));
    labels.put(MigManagerLabels.CONFIG, "all-balanced");
    cluster.createNode(NODE, labels);
    operator = OperatorPlayer.start(cluster.newClient(), NODE, "gpu-operator");
    kubelet = FakeKubelet.start(tmp.resolve("kubelet.sock"), new InMemoryDeviceAllocations());
    kubeconfig = tmp.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        users:
        - name: agent
          user:
            token: test
        contexts:
        - name: mock
          context:
            cluster: mock
            user: agent
        current-context: mock
        """
            .formatted(user.getConfiguration().getMasterUrl()));
    config = tmp.resolve("config.yaml");
    Files.writeString(config, CONFIG);
  }

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
    kubelet.close();
    operator.close();
    cluster.close();
  }

  private boolean withoutNodeName;

  private Process agent(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("--sun-misc-unsafe-memory-access=allow");
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of("--simulate", "a100-40gb:2", "k8s", "agent"));
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectOutput(tmp.resolve("out-" + processes.size()).toFile())
            .redirectError(tmp.resolve("err-" + processes.size()).toFile());
    pb.environment().put("MIGCTL_HOME", tmp.resolve("home").toString());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    if (!withoutNodeName) {
      pb.environment().put("NODE_NAME", NODE);
    } else {
      pb.environment().remove("NODE_NAME");
    }
    pb.environment().put("CONFIG_FILE", config.toString());
    pb.environment().put("KUBELET_SOCKET", kubelet.socket().toString());
    pb.environment().remove("MIGCTL_SIMULATE");
    Process p = pb.start();
    p.getOutputStream().close();
    processes.add(p);
    return p;
  }

  private String out(int run) throws IOException {
    return Files.readString(tmp.resolve("out-" + run), StandardCharsets.UTF_8);
  }

  private String err(int run) throws IOException {
    return Files.readString(tmp.resolve("err-" + run), StandardCharsets.UTF_8);
  }

  private int finish(Process p) throws InterruptedException {
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the agent ended within 60 s").isTrue();
    return p.exitValue();
  }

  private Optional<String> state() {
    return Optional.ofNullable(
        user.nodes().withName(NODE).get().getMetadata().getLabels().get(MigManagerLabels.STATE));
  }

  @Test
  void aDryRunPrintsThePlanAsJsonAndChangesNothing() throws Exception {
    int code = finish(agent("--once", "--dry-run", "--json"));

    assertThat(code).as(err(0)).isZero();
    assertThat(out(0))
        .contains("\"action\" : \"change\"")
        .contains("\"dryRun\" : true")
        .contains("GPU 0: ");
    assertThat(state()).isEmpty();
    assertThat(operator.timeline()).noneMatch(s -> s instanceof OperatorPlayer.PodDeleted);
  }

  @Test
  void theAgentServesHealthAndMetricsAndAppliesTheLabel() throws Exception {
    agent("--listen", "127.0.0.1:0", "--resync", "1s");
    Pattern listening = Pattern.compile("on 127\\.0\\.0\\.1:(\\d+)");
    Await.until(
        "the agent to listen", () -> listening.matcher(errQuietly(0)).find(), () -> errQuietly(0));
    Matcher m = listening.matcher(err(0));
    assertThat(m.find()).isTrue();
    String base = "http://127.0.0.1:" + m.group(1);

    Await.until("success", () -> state().equals(Optional.of("success")), () -> errQuietly(0));
    assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
    Await.until("ready", () -> get(base + "/readyz").statusCode() == 200, () -> errQuietly(0));
    String metrics = get(base + "/metrics").body();
    assertThat(metrics)
        .contains("DCGM_FI_DEV_FB_USED{")
        .contains("migctl_k8s_reconciles_total{action=\"applied\"} 1.0")
        .contains("migctl_k8s_mig_config_state{state=\"success\"} 1.0");

    user.nodes()
        .withName(NODE)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"" + MigManagerLabels.CONFIG + "\":\"all-1g.5gb\"}}}");
    Await.until(
        "the second config",
        () ->
            "all-1g.5gb"
                .equals(
                    user.nodes()
                        .withName(NODE)
                        .get()
                        .getMetadata()
                        .getAnnotations()
                        .get("migctl.io/applied-config")),
        () -> errQuietly(0));
    assertThat(state()).hasValue("success");
  }

  @Test
  void anAgentKilledWithTheClientsPausedRestoresThemWhenItStartsAgain() throws Exception {
    operator.close();
    // The operator's pods take a while to go, so the agent is caught waiting for them.
    operator =
        OperatorPlayer.start(cluster.newClient(), NODE, "gpu-operator", Duration.ofSeconds(5));
    Process first = agent("--listen", "127.0.0.1:0");
    Await.until(
        "the clients paused",
        () -> MigManagerLabels.PAUSED.equals(deployLabel()),
        () -> errQuietly(0));
    first.destroyForcibly().waitFor();
    assertThat(deployLabel()).isEqualTo(MigManagerLabels.PAUSED);

    agent("--listen", "127.0.0.1:0");

    Await.until("success", () -> state().equals(Optional.of("success")), () -> errQuietly(1));
    assertThat(deployLabel()).isEqualTo("true");
    assertThat(err(1)).contains("found a change left unfinished");
  }

  private String deployLabel() {
    return user.nodes()
        .withName(NODE)
        .get()
        .getMetadata()
        .getLabels()
        .get(OperatorClient.ALL.getFirst().deployLabel());
  }

  @Test
  void withoutANodeNameItSaysHowToGiveOne() throws Exception {
    withoutNodeName = true;
    Process p = agent("--once");
    assertThat(finish(p)).isEqualTo(2);
    assertThat(err(0)).contains("give --node NAME or set NODE_NAME").doesNotContain("Exception");
  }

  @Test
  void aBadListenAddressIsInvalidInput() throws Exception {
    Process p = agent("--listen", "9410");
    assertThat(finish(p)).isEqualTo(2);
    assertThat(err(0)).contains("--listen 9410").contains("HOST:PORT");
  }

  private String errQuietly(int run) {
    try {
      return err(run);
    } catch (IOException e) {
      return "";
    }
  }

  private static HttpResponse<String> get(String url) {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
          HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
