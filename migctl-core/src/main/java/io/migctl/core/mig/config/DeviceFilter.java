package io.migctl.core.mig.config;

import java.util.HexFormat;
import java.util.Locale;

/**
 * One {@code device-filter} value of a mig-parted entry: a PCI id written {@code 0xDDDDVVVV}
 * (device and vendor, e.g. {@code 0x20B010DE}) or {@code 0xDDDDVVVV:0xSSSSVVVV} (with the
 * subsystem). mig-parted's parser takes any string; a value that is not such an id matches no GPU.
 *
 * @param text the value as written in the file
 */
public record DeviceFilter(String text) {

  /**
   * Whether a GPU with these PCI ids matches, as mig-parted compares them (case does not matter).
   */
  public boolean matches(int pciDeviceId, int pciSubsystemId) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    String device = "0x" + HexFormat.of().toHexDigits(pciDeviceId);
    if (t.contains(":")) {
      String subsystem = "0x" + HexFormat.of().toHexDigits(pciSubsystemId);
      return t.equals(device + ":" + subsystem);
    }
    return t.equals(device);
  }

  /** Whether the text has the shape of a PCI id at all (so a typo can be reported). */
  public boolean isPciId() {
    return text.strip().matches("(?i)0x[0-9a-f]{8}(:0x[0-9a-f]{8})?");
  }
}
