package io.migctl.daemon.store;

import io.migctl.core.tenant.Tenant;
import io.migctl.core.tenant.TenantDirectory;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the tenants' records live, and which tenants own which environment builds. The scheduler
 * reads it as a {@link TenantDirectory}; the API changes it. Every change is durable when the
 * method returns.
 *
 * <p>Port: {@link TenantRecords} is the SQLite side, {@link InMemoryTenantStore} the in-memory one.
 */
public interface TenantStore extends TenantDirectory {

  /** A tenant as stored, with when it was added. */
  record Stored(Tenant tenant, Instant createdAt) {}

  /** Every tenant with a record, by name, with when it was added. */
  List<Stored> stored();

  @Override
  default List<Tenant> all() {
    return stored().stream().map(Stored::tenant).toList();
  }

  /** The record of {@code name} with when it was added. */
  default Optional<Stored> stored(String name) {
    return stored().stream().filter(s -> s.tenant().name().equals(name)).findFirst();
  }

  /**
   * Adds a tenant.
   *
   * @throws IllegalStateException when a tenant of that name exists; nothing is changed then
   */
  void add(Tenant tenant, Instant at);

  /**
   * Replaces the record of the tenant of the same name.
   *
   * @return whether there was one
   */
  boolean replace(Tenant tenant);

  /**
   * Removes a tenant, its tokens and its ownership of builds.
   *
   * @return whether there was one
   */
  boolean remove(String name);

  /** Records that {@code tenant} asked for the build {@code buildId}; doing it twice is as once. */
  void own(String buildId, String tenant);

  /** Whether {@code tenant} asked for the build {@code buildId}. */
  boolean owns(String buildId, String tenant);
}
