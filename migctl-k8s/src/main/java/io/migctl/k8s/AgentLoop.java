package io.migctl.k8s;

import io.migctl.k8s.node.ClusterNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs the agent: a reconcile whenever the node changes (a watch) and on a resync timer, one at a
 * time on one thread, wakes that arrive during a reconcile coalesced into one more. A reconcile
 * that throws (the API server is away, the driver failed) is logged and retried at the next wake;
 * the loop itself never stops on an error.
 */
public final class AgentLoop implements AutoCloseable {

  private final MigManagerAgent agent;
  private final ClusterNode node;
  private final Duration resync;
  private final Clock clock;
  private final Consumer<Reconciled> results;
  private final Consumer<String> log;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("migctl-k8s-agent").daemon().factory());
  private final AtomicBoolean queued = new AtomicBoolean();
  private final AgentStatus status = new AgentStatus();
  private AutoCloseable watch;

  /**
   * @param results receives every reconcile's outcome (metrics)
   */
  public AgentLoop(
      MigManagerAgent agent,
      ClusterNode node,
      Duration resync,
      Clock clock,
      Consumer<Reconciled> results,
      Consumer<String> log) {
    this.agent = agent;
    this.node = node;
    this.resync = resync;
    this.clock = clock;
    this.results = results;
    this.log = log;
  }

  /** Starts watching the node and the resync timer; the first reconcile runs at once. */
  public AgentLoop start() {
    watch = node.watch(this::wake);
    thread.scheduleWithFixedDelay(
        this::wake, resync.toMillis(), resync.toMillis(), TimeUnit.MILLISECONDS);
    wake();
    return this;
  }

  /** Asks for a reconcile; one already queued covers it. */
  public void wake() {
    if (queued.compareAndSet(false, true)) {
      try {
        thread.execute(this::run);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        queued.set(false);
      }
    }
  }

  private void run() {
    queued.set(false);
    try {
      Reconciled r = agent.reconcile();
      status.succeeded(clock.instant());
      results.accept(r);
    } catch (RuntimeException e) {
      status.failed(e.getMessage(), clock.instant());
      log.accept("reconcile failed: " + e.getMessage() + "; trying again at the next wake");
    }
  }

  /** What the loop has seen. */
  public AgentStatus status() {
    return status;
  }

  @Override
  public void close() {
    try {
      if (watch != null) {
        watch.close();
      }
    } catch (Exception e) {
      log.accept("closing the node watch: " + e.getMessage());
    }
    thread.shutdownNow();
  }

  /** The loop's state for {@code /readyz} and {@code /metrics}; safe to read from any thread. */
  public static final class AgentStatus {
    private String lastError;
    private Instant lastAt;
    private long failures;

    synchronized void succeeded(Instant at) {
      lastError = null;
      lastAt = at;
    }

    synchronized void failed(String error, Instant at) {
      lastError = error;
      lastAt = at;
      failures++;
    }

    /** Empty when ready (the last reconcile reached the API server), else why not. */
    public synchronized Optional<String> notReady() {
      if (lastAt == null) {
        return Optional.of("no reconcile has finished yet");
      }
      return Optional.ofNullable(lastError).map(e -> "the last reconcile failed: " + e);
    }

    public synchronized long failures() {
      return failures;
    }
  }
}
