package io.migctl.slurm;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One Slurm node as the controller sees it, in Slurm's own words.
 *
 * @param name the node's name ({@code NodeName})
 * @param states the words of its state as {@code scontrol} prints them, base state first: {@code
 *     IDLE}, {@code MIXED+DRAIN}, {@code IDLE+NOT_RESPONDING}; not empty
 * @param reason why it was drained or set down, without the {@code [user@time]} Slurm appends;
 *     empty when none is set
 * @param gres its generic resources as configured, e.g. {@code gpu:1g.5gb:2,gpu:2g.10gb:1}
 * @param gresUsed the part in use with the positions, e.g. {@code gpu:1g.5gb:1(IDX:0)}; empty when
 *     Slurm did not say
 * @param runningJobs how many jobs run on it (running, completing, configuring or suspended)
 */
public record SlurmNode(
    String name,
    List<String> states,
    Optional<String> reason,
    String gres,
    String gresUsed,
    int runningJobs) {

  private static final Set<String> BUSY = Set.of("ALLOCATED", "MIXED", "COMPLETING");

  public SlurmNode {
    Objects.requireNonNull(name, "name");
    states = List.copyOf(states);
    if (states.isEmpty()) {
      throw new IllegalArgumentException("node " + name + " needs a state; states is empty");
    }
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(gres, "gres");
    Objects.requireNonNull(gresUsed, "gresUsed");
    if (runningJobs < 0) {
      throw new IllegalArgumentException(
          "node " + name + ": runningJobs must be 0 or more, was " + runningJobs);
    }
  }

  /** The base state: {@code IDLE}, {@code MIXED}, {@code ALLOCATED}, {@code DOWN}, … */
  public String baseState() {
    return states.getFirst();
  }

  /** Whether {@code word} ({@code DRAIN}, {@code NOT_RESPONDING}, …) is among its states. */
  public boolean has(String word) {
    return states.contains(word);
  }

  /** Whether it is set to drain, whether or not jobs still run on it. */
  public boolean drainSet() {
    return has("DRAIN");
  }

  /** Set to drain and still running work: no new jobs start, the running ones go on. */
  public boolean draining() {
    return drainSet() && !drained();
  }

  /** Set to drain and nothing runs on it any more: it may be changed. */
  public boolean drained() {
    return drainSet() && runningJobs == 0 && states.stream().noneMatch(BUSY::contains);
  }

  /** {@code DRAINED}, {@code DRAINING} (as {@code sinfo} says it), or the state words joined. */
  public String stateText() {
    if (drained()) {
      return "DRAINED";
    }
    return draining() ? "DRAINING" : String.join("+", states);
  }
}
