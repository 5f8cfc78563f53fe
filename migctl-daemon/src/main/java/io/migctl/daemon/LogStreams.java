package io.migctl.daemon;

import io.migctl.core.access.StreamLimits;
import io.migctl.core.job.JobEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The followed logs that are open: counted per client address and in all against {@link
 * StreamLimits}, and woken when their job's attempt ends (from the job service's events, so that no
 * stream reads the database while it waits) or their client leaves ({@link ClientDisconnects}).
 *
 * <p>Thread-safe: streams are opened and awaited on request threads, events arrive on the job
 * thread, departures on the watcher's thread.
 */
final class LogStreams {

  private final StreamLimits limits;
  private final Map<String, Integer> byClient = new HashMap<>();
  private final Map<Long, Set<Stream>> byJob = new ConcurrentHashMap<>();
  private int inAll;
  private boolean closed;

  LogStreams(StreamLimits limits) {
    this.limits = limits;
  }

  /**
   * Opens a stream of one attempt of a job for {@code client}, listening for the job's events from
   * now on.
   *
   * @throws DaemonException 429 {@code too-many-streams} when the client, or all clients, hold as
   *     many as the limits allow; 503 once the daemon is stopping
   */
  Stream open(String client, long jobId, int attempt) {
    synchronized (this) {
      if (closed) {
        throw new DaemonException(503, "unavailable", "the daemon is stopping");
      }
      Optional<String> refusal = limits.refusal(client, byClient.getOrDefault(client, 0), inAll);
      if (refusal.isPresent()) {
        throw new DaemonException(429, "too-many-streams", refusal.get());
      }
      byClient.merge(client, 1, Integer::sum);
      inAll++;
    }
    Stream s = new Stream(client, jobId, attempt);
    byJob.compute(
        jobId,
        (id, set) -> {
          Set<Stream> streams = set == null ? ConcurrentHashMap.newKeySet() : set;
          streams.add(s);
          return streams;
        });
    return s;
  }

  /** How many streams are open now: the gauge {@code migctl_api_log_streams}. */
  synchronized int open() {
    return inAll;
  }

  /** Wakes the streams of the event's job; those of an attempt that has ended learn it. */
  void onJobEvent(JobEvent e) {
    Set<Stream> streams = byJob.get(e.jobId());
    if (streams == null) {
      return;
    }
    for (Stream s : streams) {
      if (e.to().isTerminal() || e.attempt() != s.attempt) {
        s.jobEnded = true;
      }
      s.wake();
    }
  }

  /** Ends every stream (the daemon is stopping) and opens no more. */
  void closeAll() {
    synchronized (this) {
      closed = true;
    }
    for (Set<Stream> streams : byJob.values()) {
      for (Stream s : streams) {
        s.clientGone();
      }
    }
  }

  private synchronized void release(Stream s) {
    byClient.computeIfPresent(s.client, (c, n) -> n > 1 ? n - 1 : null);
    inAll--;
  }

  /** One open stream. Close it exactly once, when the response is done. */
  final class Stream implements AutoCloseable {
    private final String client;
    private final long jobId;
    private final int attempt;
    private final Semaphore wakeups = new Semaphore(0);
    private volatile boolean jobEnded;
    private volatile boolean clientGone;
    private boolean closed;

    private Stream(String client, long jobId, int attempt) {
      this.client = client;
      this.jobId = jobId;
      this.attempt = attempt;
    }

    /** Whether the attempt has ended (the job finished, or a new attempt began). */
    boolean jobEnded() {
      return jobEnded;
    }

    /** Notes that the attempt has ended, as the stream found it itself. */
    void endJob() {
      jobEnded = true;
    }

    /** Whether the client left, or the daemon is stopping. */
    boolean isClientGone() {
      return clientGone;
    }

    /** Notes that the client left; wakes the stream. */
    void clientGone() {
      clientGone = true;
      wake();
    }

    /**
     * Waits until something happened (an event of the job, the client's departure) or {@code most}
     * has passed, whichever is first.
     */
    void await(Duration most) throws InterruptedException {
      if (wakeups.tryAcquire(most.toNanos(), TimeUnit.NANOSECONDS)) {
        wakeups.drainPermits();
      }
    }

    private void wake() {
      if (wakeups.availablePermits() == 0) {
        wakeups.release();
      }
    }

    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      byJob.computeIfPresent(
          jobId,
          (id, set) -> {
            set.remove(this);
            return set.isEmpty() ? null : set;
          });
      release(this);
    }
  }
}
