package io.migctl.core.replay;

import io.migctl.core.mig.PlacedInstance;
import java.util.List;

/**
 * One reshape of a GPU's idle instances, as the engine applied it.
 *
 * @param time when it began
 * @param gpu the GPU
 * @param busy the instances busy (or reserved) at that time, all kept
 * @param kept instances left as they were
 * @param destroyed idle instances destroyed
 * @param created instances created, ready after the reconfiguration time
 * @param reason why, in words
 */
public record Reconfiguration(
    double time,
    int gpu,
    List<PlacedInstance> busy,
    List<PlacedInstance> kept,
    List<PlacedInstance> destroyed,
    List<PlacedInstance> created,
    String reason) {

  public Reconfiguration {
    busy = List.copyOf(busy);
    kept = List.copyOf(kept);
    destroyed = List.copyOf(destroyed);
    created = List.copyOf(created);
  }
}
