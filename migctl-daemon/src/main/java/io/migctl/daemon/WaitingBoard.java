package io.migctl.daemon;

import io.migctl.core.job.Job;
import io.migctl.core.job.Requirement;
import io.migctl.core.job.TenantNeed;
import io.migctl.core.job.WaitingReason;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Why each queued job waits, as the last scheduling round saw it: written on the job thread, read
 * from any thread (the API's). Values, never words: the API renders them.
 */
final class WaitingBoard {

  /** What each queued job that needs a GPU needs. */
  private final Map<Long, Requirement> queuedNeeds = new ConcurrentHashMap<>();

  /** The queued jobs that need no GPU. */
  private final Set<Long> queuedWithoutGpu = ConcurrentHashMap.newKeySet();

  /** Why jobs of each need wait. */
  private volatile Map<Requirement, WaitingReason> byNeed = Map.of();

  /** The CPU-job slots, when the last round left jobs without a GPU waiting for one. */
  private volatile Optional<WaitingReason.CpuJobSlots> cpuSlotsFull = Optional.empty();

  /** The tenant of each queued job. */
  private final Map<Long, String> queuedTenants = new ConcurrentHashMap<>();

  /** Why a tenant's jobs of a need wait on its quota, where they do. */
  private volatile Map<TenantNeed, WaitingReason.QuotaReached> overQuota = Map.of();

  /** Reasons that say more than the need's, for single jobs (a reshape that cools down). */
  private final Map<Long, WaitingReason> notes = new ConcurrentHashMap<>();

  /** A job joined the queue. */
  void queued(Job job) {
    queuedTenants.put(job.id(), job.spec().tenant());
    job.requirement()
        .ifPresentOrElse(
            need -> queuedNeeds.put(job.id(), need), () -> queuedWithoutGpu.add(job.id()));
  }

  /** A job left the queue. */
  void left(long id) {
    queuedNeeds.remove(id);
    queuedWithoutGpu.remove(id);
    queuedTenants.remove(id);
    notes.remove(id);
  }

  /** Nothing waits. */
  void clear() {
    byNeed = Map.of();
    cpuSlotsFull = Optional.empty();
    overQuota = Map.of();
  }

  /**
   * What a round decided; the notes of the round before are gone.
   *
   * @param quota the tenants' needs that wait on their tenant's quota; their jobs wait for that,
   *     whatever their need's reason
   */
  void decided(
      Map<Requirement, WaitingReason> reasons,
      Optional<WaitingReason.CpuJobSlots> cpuSlots,
      Map<TenantNeed, WaitingReason.QuotaReached> quota) {
    byNeed = Map.copyOf(reasons);
    cpuSlotsFull = cpuSlots;
    overQuota = Map.copyOf(quota);
    notes.clear();
  }

  /** The driver could not be read: every job that needs a GPU waits for it. */
  void driverUnavailable(String message) {
    WaitingReason why = new WaitingReason.DriverUnavailable(message);
    Map<Requirement, WaitingReason> reasons = new HashMap<>();
    queuedNeeds.values().forEach(need -> reasons.put(need, why));
    byNeed = reasons;
  }

  /** Says more about why one job waits, until the next round. */
  void note(long id, WaitingReason why) {
    notes.put(id, why);
  }

  /** Why jobs of this need wait, as the last round saw it. */
  Optional<WaitingReason> forNeed(Requirement need) {
    return Optional.ofNullable(byNeed.get(need));
  }

  /** Why a queued job waits; empty for a job that is not queued or before a round saw it. */
  Optional<WaitingReason> reason(long id) {
    WaitingReason note = notes.get(id);
    if (note != null) {
      return Optional.of(note);
    }
    String tenant = queuedTenants.get(id);
    Requirement need = queuedNeeds.get(id);
    if (tenant != null) {
      WaitingReason quota = overQuota.get(new TenantNeed(tenant, Optional.ofNullable(need)));
      if (quota != null) {
        return Optional.of(quota);
      }
    }
    if (queuedWithoutGpu.contains(id)) {
      return cpuSlotsFull.map(s -> s);
    }
    return need == null ? Optional.empty() : forNeed(need);
  }
}
