package io.migctl.core.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * When the {@link Repartitioner} may act: the one rule the node daemon and the trace simulator both
 * run, so that what a trace replay measures is what the daemon does.
 *
 * <ul>
 *   <li>A queued job is offered for a reshape only once it has waited {@link Params#minWait()}: a
 *       device that frees a moment later serves it without destroying anything.
 *   <li>The idle instances of one GPU are destroyed at most once per {@link Params#cooldown()},
 *       unless the queue has grown since that GPU's last reshape (new work is a new situation, not
 *       thrashing). Room that no instance takes may be filled at any time: that cannot thrash.
 * </ul>
 *
 * <p>Immutable: {@link #reshaped} returns a new value. A pure decision over the times it is given.
 *
 * @param params the tuning
 * @param last the last reshape of each GPU that had one, by index
 */
public record ReshapeGate(Params params, Map<Integer, Last> last) {

  /**
   * The tuning, one set of defaults for the daemon and the simulator.
   *
   * @param cooldown the least time between two reshapes that destroy idle instances of one GPU
   *     while the queue has not grown
   * @param minWait how long a job waits before a GPU is reshaped for it
   */
  public record Params(Duration cooldown, Duration minWait) {

    /** Default {@link #cooldown()}: tuned on MISO's workload (see the README's trace results). */
    public static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(30);

    /** Default {@link #minWait()}. */
    public static final Duration DEFAULT_MIN_WAIT = Duration.ofSeconds(2);

    /** The defaults. */
    public static final Params DEFAULTS = new Params(DEFAULT_COOLDOWN, DEFAULT_MIN_WAIT);

    public Params {
      Objects.requireNonNull(cooldown, "cooldown");
      Objects.requireNonNull(minWait, "minWait");
      if (cooldown.isNegative() || minWait.isNegative()) {
        throw new IllegalArgumentException(
            "the reshape cooldown and minimum wait must not be negative, were "
                + cooldown
                + " and "
                + minWait);
      }
    }
  }

  /**
   * The last reshape of one GPU.
   *
   * @param at when it was made
   * @param queueLength how many jobs were queued then
   */
  public record Last(Instant at, int queueLength) {
    public Last {
      Objects.requireNonNull(at, "at");
    }
  }

  public ReshapeGate {
    Objects.requireNonNull(params, "params");
    last = Map.copyOf(last);
  }

  /** A gate no GPU has passed yet. */
  public static ReshapeGate open(Params params) {
    return new ReshapeGate(params, Map.of());
  }

  /**
   * How long {@code job}, queued since {@code queuedAt}, must still wait at {@code now} before a
   * GPU is reshaped for it; empty when it may be served now.
   */
  public Optional<Duration> jobWaitLeft(Instant queuedAt, Instant now) {
    return left(queuedAt.plus(params.minWait()), now);
  }

  /**
   * How long the idle instances of {@code gpu} must still be kept at {@code now} with {@code
   * queueLength} jobs queued; empty when they may be destroyed now.
   */
  public Optional<Duration> coolingLeft(int gpu, Instant now, int queueLength) {
    Last l = last.get(gpu);
    if (l == null || queueLength > l.queueLength()) {
      return Optional.empty();
    }
    return left(l.at().plus(params.cooldown()), now);
  }

  /** Whether the idle instances of {@code gpu} may be destroyed now. */
  public boolean mayDestroy(int gpu, Instant now, int queueLength) {
    return coolingLeft(gpu, now, queueLength).isEmpty();
  }

  /** After {@code gpu} was reshaped at {@code now} with {@code queueLength} jobs queued. */
  public ReshapeGate reshaped(int gpu, Instant now, int queueLength) {
    Map<Integer, Last> next = new HashMap<>(last);
    next.put(gpu, new Last(now, queueLength));
    return new ReshapeGate(params, next);
  }

  private static Optional<Duration> left(Instant until, Instant now) {
    return now.isBefore(until) ? Optional.of(Duration.between(now, until)) : Optional.empty();
  }
}
