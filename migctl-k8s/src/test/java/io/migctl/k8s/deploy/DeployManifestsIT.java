package io.migctl.k8s.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The Kubernetes deployment under {@code deploy/k8s/}: kubectl takes every file and the
 * kustomization (client-side dry run), every document is valid against Kubernetes' OpenAPI with
 * unknown fields rejected, the RBAC rules are exactly what the agent needs, the DaemonSet runs
 * {@code migctl k8s agent} with the CLI's arguments, variables and paths, and the Dockerfile copies
 * the jar the CLI module builds. The kubectl and OpenAPI checks are also shown failing on broken
 * copies.
 */
class DeployManifestsIT {

  static final Path ROOT = repoRoot();
  static final Path K8S = ROOT.resolve("deploy/k8s");
  static final String NAMESPACE = "gpu-operator";
  static final String NAME = "migctl-mig-manager";

  /**
   * The variables {@code migctl k8s agent} reads, with the values the DaemonSet must give them
   * ({@code null}: from the pod through a field reference).
   */
  static final Map<String, String> AGENT_ENVIRONMENT = agentEnvironment();

  static final List<String> AGENT_ARGS = List.of("k8s", "agent", "--listen", "0.0.0.0:9410");
  static final String KUBELET_SOCKET = "/var/lib/kubelet/pod-resources/kubelet.sock";

  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir Path tmp;

  // ------------------------------------------------------------------ kubectl

  static List<Path> manifests() {
    try (Stream<Path> files = Files.list(K8S)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".yaml"))
          .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest
  @MethodSource("manifests")
  void kubectlTakesEveryManifest(Path manifest) {
    Kubectl kubectl = Kubectl.require(tmp);
    try (DiscoveryStub api = DiscoveryStub.start()) {
      Kubectl.Result r = dryRun(kubectl, api, "-f", manifest.toString());
      assertThat(r.ok()).as("kubectl apply -f %s:%n%s", manifest, r.output()).isTrue();
      assertThat(r.output()).contains("(dry run)");
    }
  }

  @Test
  void kubectlTakesTheKustomizationAndItPutsEverythingInTheOperatorsNamespace() {
    Kubectl kubectl = Kubectl.require(tmp);
    try (DiscoveryStub api = DiscoveryStub.start()) {
      Kubectl.Result applied = dryRun(kubectl, api, "-k", K8S.toString());
      assertThat(applied.ok()).as("kubectl apply -k:%n%s", applied.output()).isTrue();
    }
    Kubectl.Result built = kubectl.run("kustomize", K8S.toString());
    assertThat(built.ok()).as("kubectl kustomize:%n%s", built.output()).isTrue();
    List<JsonNode> docs = documents(built.output());
    List<JsonNode> files = manifests().stream().flatMap(f -> documents(read(f)).stream()).toList();
    assertThat(docs)
        .extracting(DeployManifestsIT::kindAndName)
        .containsExactlyInAnyOrderElementsOf(
            files.stream().map(DeployManifestsIT::kindAndName).toList());
    for (JsonNode doc : docs) {
      String kind = doc.path("kind").asText();
      if (!kind.startsWith("Cluster")) {
        assertThat(doc.path("metadata").path("namespace").asText()).as(kind).isEqualTo(NAMESPACE);
      }
      for (JsonNode subject : doc.path("subjects")) {
        assertThat(subject.path("namespace").asText()).as(kind + " subject").isEqualTo(NAMESPACE);
      }
    }
  }

  @Test
  void kubectlRefusesAKindTheApiDoesNotHave() throws IOException {
    Kubectl kubectl = Kubectl.require(tmp);
    Path broken = tmp.resolve("daemonset.yaml");
    Files.writeString(
        broken, read(K8S.resolve("daemonset.yaml")).replace("kind: DaemonSet", "kind: DaemonSett"));
    try (DiscoveryStub api = DiscoveryStub.start()) {
      Kubectl.Result r = dryRun(kubectl, api, "-f", broken.toString());
      assertThat(r.ok()).as(r.output()).isFalse();
      assertThat(r.output()).contains("DaemonSett");
    }
  }

