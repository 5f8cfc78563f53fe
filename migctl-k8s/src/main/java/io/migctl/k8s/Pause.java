package io.migctl.k8s;

import java.time.Duration;

/** Waits between looks while the agent waits for pods to go: real sleep, or a fake clock's step. */
@FunctionalInterface
public interface Pause {

  /** Waits {@code d}; returns early when interrupted, with the interrupt flag set. */
  void pause(Duration d);

  /** Sleeps on the calling thread. */
  Pause SLEEP =
      d -> {
        try {
          Thread.sleep(d);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      };
}
