package io.migctl.nvidia.nvml;

import io.migctl.nvidia.nvml.NvmlLibrary.Device;
import io.migctl.nvidia.nvml.NvmlLibrary.Event;
import io.migctl.nvidia.nvml.NvmlLibrary.EventSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The last XID error of each GPU, as NVML reports XIDs: events of one event set ({@code
 * nvmlEventSetCreate}) on which every GPU is registered for {@code nvmlEventTypeXidCriticalError}
 * ({@code nvmlDeviceRegisterEvents}), read without waiting ({@code nvmlEventSetWait_v2} with a
 * timeout of 0) at each {@link #poll}.
 *
 * <p>The set survives GPU resets: when the driver shut NVML down and initialised it again, or when
 * NVML answers a wait with {@code GPU_IS_LOST} or {@code UNINITIALIZED}, the set is freed ({@code
 * nvmlEventSetFree}, its error ignored: NVML may have released it already) and a new one is made
 * and registered. Events that came while no set was registered are not seen. A GPU whose
 * registration NVML refuses is tried again at the next poll; its XID stays unknown meanwhile.
 *
 * <p>Not thread-safe: {@link NvmlTelemetry} calls it under the driver's lock.
 */
final class NvmlXidEvents {

  /** Events read per poll at most, so that a storm of events never holds a sample up. */
  static final int EVENTS_PER_POLL = 64;

  private final NvmlLibrary nvml;
  private final Set<Long> registered = new HashSet<>();
  private final Map<String, Integer> lastXid = new HashMap<>();
  private Optional<EventSet> set = Optional.empty();
  private long restarts;

  NvmlXidEvents(NvmlLibrary nvml) {
    this.nvml = nvml;
  }

  /**
   * Reads the XID events that came since the last poll.
   *
   * @param gpus each GPU's handle with its {@code GPU-…} UUID
   * @param nvmlRestarts the driver's {@link NvmlMigDriver#nvmlRestarts()}: when it changed since
   *     the last poll, the set is made anew
   */
  void poll(Map<Device, String> gpus, long nvmlRestarts) {
    if (nvmlRestarts != restarts) {
      restarts = nvmlRestarts;
      drop();
    }
    if (!drain(gpus)) {
      drop();
      drain(gpus);
    }
  }

  /** The last XID seen on the GPU with this UUID, empty when none was seen. */
  OptionalInt lastXid(String gpuUuid) {
    Integer xid = lastXid.get(gpuUuid);
    return xid == null ? OptionalInt.empty() : OptionalInt.of(xid);
  }

  /** Frees the event set. */
  void close() {
    drop();
  }

  /** False when NVML said the set is void (a GPU was lost, or NVML was shut down). */
  private boolean drain(Map<Device, String> gpus) {
    Optional<EventSet> ready = registeredSet(gpus);
    if (ready.isEmpty()) {
      return true;
    }
    for (int i = 0; i < EVENTS_PER_POLL; i++) {
      Optional<Event> event;
      try {
        event = nvml.eventSetWait(ready.get(), 0);
      } catch (NvmlCallException e) {
        return e.code() != NvmlReturn.GPU_IS_LOST && e.code() != NvmlReturn.UNINITIALIZED;
      }
      if (event.isEmpty()) {
        return true;
      }
      record(event.get(), gpus);
    }
    return true;
  }

  private void record(Event event, Map<Device, String> gpus) {
    String uuid = gpus.get(new Device(event.device()));
    if ((event.eventType() & NvmlLibrary.EVENT_TYPE_XID_CRITICAL_ERROR) == 0
        || uuid == null
        || event.eventData() < 0
        || event.eventData() > Integer.MAX_VALUE) {
      return;
    }
    lastXid.put(uuid, (int) event.eventData());
  }

  /** The set, made where there is none, with every GPU not yet in it registered. */
  private Optional<EventSet> registeredSet(Map<Device, String> gpus) {
    if (set.isEmpty()) {
      try {
        set = Optional.of(nvml.eventSetCreate());
      } catch (NvmlCallException e) {
        return Optional.empty(); // tried again at the next poll
      }
    }
    for (Device gpu : gpus.keySet()) {
      if (registered.contains(gpu.address())) {
        continue;
      }
      try {
        nvml.registerEvents(gpu, NvmlLibrary.EVENT_TYPE_XID_CRITICAL_ERROR, set.get());
        registered.add(gpu.address());
      } catch (NvmlCallException e) {
        // This GPU does not report XIDs now: tried again at the next poll.
      }
    }
    return set;
  }

  private void drop() {
    if (set.isEmpty()) {
      return;
    }
    try {
      nvml.eventSetFree(set.get());
    } catch (NvmlCallException e) {
      // NVML released it already (it was shut down, or the GPU was lost): nothing left to free.
    }
    set = Optional.empty();
    registered.clear();
  }
}
