package io.migctl.core.replay;

import io.migctl.core.job.HostLimits;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantDirectory;
import io.migctl.core.tenant.TenantSpecException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tenants' weights of a simulation, {@code a=2,b=1}: a tenant not named has {@link
 * Tenant#DEFAULT_WEIGHT}. Names and weights follow the {@link Tenant} record's rules, so a weight
 * the simulator accepts is one {@code migctl tenant add --weight} accepts.
 */
public final class TenantWeights {

  private TenantWeights() {}

  /**
   * Parses {@code name=weight} pairs separated by commas; blank text is no weights.
   *
   * @throws IllegalArgumentException naming the pair that is wrong and the form to use
   */
  public static Map<String, Integer> parse(String text) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String part : text.split(",", -1)) {
      String p = part.strip();
      int eq = p.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("\"" + p + "\" is not NAME=WEIGHT; write e.g. a=2,b=1");
      }
      String name = p.substring(0, eq).strip();
      String number = p.substring(eq + 1).strip();
      int weight;
      try {
        weight = Integer.parseInt(number);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "\"" + p + "\": the weight \"" + number + "\" is not a whole number", e);
      }
      Tenant t;
      try {
        t = tenant(name, weight);
      } catch (TenantSpecException e) {
        throw new IllegalArgumentException("\"" + p + "\": " + e.getMessage(), e);
      }
      if (out.put(t.name(), weight) != null) {
        throw new IllegalArgumentException(
            "tenant " + name + " is given twice; give each tenant one weight");
      }
    }
    return out;
  }

  /** The tenants of {@code weights} as a directory: no quotas, no users of their own. */
  static TenantDirectory directory(Map<String, Integer> weights) {
    List<Tenant> list = new ArrayList<>();
    weights.forEach((name, w) -> list.add(tenant(name, w)));
    return TenantDirectory.of(list);
  }

  private static Tenant tenant(String name, int weight) {
    return new Tenant(name, Optional.empty(), Quota.NONE, weight, HostLimits.NONE);
  }
}