  private Kubectl.Result dryRun(Kubectl kubectl, DiscoveryStub api, String how, String what) {
    return kubectl.run(
        "apply",
        "--dry-run=client",
        "--validate=false",
        "--server=" + api.url(),
        "--cache-dir=" + tmp.resolve("cache"),
        "-n",
        NAMESPACE,
        how,
        what);
  }

  // ------------------------------------------------------------------ OpenAPI

  @Test
  void everyDocumentIsValidAgainstTheKubernetesOpenApi() {
    KubernetesOpenApi api = KubernetesOpenApi.require();
    for (Path f : manifests()) {
      for (JsonNode doc : documents(read(f))) {
        assertThat(api.problems(doc)).as("%s: %s", f.getFileName(), kindAndName(doc)).isEmpty();
      }
    }
  }

  @Test
  void theOpenApiCheckRejectsUnknownFieldsWrongTypesAndMissingRequiredFields() {
    KubernetesOpenApi api = KubernetesOpenApi.require();
    ObjectNode typo = daemonSet();
    ((ObjectNode) podSpec(typo)).put("hostPid", true);
    assertThat(api.problems(typo)).anyMatch(p -> p.contains("hostPid"));

    ObjectNode wrongType = daemonSet();
    ((ObjectNode) container(wrongType).path("ports").get(0)).put("containerPort", "9410");
    assertThat(api.problems(wrongType)).anyMatch(p -> p.contains("containerPort"));

    ObjectNode nameless = daemonSet();
    ((ObjectNode) container(nameless)).remove("name");
    assertThat(api.problems(nameless)).anyMatch(p -> p.contains("required property 'name'"));

    ObjectNode misplaced = daemonSet();
    ((ObjectNode) misplaced.path("spec"))
        .set("nodeSelector", podSpec(misplaced).path("nodeSelector"));
    assertThat(api.problems(misplaced)).anyMatch(p -> p.contains("nodeSelector"));
  }

  // ------------------------------------------------------------------ RBAC

  @Test
  void theRbacRulesAreExactlyWhatTheAgentDoes() {
    assertThat(rules(only("ClusterRole")))
        .containsExactlyInAnyOrder(
            "core nodes get",
            "core nodes list",
            "core nodes watch",
            "core nodes patch",
            "core events create");
    assertThat(rules(only("Role")))
        .containsExactlyInAnyOrder(
            "core pods list",
            "core pods delete",
            "core configmaps get",
            "core configmaps list",
            "core configmaps watch");
    for (String binding : List.of("ClusterRoleBinding", "RoleBinding")) {
      JsonNode b = only(binding);
      assertThat(b.path("roleRef").path("kind").asText()).isEqualTo(binding.replace("Binding", ""));
      assertThat(b.path("roleRef").path("name").asText()).isEqualTo(NAME);
      assertThat(b.path("subjects")).hasSize(1);
      assertThat(b.path("subjects").get(0).path("kind").asText()).isEqualTo("ServiceAccount");
      assertThat(b.path("subjects").get(0).path("name").asText()).isEqualTo(NAME);
    }
    assertThat(only("ServiceAccount").path("metadata").path("name").asText()).isEqualTo(NAME);
  }

