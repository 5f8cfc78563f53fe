package io.migctl.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobSpecTest {

  private static final List<String> COMMAND = List.of("python", "train.py");

  /** A builder over the record's canonical constructor, valid until a test changes a field. */
  private static final class Spec {
    String name = "train";
    List<String> command = COMMAND;
    Optional<String> workdir = Optional.empty();
    Optional<String> environment = Optional.empty();
    GpuNeed gpu = GpuNeed.NONE;
    int priority = 0;
    String tenant = "team-a";
    Optional<Duration> timeout = Optional.empty();
    int maxRetries = 0;
    Map<String, String> variables = Map.of();

    JobSpec build() {
      return new JobSpec(
          name,
          command,
          workdir,
          environment,
          gpu,
          priority,
          tenant,
          timeout,
          maxRetries,
          variables);
    }
  }

  private static JobSpecException rejected(Spec s) {
    try {
      s.build();
    } catch (JobSpecException e) {
      return e;
    }
    throw new AssertionError("the spec was accepted");
  }

  @Test
  void acceptsAValidSpecAsGiven() {
    Spec s = new Spec();
    s.workdir = Optional.of("/data/run");
    s.environment = Optional.of("torch");
    s.gpu = new GpuNeed.Memory(8192, 1);
    s.priority = 7;
    s.timeout = Optional.of(Duration.ofHours(2));
    s.maxRetries = 3;
    s.variables = Map.of("EPOCHS", "10");
    JobSpec spec = s.build();
    assertThat(spec.name()).isEqualTo("train");
    assertThat(spec.command()).containsExactly("python", "train.py");
    assertThat(spec.workdir()).contains("/data/run");
    assertThat(spec.environment()).contains("torch");
    assertThat(spec.gpu()).isEqualTo(new GpuNeed.Memory(8192, 1));
    assertThat(spec.priority()).isEqualTo(7);
    assertThat(spec.tenant()).isEqualTo("team-a");
    assertThat(spec.timeout()).contains(Duration.ofHours(2));
    assertThat(spec.maxRetries()).isEqualTo(3);
    assertThat(spec.variables()).containsExactly(Map.entry("EPOCHS", "10"));
  }

  @Test
  void ofFillsTheDefaults() {
    JobSpec spec = JobSpec.of("x", List.of("true"), GpuNeed.NONE);
    assertThat(spec.workdir()).isEmpty();
    assertThat(spec.environment()).isEmpty();
    assertThat(spec.priority()).isZero();
    assertThat(spec.tenant()).isEqualTo(JobSpec.DEFAULT_TENANT).isEqualTo("default");
    assertThat(spec.timeout()).isEmpty();
    assertThat(spec.maxRetries()).isZero();
    assertThat(spec.variables()).isEmpty();
  }

  // ---------------------------------------------------------------- name

  @ParameterizedTest
  @ValueSource(strings = {"a", "7", "train-1.v2_x", "A.b-C_d", "x-"})
  void acceptsNames(String name) {
    Spec s = new Spec();
    s.name = name;
    assertThat(s.build().name()).isEqualTo(name);
  }

  @Test
  void acceptsANameOf63Characters() {
    Spec s = new Spec();
    s.name = "n".repeat(63);
    assertThat(s.build().name()).hasSize(63);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "-x", ".x", "_x", "a b", "a/b", "a:b", "é", "a\u0000", "a\n"})
  void rejectsNames(String name) {
    Spec s = new Spec();
    s.name = name;
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("name");
    assertThat(e.getMessage())
        .startsWith("name: '" + name + "' is not a job name")
        .contains("use letters, digits, '.', '_' or '-', at most 63 characters");
  }

  @Test
  void rejectsANameOf64Characters() {
    Spec s = new Spec();
    s.name = "n".repeat(64);
    assertThat(rejected(s).field()).isEqualTo("name");
  }

  @Test
  void rejectsAMissingName() {
    Spec s = new Spec();
    s.name = null;
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("name");
    assertThat(e.getMessage()).contains("is not a job name");
  }

  @Test
  void checksTheNameFirst() {
    Spec s = new Spec();
    s.name = "bad name";
    s.command = List.of();
    s.priority = 5000;
    assertThat(rejected(s).field()).isEqualTo("name");
  }

  // ---------------------------------------------------------------- command

  @Test
  void rejectsAnEmptyCommand() {
    Spec s = new Spec();
    s.command = List.of();
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("command");
    assertThat(e.getMessage()).isEqualTo("command: is empty; give the program and its arguments");
  }

  @Test
  void rejectsAMissingCommand() {
    Spec s = new Spec();
    s.command = null;
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("command");
    assertThat(e.getMessage()).contains("give the program and its arguments");
  }

  @Test
  void acceptsTheMostArguments() {
    Spec s = new Spec();
    s.command = Collections.nCopies(JobSpec.MAX_ARGUMENTS, "x");
    assertThat(s.build().command()).hasSize(4096);
  }

  @Test
  void rejectsTooManyArguments() {
    Spec s = new Spec();
    s.command = Collections.nCopies(JobSpec.MAX_ARGUMENTS + 1, "x");
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("command");
    assertThat(e.getMessage()).isEqualTo("command: has 4097 arguments; at most 4096");
  }

  @Test
  void rejectsANulInAnArgumentNamingItsIndex() {
    Spec s = new Spec();
    s.command = List.of("python", "train.py", "--x=a\u0000b");
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("command[2]");
    assertThat(e.getMessage()).isEqualTo("command[2]: must be a string without NUL characters");
  }

  @Test
  void rejectsAMissingArgument() {
    Spec s = new Spec();
    s.command = Arrays.asList("python", null);
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("command[1]");
    assertThat(e.getMessage()).contains("without NUL characters");
  }

  @Test
  void acceptsAnArgumentThatFillsLinuxsLimitWithItsNul() {
    Spec s = new Spec();
    s.command = List.of("echo", "a".repeat(ExecLimits.MAX_ARG_STRLEN - 1));
    assertThat(s.build().command().get(1)).hasSize(131071);
  }

  /** Issue 13.15: Linux counts bytes with the NUL (MAX_ARG_STRLEN), not characters. */
  @Test
  void refusesAnArgumentOverLinuxsLimitCountingItsNul() {
    Spec s = new Spec();
    s.command = List.of("echo", "a".repeat(ExecLimits.MAX_ARG_STRLEN));
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("command[1]");
    assertThat(e.getMessage())
        .isEqualTo(
            "command[1]: takes 131073 bytes with its terminating NUL; Linux passes at most"
                + " 131072 bytes per argument (MAX_ARG_STRLEN); pass long data in a file");
  }

  @Test
  void refusesAnArgumentOfFewerCharactersThanTheLimitButMoreBytes() {
    Spec s = new Spec();
    s.command = List.of("echo", "é".repeat(70_000)); // 140,000 bytes in UTF-8
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("command[1]");
    assertThat(e.getMessage()).contains("takes 140001 bytes");
  }

  @Test
  void refusesAnEnvironmentVariableOverLinuxsLimit() {
    Spec s = new Spec();
    s.variables = Map.of("DATA", "x".repeat(ExecLimits.MAX_ARG_STRLEN - 5));
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("env.DATA");
    assertThat(e.getMessage())
        .isEqualTo(
            "env.DATA: takes 131073 bytes as NAME=VALUE with its terminating NUL; Linux passes"
                + " at most 131072 bytes per environment variable (MAX_ARG_STRLEN); pass long data"
                + " in a file");
    s.variables = Map.of("DATA", "x".repeat(ExecLimits.MAX_ARG_STRLEN - 6));
    assertThat(s.build().variables()).containsKey("DATA");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t"})
  void rejectsABlankProgram(String program) {
    Spec s = new Spec();
    s.command = List.of(program, "train.py");
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("command[0]");
    assertThat(e.getMessage()).contains("the program name is blank");
  }

  @Test
  void allowsBlankArgumentsAfterTheProgram() {
    Spec s = new Spec();
    s.command = List.of("echo", "", " ");
    assertThat(s.build().command()).containsExactly("echo", "", " ");
  }

  @Test
  void copiesTheCommand() {
    List<String> command = new ArrayList<>(List.of("python", "train.py"));
    Spec s = new Spec();
    s.command = command;
    JobSpec spec = s.build();
    command.add("--evil");
    assertThat(spec.command()).containsExactly("python", "train.py");
    assertThatThrownBy(() -> spec.command().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  // ---------------------------------------------------------------- workdir and environment

  @ParameterizedTest
  @ValueSource(strings = {"data", "./data", "../x", "~/x", "C:\\x"})
  void rejectsARelativeWorkdir(String workdir) {
    Spec s = new Spec();
    s.workdir = Optional.of(workdir);
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("workdir");
    assertThat(e.getMessage())
        .isEqualTo("workdir: '" + workdir + "' must be an absolute path on the node");
  }

  @Test
  void rejectsANulInTheWorkdir() {
    Spec s = new Spec();
    s.workdir = Optional.of("/data/\u0000x");
    assertThat(rejected(s).field()).isEqualTo("workdir");
  }

  @Test
  void treatsABlankOrMissingWorkdirAsNone() {
    Spec s = new Spec();
    s.workdir = Optional.of("  ");
    assertThat(s.build().workdir()).isEmpty();
    s.workdir = null;
    assertThat(s.build().workdir()).isEmpty();
  }

  @Test
  void treatsABlankOrMissingEnvironmentAsNone() {
    Spec s = new Spec();
    s.environment = Optional.of(" ");
    assertThat(s.build().environment()).isEmpty();
    s.environment = null;
    assertThat(s.build().environment()).isEmpty();
  }

  @Test
  void treatsAMissingGpuNeedAsNone() {
    Spec s = new Spec();
    s.gpu = null;
    assertThat(s.build().gpu()).isEqualTo(GpuNeed.NONE);
  }

  // ---------------------------------------------------------------- priority

  @ParameterizedTest
  @ValueSource(ints = {JobSpec.MIN_PRIORITY, -1, 0, 1, JobSpec.MAX_PRIORITY})
  void acceptsPriorities(int priority) {
    Spec s = new Spec();
    s.priority = priority;
    assertThat(s.build().priority()).isEqualTo(priority);
  }

  @ParameterizedTest
  @ValueSource(ints = {-1001, 1001, Integer.MIN_VALUE, Integer.MAX_VALUE})
  void rejectsPrioritiesOutOfRange(int priority) {
    Spec s = new Spec();
    s.priority = priority;
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("priority");
    assertThat(e.getMessage())
        .isEqualTo("priority: " + priority + " is out of range; use -1000 to 1000");
  }

  // ---------------------------------------------------------------- tenant

  @Test
  void defaultsAMissingOrBlankTenant() {
    Spec s = new Spec();
    s.tenant = null;
    assertThat(s.build().tenant()).isEqualTo("default");
    s.tenant = " ";
    assertThat(s.build().tenant()).isEqualTo("default");
  }

  @ParameterizedTest
  @ValueSource(strings = {"team a", "-team", "team/a", "équipe"})
  void rejectsTenants(String tenant) {
    Spec s = new Spec();
    s.tenant = tenant;
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("tenant");
    assertThat(e.getMessage())
        .isEqualTo(
            "tenant: '" + tenant + "' is not a tenant name; use letters, digits, '.', '_' or '-'");
  }

  @Test
  void limitsTheTenantLikeAName() {
    Spec s = new Spec();
    s.tenant = "t".repeat(63);
    assertThat(s.build().tenant()).hasSize(63);
    s.tenant = "t".repeat(64);
    assertThat(rejected(s).field()).isEqualTo("tenant");
  }

  // ---------------------------------------------------------------- timeout

  @Test
  void acceptsTimeoutsUpToThirtyDays() {
    Spec s = new Spec();
    s.timeout = Optional.of(Duration.ofNanos(1));
    assertThat(s.build().timeout()).contains(Duration.ofNanos(1));
    s.timeout = Optional.of(Duration.ofDays(30));
    assertThat(s.build().timeout()).contains(JobSpec.MAX_TIMEOUT);
    s.timeout = null;
    assertThat(s.build().timeout()).isEmpty();
  }

  @Test
  void rejectsTimeoutsOutOfRange() {
    for (Duration d :
        List.of(
            Duration.ZERO,
            Duration.ofSeconds(-1),
            Duration.ofDays(30).plusNanos(1),
            Duration.ofDays(365))) {
      Spec s = new Spec();
      s.timeout = Optional.of(d);
      JobSpecException e = rejected(s);
      assertThat(e.field()).as("%s", d).isEqualTo("timeout");
      assertThat(e.getMessage())
          .as("%s", d)
          .isEqualTo("timeout: " + d + " is out of range; use more than 0 and at most 30 days");
    }
  }

  // ---------------------------------------------------------------- retries

  @ParameterizedTest
  @ValueSource(ints = {0, 1, JobSpec.MAX_RETRIES})
  void acceptsRetries(int retries) {
    Spec s = new Spec();
    s.maxRetries = retries;
    assertThat(s.build().maxRetries()).isEqualTo(retries);
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 101, Integer.MAX_VALUE})
  void rejectsRetriesOutOfRange(int retries) {
    Spec s = new Spec();
    s.maxRetries = retries;
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("retries");
    assertThat(e.getMessage()).isEqualTo("retries: " + retries + " is out of range; use 0 to 100");
  }

  // ---------------------------------------------------------------- variables

  @Test
  void acceptsVariablesSortedAndCopied() {
    Map<String, String> vars = new HashMap<>();
    vars.put("Z_LAST", "1");
    vars.put("_A", "");
    vars.put("a1", "x=y z");
    vars.put("V".repeat(128), "long name");
    Spec s = new Spec();
    s.variables = vars;
    JobSpec spec = s.build();
    vars.put("LATE", "1");
    assertThat(spec.variables().keySet())
        .containsExactly("V".repeat(128), "Z_LAST", "_A", "a1")
        .doesNotContain("LATE");
    assertThatThrownBy(() -> spec.variables().put("X", "1"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void treatsMissingVariablesAsNone() {
    Spec s = new Spec();
    s.variables = null;
    assertThat(s.build().variables()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1X", "A-B", "A B", "A.B", "A=B", "É"})
  void rejectsVariableNames(String name) {
    Spec s = new Spec();
    s.variables = Map.of(name, "1");
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("env");
    assertThat(e.getMessage())
        .isEqualTo("env: '" + name + "' is not a variable name; use [A-Za-z_][A-Za-z0-9_]*");
  }

  @Test
  void rejectsAVariableNameOver128Characters() {
    Spec s = new Spec();
    s.variables = Map.of("V".repeat(129), "1");
    assertThat(rejected(s).field()).isEqualTo("env");
  }

  @Test
  void rejectsAMissingVariableName() {
    Map<String, String> vars = new HashMap<>();
    vars.put(null, "1");
    Spec s = new Spec();
    s.variables = vars;
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("env");
    assertThat(e.getMessage()).contains("'null' is not a variable name");
  }

  @Test
  void rejectsANulOrMissingValueNamingTheVariable() {
    Spec s = new Spec();
    s.variables = Map.of("PATHS", "a\u0000b");
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("env.PATHS");
    assertThat(e.getMessage()).isEqualTo("env.PATHS: must be a string without NUL characters");

    Map<String, String> vars = new HashMap<>();
    vars.put("EMPTY", null);
    s.variables = vars;
    assertThat(rejected(s).field()).isEqualTo("env.EMPTY");
  }

  @ParameterizedTest
  @ValueSource(strings = {"CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES"})
  void rejectsTheVariablesMigctlSets(String name) {
    Spec s = new Spec();
    s.variables = Map.of("OK", "1", name, "0");
    JobSpecException e = rejected(s);
    assertThat(e.field()).isEqualTo("env." + name);
    assertThat(e.getMessage())
        .isEqualTo("env." + name + ": is set by migctl from the job's MIG device; leave it out");
    assertThat(JobSpec.RESERVED).contains(name);
  }

  @Test
  void exceptionIsAnIllegalArgumentWithTheFieldFirst() {
    JobSpecException e = new JobSpecException("gpu", "too big");
    assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessage("gpu: too big");
    assertThat(e.field()).isEqualTo("gpu");
  }
}
