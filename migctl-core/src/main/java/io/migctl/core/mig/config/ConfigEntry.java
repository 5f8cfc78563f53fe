package io.migctl.core.mig.config;

import io.migctl.core.mig.ProfileName;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a named mig-parted config: which GPUs it applies to and the layout they get.
 *
 * @param path where it is in the file, e.g. {@code mig-configs.custom[1]}; messages start with it
 * @param deviceFilter the PCI ids it is limited to; empty means every GPU model
 * @param devices which GPU indices it applies to
 * @param migEnabled whether MIG mode is on
 * @param migDevices MIG devices by profile, in file order: GPU-instance profiles ({@code 3g.20gb},
 *     meaning a GPU instance with its default compute instance) or compute-instance profiles
 *     ({@code 1c.3g.20gb}); counts are MIG devices (compute instances), as in mig-parted
 */
public record ConfigEntry(
    String path,
    List<DeviceFilter> deviceFilter,
    DeviceSelection devices,
    boolean migEnabled,
    Map<ProfileName, Integer> migDevices) {

  public ConfigEntry {
    deviceFilter = List.copyOf(deviceFilter);
    migDevices = Collections.unmodifiableMap(new LinkedHashMap<>(migDevices));
  }

  /** Whether the entry applies to this GPU. */
  public boolean matches(int gpu, int pciDeviceId, int pciSubsystemId) {
    return devices.includes(gpu)
        && (deviceFilter.isEmpty()
            || deviceFilter.stream().anyMatch(f -> f.matches(pciDeviceId, pciSubsystemId)));
  }
}
