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

  /** A deep copy, for stores that keep the state as objects rather than as JSON. */
  SimState copy() {
    SimState c = new SimState();
    c.spec = spec;
    c.creations = creations;
    for (Gpu g : gpus) {
      Gpu gc = new Gpu();
      gc.uuid = g.uuid;
      gc.migCurrent = g.migCurrent;
      gc.migPending = g.migPending;
      for (Gi gi : g.gpuInstances) {
        Gi gic = new Gi();
        gic.id = gi.id;
        gic.profileId = gi.profileId;
        gic.start = gi.start;
        gic.size = gi.size;
        for (Ci ci : gi.computeInstances) {
          Ci cic = new Ci();
          cic.id = ci.id;
          cic.profileId = ci.profileId;
          cic.start = ci.start;
          cic.size = ci.size;
          cic.uuid = ci.uuid;
          cic.holders = new ArrayList<>(ci.holders);
          gic.computeInstances.add(cic);
        }
        gc.gpuInstances.add(gic);
      }
      c.gpus.add(gc);
    }
    for (Fault f : faults) {
      Fault fc = new Fault();
      fc.operation = f.operation;
      fc.error = f.error;
      fc.remaining = f.remaining;
      fc.after = f.after;
      c.faults.add(fc);
    }
    return c;
  }

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

  /**
   * After {@code after} more calls of {@code operation} go through, the next {@code remaining}
   * calls fail with {@code error}.
   */
  static final class Fault {
    public String operation;
    public String error;
    public int remaining;
    public int after;
  }
}
