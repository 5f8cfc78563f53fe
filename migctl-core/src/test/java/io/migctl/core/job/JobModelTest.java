package io.migctl.core.job;

import static io.migctl.core.job.Jobs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The small records around jobs: their checks and helpers. */
class JobModelTest {

  private static Job job(JobSpec spec, Optional<Requirement> requirement, int attempt) {
    return new Job(
        1,
        spec,
        requirement,
        Optional.empty(),
        JobState.QUEUED,
        attempt,
        T0,
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Optional.empty(),
        Optional.empty(),
        OptionalInt.empty(),
        Optional.empty());
  }

  @Test
  void attemptsCountFromOne() {
    JobSpec spec = JobSpec.of("x", List.of("true"), GpuNeed.NONE);
    assertThat(job(spec, Optional.empty(), 1).attempt()).isEqualTo(1);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> job(spec, Optional.empty(), 0))
        .withMessage("attempt counts from 1, was 0");
  }

  @Test
  void aJobHasARequirementExactlyWhenItNeedsAGpu() {
    JobSpec cpu = JobSpec.of("x", List.of("true"), GpuNeed.NONE);
    JobSpec gpu = JobSpec.of("x", List.of("true"), new GpuNeed.Memory(1024, 1));
    Optional<Requirement> r = Optional.of(new Requirement(1024, 1));
    assertThat(job(gpu, r, 1).needsGpu()).isTrue();
    assertThat(job(cpu, Optional.empty(), 1).needsGpu()).isFalse();
    assertThatIllegalArgumentException()
        .isThrownBy(() -> job(cpu, r, 1))
        .withMessageContaining("a requirement exists exactly when the job needs a GPU");
    assertThatIllegalArgumentException().isThrownBy(() -> job(gpu, Optional.empty(), 1));
  }

  @Test
  void aDeviceRecordsTheSlot() {
    MigSlot slot = Jobs.slot("MIG-x", 3, "1c.3g.20gb", 19968, 1, 4, false);
    assertThat(Job.Device.of(slot)).isEqualTo(new Job.Device("MIG-x", 3, 304, "1c.3g.20gb"));
  }

  // ---------------------------------------------------------------- states

  @Test
  void finalStatesAreTheFourEnds() {
    Set<JobState> terminal = EnumSet.noneOf(JobState.class);
    Set<JobState> holding = EnumSet.noneOf(JobState.class);
    for (JobState s : JobState.values()) {
      if (s.isTerminal()) {
        terminal.add(s);
      }
      if (s.holdsDevice()) {
        holding.add(s);
      }
    }
    assertThat(terminal)
        .containsExactlyInAnyOrder(
            JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.LOST);
    assertThat(holding)
        .containsExactlyInAnyOrder(JobState.STARTING, JobState.RUNNING, JobState.STOPPING);
  }

  @ParameterizedTest
  @EnumSource(JobState.class)
  void statesParseFromTheirWireNames(JobState state) {
    assertThat(state.wireName()).isEqualTo(state.name().toLowerCase(java.util.Locale.ROOT));
    assertThat(JobState.parse(state.wireName())).isEqualTo(state);
    assertThat(JobState.parse(" " + state.name() + " ")).isEqualTo(state);
  }

  @Test
  void anUnknownStateListsTheKnownOnes() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobState.parse("done"))
        .withMessage(
            "'done' is not a job state; use one of [queued, starting, running, stopping,"
                + " succeeded, failed, cancelled, lost]");
  }

  // ---------------------------------------------------------------- requirement

  @Test
  void aDeviceFitsWhenItOffersAtLeastBoth() {
    Requirement r = new Requirement(9856, 2);
    assertThat(r.fits(Jobs.slot("a", "2g.10gb", 9856, 2, 0))).isTrue();
    assertThat(r.fits(Jobs.slot("b", "7g.40gb", 40192, 7, 0))).isTrue();
    assertThat(r.fits(Jobs.slot("c", "1g.10gb", 9856, 1, 0))).isFalse();
    assertThat(r.fits(Jobs.slot("d", "x", 9855, 2, 0))).isFalse();
  }

  @Test
  void aRequirementIsPositive() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Requirement(0, 1))
        .withMessage("a requirement needs positive memory and compute, was 0 MiB and 1");
    assertThatIllegalArgumentException().isThrownBy(() -> new Requirement(1, 0));
    assertThat(new Requirement(1, 1)).hasToString("1 MiB and 1 compute slice");
    assertThat(new Requirement(4864, 3)).hasToString("4864 MiB and 3 compute slices");
  }

  // ---------------------------------------------------------------- query, transition, decision

  @Test
  void aQueryLimitsItsSize() {
    assertThat(JobQuery.all().limit()).isEqualTo(JobQuery.MAX_LIMIT);
    assertThat(JobQuery.all().states()).isEmpty();
    assertThat(new JobQuery(Set.of(), Optional.empty(), Optional.empty(), 1).limit()).isOne();
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new JobQuery(Set.of(), Optional.empty(), Optional.empty(), 0))
        .withMessage("limit must lie between 1 and 10000, was 0");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new JobQuery(Set.of(), Optional.empty(), Optional.empty(), 10_001));
  }

  @Test
  void aQueryCopiesItsStates() {
    Set<JobState> states = new HashSet<>(Set.of(JobState.QUEUED));
    JobQuery q = new JobQuery(states, Optional.of("team-a"), Optional.empty(), 10);
    states.add(JobState.LOST);
    assertThat(q.states()).containsExactly(JobState.QUEUED);
  }

  @Test
  void aTransitionCopiesItsEffects() {
    Job job = Jobs.queued(1, 0, 1, 0, T0);
    JobEvent event = JobStateMachine.submitted(job, "operator");
    List<JobEffect> effects = new ArrayList<>(List.of(new JobEffect.Reschedule()));
    Transition t = new Transition(job, job, event, effects);
    effects.add(new JobEffect.KillGroup(1, 2));
    assertThat(t.effects()).containsExactly(new JobEffect.Reschedule());
    assertThatThrownBy(() -> t.effects().add(new JobEffect.Reschedule()))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
