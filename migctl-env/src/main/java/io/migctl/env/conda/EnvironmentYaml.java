package io.migctl.env.conda;

import io.migctl.core.env.EnvironmentSpec;
import io.migctl.core.env.MatchSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * Writes a spec as the {@code environment.yml} a conda-family tool reads: {@code channels}, {@code
 * dependencies} (canonical MatchSpec strings, then a {@code pip:} list), {@code variables}. The
 * spec's {@code name} and {@code prefix} are left out: the backend passes the prefix on the command
 * line, and a {@code name:} would make conda create a named environment elsewhere if the prefix
 * were ever dropped.
 *
 * <p>When the spec has pip requirements but no {@code pip} dependency, {@code pip} is added, as
 * micromamba does by itself; conda otherwise runs whichever pip it finds, or fails. Pure.
 */
final class EnvironmentYaml {

  private static final DumpSettings SETTINGS =
      DumpSettings.builder()
          .setDefaultFlowStyle(FlowStyle.BLOCK)
          .setIndent(2)
          .setIndicatorIndent(2)
          .setIndentWithIndicator(true)
          .setWidth(Integer.MAX_VALUE)
          .build();

  private EnvironmentYaml() {}

  static String render(EnvironmentSpec spec) {
    Map<String, Object> document = new LinkedHashMap<>();
    if (!spec.channels().isEmpty()) {
      document.put("channels", List.copyOf(spec.channels()));
    }
    List<Object> dependencies = new ArrayList<>();
    for (MatchSpec dependency : spec.dependencies()) {
      dependencies.add(dependency.canonical());
    }
    if (!spec.pip().isEmpty()) {
      boolean hasPip = spec.dependencies().stream().anyMatch(d -> d.isNamed("pip"));
      if (!hasPip) {
        dependencies.add("pip");
      }
      dependencies.add(Map.of("pip", List.copyOf(spec.pip())));
    }
    document.put("dependencies", dependencies);
    if (!spec.variables().isEmpty()) {
      document.put("variables", new TreeMap<>(spec.variables()));
    }
    return new Dump(SETTINGS).dumpToString(document);
  }

  /** Whether the spec asks for no packages at all (an empty environment). */
  static boolean isEmpty(EnvironmentSpec spec) {
    return spec.dependencies().isEmpty() && spec.pip().isEmpty();
  }
}
