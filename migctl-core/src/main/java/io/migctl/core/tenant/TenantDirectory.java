package io.migctl.core.tenant;

import java.util.List;
import java.util.Optional;

/**
 * The tenants the node knows, as the scheduler and the API read them. A job whose tenant has no
 * record (jobs submitted before tenants existed, or with the operator's token under the default
 * tenant) belongs to {@link Tenant#named}: no user of its own, no limits, the default weight.
 *
 * <p>Port: the daemon's store is the real side; {@link #of} is the in-memory one.
 */
public interface TenantDirectory {

  /** Every tenant with a record, by name. */
  List<Tenant> all();

  /** The tenant's record, if it has one. */
  default Optional<Tenant> find(String name) {
    return all().stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** The tenant's record, or an unlimited tenant of that name when it has none. */
  default Tenant resolve(String name) {
    return find(name).orElseGet(() -> Tenant.named(name));
  }

  /** A fixed directory, for tests and the trace simulator. */
  static TenantDirectory of(List<Tenant> tenants) {
    List<Tenant> copy = List.copyOf(tenants);
    return () -> copy;
  }
}
