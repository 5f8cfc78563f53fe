package io.migctl.core.mig.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A mig-parted hooks file: commands to run at named points of an apply. mig-parted runs {@code
 * apply-start}, {@code pre-apply-mode}, {@code pre-apply-config} and {@code apply-exit}; other
 * names are kept but never run.
 *
 * @param hooks the commands by hook name, in file order
 */
public record HooksFile(Map<String, List<HookCommand>> hooks) {

  public static final String APPLY_START = "apply-start";
  public static final String PRE_APPLY_MODE = "pre-apply-mode";
  public static final String PRE_APPLY_CONFIG = "pre-apply-config";
  public static final String APPLY_EXIT = "apply-exit";

  public HooksFile {
    Map<String, List<HookCommand>> copy = new LinkedHashMap<>();
    hooks.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    hooks = Collections.unmodifiableMap(copy);
  }

  /** The commands of one hook, empty when the file has none. */
  public List<HookCommand> commands(String hook) {
    return hooks.getOrDefault(hook, List.of());
  }
}
