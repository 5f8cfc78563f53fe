package io.migctl.daemon.store;

import static io.migctl.daemon.store.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.HostLimits;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Tenant;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link TenantStore} and {@link AuditLog} does; run on each side. */
abstract class TenantStoreContract {

  static final Tenant ALICE =
      new Tenant(
          "alice",
          Optional.of("alice_jobs"),
          new Quota(
              OptionalInt.of(2), OptionalLong.of(20_480), OptionalInt.of(3), OptionalInt.of(10)),
          5,
          new HostLimits(OptionalLong.of(16_384), OptionalInt.of(4000), OptionalInt.of(512)));

  @TempDir Path dir;

  TenantStore tenants;
  AuditLog audit;

  abstract TenantStore tenants(Path dir);

  abstract AuditLog audit();

  abstract void close();

  @BeforeEach
  void open() {
    tenants = tenants(dir);
    audit = audit();
  }

  @AfterEach
  void closeStore() {
    close();
  }

  @Test
  void aTenantIsStoredWithEveryFieldAndListedByName() {
    tenants.add(Tenant.named("zed"), t(0));
    tenants.add(ALICE, t(1));

    assertThat(tenants.all()).containsExactly(ALICE, Tenant.named("zed"));
    assertThat(tenants.stored("alice")).contains(new TenantStore.Stored(ALICE, t(1)));
    assertThat(tenants.find("alice")).contains(ALICE);
    assertThat(tenants.resolve("nobody")).isEqualTo(Tenant.named("nobody"));
  }

  @Test
  void aSecondTenantOfOneNameIsRefusedAndTheFirstKept() {
    tenants.add(ALICE, t(0));
    assertThatThrownBy(() -> tenants.add(Tenant.named("alice"), t(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "tenant alice exists already; change it with 'migctl tenant set alice', or choose"
                + " another name");
    assertThat(tenants.find("alice")).contains(ALICE);
  }

  @Test
  void replaceChangesTheRecordButNotWhenItWasAdded() {
    tenants.add(ALICE, t(0));
    Tenant unlimited = Tenant.named("alice");
    assertThat(tenants.replace(unlimited)).isTrue();
    assertThat(tenants.stored("alice")).contains(new TenantStore.Stored(unlimited, t(0)));
    assertThat(tenants.replace(Tenant.named("bob"))).isFalse();
    assertThat(tenants.find("bob")).isEmpty();
  }

  @Test
  void removeForgetsTheTenantAndItsBuilds() {
    tenants.add(ALICE, t(0));
    tenants.own("build-1", "alice");
    tenants.own("build-1", "alice");
    tenants.own("build-1", "bob");

    assertThat(tenants.owns("build-1", "alice")).isTrue();
    assertThat(tenants.owns("build-2", "alice")).isFalse();
    assertThat(tenants.remove("alice")).isTrue();
    assertThat(tenants.remove("alice")).isFalse();
    assertThat(tenants.all()).isEmpty();
    assertThat(tenants.owns("build-1", "alice")).isFalse();
    assertThat(tenants.owns("build-1", "bob")).as("a shared build keeps its other owner").isTrue();
  }

  @Test
  void theAuditLogKeepsItsLinesInOrder() {
    AuditLog.Entry first = audit.append(t(0), "operator", "tenant-add", "tenant alice", "weight 5");
    AuditLog.Entry second = audit.append(t(1), "tenant:alice", "submit", "tenant alice", "train");
    audit.append(t(2), "tenant:alice", "cancel", "job 1", "");

    assertThat(first.seq()).isEqualTo(1);
    assertThat(audit.after(0, 10))
        .extracting(AuditLog.Entry::action)
        .containsExactly("tenant-add", "submit", "cancel");
    assertThat(audit.after(first.seq(), 1)).containsExactly(second);
  }
}
