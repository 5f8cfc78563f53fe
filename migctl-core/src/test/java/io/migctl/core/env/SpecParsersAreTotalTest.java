package io.migctl.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.migctl.core.Seeds;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link MatchSpec#parse}, {@link PipLine} and the version grammar take any string: each gives a
 * value or an {@link IllegalArgumentException} with a message, never another exception (a stack
 * overflow, an index out of bounds). A fuzzer is pointed at them (issue 13, item 21); these are the
 * inputs that broke them, and seeded random ones.
 */
class SpecParsersAreTotalTest {

  private static final List<Function<String, Object>> PARSERS =
      List.of(
          MatchSpec::parse, PipLine::new, text -> MatchSpec.parse("pkg[version='" + text + "']"));

  /** Characters the grammars give a meaning to, and some they do not. */
  private static final String ALPHABET = "aZ0_.-+*!=<>~,|()[]'\"#:@/\\ ;$^{}%?\t\n\u00e9\u0000";

  @Test
  void deeplyNestedVersionGroupsAreRefusedWithAMessage() {
    String deep = "(".repeat(20_000) + "1" + ")".repeat(20_000);
    Throwable thrown = catchThrowable(() -> MatchSpec.parse("numpy[version='" + deep + "']"));
    assertThat(thrown)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nested")
        .hasMessageContaining("64");
    assertThat(MatchSpec.parse("numpy[version='" + "(".repeat(8) + "1" + ")".repeat(8) + "']"))
        .extracting(MatchSpec::version)
        .isEqualTo(java.util.Optional.of("((((((((1))))))))"));
  }

  @Test
  void longAndPathologicalInputsGiveAValueOrAMessage() {
    String many = "a=".repeat(100_000);
    List<String> inputs =
        List.of(
            "numpy[" + many + "\"]",
            "numpy[" + "version=1 ".repeat(50_000) + "]",
            "[".repeat(50_000) + "]".repeat(50_000),
            "numpy " + ">=1,".repeat(50_000) + "<2",
            "numpy " + "1|".repeat(50_000) + "2",
            "pkg" + "[x]".repeat(10_000),
            "-r " + "x".repeat(200_000),
            "name" + " --hash=sha256:1".repeat(20_000),
            "name" + "[a]".repeat(20_000) + ">=1",
            "numpy::".repeat(10_000) + "x",
            // long runs where a backtracking pattern would take quadratic time
            "numpy" + " ".repeat(200_000) + "x",
            "numpy" + " ".repeat(200_000) + ">=1",
            "numpy[a" + " ".repeat(200_000) + "b]",
            "numpy[" + ", ".repeat(100_000) + "x]",
            "./" + "[".repeat(200_000),
            "pkg " + "[".repeat(200_000) + "]");
    for (String input : inputs) {
      for (Function<String, Object> parser : PARSERS) {
        assertTotal(parser, input, "a pathological input of " + input.length() + " characters");
      }
    }
  }

  @Test
  void randomStringsGiveAValueOrAMessage() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(24);
      for (int j = 0; j < length; j++) {
        text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      for (Function<String, Object> parser : PARSERS) {
        assertTotal(parser, text.toString(), "seed " + seed + ", round " + i);
      }
    }
  }

  private static void assertTotal(Function<String, Object> parser, String input, String context) {
    Throwable thrown = catchThrowable(() -> parser.apply(input));
    if (thrown != null) {
      assertThat(thrown)
          .as("%s: %s", context, input.length() > 200 ? input.substring(0, 200) + "…" : input)
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(thrown.getMessage()).as(context).isNotBlank();
    }
  }
}
