package io.migctl.daemon.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.HostLimits;
import io.migctl.core.job.JobSpec;
import io.migctl.core.mig.ProfileName;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The JSON form of a {@link JobSpec} in the store's {@code jobs.spec_json} column. {@link #read}
 * gives back a spec equal to the one {@link #write} was given.
 *
 * <pre>{@code
 * {"v":1,"name":"train","command":["python","train.py"],"workdir":"/data","environment":"3f2a",
 *  "gpu":{"kind":"profile","profile":"1c.3g.20gb"},  // or {"kind":"none"},
 *                                                    // or {"kind":"memory","memoryMiB":8192,"computeSlices":2}
 *                                                    // either with "count":3 for 3 MIG devices
 *                                                    // or {"kind":"gpus","count":2,"model":"a100-40gb","memoryMiB":40960}
 *  "priority":10,"tenant":"ml","timeout":"PT1H","maxRetries":2,"variables":{"SEED":"1"},
 *  "limits":{"memoryMiB":16384,"cpuMillis":4000,"maxProcs":512},"image":"busybox"}
 * }</pre>
 *
 * Absent optionals are left out; an absent {@code gpu.count} is one device, as in documents written
 * before counts existed. {@code timeout} is an ISO-8601 duration ({@link Duration#toString()}).
 */
public final class JobSpecCodec {

  /** The format version written into every document. */
  public static final int VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JobSpecCodec() {}

  /** The spec as one line of JSON. */
  public static String write(JobSpec spec) {
    ObjectNode o = NODES.objectNode();
    o.put("v", VERSION);
    o.put("name", spec.name());
    ArrayNode command = o.putArray("command");
    spec.command().forEach(command::add);
    spec.workdir().ifPresent(w -> o.put("workdir", w));
    spec.environment().ifPresent(e -> o.put("environment", e));
    writeGpu(o.putObject("gpu"), spec.gpu());
    o.put("priority", spec.priority());
    o.put("tenant", spec.tenant());
    spec.timeout().ifPresent(t -> o.put("timeout", t.toString()));
    o.put("maxRetries", spec.maxRetries());
    ObjectNode variables = o.putObject("variables");
    spec.variables().forEach(variables::put);
    HostLimits limits = spec.limits();
    if (!limits.isEmpty()) {
      ObjectNode l = o.putObject("limits");
      limits.memoryMiB().ifPresent(m -> l.put("memoryMiB", m));
      limits.cpuMillis().ifPresent(c -> l.put("cpuMillis", c));
      limits.maxProcs().ifPresent(p -> l.put("maxProcs", p));
    }
    spec.image().ifPresent(i -> o.put("image", i));
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write job spec " + spec.name() + " as JSON", e);
    }
  }

  /**
   * Reads what {@link #write} wrote.
   *
   * @throws IllegalArgumentException when the text is not such a document (the message names the
   *     field), or the spec it holds is not valid
   */
  public static JobSpec read(String json) {
    JsonNode o;
    try {
      o = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("job spec is not JSON: " + e.getOriginalMessage(), e);
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("job spec is not a JSON object");
    }
    int version = integer(o, "v");
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "job spec has format version " + version + "; this build reads version " + VERSION);
    }
    List<String> command = new ArrayList<>();
    JsonNode args = required(o, "command");
    if (!args.isArray()) {
      throw new IllegalArgumentException("job spec field 'command' is not a list of strings");
    }
    for (JsonNode a : args) {
      if (!a.isTextual()) {
        throw new IllegalArgumentException("job spec field 'command' is not a list of strings");
      }
      command.add(a.textValue());
    }
    Map<String, String> variables = new LinkedHashMap<>();
    JsonNode vars = required(o, "variables");
    if (!vars.isObject()) {
      throw new IllegalArgumentException("job spec field 'variables' is not an object");
    }
    for (Map.Entry<String, JsonNode> e : vars.properties()) {
      if (!e.getValue().isTextual()) {
        throw new IllegalArgumentException(
            "job spec variable '" + e.getKey() + "' is not a string");
      }
      variables.put(e.getKey(), e.getValue().textValue());
    }
    Optional<Duration> timeout = optionalText(o, "timeout").map(JobSpecCodec::duration);
    return new JobSpec(
        text(o, "name"),
        command,
        optionalText(o, "workdir"),
        optionalText(o, "environment"),
        gpu(required(o, "gpu")),
        integer(o, "priority"),
        text(o, "tenant"),
        timeout,
        integer(o, "maxRetries"),
        variables,
        limits(o.get("limits")),
        optionalText(o, "image"));
  }

  private static void writeGpu(ObjectNode gpu, GpuNeed need) {
    switch (need) {
      case GpuNeed.None n -> gpu.put("kind", "none");
      case GpuNeed.Profile p -> {
        gpu.put("kind", "profile");
        gpu.put("profile", p.name().toString());
      }
      case GpuNeed.Memory m -> {
        gpu.put("kind", "memory");
        gpu.put("memoryMiB", m.memoryMiB());
        gpu.put("computeSlices", m.computeSlices());
      }
      case GpuNeed.MigDevices d -> {
        writeGpu(gpu, d.device());
        gpu.put("count", d.count());
      }
      case GpuNeed.WholeGpus w -> {
        gpu.put("kind", "gpus");
        gpu.put("count", w.count());
        w.model().ifPresent(m -> gpu.put("model", m));
        w.memoryMiB().ifPresent(m -> gpu.put("memoryMiB", m));
      }
    }
  }

  private static HostLimits limits(JsonNode l) {
    if (l == null || l.isNull()) {
      return HostLimits.NONE;
    }
    if (!l.isObject()) {
      throw new IllegalArgumentException("job spec field 'limits' is not an object");
    }
    JsonNode memory = l.get("memoryMiB");
    if (memory != null && (!memory.isIntegralNumber() || !memory.canConvertToLong())) {
      throw new IllegalArgumentException("job spec field 'limits.memoryMiB' is not an integer");
    }
    return new HostLimits(
        memory == null ? OptionalLong.empty() : OptionalLong.of(memory.longValue()),
        l.has("cpuMillis") ? OptionalInt.of(integer(l, "cpuMillis")) : OptionalInt.empty(),
        l.has("maxProcs") ? OptionalInt.of(integer(l, "maxProcs")) : OptionalInt.empty());
  }

  private static GpuNeed gpu(JsonNode g) {
    GpuNeed one = device(g);
    if (one instanceof GpuNeed.WholeGpus || !g.has("count")) {
      return one;
    }
    int count = integer(g, "count");
    return count == 1 ? one : new GpuNeed.MigDevices(one, count);
  }

  private static GpuNeed device(JsonNode g) {
    String kind = text(g, "kind");
    return switch (kind) {
      case "none" -> GpuNeed.NONE;
      case "profile" -> new GpuNeed.Profile(ProfileName.parse(text(g, "profile")));
      case "memory" -> {
        JsonNode mem = required(g, "memoryMiB");
        if (!mem.canConvertToLong() || !mem.isIntegralNumber()) {
          throw new IllegalArgumentException("job spec field 'gpu.memoryMiB' is not an integer");
        }
        yield new GpuNeed.Memory(mem.longValue(), integer(g, "computeSlices"));
      }
      case "gpus" -> {
        JsonNode mem = g.get("memoryMiB");
        if (mem != null && (!mem.canConvertToLong() || !mem.isIntegralNumber())) {
          throw new IllegalArgumentException("job spec field 'gpu.memoryMiB' is not an integer");
        }
        yield new GpuNeed.WholeGpus(
            integer(g, "count"),
            optionalText(g, "model"),
            mem == null ? OptionalLong.empty() : OptionalLong.of(mem.longValue()));
      }
      default ->
          throw new IllegalArgumentException(
              "job spec field 'gpu.kind' is '"
                  + kind
                  + "'; expected none, profile, memory or gpus");
    };
  }

  private static Duration duration(String text) {
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "job spec field 'timeout' is '" + text + "', not an ISO-8601 duration such as PT1H", e);
    }
  }

  private static JsonNode required(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("job spec has no field '" + field + "'");
    }
    return v;
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = required(o, field);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("job spec field '" + field + "' is not a string");
    }
    return v.textValue();
  }

  private static Optional<String> optionalText(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(text(o, field));
  }

  private static int integer(JsonNode o, String field) {
    JsonNode v = required(o, field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException("job spec field '" + field + "' is not an integer");
    }
    return v.intValue();
  }
}
