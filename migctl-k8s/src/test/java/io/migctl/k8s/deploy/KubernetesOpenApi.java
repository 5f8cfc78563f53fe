package io.migctl.k8s.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' own OpenAPI (v2, {@code swagger.json}) turned into JSON schemas, one per kind, that
 * reject what the API server would drop or refuse: a field the type does not have ({@code
 * additionalProperties: false} on every object type that lists its properties), a value of the
 * wrong type, a required field left out.
 *
 * <p>The document comes from {@code $MIGCTL_K8S_OPENAPI} where that is set, else from Debian's
 * {@code golang-k8s-kube-openapi-dev}, which ships the Kubernetes 1.13 API as test data; no package
 * reachable here carries a newer one. Every field the manifests use exists since 1.13, and a newer
 * field would be reported as unknown, never passed by mistake.
 */
final class KubernetesOpenApi {

  static final String VARIABLE = "MIGCTL_K8S_OPENAPI";

  static final Path DEBIAN =
      Path.of("/usr/share/gocode/src/k8s.io/kube-openapi/pkg/schemaconv/testdata/swagger.json");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

  private final ObjectNode definitions;
  private final Map<String, String> byKind = new HashMap<>();
  private final Map<String, Schema> schemas = new HashMap<>();

  private KubernetesOpenApi(JsonNode swagger) {
    this.definitions = (ObjectNode) swagger.path("definitions").deepCopy();
    definitions.properties().forEach(e -> closeObjects(e.getValue()));
    // Written as a string in the API's document, accepted by the server as either.
    ObjectNode intOrString = JSON.createObjectNode();
    intOrString.putArray("type").add("string").add("integer");
    definitions.set(INT_OR_STRING, intOrString);
    definitions
        .properties()
        .forEach(
            e -> {
              for (JsonNode gvk : e.getValue().path("x-kubernetes-group-version-kind")) {
                String group = gvk.path("group").asText();
                String apiVersion =
                    group.isEmpty()
                        ? gvk.path("version").asText()
                        : group + "/" + gvk.path("version").asText();
                byKind.put(apiVersion + " " + gvk.path("kind").asText(), e.getKey());
              }
            });
  }

  /** The API document; skips the calling test without one (fails it in CI). */
  static KubernetesOpenApi require() {
    String explicit = System.getenv(VARIABLE);
    Path file = explicit == null || explicit.isBlank() ? DEBIAN : Path.of(explicit);
    RequiredTools.fromEnvironment()
        .require(
            Files.isRegularFile(file),
            () ->
                "the Kubernetes OpenAPI document "
                    + file
                    + " is missing. Install it with 'apt-get install golang-k8s-kube-openapi-dev'"
                    + " (Debian/Ubuntu), or point "
                    + VARIABLE
                    + " at a Kubernetes api/openapi-spec/swagger.json");
    try {
      return new KubernetesOpenApi(JSON.readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * What is wrong with {@code document} for its {@code apiVersion} and {@code kind}; empty when the
   * API server would take it as it is.
   *
   * @throws IllegalArgumentException when the API has no such kind
   */
  List<String> problems(JsonNode document) {
    String key = document.path("apiVersion").asText() + " " + document.path("kind").asText();
    String definition = byKind.get(key);
    if (definition == null) {
      throw new IllegalArgumentException("the Kubernetes API has no kind " + key);
    }
    Schema schema = schemas.computeIfAbsent(definition, this::compile);
    return schema.validate(document).stream().map(Error::toString).toList();
  }

  private Schema compile(String definition) {
    ObjectNode root = JSON.createObjectNode();
    root.put("$ref", "#/definitions/" + definition);
    root.set("definitions", definitions);
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(root);
  }

  /** Sets {@code additionalProperties: false} wherever an object lists its properties. */
  private static void closeObjects(JsonNode schema) {
    if (!schema.isObject()) {
      return;
    }
    ObjectNode node = (ObjectNode) schema;
    if (node.has("properties") && !node.has("additionalProperties")) {
      node.put("additionalProperties", false);
    }
    node.path("properties").forEach(KubernetesOpenApi::closeObjects);
    closeObjects(node.path("items"));
    closeObjects(node.path("additionalProperties"));
  }
}
