package io.migctl.bench.scale;

import io.migctl.core.job.IncrementalScheduler;
import io.migctl.core.job.Job;
import io.migctl.core.job.MigSlot;
import io.migctl.core.job.Scheduler;
import io.migctl.core.job.Scheduler.Assignment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A simulated fleet under load, driven one event at a time: one running job finishes and frees its
 * device, one new job joins the queue, and the scheduler decides what to place; the placed jobs
 * leave the queue and their devices turn busy. It starts from {@link SimulatedCluster} (seed 42,
 * ~80 % of devices busy, a queue as deep as the fleet) after one decision that places what the
 * initial free devices allow, so every measured decision is one the daemon takes in steady state.
 *
 * <p>Schedulers: {@code daemon} keeps a {@link IncrementalScheduler} between events, as the node
 * daemon does; {@code snapshot} calls {@link Scheduler#decide} on the whole queue and every free
 * device each time (the daemon's previous way); {@code straightforward} runs {@link
 * StraightforwardScheduler}, the first scan.
 */
final class Fleet {

  private final String scheduler;
  private final SimulatedCluster cluster;
  private final Random random = new Random(7);
  private final List<MigSlot> busy;
  private final IncrementalScheduler dispatcher;
  private final List<Job> queued;
  private final List<MigSlot> free;
  private long nextId;

  Fleet(String scheduler, int gpus) {
    this.scheduler = scheduler;
    this.cluster = SimulatedCluster.generate(42, gpus, gpus, 0.8);
    this.busy = new ArrayList<>(cluster.busy());
    this.queued = new ArrayList<>(cluster.queued());
    this.free = new ArrayList<>(cluster.free());
    this.nextId = queued.size() + 1L;
    switch (scheduler) {
      case "daemon" -> {
        dispatcher = new IncrementalScheduler(Scheduler.Policy.DEFAULT);
        dispatcher.devices(cluster.all(), free);
        queued.forEach(dispatcher::enqueue);
      }
      case "snapshot", "straightforward" -> dispatcher = null;
      default -> throw new IllegalArgumentException("no scheduler " + scheduler);
    }
    decide();
  }

  /** One job finishes, one arrives, one decision, applied; returns how many jobs were placed. */
  int step() {
    if (!busy.isEmpty()) {
      int i = random.nextInt(busy.size());
      MigSlot done = busy.get(i);
      busy.set(i, busy.getLast());
      busy.removeLast();
      if (dispatcher != null) {
        dispatcher.release(done);
      } else {
        free.add(done);
      }
    }
    Job arrived = SimulatedCluster.job(random, nextId++, cluster.now());
    if (dispatcher != null) {
      dispatcher.enqueue(arrived);
    } else {
      queued.add(arrived);
    }
    return decide();
  }

  /** Jobs waiting. */
  int queueDepth() {
    return dispatcher != null ? dispatcher.size() : queued.size();
  }

  private int decide() {
    List<Assignment> placed =
        switch (scheduler) {
          case "daemon" -> dispatcher.decide(cluster.now());
          case "snapshot" ->
              Scheduler.decide(queued, free, cluster.all(), cluster.now(), Scheduler.Policy.DEFAULT)
                  .assignments();
          default ->
              StraightforwardScheduler.decide(
                      queued, free, cluster.all(), cluster.now(), Scheduler.Policy.DEFAULT)
                  .assignments();
        };
    Set<Long> jobs = new HashSet<>();
    Set<MigSlot> taken = new HashSet<>();
    for (Assignment a : placed) {
      jobs.add(a.jobId());
      a.slot().ifPresent(taken::add);
    }
    if (dispatcher == null && !placed.isEmpty()) {
      queued.removeIf(j -> jobs.contains(j.id()));
      free.removeIf(taken::contains);
    }
    busy.addAll(taken);
    return placed.size();
  }
}
