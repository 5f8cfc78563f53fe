package io.migctl.k8s.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's mixed dispatcher (expectations first, then the CRUD store), with the two places where
 * the 7.6.1 store differs from an API server in a way the agent would notice repaired:
 *
 * <ul>
 *   <li>a JSON merge patch's {@code null} removes the key (RFC 7386); fabric8's store keeps the key
 *       with a {@code null} value;
 *   <li>a list of pods with the field selector {@code spec.nodeName=NAME} returns that node's pods;
 *       fabric8's store matches no pod at all, since it only knows {@code metadata.name} and {@code
 *       metadata.namespace} as fields.
 * </ul>
 */
final class MockClusterDispatcher extends Dispatcher {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NODE_NAME_FIELD =
      Pattern.compile("(?:^|,)spec\\.nodeName(?:==|=)([^,]*)");

  private final Map<ServerRequest, Queue<ServerResponse>> expectations;
  private final MockDispatcher expected;
  private final KubernetesCrudDispatcher store = new RfcMergeStore();

  MockClusterDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations) {
    this.expectations = expectations;
    this.expected = new MockDispatcher(expectations);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Queue<ServerResponse> queued =
        expectations.get(
            new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
    if (queued != null && !queued.isEmpty()) {
      return expected.dispatch(request);
    }
    Optional<String> node = podListOnNode(request);
    if (node.isEmpty()) {
      return store.dispatch(request);
    }
    MockResponse all = store.dispatch(withoutNodeField(request));
    return all.code() == 200 ? onlyOn(node.get(), all) : all;
  }

  /** The node of a pod list with a {@code spec.nodeName} field selector (not a watch). */
  private static Optional<String> podListOnNode(RecordedRequest request) {
    String path = request.getPath();
    if (!"GET".equals(request.getMethod()) || !path.contains("/pods?") || path.contains("watch=")) {
      return Optional.empty();
    }
    Matcher m = NODE_NAME_FIELD.matcher(fieldSelector(path));
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static String fieldSelector(String path) {
    String query = path.substring(path.indexOf('?') + 1);
    for (String param : query.split("&")) {
      if (param.startsWith("fieldSelector=")) {
        return URLDecoder.decode(
            param.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
      }
    }
    return "";
  }

  private static RecordedRequest withoutNodeField(RecordedRequest request) {
    String path = request.getPath();
    String rest = NODE_NAME_FIELD.matcher(fieldSelector(path)).replaceAll("").replaceAll("^,", "");
    String base = path.substring(0, path.indexOf('?') + 1);
    List<String> params = new ArrayList<>();
    for (String param : path.substring(base.length()).split("&")) {
      if (!param.startsWith("fieldSelector=")) {
        params.add(param);
      } else if (!rest.isEmpty()) {
        params.add("fieldSelector=" + URLEncoder.encode(rest, StandardCharsets.UTF_8));
      }
    }
    return new RecordedRequest(
        request.getHttpVersion(),
        request.method(),
        base + String.join("&", params),
        request.getHeaders(),
        request.getBody());
  }

  private static MockResponse onlyOn(String node, MockResponse list) {
    try {
      ObjectNode body = (ObjectNode) JSON.readTree(list.getBody().readUtf8());
      ArrayNode kept = JSON.createArrayNode();
      body.withArray("items")
          .forEach(
              pod -> {
                if (node.equals(pod.path("spec").path("nodeName").asText())) {
                  kept.add(pod);
                }
              });
      body.set("items", kept);
      return list.setBody(body.toString());
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The CRUD store with RFC 7386's merge: {@code null} removes, objects merge, the rest replaces.
   */
  private static final class RfcMergeStore extends KubernetesCrudDispatcher {
    @Override
    public JsonNode merge(JsonNode current, String patch) {
      try {
        return mergePatch(current, JSON.readTree(patch));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
      if (!patch.isObject()) {
        return patch;
      }
      ObjectNode out =
          target.isObject() ? ((ObjectNode) target).deepCopy() : JSON.createObjectNode();
      patch
          .properties()
          .forEach(
              e -> {
                if (e.getValue().isNull()) {
                  out.remove(e.getKey());
                } else {
                  out.set(e.getKey(), mergePatch(out.path(e.getKey()), e.getValue()));
                }
              });
      return out;
    }
  }
}