  /** Each rule as "group resource verb"; the core group is written "core". */
  static Set<String> rules(JsonNode role) {
    Set<String> out = new TreeSet<>();
    for (JsonNode rule : role.path("rules")) {
      assertThat(rule.has("resourceNames") || rule.has("nonResourceURLs"))
          .as(rule.toString())
          .isFalse();
      for (JsonNode group : rule.path("apiGroups")) {
        for (JsonNode resource : rule.path("resources")) {
          for (JsonNode verb : rule.path("verbs")) {
            String g = group.asText().isEmpty() ? "core" : group.asText();
            out.add(g + " " + resource.asText() + " " + verb.asText());
          }
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ the DaemonSet

  @Test
  void theDaemonSetRunsTheAgentWithTheClisArgumentsAndVariables() {
    ObjectNode ds = daemonSet();
    JsonNode pod = podSpec(ds);
    JsonNode c = container(ds);
    assertThat(pod.path("containers")).hasSize(1);
    assertThat(c.path("args")).extracting(JsonNode::asText).isEqualTo(AGENT_ARGS);
    assertThat(c.has("command")).as("the image's entrypoint runs migctl").isFalse();
    assertThat(c.path("image").asText()).isEqualTo("ghcr.io/migctl/migctl:0.1.0");

    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode e : c.path("env")) {
      env.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : null);
    }
    assertThat(env).isEqualTo(AGENT_ENVIRONMENT);
    assertThat(fieldRef(c, "NODE_NAME")).isEqualTo("spec.nodeName");
    assertThat(fieldRef(c, "OPERATOR_NAMESPACE")).isEqualTo("metadata.namespace");

    // Every path the agent reads or writes comes from the node or the ConfigMap.
    assertThat(volumeFor(ds, env.get("CONFIG_FILE")).path("configMap").path("items"))
        .anyMatch(i -> i.path("key").asText().equals("config.yaml"));
    assertThat(volumeFor(ds, env.get("MIGCTL_HOME")).path("hostPath").path("path").asText())
        .isEqualTo("/var/lib/migctl");
    assertThat(volumeFor(ds, env.get("CDI_SPEC")).path("hostPath").path("path").asText())
        .isEqualTo("/var/run/cdi");
    assertThat(volumeFor(ds, KUBELET_SOCKET).path("hostPath").path("path").asText())
        .isEqualTo("/var/lib/kubelet/pod-resources");
    assertThat(volumeFor(ds, "/sys/bus/pci").path("hostPath").path("path").asText())
        .isEqualTo("/sys");

    // The port of --listen serves the probes and the metrics.
    JsonNode port = c.path("ports").get(0);
    assertThat(port.path("name").asText()).isEqualTo("metrics");
    assertThat(port.path("containerPort").asInt()).isEqualTo(9410);
    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(c.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo("metrics");
    assertThat(c.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("metrics");

    // Where and how it runs: like NVIDIA's MIG manager.
    assertThat(pod.path("nodeSelector").path("nvidia.com/gpu.deploy.mig-manager").asText())
        .isEqualTo("true");
    assertThat(pod.path("tolerations"))
        .anyMatch(
            t ->
                t.path("key").asText().equals("nvidia.com/gpu")
                    && t.path("effect").asText().equals("NoSchedule"));
    assertThat(pod.path("hostPID").asBoolean()).isTrue();
    assertThat(c.path("securityContext").path("privileged").asBoolean()).isTrue();
    assertThat(pod.path("priorityClassName").asText()).isEqualTo("system-node-critical");
    assertThat(pod.path("serviceAccountName").asText()).isEqualTo(NAME);
    assertThat(ds.path("spec").path("updateStrategy").path("type").asText())
        .isEqualTo("RollingUpdate");
    assertThat(c.path("resources").path("requests").has("cpu")).isTrue();
    assertThat(c.path("resources").path("requests").has("memory")).isTrue();
  }

  private static String fieldRef(JsonNode container, String variable) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(variable)) {
        return e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
      }
    }
    return "";
  }

  /** The volume mounted where {@code path} lies (the longest mount path that holds it). */
  private static JsonNode volumeFor(JsonNode ds, String path) {
    String best = null;
    String volume = null;
    for (JsonNode m : container(ds).path("volumeMounts")) {
      String at = m.path("mountPath").asText();
      if ((path.equals(at) || path.startsWith(at.endsWith("/") ? at : at + "/"))
          && (best == null || at.length() > best.length())) {
        best = at;
        volume = m.path("name").asText();
      }
    }
    assertThat(volume).as("a volume mounted where %s lies", path).isNotNull();
    for (JsonNode v : podSpec(ds).path("volumes")) {
      if (v.path("name").asText().equals(volume)) {
        return v;
      }
    }
    throw new AssertionError("the mount " + best + " names no volume " + volume);
  }

  // ------------------------------------------------------------------ the image

  @Test
  void theDockerfileCopiesTheJarTheCliModuleBuildsAndRunsIt() {
    String dockerfile = read(K8S.resolve("Dockerfile"));
    Matcher from = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(dockerfile);
    assertThat(from.find()).isTrue();
    assertThat(from.group(1)).startsWith("eclipse-temurin:25").doesNotEndWith(":latest");
    assertThat(from.find()).as("one stage").isFalse();

    Matcher copy = Pattern.compile("(?m)^COPY\\s+(\\S+)\\s+(\\S+)\\s*$").matcher(dockerfile);
    assertThat(copy.find()).isTrue();
    assertThat(copy.group(1)).isEqualTo("migctl-cli/target/" + shadedJarName() + ".jar");
    assertThat(dockerfile)
        .contains(
            "ENTRYPOINT [\"java\", \"--enable-native-access=ALL-UNNAMED\", \"--sun-misc-unsafe-memory-access=allow\", \"-jar\", \""
                + copy.group(2)
                + "\"]");
    assertThat(dockerfile).containsPattern("(?m)^USER root$");
    assertThat(dockerfile)
        .contains("org.opencontainers.image.title", "org.opencontainers.image.version");
  }

  @Test
  void theImageScriptSkipsWithANoteWithoutAnEngineAndFailsWhereToolsAreRequired() {
    for (String required : List.of("", "1")) {
      ProcessBuilder pb =
          new ProcessBuilder("sh", ROOT.resolve("scripts/build-k8s-image.sh").toString());
      pb.environment().put("MIGCTL_IMAGE_ENGINE", "no-such-engine");
      pb.environment().put("MIGCTL_REQUIRE_TOOLS", required);
      Kubectl.Result r = Kubectl.run(pb);
      assertThat(r.exitCode()).as(r.output()).isEqualTo(required.isEmpty() ? 0 : 1);
      assertThat(r.output()).contains("no container engine answers (tried: no-such-engine");
    }
  }

  /** The {@code finalName} of the shade plugin's execution in migctl-cli/pom.xml. */
  static String shadedJarName() {
    try {
      var factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      var pom = factory.newDocumentBuilder().parse(ROOT.resolve("migctl-cli/pom.xml").toFile());
      NodeList plugins = pom.getElementsByTagName("plugin");
      for (int i = 0; i < plugins.getLength(); i++) {
        Element plugin = (Element) plugins.item(i);
        NodeList ids = plugin.getElementsByTagName("artifactId");
        NodeList names = plugin.getElementsByTagName("finalName");
        if (ids.item(0).getTextContent().equals("maven-shade-plugin") && names.getLength() == 1) {
          return names.item(0).getTextContent().trim();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SAXException | javax.xml.parsers.ParserConfigurationException e) {
      throw new IllegalStateException("cannot read migctl-cli/pom.xml", e);
    }
    throw new AssertionError("migctl-cli/pom.xml has no maven-shade-plugin with a finalName");
  }

  // ------------------------------------------------------------------ helpers

  private static Map<String, String> agentEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("NODE_NAME", null);
    env.put("OPERATOR_NAMESPACE", null);
    env.put("CONFIG_FILE", "/mig-parted-config/config.yaml");
    env.put("MIGCTL_HOME", "/var/lib/migctl");
    env.put("CDI_SPEC", "/var/run/cdi/nvidia-mig.yaml");
    return env;
  }

  static ObjectNode daemonSet() {
    return (ObjectNode) only("DaemonSet").deepCopy();
  }

  static JsonNode podSpec(JsonNode ds) {
    return ds.path("spec").path("template").path("spec");
  }

  static JsonNode container(JsonNode ds) {
    return podSpec(ds).path("containers").get(0);
  }

  /** The one document of {@code kind} among the manifests. */
  static JsonNode only(String kind) {
    List<JsonNode> found = new ArrayList<>();
    for (Path f : manifests()) {
      documents(read(f)).stream()
          .filter(d -> d.path("kind").asText().equals(kind))
          .forEach(found::add);
    }
    assertThat(found).as("documents of kind %s under deploy/k8s", kind).hasSize(1);
    return found.getFirst();
  }

  static List<JsonNode> documents(String yaml) {
    try {
      return YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll().stream()
          .filter(d -> !d.isNull() && !d.isMissingNode())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String kindAndName(JsonNode doc) {
    return doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
  }

  static String read(Path f) {
    try {
      return Files.readString(f, UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path repoRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy/k8s")) && Files.isRegularFile(p.resolve("mvnw"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "no deploy/k8s above " + Path.of("").toAbsolutePath() + ": run from the repository");
  }
}
