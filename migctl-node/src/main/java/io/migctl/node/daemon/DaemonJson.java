package io.migctl.node.daemon;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The daemon's JSON: ISO-8601 times, nulls left out, unknown fields refused. */
public final class DaemonJson {
  private DaemonJson() {}

  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new Jdk8Module())
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  /** Where in the document a mapping error is, e.g. {@code command[2]} or {@code env.FOO}. */
  static String path(JsonMappingException e) {
    String p =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining());
    return p.isEmpty() ? "the top level" : p.substring(p.startsWith(".") ? 1 : 0);
  }

  /** A YAML document as a JSON tree. */
  static JsonNode yamlToTree(String yaml) {
    Object tree = new Load(LoadSettings.builder().build()).loadFromString(yaml);
    return MAPPER.valueToTree(tree);
  }
}
