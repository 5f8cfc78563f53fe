package io.migctl.core.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * How long the node keeps finished jobs (their rows, events and folders): those that finished
 * longer than {@code maxAge} ago, and those beyond the newest {@code maxCount}, are removed. Both
 * bounds may be given; a job breaking either goes. Jobs that have not finished are never counted
 * nor removed.
 *
 * @param maxAge finished jobs older than this (by when they finished) are removed; empty for no age
 *     bound
 * @param maxCount at most this many finished jobs are kept, the most recently finished; empty for
 *     no count bound
 */
public record JobRetention(Optional<Duration> maxAge, OptionalInt maxCount) {

  /** The default: finished jobs are kept 30 days. */
  public static final JobRetention DEFAULT =
      new JobRetention(Optional.of(Duration.ofDays(30)), OptionalInt.empty());

  /** Every finished job is kept. */
  public static final JobRetention KEEP_ALL =
      new JobRetention(Optional.empty(), OptionalInt.empty());

  /** The word that asks for {@link #KEEP_ALL}. */
  public static final String ALL = "all";

  private static final Pattern COUNT = Pattern.compile("\\d{1,9}");

  public JobRetention {
    if (maxAge.isPresent() && !maxAge.get().isPositive()) {
      throw new IllegalArgumentException(
          "the age of finished jobs to keep must be positive, was " + maxAge.get());
    }
    if (maxCount.isPresent() && maxCount.getAsInt() < 0) {
      throw new IllegalArgumentException(
          "the count of finished jobs to keep must not be negative, was " + maxCount.getAsInt());
    }
  }

  /** A finished job as retention sees it. */
  public record Finished(long id, Instant finishedAt) {}

  /**
   * Reads the values people give: an age ({@code 7d}, {@code 12h}, anything {@link Durations}
   * reads), a count ({@code 10000}), one of each, or {@value #ALL} alone; none means {@link
   * #DEFAULT}.
   *
   * @throws IllegalArgumentException naming the bad value and the accepted forms
   */
  public static JobRetention parse(List<String> values) {
    if (values.isEmpty()) {
      return DEFAULT;
    }
    if (values.stream().anyMatch(v -> v.strip().equalsIgnoreCase(ALL))) {
      if (values.size() > 1) {
        throw new IllegalArgumentException(
            "'" + ALL + "' keeps every finished job and goes alone, was given with " + values);
      }
      return KEEP_ALL;
    }
    Optional<Duration> age = Optional.empty();
    OptionalInt count = OptionalInt.empty();
    for (String value : values) {
      String v = value.strip();
      if (COUNT.matcher(v).matches()) {
        if (count.isPresent()) {
          throw new IllegalArgumentException(twice("count", value));
        }
        count = OptionalInt.of(Integer.parseInt(v));
        continue;
      }
      Duration d;
      try {
        d = Durations.parse(v);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "'"
                + value
                + "' is neither an age (7d, 12h, 90m) nor a count of jobs (10000); give an age,"
                + " a count, one of each, or "
                + ALL,
            e);
      }
      if (age.isPresent()) {
        throw new IllegalArgumentException(twice("age", value));
      }
      if (!d.isPositive()) {
        throw new IllegalArgumentException(
            "'" + value + "' keeps finished jobs for no time; give a positive age such as 7d");
      }
      age = Optional.of(d);
    }
    return new JobRetention(age, count);
  }

  private static String twice(String what, String value) {
    return "'" + value + "' is a second " + what + "; give at most one age and one count";
  }

  /** Whether some finished job may ever be removed. */
  public boolean removesAny() {
    return maxAge.isPresent() || maxCount.isPresent();
  }

  /**
   * The finished jobs to remove now: those that finished before {@code now - maxAge}, and all but
   * the {@code maxCount} most recently finished (ties: the higher id is the more recent).
   *
   * @param finished jobs in a final state, in any order
   * @return their ids, lowest first
   */
  public List<Long> expired(List<Finished> finished, Instant now) {
    if (!removesAny()) {
      return List.of();
    }
    List<Finished> newestFirst = new ArrayList<>(finished);
    newestFirst.sort(NEWEST_FIRST);
    Optional<Instant> cutoff = maxAge.map(now::minus);
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < newestFirst.size(); i++) {
      Finished f = newestFirst.get(i);
      boolean beyondCount = maxCount.isPresent() && i >= maxCount.getAsInt();
      boolean tooOld = cutoff.isPresent() && f.finishedAt().isBefore(cutoff.get());
      if (beyondCount || tooOld) {
        out.add(f.id());
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** For people: {@code 30d}, {@code 10000 jobs}, {@code 7d or beyond 10000 jobs}, {@code all}. */
  public String describe() {
    if (!removesAny()) {
      return ALL;
    }
    List<String> parts = new ArrayList<>();
    maxAge.ifPresent(
        a ->
            parts.add(
                "older than "
                    + (a.toSeconds() % 86_400 == 0 && a.toNanosPart() == 0
                        ? a.toDays() + "d"
                        : Durations.format(a))));
    maxCount.ifPresent(c -> parts.add("beyond the newest " + c));
    return String.join(" or ", parts);
  }

  /** Most recently finished first. */
  static final Comparator<Finished> NEWEST_FIRST =
      Comparator.comparing(Finished::finishedAt).thenComparingLong(Finished::id).reversed();
}
