package io.migctl.daemon.store;

import io.migctl.core.tenant.Tenant;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@link TenantStore} in memory, with the contract of {@link TenantRecords} (the same tests run
 * against both). Thread-safe: every method holds the object's lock. It keeps no tokens, so removing
 * a tenant here revokes nothing.
 */
public final class InMemoryTenantStore implements TenantStore {

  private final TreeMap<String, Stored> tenants = new TreeMap<>();
  private final Set<List<String>> owners = new HashSet<>();

  @Override
  public synchronized List<Stored> stored() {
    return List.copyOf(tenants.values());
  }

  @Override
  public synchronized void add(Tenant tenant, Instant at) {
    if (tenants.containsKey(tenant.name())) {
      throw TenantRecords.exists(tenant.name());
    }
    tenants.put(tenant.name(), new Stored(tenant, at));
  }

  @Override
  public synchronized boolean replace(Tenant tenant) {
    Stored old = tenants.get(tenant.name());
    if (old == null) {
      return false;
    }
    tenants.put(tenant.name(), new Stored(tenant, old.createdAt()));
    return true;
  }

  @Override
  public synchronized boolean remove(String name) {
    owners.removeIf(o -> o.get(1).equals(name));
    return tenants.remove(name) != null;
  }

  @Override
  public synchronized void own(String buildId, String tenant) {
    owners.add(List.of(buildId, tenant));
  }

  @Override
  public synchronized boolean owns(String buildId, String tenant) {
    return owners.contains(List.of(buildId, tenant));
  }
}
