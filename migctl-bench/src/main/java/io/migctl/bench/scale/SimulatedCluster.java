package io.migctl.bench.scale;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.Job;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.MigSlot;
import io.migctl.core.job.Requirement;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A seeded snapshot of a large simulated fleet of A100-40GB GPUs for the scheduler: every GPU with
 * a mixed MIG layout, most devices busy, and a deep queue of jobs with mixed needs, priorities and
 * ages.
 *
 * @param all every MIG device of the fleet
 * @param free the devices no job holds (a few of them held by foreign processes)
 * @param busy the devices jobs hold
 * @param queued the queued jobs, in submission order
 * @param now the decision's clock
 */
public record SimulatedCluster(
    List<MigSlot> all, List<MigSlot> free, List<MigSlot> busy, List<Job> queued, Instant now) {

  /** The decision's clock. */
  public static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  public SimulatedCluster {
    all = List.copyOf(all);
    free = List.copyOf(free);
    busy = List.copyOf(busy);
    queued = List.copyOf(queued);
  }

  /** The layouts GPUs get, as (profile name, placement start) pairs, with their weights. */
  private static final List<List<Map.Entry<String, Integer>>> LAYOUTS =
      List.of(
          // 3g.20gb + 2g.10gb + 2 × 1g.5gb
          List.of(
              Map.entry("3g.20gb", 4),
              Map.entry("2g.10gb", 0),
              Map.entry("1g.5gb", 2),
              Map.entry("1g.5gb", 3)),
          // 7 × 1g.5gb
          List.of(
              Map.entry("1g.5gb", 0),
              Map.entry("1g.5gb", 1),
              Map.entry("1g.5gb", 2),
              Map.entry("1g.5gb", 3),
              Map.entry("1g.5gb", 4),
              Map.entry("1g.5gb", 5),
              Map.entry("1g.5gb", 6)),
          // 2 × 3g.20gb
          List.of(Map.entry("3g.20gb", 0), Map.entry("3g.20gb", 4)),
          // 4g.20gb + 2g.10gb + 1g.5gb
          List.of(Map.entry("4g.20gb", 0), Map.entry("2g.10gb", 4), Map.entry("1g.5gb", 6)),
          // 7g.40gb
          List.of(Map.entry("7g.40gb", 0)));

  private static final int[] LAYOUT_WEIGHTS = {40, 25, 15, 10, 10};

  /**
   * A fleet of {@code gpus} GPUs with {@code queueDepth} queued jobs.
   *
   * @param busyFraction the share of devices jobs hold, 0 to 1
   */
  public static SimulatedCluster generate(
      long seed, int gpus, int queueDepth, double busyFraction) {
    Random random = new Random(seed);
    List<MigSlot> all = new ArrayList<>();
    List<MigSlot> free = new ArrayList<>();
    List<MigSlot> busy = new ArrayList<>();
    for (int g = 0; g < gpus; g++) {
      for (Map.Entry<String, Integer> device : LAYOUTS.get(pick(random, LAYOUT_WEIGHTS))) {
        GpuInstanceProfile profile = profile(device.getKey());
        int start = device.getValue();
        MigSlot slot =
            new MigSlot(
                "MIG-%08x-%04x-%04x".formatted(seed, g, start),
                g,
                g * 100 + start,
                0,
                device.getKey(),
                profile.memoryMiB(),
                profile.computeSlices(),
                new Placement(start, profile.memorySlices()),
                random.nextDouble() < 0.01);
        all.add(slot);
        if (random.nextDouble() < busyFraction) {
          busy.add(slot);
        } else {
          free.add(slot);
        }
      }
    }
    List<Job> queued = new ArrayList<>();
    for (int i = 0; i < queueDepth; i++) {
      queued.add(job(random, i + 1, NOW));
    }
    return new SimulatedCluster(all, free, busy, queued, NOW);
  }

  /** The needs jobs have, with their weights: mostly small, some whole-GPU, a few CPU-only. */
  private static final List<Optional<Requirement>> NEEDS =
      List.of(
          Optional.empty(),
          Optional.of(new Requirement(4864, 1)),
          Optional.of(new Requirement(4000, 1)),
          Optional.of(new Requirement(9856, 2)),
          Optional.of(new Requirement(8000, 1)),
          Optional.of(new Requirement(19968, 3)),
          Optional.of(new Requirement(19968, 4)),
          Optional.of(new Requirement(40192, 7)));

  private static final int[] NEED_WEIGHTS = {5, 35, 10, 15, 5, 15, 5, 10};

  private static final int[] PRIORITIES = {0, 0, 0, 0, 0, 0, 10, 10, 100, -5};

  /**
   * A queued job with a random need, priority and age (up to two hours before {@code now}, so some
   * starve under the default policy).
   */
  public static Job job(Random random, long id, Instant now) {
    Optional<Requirement> need = NEEDS.get(pick(random, NEED_WEIGHTS));
    GpuNeed gpu =
        need.<GpuNeed>map(r -> new GpuNeed.Memory(r.memoryMiB(), r.computeSlices()))
            .orElse(GpuNeed.NONE);
    JobSpec spec =
        new JobSpec(
            "job-" + id,
            List.of("python", "train.py"),
            Optional.empty(),
            Optional.empty(),
            gpu,
            PRIORITIES[random.nextInt(PRIORITIES.length)],
            "team-" + random.nextInt(8),
            Optional.empty(),
            0,
            Map.of());
    Instant submittedAt = now.minus(Duration.ofMillis(random.nextLong(2 * 3600 * 1000L)));
    return Job.accepted(id, spec, need, Optional.empty(), submittedAt);
  }

  private static GpuInstanceProfile profile(String name) {
    return Catalog.A100_40GB
        .profile(ProfileName.parse(name))
        .orElseThrow(() -> new IllegalStateException("no A100-40GB profile " + name));
  }

  private static int pick(Random random, int[] weights) {
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int r = random.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) {
        return i;
      }
    }
    throw new AssertionError();
  }
}
