package io.migctl.daemon;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobQuery;
import io.migctl.core.job.JobState;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.TelemetrySample;
import io.migctl.core.metrics.TelemetrySource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Samples the GPUs every few seconds and keeps what the metrics, {@code migctl top} and the web
 * page show: the latest reading joined with the jobs on each slice, how long allocated slices have
 * been idle, layout changes, and a bounded history for charts.
 *
 * <p>A slice is <em>allocated</em> while a job holds it. An allocated slice is <em>busy</em> when
 * the hardware reports graphics-engine activity above {@value #ACTIVE_THRESHOLD} (NVML GPM, Hopper
 * and later), or — where it reports none — when some process holds the device; otherwise it is
 * <em>idle</em>.
 */
public final class TelemetryService implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(TelemetryService.class.getName());

  /** Graphics-engine activity above which a slice counts as busy. */
  public static final double ACTIVE_THRESHOLD = 0.05;

  /** One slice in a reading, with its job and state. */
  public record Slice(
      GpuTelemetry gpu, MigTelemetry device, Optional<Job> job, boolean active, Duration idleFor) {
    public boolean allocated() {
      return job.isPresent();
    }

    /** free, busy or idle. */
    public String state() {
      return job.isEmpty() ? "free" : active ? "busy" : "idle";
    }
  }

  /** A reading joined with the jobs. */
  public record Reading(
      TelemetrySample sample,
      List<Slice> slices,
      int queueDepth,
      Duration oldestWait,
      Duration took) {
    public Reading {
      slices = List.copyOf(slices);
    }
  }

  /** The charts' data: aligned arrays, oldest first. */
  public record History(List<Long> times, List<Integer> queueDepth, List<SliceSeries> slices) {}

  /** One slice's memory use over time; null where the slice did not exist. */
  public record SliceSeries(
      String uuid, int gpu, int gpuInstanceId, String profile, long totalMiB, List<Long> usedMiB) {}

  private record Point(Instant at, int queueDepth, Map<String, Long> usedMiB) {}

  /**
   * The jobs a reading is joined with: those queued and those starting, running or stopping. A node
   * without a job runtime (the Kubernetes agent) has {@link #NONE}: every slice is free and the
   * queue empty.
   */
  @FunctionalInterface
  public interface ActiveJobs {

    /** No job runtime: no jobs. */
    ActiveJobs NONE = List::of;

    /** The jobs now queued, starting, running or stopping. */
    List<Job> list();

    /** The jobs of a job runtime. */
    static ActiveJobs of(JobService jobs) {
      JobQuery active =
          new JobQuery(
              Set.of(JobState.QUEUED, JobState.STARTING, JobState.RUNNING, JobState.STOPPING),
              Optional.empty(),
              Optional.empty(),
              JobQuery.MAX_LIMIT);
      return () -> jobs.list(active);
    }
  }

  private final TelemetrySource source;
  private final ActiveJobs jobs;
  private final Clock clock;
  private final Duration interval;
  private final int historySize;
  private final ScheduledExecutorService timer;
  private final List<Consumer<Reading>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Instant> idleSince = new HashMap<>();
  private final Map<Integer, List<String>> lastLayout = new HashMap<>();
  private final Map<Integer, Long> layoutChanges = new LinkedHashMap<>();
  private final Deque<Point> history = new ArrayDeque<>();
  private final Map<String, SliceSeriesInfo> seen = new LinkedHashMap<>();
  private volatile Reading latest;

  private record SliceSeriesInfo(int gpu, int gpuInstanceId, String profile, long totalMiB) {}

  /**
   * @param jobs the jobs to join each reading with ({@link ActiveJobs#NONE} without a job runtime)
   * @param interval how often to sample
   * @param historySize how many samples the charts keep
   */
  public TelemetryService(
      TelemetrySource source, ActiveJobs jobs, Clock clock, Duration interval, int historySize) {
    this.source = source;
    this.jobs = jobs;
    this.clock = clock;
    this.interval = interval;
    this.historySize = historySize;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("migctl-telemetry").daemon().factory());
  }

  /** Takes a first reading now, then one every interval. */
  public TelemetryService start() {
    sampleNow();
    timer.scheduleWithFixedDelay(
        this::sampleQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Called with every reading, on the sampling thread. */
  public void onReading(Consumer<Reading> listener) {
    listeners.add(listener);
  }

  /** The latest reading (one is taken at start). */
  public Reading latest() {
    return latest;
  }

  /** Layout changes seen per GPU since the daemon started. */
  public synchronized Map<Integer, Long> layoutChanges() {
    return Map.copyOf(layoutChanges);
  }

  /** The charts' data for the last {@code window}. */
  public synchronized History history(Duration window) {
    Instant from = clock.instant().minus(window);
    List<Point> points = history.stream().filter(p -> !p.at().isBefore(from)).toList();
    List<Long> times = points.stream().map(p -> p.at().getEpochSecond()).toList();
    List<Integer> depth = points.stream().map(Point::queueDepth).toList();
    List<SliceSeries> series = new ArrayList<>();
    seen.forEach(
        (uuid, info) -> {
          List<Long> used = new ArrayList<>();
          boolean any = false;
          for (Point p : points) {
            Long v = p.usedMiB().get(uuid);
            any |= v != null;
            used.add(v);
          }
          if (any) {
            series.add(
                new SliceSeries(
                    uuid, info.gpu(), info.gpuInstanceId(), info.profile(), info.totalMiB(), used));
          }
        });
    return new History(times, depth, series);
  }

  /** Takes a reading now. */
  public synchronized Reading sampleNow() {
    long t0 = System.nanoTime();
    Instant now = clock.instant();
    TelemetrySample sample = source.sample(now);
    Map<String, Job> byDevice = new HashMap<>();
    int queued = 0;
    Duration oldest = Duration.ZERO;
    for (Job j : jobs.list()) {
      if (j.state() == JobState.QUEUED) {
        queued++;
        Duration waited = Duration.between(j.submittedAt(), now);
        if (waited.compareTo(oldest) > 0) {
          oldest = waited;
        }
      } else {
        j.device().ifPresent(d -> byDevice.put(d.uuid(), j));
      }
    }
    List<Slice> slices = new ArrayList<>();
    Map<String, Long> used = new HashMap<>();
    for (GpuTelemetry g : sample.gpus()) {
      List<String> layout = new ArrayList<>();
      for (MigTelemetry d : g.instances()) {
        layout.add(d.uuid());
        Optional<Job> job = Optional.ofNullable(byDevice.get(d.uuid()));
        boolean active =
            d.grEngineActive().isPresent()
                ? d.grEngineActive().getAsDouble() > ACTIVE_THRESHOLD
                : d.processes() > 0;
        Duration idle = Duration.ZERO;
        if (job.isPresent() && !active) {
          Instant since = idleSince.computeIfAbsent(d.uuid(), k -> now);
          idle = Duration.between(since, now);
        } else {
          idleSince.remove(d.uuid());
        }
        slices.add(new Slice(g, d, job, active, idle));
        used.put(d.uuid(), d.fbUsedMiB());
        seen.put(
            d.uuid(),
            new SliceSeriesInfo(g.index(), d.gpuInstanceId(), d.profile(), d.fbTotalMiB()));
      }
      layout.sort(String::compareTo);
      List<String> before = lastLayout.put(g.index(), layout);
      layoutChanges.putIfAbsent(g.index(), 0L);
      if (before != null && !before.equals(layout)) {
        layoutChanges.merge(g.index(), 1L, Long::sum);
      }
    }
    idleSince.keySet().retainAll(used.keySet());
    history.addLast(new Point(now, queued, used));
    while (history.size() > historySize) {
      history.removeFirst();
    }
    seen.keySet().removeIf(uuid -> history.stream().noneMatch(p -> p.usedMiB().containsKey(uuid)));
    Reading r =
        new Reading(sample, slices, queued, oldest, Duration.ofNanos(System.nanoTime() - t0));
    latest = r;
    for (Consumer<Reading> l : listeners) {
      try {
        l.accept(r);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a telemetry listener failed", e);
      }
    }
    return r;
  }

  private void sampleQuietly() {
    try {
      sampleNow();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "telemetry sample failed: " + e.getMessage(), e);
    }
  }

  /** Stops sampling. The source is its node's, which closes it ({@code GpuNode#close}). */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warning("a telemetry sample is still running at shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
