package io.migctl.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.migctl.core.mig.config.ConfigEntry;
import io.migctl.core.mig.config.DeviceFilter;
import io.migctl.core.mig.config.DeviceSelection;
import io.migctl.core.mig.config.MigPartedConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a mig-parted config as mig-parted reads it: {@code version: v1} YAML, or JSON. */
public final class MigPartedWriter {

  private MigPartedWriter() {}

  /** The config as YAML, in the shape {@code nvidia-mig-parted export} prints. */
  public static String yaml(MigPartedConfig config) {
    StringBuilder b = new StringBuilder("version: v1\nmig-configs:\n");
    config
        .configs()
        .forEach(
            (name, entries) -> {
              b.append("  ").append(name).append(":\n");
              for (ConfigEntry e : entries) {
                b.append("  - devices: ").append(devices(e.devices())).append('\n');
                if (!e.deviceFilter().isEmpty()) {
                  b.append("    device-filter: ")
                      .append(e.deviceFilter().stream().map(f -> "\"" + f.text() + "\"").toList())
                      .append('\n');
                }
                b.append("    mig-enabled: ").append(e.migEnabled()).append('\n');
                if (e.migDevices().isEmpty()) {
                  b.append("    mig-devices: {}\n");
                } else {
                  b.append("    mig-devices:\n");
                  e.migDevices()
                      .forEach(
                          (p, n) ->
                              b.append("      \"").append(p).append("\": ").append(n).append('\n'));
                }
              }
            });
    return b.toString();
  }

  /** The config as JSON (mig-parted reads JSON too, YAML being a superset). */
  public static String json(MigPartedConfig config) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", "v1");
    Map<String, Object> configs = new LinkedHashMap<>();
    config
        .configs()
        .forEach(
            (name, entries) -> {
              List<Object> list = new ArrayList<>();
              for (ConfigEntry e : entries) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put(
                    "devices",
                    switch (e.devices()) {
                      case DeviceSelection.All a -> "all";
                      case DeviceSelection.Indices i -> i.indices();
                    });
                if (!e.deviceFilter().isEmpty()) {
                  entry.put(
                      "device-filter", e.deviceFilter().stream().map(DeviceFilter::text).toList());
                }
                entry.put("mig-enabled", e.migEnabled());
                Map<String, Integer> devices = new LinkedHashMap<>();
                e.migDevices().forEach((p, n) -> devices.put(p.toString(), n));
                entry.put("mig-devices", devices);
                list.add(entry);
              }
              configs.put(name, list);
            });
    root.put("mig-configs", configs);
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root)
          + "\n";
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write the config as JSON", ex);
    }
  }

  private static String devices(DeviceSelection selection) {
    return switch (selection) {
      case DeviceSelection.All a -> "all";
      case DeviceSelection.Indices i ->
          "[" + String.join(", ", i.indices().stream().map(String::valueOf).toList()) + "]";
    };
  }
}
