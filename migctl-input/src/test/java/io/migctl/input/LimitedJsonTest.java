package io.migctl.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migctl.core.input.InputLimits;
import io.migctl.core.input.InvalidTextException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitedJsonTest {

  private static final ObjectMapper JSON = LimitedJson.mapper();

  /** A request-like record: the kinds of fields migctl reads. */
  record Sample(String name, Integer count, Boolean flag, Double ratio, List<String> words) {}

  private static Sample sample(String text) {
    return LimitedJson.convert(JSON, LimitedJson.readTree(JSON, text, "s.json"), Sample.class, "");
  }

  @Test
  void exactlyTheDeepestAllowedNestingIsRead() {
    int levels = InputLimits.MAX_DEPTH;
    assertThat(LimitedJson.readTree(JSON, "[".repeat(levels) + "]".repeat(levels), "s.json"))
        .isNotNull();
    assertThatThrownBy(
            () ->
                LimitedJson.readTree(
                    JSON, "[".repeat(levels + 1) + "]".repeat(levels + 1), "s.json"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("s.json: nested more than 64 levels deep (line 1, column 6");
  }

  @Test
  void aStringLongerThanTheBoundIsRefused() {
    String text = "{\"name\": \"" + "x".repeat(InputLimits.MAX_STRING_CHARS + 1) + "\"}";
    assertThatThrownBy(() -> LimitedJson.readTree(JSON, text, "s.json"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("s.json: a string value is longer than 1048576 characters");
  }

  @Test
  void valuesOfTheRightKindAreRead() {
    assertThat(
            sample("{\"name\": \"a\", \"count\": 2, \"flag\": true, \"ratio\": 3, \"words\": []}"))
        .isEqualTo(new Sample("a", 2, true, 3.0, List.of()));
  }

  @Test
  void everyScalarCoercionIsRefusedNamingTheField() {
    assertThatThrownBy(() -> sample("{\"name\": 1}"))
        .hasMessage("name: expected a string, got the number 1");
    assertThatThrownBy(() -> sample("{\"name\": false}"))
        .hasMessage("name: expected a string, got the boolean false");
    assertThatThrownBy(() -> sample("{\"count\": 2.0}"))
        .hasMessage("count: expected a whole number, got the number 2.0");
    assertThatThrownBy(() -> sample("{\"count\": \"\"}"))
        .hasMessage("count: expected a whole number, got the string \"\"");
    assertThatThrownBy(() -> sample("{\"flag\": 1}"))
        .hasMessage("flag: expected true or false, got the number 1");
    assertThatThrownBy(() -> sample("{\"flag\": \"false\"}"))
        .hasMessage("flag: expected true or false, got the string \"false\"");
    assertThatThrownBy(() -> sample("{\"ratio\": \"0.5\"}"))
        .hasMessage("ratio: expected a number, got the string \"0.5\"");
    assertThatThrownBy(() -> sample("{\"words\": \"one\"}"))
        .hasMessage("words: expected an array, got the string \"one\"");
    assertThatThrownBy(() -> sample("{\"words\": [\"one\", [\"two\"]]}"))
        .hasMessage("words[1]: expected a string, got an array");
    assertThatThrownBy(() -> sample("{\"nme\": \"a\"}"))
        .hasMessage("unknown field 'nme'; known fields: [count, flag, name, ratio, words]");
  }

  @Test
  void mapsOfNumbersTakeWholeNumbersAsDoubles() {
    Map<Integer, Double> read =
        LimitedJson.convert(
            JSON,
            LimitedJson.readTree(JSON, "{\"0\": 120, \"1\": 60.5}", "t.json"),
            new TypeReference<Map<Integer, Double>>() {},
            "t.json: ");
    assertThat(read).containsEntry(0, 120.0).containsEntry(1, 60.5);
  }

  @Test
  void malformedJsonIsNamedByLineAndColumnWithoutJacksonsSourceText() {
    assertThatThrownBy(() -> LimitedJson.readTree(JSON, "{\"a\": [1, 2}", "s.json"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("s.json: malformed JSON at line 1, column 12: ")
        .hasMessageNotContaining("Source:")
        .hasMessageNotContaining("REDACTED");
    assertThatThrownBy(() -> LimitedJson.readTree(JSON, "  ", "s.json"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessage("s.json: empty; send one JSON document");
  }

  /** Found by JobSpecJsonFuzzTest: a repeated key with a line break in it broke the message. */
  @Test
  void aRepeatedKeyIsNamedWhateverItHolds() {
    assertThatThrownBy(() -> LimitedJson.readTree(JSON, "{\"a\": 1, \"a\": 2}", "s.json"))
        .hasMessage(
            "s.json: the key \"a\" is given twice at line 1, column 13; give each key once");
    assertThatThrownBy(
            () -> LimitedJson.readTree(JSON, "{\"it's\\nx\": 1, \"it's\\nx\": 2}", "s.json"))
        .isInstanceOf(InvalidTextException.class)
        .hasMessageStartingWith("s.json: the key \"it's\\nx\" is given twice at line 1");
  }
}
