package io.migctl.daemon.store;

import java.nio.file.Path;

/** The {@link TenantStoreContract} on the in-memory sides. */
class InMemoryTenantStoreTest extends TenantStoreContract {

  @Override
  TenantStore tenants(Path dir) {
    return new InMemoryTenantStore();
  }

  @Override
  AuditLog audit() {
    return new InMemoryAuditLog();
  }

  @Override
  void close() {}
}
