package io.migctl.core.job;

import static io.migctl.core.job.Jobs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.migctl.core.Seeds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Which finished jobs the node removes (issue 13.8), on a fixed clock. */
class JobRetentionTest {

  private static final Clock CLOCK = Clock.fixed(T0.plus(Duration.ofDays(100)), ZoneOffset.UTC);

  /** Job {@code id} finished {@code daysAgo} days before the clock's now. */
  private static JobRetention.Finished finished(long id, double daysAgo) {
    return new JobRetention.Finished(
        id, CLOCK.instant().minus(Duration.ofMinutes(Math.round(daysAgo * 24 * 60))));
  }

  private static JobRetention age(Duration d) {
    return new JobRetention(Optional.of(d), OptionalInt.empty());
  }

  private static JobRetention count(int n) {
    return new JobRetention(Optional.empty(), OptionalInt.of(n));
  }

  @Test
  void jobsThatFinishedLongerAgoThanTheAgeGo() {
    List<JobRetention.Finished> jobs =
        List.of(finished(1, 40), finished(2, 8), finished(3, 7), finished(4, 6.9), finished(5, 0));
    assertThat(age(Duration.ofDays(7)).expired(jobs, CLOCK.instant())).containsExactly(1L, 2L);
  }

  @Test
  void beyondTheCountTheEarliestFinishedGoFirst() {
    // Ids and finishing order differ: job 5 finished first, job 1 last.
    List<JobRetention.Finished> jobs =
        List.of(finished(1, 1), finished(2, 2), finished(3, 3), finished(4, 4), finished(5, 5));
    assertThat(count(3).expired(jobs, CLOCK.instant())).containsExactly(4L, 5L);
    assertThat(count(0).expired(jobs, CLOCK.instant())).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(count(5).expired(jobs, CLOCK.instant())).isEmpty();
  }

  @Test
  void jobsThatFinishedAtTheSameInstantKeepTheHigherIds() {
    Instant at = CLOCK.instant().minusSeconds(60);
    List<JobRetention.Finished> jobs =
        List.of(
            new JobRetention.Finished(7, at),
            new JobRetention.Finished(3, at),
            new JobRetention.Finished(9, at));
    assertThat(count(1).expired(jobs, CLOCK.instant())).containsExactly(3L, 7L);
  }

  @Test
  void withBothBoundsAJobBreakingEitherGoes() {
    JobRetention both = JobRetention.parse(List.of("7d", "2"));
    List<JobRetention.Finished> jobs =
        List.of(finished(1, 30), finished(2, 3), finished(3, 2), finished(4, 1));
    assertThat(both.expired(jobs, CLOCK.instant())).containsExactly(1L, 2L);
  }

  @Test
  void keepingAllRemovesNothingAndNothingFinishedRemovesNothing() {
    assertThat(JobRetention.KEEP_ALL.expired(List.of(finished(1, 10_000)), CLOCK.instant()))
        .isEmpty();
    assertThat(JobRetention.DEFAULT.expired(List.of(), CLOCK.instant())).isEmpty();
  }

  @Test
  void aJobThatFinishesAfterNowByTheClockIsKept() {
    JobRetention.Finished future = new JobRetention.Finished(1, CLOCK.instant().plusSeconds(5));
    assertThat(age(Duration.ofSeconds(1)).expired(List.of(future), CLOCK.instant())).isEmpty();
  }

  @Test
  void parsesAnAgeACountBothAllAndNothing() {
    assertThat(JobRetention.parse(List.of())).isEqualTo(JobRetention.DEFAULT);
    assertThat(JobRetention.DEFAULT.maxAge()).contains(Duration.ofDays(30));
    assertThat(JobRetention.parse(List.of("7d"))).isEqualTo(age(Duration.ofDays(7)));
    assertThat(JobRetention.parse(List.of("10000"))).isEqualTo(count(10_000));
    assertThat(JobRetention.parse(List.of(" 12h ", "0")))
        .isEqualTo(new JobRetention(Optional.of(Duration.ofHours(12)), OptionalInt.of(0)));
    assertThat(JobRetention.parse(List.of("ALL"))).isEqualTo(JobRetention.KEEP_ALL);
    assertThat(JobRetention.parse(List.of("7d", "100")).describe())
        .isEqualTo("older than 7d or beyond the newest 100");
    assertThat(JobRetention.KEEP_ALL.describe()).isEqualTo("all");
  }

  @Test
  void refusesWhatItCannotReadWithTheValueAndTheForms() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobRetention.parse(List.of("7x")))
        .withMessage(
            "'7x' is neither an age (7d, 12h, 90m) nor a count of jobs (10000); give an age, a"
                + " count, one of each, or all");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobRetention.parse(List.of("-5")))
        .withMessageStartingWith("'-5' is neither an age");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobRetention.parse(List.of("7d", "1d")))
        .withMessage("'1d' is a second age; give at most one age and one count");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobRetention.parse(List.of("10", "20")))
        .withMessage("'20' is a second count; give at most one age and one count");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobRetention.parse(List.of("all", "7d")))
        .withMessage("'all' keeps every finished job and goes alone, was given with [all, 7d]");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobRetention.parse(List.of("0s")))
        .withMessage("'0s' keeps finished jobs for no time; give a positive age such as 7d");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> JobRetention.parse(List.of("99999999999")))
        .withMessageStartingWith("'99999999999' is neither an age");
  }

  /** Against a reference: sort by finishing time and cut, on random finished jobs. */
  @Test
  void randomJobsMatchTheReference() {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    for (int round = 0; round < 1000; round++) {
      List<JobRetention.Finished> jobs = new ArrayList<>();
      int n = random.nextInt(30);
      Set<Long> ids = new TreeSet<>();
      while (ids.size() < n) {
        ids.add(1L + random.nextInt(1000)); // ids are unique, as the store's are
      }
      for (long id : ids) {
        jobs.add(finished(id, random.nextInt(20)));
      }
      Optional<Duration> maxAge =
          random.nextBoolean()
              ? Optional.of(Duration.ofDays(1 + random.nextInt(15)))
              : Optional.empty();
      OptionalInt maxCount =
          random.nextBoolean() ? OptionalInt.of(random.nextInt(20)) : OptionalInt.empty();
      JobRetention r = new JobRetention(maxAge, maxCount);

      List<JobRetention.Finished> newestFirst = new ArrayList<>(jobs);
      newestFirst.sort(
          (a, b) ->
              a.finishedAt().equals(b.finishedAt())
                  ? Long.compare(b.id(), a.id())
                  : b.finishedAt().compareTo(a.finishedAt()));
      Set<Long> expected = new TreeSet<>();
      for (int i = 0; i < newestFirst.size(); i++) {
        JobRetention.Finished f = newestFirst.get(i);
        boolean tooOld =
            maxAge.isPresent() && f.finishedAt().isBefore(CLOCK.instant().minus(maxAge.get()));
        boolean beyond = maxCount.isPresent() && i >= maxCount.getAsInt();
        if (tooOld || beyond) {
          expected.add(f.id());
        }
      }
      Collections.shuffle(jobs, random);
      assertThat(r.expired(jobs, CLOCK.instant()))
          .as("seed %d, round %d", seed, round)
          .containsExactlyElementsOf(expected);
    }
  }
}
