package io.migctl.core.mig.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A mig-parted {@code version: v1} file: named configs, each a list of entries.
 *
 * @param configs the configs by name, in file order
 */
public record MigPartedConfig(Map<String, List<ConfigEntry>> configs) {

  public MigPartedConfig {
    Map<String, List<ConfigEntry>> copy = new LinkedHashMap<>();
    configs.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    configs = Collections.unmodifiableMap(copy);
  }

  /**
   * The entries of the config called {@code name}; with no name, of the file's only config.
   *
   * @throws ConfigException naming the configs there are when the name is unknown or missing
   */
  public List<ConfigEntry> select(Optional<String> name) {
    if (name.isEmpty()) {
      if (configs.size() == 1) {
        return configs.values().iterator().next();
      }
      throw new ConfigException(
          "mig-configs",
          configs.isEmpty()
              ? "the file has no config"
              : "the file has "
                  + configs.size()
                  + " configs; choose one with -c NAME: "
                  + String.join(", ", configs.keySet()));
    }
    List<ConfigEntry> entries = configs.get(name.get());
    if (entries == null) {
      throw new ConfigException(
          "mig-configs",
          "there is no config \""
              + name.get()
              + "\"; the file has "
              + (configs.isEmpty() ? "none" : String.join(", ", configs.keySet())));
    }
    return entries;
  }

  /** The name {@link #select} resolves to. */
  public String selectedName(Optional<String> name) {
    select(name);
    return name.orElseGet(() -> configs.keySet().iterator().next());
  }
}
