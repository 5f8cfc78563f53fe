package io.migctl.nvidia.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulated node's persistent state: what a real driver keeps in the GPU. Plain mutable data,
 * owned by {@link SimulatedMigDriver} and only touched inside a {@link SimStateStore} transaction.
 */
final class SimState {
  /** The canonical spec this state belongs to. */
  public String spec;

  /** Counts every compute instance ever created, so that a new one gets a new MIG UUID. */
  public long creations;

  public List<Gpu> gpus = new ArrayList<>();
  public List<Fault> faults = new ArrayList<>();

  static final class Gpu {
    public String uuid;
    public boolean migCurrent;
    public boolean migPending;
    public List<Gi> gpuInstances = new ArrayList<>();
  }

  static final class Gi {
    public int id;
    public int profileId;
    public int start;
    public int size;
    public List<Ci> computeInstances = new ArrayList<>();
  }

  static final class Ci {
    public int id;
    public int profileId;
    public int start;
    public int size;
    public String uuid;
    public List<Long> holders = new ArrayList<>();
  }

  /** The next {@code remaining} calls of {@code operation} fail with {@code error}. */
  static final class Fault {
    public String operation;
    public String error;
    public int remaining;
  }
}
