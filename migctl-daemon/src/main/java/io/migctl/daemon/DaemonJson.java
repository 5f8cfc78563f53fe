package io.migctl.daemon;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.migctl.input.LimitedJson;
import io.migctl.input.LimitedYaml;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The daemon's JSON: ISO-8601 times, nulls left out; read strictly and within the input bounds, as
 * {@link LimitedJson} describes.
 */
public final class DaemonJson {
  private DaemonJson() {}

  public static final ObjectMapper MAPPER =
      LimitedJson.mapper()
          .registerModule(new Jdk8Module())
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  /** A YAML document of ours (the OpenAPI description) as a JSON tree. */
  static JsonNode yamlToTree(String yaml) {
    LoadSettings settings = LimitedYaml.settings().build();
    List<Node> documents = LimitedYaml.composeAll(yaml, settings, "openapi.yaml");
    Object tree =
        new StandardConstructor(settings)
            .constructSingleDocument(
                documents.isEmpty() ? Optional.empty() : Optional.of(documents.getFirst()));
    return MAPPER.valueToTree(tree);
  }
}
