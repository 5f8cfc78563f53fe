package io.migctl.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.migctl.core.env.SpecText;
import io.migctl.core.input.InputLimits;
import io.migctl.core.input.InvalidTextException;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Jackson held to {@link InputLimits} and read strictly, for every JSON text migctl takes from a
 * user: request bodies, checkpoints, trace files.
 *
 * <p>{@link #mapper()} makes mappers whose parsers refuse nesting deeper than {@link
 * InputLimits#MAX_DEPTH}, strings longer than {@link InputLimits#MAX_STRING_CHARS} and documents
 * larger than {@link InputLimits#MAX_FILE_BYTES}, and refuse a key given twice; whose binding
 * refuses unknown fields, a null inside a list or map, and every scalar coercion (a number or
 * boolean where a string is expected, a string where a number or boolean is, a fraction where a
 * whole number is). {@link #readTree} reads exactly one document; {@link #convert} binds a tree.
 * Every refusal is an {@link InvalidTextException} in migctl's words: the source, where (a line and
 * column, or a field path such as {@code command[0]}), what was expected and what was found; never
 * Jackson's own text or a Java class name. Thread-safe.
 */
public final class LimitedJson {

  /** The bounds every parser made here keeps. */
  public static final StreamReadConstraints CONSTRAINTS =
      StreamReadConstraints.builder()
          .maxNestingDepth(InputLimits.MAX_DEPTH)
          .maxStringLength(InputLimits.MAX_STRING_CHARS)
          .maxDocumentLength(InputLimits.MAX_FILE_BYTES)
          .build();

  private static final Pattern JACKSON_LOCATION =
      Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

  private LimitedJson() {}

  /** A JSON factory whose parsers keep {@link #CONSTRAINTS} and refuse duplicate keys. */
  public static JsonFactory factory() {
    return JsonFactory.builder()
        .streamReadConstraints(CONSTRAINTS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
  }

  /** A mapper that reads as the class comment says; callers may add modules and output settings. */
  public static ObjectMapper mapper() {
    ObjectMapper mapper =
        JsonMapper.builder(factory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    // Scalars only as JSON writes them: a whole number may become a double, nothing else changes
    // its kind (Jackson would turn 123 into "123", "5" into 5, 1.5 into 1, "true" into true).
    fail(mapper, LogicalType.Textual, CoercionInputShape.Integer, CoercionInputShape.Float);
    fail(mapper, LogicalType.Textual, CoercionInputShape.Boolean);
    fail(mapper, LogicalType.Integer, CoercionInputShape.Float, CoercionInputShape.String);
    fail(mapper, LogicalType.Integer, CoercionInputShape.Boolean, CoercionInputShape.EmptyString);
    fail(mapper, LogicalType.Float, CoercionInputShape.String, CoercionInputShape.Boolean);
    fail(mapper, LogicalType.Float, CoercionInputShape.EmptyString);
    fail(mapper, LogicalType.Boolean, CoercionInputShape.Integer, CoercionInputShape.Float);
    fail(mapper, LogicalType.Boolean, CoercionInputShape.String, CoercionInputShape.EmptyString);
    mapper.setDefaultSetterInfo(
        com.fasterxml.jackson.annotation.JsonSetter.Value.forContentNulls(
            com.fasterxml.jackson.annotation.Nulls.FAIL));
    return mapper;
  }

  private static void fail(ObjectMapper mapper, LogicalType target, CoercionInputShape... inputs) {
    for (CoercionInputShape input : inputs) {
      mapper.coercionConfigFor(target).setCoercion(input, CoercionAction.Fail);
    }
  }

  /**
   * The one JSON document of {@code text}; nothing but whitespace may follow it.
   *
   * @param source how messages name the text: a file's path, {@code request body}
   * @throws InvalidTextException for text that is not one JSON document, has a key twice, or
   *     exceeds a bound
   */
  public static JsonNode readTree(ObjectMapper mapper, String text, String source) {
    try (JsonParser parser = mapper.createParser(text)) {
      JsonNode tree;
      try {
        // Trailing text is checked below, to say so in our words.
        tree =
            mapper
                .reader()
                .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readTree(parser);
      } catch (StreamConstraintsException e) {
        throw beyondBounds(parser, source);
      } catch (JsonProcessingException e) {
        throw malformed(e, source);
      }
      if (tree == null || tree.isMissingNode()) {
        throw new InvalidTextException(source + ": empty; send one JSON document");
      }
      JsonLocation end = parser.currentLocation();
      boolean more;
      try {
        more = parser.nextToken() != null;
      } catch (JsonProcessingException e) {
        more = true;
      }
      if (more) {
        throw new InvalidTextException(
            source
                + ": more text after the JSON document, at "
                + where(end)
                + "; give exactly one JSON value");
      }
      return tree;
    } catch (IOException e) {
      // A parser over a String does no I/O; this is a JSON error Jackson did not classify.
      throw new InvalidTextException(source + ": not valid JSON");
    }
  }

  /**
   * Binds {@code tree} to {@code type} with {@code mapper}'s rules.
   *
   * @param prefix what messages start with (a file name and ": "), or empty
   * @throws InvalidTextException naming the field path, what it expects and what it holds
   */
  public static <T> T convert(ObjectMapper mapper, JsonNode tree, Class<T> type, String prefix) {
    return convert(mapper, tree, mapper.constructType(type), prefix);
  }

  /** {@link #convert(ObjectMapper, JsonNode, Class, String)} for a generic type. */
  public static <T> T convert(
      ObjectMapper mapper, JsonNode tree, TypeReference<T> type, String prefix) {
    return convert(mapper, tree, mapper.constructType(type), prefix);
  }

  private static <T> T convert(ObjectMapper mapper, JsonNode tree, JavaType type, String prefix) {
    try {
      return mapper.treeToValue(tree, type);
    } catch (JsonMappingException e) {
      throw new InvalidTextException(prefix + mappingProblem(e, tree));
    } catch (JsonProcessingException e) {
      throw new InvalidTextException(prefix + "cannot be read: " + withoutSource(e));
    }
  }

  /** Where in the document a mapping error is, e.g. {@code command[2]} or {@code env.FOO}. */
  public static String path(JsonMappingException e) {
    String p =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining());
    return p.isEmpty() ? "" : p.substring(p.startsWith(".") ? 1 : 0);
  }

  private static String mappingProblem(JsonMappingException e, JsonNode tree) {
    String path = path(e);
    String at = path.isEmpty() ? "" : path + ": ";
    if (e instanceof UnrecognizedPropertyException u) {
      String field = u.getPropertyName();
      String inside = path.substring(0, Math.max(0, path.length() - field.length())).strip();
      inside = inside.endsWith(".") ? inside.substring(0, inside.length() - 1) : inside;
      return (inside.isEmpty() ? "" : inside + ": ")
          + "unknown field '"
          + field
          + "'; known fields: "
          + known(u.getKnownPropertyIds());
    }
    if (e instanceof ValueInstantiationException && e.getCause() != null) {
      return at + e.getCause().getMessage();
    }
    JsonNode found = at(tree, e);
    Class<?> target =
        e instanceof MismatchedInputException m
            ? m.getTargetType()
            : e.getCause() instanceof InputCoercionException c ? c.getTargetType() : null;
    if (found.isMissingNode()) {
      return at + "missing; give " + expected(target);
    }
    String outOfRange = e.getCause() instanceof InputCoercionException ? " (out of range)" : "";
    return at + "expected " + expected(target) + ", got " + describe(found) + outOfRange;
  }

  private static String known(Collection<Object> ids) {
    return ids == null ? "[]" : ids.stream().map(Object::toString).sorted().toList().toString();
  }

  /** The node an error's path points at, or a missing node. */
  private static JsonNode at(JsonNode tree, JsonMappingException e) {
    JsonNode node = tree;
    for (JsonMappingException.Reference r : e.getPath()) {
      if (node == null) {
        return MissingNode.getInstance();
      }
      node = r.getFieldName() != null ? node.get(r.getFieldName()) : node.get(r.getIndex());
    }
    return node == null ? MissingNode.getInstance() : node;
  }

  /** What a Java type is in JSON's words. */
  static String expected(Class<?> target) {
    if (target == null) {
      return "another kind of value";
    }
    if (target == String.class || target == Character.class || target == char.class) {
      return "a string";
    }
    if (Set.of(Integer.class, int.class, Long.class, long.class, Short.class, short.class)
        .contains(target)) {
      return "a whole number";
    }
    if (Number.class.isAssignableFrom(target) || target == double.class || target == float.class) {
      return "a number";
    }
    if (target == Boolean.class || target == boolean.class) {
      return "true or false";
    }
    if (Collection.class.isAssignableFrom(target) || target.isArray()) {
      return "an array";
    }
    if (target.isEnum()) {
      return "one of the names " + List.of(target.getEnumConstants());
    }
    return "an object";
  }

  /** A JSON value in words: {@code the number 123}, {@code the string "x"}, {@code null}. */
  public static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isNull()) {
      return "null";
    }
    if (node.isTextual()) {
      String s = node.asText();
      return "the string \"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"";
    }
    if (node.isNumber()) {
      return "the number " + node.asText();
    }
    if (node.isBoolean()) {
      return "the boolean " + node.asText();
    }
    if (node.isArray()) {
      return node.isEmpty() ? "an empty array" : "an array";
    }
    return node.isEmpty() ? "an empty object" : "an object";
  }

  private static InvalidTextException beyondBounds(JsonParser parser, String source) {
    String at = where(parser.currentLocation());
    if (parser.getParsingContext().getNestingDepth() > InputLimits.MAX_DEPTH) {
      return new InvalidTextException(InputLimits.tooDeep(source, at));
    }
    if (parser.currentToken() == JsonToken.VALUE_STRING) {
      return new InvalidTextException(InputLimits.stringTooLong(source, at));
    }
    return new InvalidTextException(
        source
            + ": a key or number is longer than migctl reads (at "
            + at
            + "; at most "
            + CONSTRAINTS.getMaxNameLength()
            + " characters in a key, "
            + CONSTRAINTS.getMaxNumberLength()
            + " in a number)");
  }

  private static InvalidTextException malformed(JsonProcessingException e, String source) {
    String problem = withoutSource(e);
    String at = e.getLocation() == null ? "" : " at " + where(e.getLocation());
    if (problem.startsWith("Duplicate field '")) {
      // The parser knows the key; Jackson's text quotes it raw, so a quote or a line break in the
      // key would cut it short.
      String name =
          e.getProcessor() instanceof JsonParser p && p.getParsingContext().getCurrentName() != null
              ? p.getParsingContext().getCurrentName()
              : problem.substring("Duplicate field '".length());
      String key =
          SpecText.abbreviate(name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r"));
      return new InvalidTextException(
          source + ": the key \"" + key + "\" is given twice" + at + "; give each key once");
    }
    return new InvalidTextException(source + ": malformed JSON" + at + ": " + problem);
  }

  /** Jackson's problem, on one line, its source locations in migctl's words. */
  private static String withoutSource(JsonProcessingException e) {
    String text = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    text = text.lines().findFirst().orElse("").strip();
    return JACKSON_LOCATION.matcher(text).replaceAll("line $1, column $2");
  }

  private static String where(JsonLocation l) {
    return "line " + l.getLineNr() + ", column " + l.getColumnNr();
  }
}
