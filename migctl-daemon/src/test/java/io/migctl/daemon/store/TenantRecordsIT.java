package io.migctl.daemon.store;

import static io.migctl.daemon.store.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.tenant.Principal;
import io.migctl.core.tenant.Tenant;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The {@link TenantStoreContract} on SQLite, and what only the database does: the audit log's
 * triggers, tokens that belong to a tenant, rotation, and tokens going with their tenant.
 */
class TenantRecordsIT extends TenantStoreContract {

  private Database db;

  @Override
  TenantStore tenants(Path dir) {
    db = Database.open(dir.resolve("home/migctl.db"));
    return new TenantRecords(db);
  }

  @Override
  AuditLog audit() {
    return new AuditRecords(db);
  }

  @Override
  void close() {
    db.close();
  }

  @Test
  void theAuditLogRefusesUpdateAndDelete() {
    audit.append(t(0), "operator", "tenant-add", "tenant alice", "");
    for (String sql :
        new String[] {
          "UPDATE audit_log SET actor = 'tenant:mallory'",
          "DELETE FROM audit_log",
          "DELETE FROM audit_log WHERE seq = 1"
        }) {
      assertThatThrownBy(() -> execute(sql))
          .as(sql)
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("audit_log is append-only");
    }
    assertThat(audit.after(0, 10))
        .containsExactly(new AuditLog.Entry(1, t(0), "operator", "tenant-add", "tenant alice", ""));
  }

  @Test
  void aTenantsTokenResolvesToTheTenantAndTheOperatorsToTheOperator() {
    TokenRecords tokens = new TokenRecords(db);
    tokens.add("operator-token-1f3b", "the daemon's own token", t(0));
    tenants.add(Tenant.named("alice"), t(0));
    tenants.add(Tenant.named("bob"), t(0));
    String alice = tokens.issue("alice", false, t(1));
    String bob = tokens.issue("bob", false, t(1));

    assertThat(alice).startsWith("mt_").hasSize(3 + 64).isNotEqualTo(bob);
    assertThat(tokens.resolve(alice)).contains(new Principal.Member("alice"));
    assertThat(tokens.resolve(bob)).contains(new Principal.Member("bob"));
    assertThat(tokens.resolve("operator-token-1f3b")).contains(Principal.OPERATOR);
    assertThat(tokens.resolve(alice + "x")).isEmpty();
    assertThat(tokens.list())
        .extracting(TokenRecords.TokenRecord::tenant)
        .containsExactly(Optional.empty(), Optional.of("alice"), Optional.of("bob"));
  }

  @Test
  void rotationRevokesTheTenantsOldTokensOnly() {
    TokenRecords tokens = new TokenRecords(db);
    tenants.add(Tenant.named("alice"), t(0));
    tenants.add(Tenant.named("bob"), t(0));
    String first = tokens.issue("alice", false, t(1));
    String second = tokens.issue("alice", false, t(2));
    String bob = tokens.issue("bob", false, t(2));

    assertThat(tokens.resolve(first)).isPresent();
    String rotated = tokens.issue("alice", true, t(3));

    assertThat(tokens.resolve(first)).isEmpty();
    assertThat(tokens.resolve(second)).isEmpty();
    assertThat(tokens.resolve(rotated)).contains(new Principal.Member("alice"));
    assertThat(tokens.resolve(bob)).contains(new Principal.Member("bob"));
  }

  @Test
  void removingATenantRevokesItsTokensAndATokenNeedsATenant() {
    TokenRecords tokens = new TokenRecords(db);
    tenants.add(Tenant.named("alice"), t(0));
    String alice = tokens.issue("alice", false, t(1));
    assertThat(tokens.resolve(alice)).contains(new Principal.Member("alice"));

    tenants.remove("alice");

    assertThat(tokens.resolve(alice)).isEmpty();
    assertThat(tokens.list()).isEmpty();
    assertThatThrownBy(() -> tokens.issue("ghost", false, t(2))).isInstanceOf(StoreException.class);
  }

  private void execute(String sql) {
    db.inTransaction(
        "test",
        c -> {
          try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
          }
        });
  }
}
