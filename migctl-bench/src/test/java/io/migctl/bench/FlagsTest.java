package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlagsTest {

  private static final Set<String> KNOWN = Set.of("jobs", "threads", "paths", "dir");

  @Test
  void readsEachKindOfValueAndFallsBackWhereNoneIsGiven() {
    Flags f = Flags.parse(KNOWN, "--jobs", "12", "--threads", "1, 4,8", "--paths", "b,a");
    assertThat(f.integer("jobs", 5, 1)).isEqualTo(12);
    assertThat(f.integers("threads", List.of(1), 1)).containsExactly(1, 4, 8);
    assertThat(f.words("paths", List.of("a"), List.of("a", "b", "c"))).containsExactly("b", "a");
    assertThat(f.text("dir", "/tmp")).isEqualTo("/tmp");
    assertThat(Flags.parse(KNOWN).integers("threads", List.of(1, 8), 1)).containsExactly(1, 8);
  }

  @Test
  void refusesUnknownMissingRepeatedAndMalformedArguments() {
    assertThatThrownBy(() -> Flags.parse(KNOWN, "--seed", "1"))
        .hasMessageContaining("unknown argument \"--seed\"")
        .hasMessageContaining("--dir, --jobs, --paths, --threads");
    assertThatThrownBy(() -> Flags.parse(KNOWN, "jobs", "1"))
        .hasMessageContaining("unknown argument \"jobs\"");
    assertThatThrownBy(() -> Flags.parse(KNOWN, "--jobs")).hasMessage("--jobs needs a value");
    assertThatThrownBy(() -> Flags.parse(KNOWN, "--jobs", "1", "--jobs", "2"))
        .hasMessage("--jobs is given twice");
    assertThatThrownBy(() -> Flags.parse(KNOWN, "--jobs", "ten").integer("jobs", 1, 1))
        .hasMessage("--jobs takes a whole number, not \"ten\"");
    assertThatThrownBy(() -> Flags.parse(KNOWN, "--jobs", "0").integer("jobs", 1, 1))
        .hasMessage("--jobs must be at least 1, was 0");
    assertThatThrownBy(
            () -> Flags.parse(KNOWN, "--threads", "1,1").integers("threads", List.of(), 1))
        .hasMessage("--threads names 1 twice");
    assertThatThrownBy(
            () -> Flags.parse(KNOWN, "--threads", "1,").integers("threads", List.of(), 1))
        .hasMessage("--threads takes a whole number, not \"\"");
    assertThatThrownBy(
            () -> Flags.parse(KNOWN, "--paths", "a,d").words("paths", List.of(), List.of("a", "b")))
        .hasMessage("--paths takes some of a,b, not \"d\"");
  }
}
