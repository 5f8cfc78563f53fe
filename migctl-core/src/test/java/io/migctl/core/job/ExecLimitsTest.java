package io.migctl.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What execve(2) takes, checked before a job is accepted (issue 13.15). */
class ExecLimitsTest {

  private static final ExecLimits TWO_MIB = new ExecLimits(2 * 1024 * 1024);

  private static ExecLimits.Entry job(String field, String text) {
    return new ExecLimits.Entry(Optional.of(field), text);
  }

  private static ExecLimits.Entry own(String text) {
    return new ExecLimits.Entry(Optional.empty(), text);
  }

  @Test
  void aStringTakesItsUtf8BytesAndANul() {
    for (String s : List.of("", "abc", "é", "€", "😀", "a\u00e9\u20ac\ud83d\ude00z")) {
      assertThat(ExecLimits.stringBytes(s))
          .as(s)
          .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length + 1L);
    }
    assertThat(ExecLimits.stringBytes("\ud800x"))
        .isEqualTo("\ud800x".getBytes(StandardCharsets.UTF_8).length + 1L);
  }

  @Test
  void aCommandAndEnvironmentWithinTheLimitPass() {
    TWO_MIB.check(
        List.of(
            own("/bin/sh"), job("command[0]", "python"), job("command[1]", "x".repeat(100_000))),
        List.of(job("env.PATH", "PATH=/usr/bin")));
  }

  @Test
  void theTotalCountsEveryStringItsNulAndItsPointer() {
    // 20 arguments of 100,000 bytes: 2,000,020 bytes and 160 bytes of pointers, over 2,000,000.
    ExecLimits limits = new ExecLimits(2_000_000);
    List<ExecLimits.Entry> argv = new ArrayList<>();
    argv.add(own("/bin/sh"));
    for (int i = 0; i < 20; i++) {
      argv.add(job("command[" + i + "]", "y".repeat(99_999)));
    }
    List<ExecLimits.Entry> envp = List.of(job("env.A", "A=1"), own("MIGCTL_SUPERVISOR_SET=0"));
    assertThatThrownBy(() -> limits.check(argv, envp))
        .isInstanceOf(JobSpecException.class)
        .hasMessage(
            "command: the command and its environment take 2,000,220 bytes when the job starts"
                + " (arguments 2,000,000, environment 4, migctl's supervisor 32, and 8 bytes per"
                + " string for its pointer), over this node's limit of 2,000,000 bytes (ARG_MAX);"
                + " pass large data in files instead of arguments or variables");
    // The same without the last argument fits.
    limits.check(argv.subList(0, 20), envp);
  }

  @Test
  void theEnvironmentTheJobWouldGetCountsToo() {
    List<ExecLimits.Entry> envp = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      envp.add(job("env.V" + i, "V" + i + "=" + "z".repeat(100_000)));
    }
    assertThatThrownBy(() -> TWO_MIB.check(List.of(job("command[0]", "true")), envp))
        .isInstanceOf(JobSpecException.class)
        .hasMessageStartingWith("command: the command and its environment take 3,000,")
        .hasMessageContaining("over this node's limit of 2,097,152 bytes (ARG_MAX)");
  }

  @Test
  void oneStringOverTheLimitIsNamedByItsField() {
    String big = "q".repeat(ExecLimits.MAX_ARG_STRLEN);
    JobSpecException e =
        (JobSpecException)
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    TWO_MIB.check(
                        List.of(job("command[0]", "echo"), job("command[1]", big)), List.of()));
    assertThat(e.field()).isEqualTo("command[1]");
    assertThat(e.getMessage()).contains("131073 bytes").contains("MAX_ARG_STRLEN");
    // A variable migctl wraps for its supervisor is named by the job's variable.
    JobSpecException wrapped =
        (JobSpecException)
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    TWO_MIB.check(
                        List.of(job("command[0]", "true")),
                        List.of(job("environment PATH", "MIGCTL_SUPERVISOR_SET_0=PATH=" + big))));
    assertThat(wrapped.field()).isEqualTo("environment PATH");
    assertThat(wrapped.getMessage()).contains("per environment variable");
  }

  @Test
  void migctlsOwnStringsOverTheLimitAreNotBlamedOnAField() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> TWO_MIB.check(List.of(own("s".repeat(ExecLimits.MAX_ARG_STRLEN))), List.of()))
        .withMessageStartingWith("command: migctl's supervisor");
  }

  @Test
  void argMaxAboveTheKernelsCapCountsAsTheCapAndBelowOneStringIsRefused() {
    assertThat(new ExecLimits(Long.MAX_VALUE).argMaxBytes()).isEqualTo(ExecLimits.KERNEL_CAP);
    assertThat(new ExecLimits(2_097_152).argMaxBytes()).isEqualTo(2_097_152);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ExecLimits(4096))
        .withMessage("ARG_MAX must be at least 131072 bytes, was 4096");
  }

  @Test
  void theQuickBoundNeverPassesWhatTheCountRefuses() {
    java.util.Random random = new java.util.Random(18);
    String[] kinds = {"a", "é", "€", "😀"};
    ExecLimits limits = new ExecLimits(ExecLimits.MAX_ARG_STRLEN * 2L);
    int sure = 0;
    for (int trial = 0; trial < 400; trial++) {
      List<ExecLimits.Entry> argv = new ArrayList<>();
      long chars = 0;
      long longest = 0;
      for (int i = 0, n = 1 + random.nextInt(6); i < n; i++) {
        String text = kinds[random.nextInt(kinds.length)].repeat(random.nextInt(30_000));
        argv.add(job("command[" + i + "]", text));
        chars += text.length();
        longest = Math.max(longest, text.length());
      }
      boolean refused;
      try {
        limits.check(argv, List.of());
        refused = false;
      } catch (JobSpecException e) {
        refused = true;
      }
      if (limits.surelyFits(argv.size(), chars, longest)) {
        sure++;
        assertThat(refused).as("trial %d", trial).isFalse();
      }
    }
    assertThat(sure).as("the bound passes some").isPositive();
  }

  @Test
  void theQuickBoundIsExactForStringsOfThreeByteCharacters() {
    int most = (ExecLimits.MAX_ARG_STRLEN - 1) / 3;
    String fits = "€".repeat(most);

    assertThat(TWO_MIB.surelyFits(1, most, most)).isTrue();
    TWO_MIB.check(List.of(job("command[0]", fits)), List.of());
    assertThat(TWO_MIB.surelyFits(1, most + 1, most + 1)).isFalse();
    assertThatThrownBy(() -> TWO_MIB.check(List.of(job("command[0]", fits + "€")), List.of()))
        .isInstanceOf(JobSpecException.class);
    // The total: strings, their NULs and pointers.
    ExecLimits small = new ExecLimits(ExecLimits.MAX_ARG_STRLEN);
    long chars = (ExecLimits.MAX_ARG_STRLEN - 10 * (1 + ExecLimits.POINTER_BYTES)) / 3;
    assertThat(small.surelyFits(10, chars, 100)).isTrue();
    assertThat(small.surelyFits(10, chars + 1, 100)).isFalse();
    // Exactly at the limit: 3 x 43,661 chars + 10 NULs + 80 bytes of pointers.
    ExecLimits exact = new ExecLimits(3 * 43_661 + 90);
    assertThat(exact.surelyFits(10, 43_661, 100)).isTrue();
    assertThat(exact.surelyFits(10, 43_662, 100)).isFalse();
  }

  @Test
  void stringsAndTotalsOfExactlyTheLimitPass() {
    String most = "q".repeat(ExecLimits.MAX_ARG_STRLEN - 1);
    TWO_MIB.check(List.of(job("command[0]", most)), List.of());
    TWO_MIB.check(
        List.of(own("x")), List.of(own("A=" + "q".repeat(ExecLimits.MAX_ARG_STRLEN - 3))));
    // Two strings of 9 bytes with their NULs and two pointers: 34 bytes.
    ExecLimits tight = new ExecLimits(ExecLimits.MAX_ARG_STRLEN);
    long room = ExecLimits.MAX_ARG_STRLEN - 2L * ExecLimits.POINTER_BYTES - 2;
    String half = "z".repeat((int) (room / 2));
    String rest = "z".repeat((int) (room - room / 2));
    tight.check(List.of(job("command[0]", half), job("command[1]", rest)), List.of());
    assertThatThrownBy(
            () ->
                tight.check(
                    List.of(job("command[0]", half), job("command[1]", rest + "z")), List.of()))
        .isInstanceOf(JobSpecException.class);
  }
}
