package io.migctl.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.HostLimits;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TenantAndQuotaTest {

  @Test
  void aTenantNamedOnlyHasNoLimitsAndTheDefaultWeight() {
    Tenant t = Tenant.named("alice");
    assertThat(t.unixUser()).isEmpty();
    assertThat(t.quota()).isEqualTo(Quota.NONE);
    assertThat(t.weight()).isEqualTo(Tenant.DEFAULT_WEIGHT);
    assertThat(t.jobDefaults()).isEqualTo(HostLimits.NONE);
  }

  @Test
  void badFieldsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> Tenant.named("-x"))
        .isInstanceOfSatisfying(
            TenantSpecException.class, e -> assertThat(e.field()).isEqualTo("name"));
    assertThatThrownBy(() -> Tenant.named(null)).hasMessageStartingWith("name:");
    assertThatThrownBy(
            () -> new Tenant("a", Optional.of("Root User"), Quota.NONE, 1, HostLimits.NONE))
        .hasMessageStartingWith("user:");
    assertThatThrownBy(() -> new Tenant("a", Optional.empty(), Quota.NONE, 0, HostLimits.NONE))
        .hasMessageStartingWith("weight:");
    assertThatThrownBy(() -> new Tenant("a", Optional.empty(), Quota.NONE, 1001, null))
        .hasMessageStartingWith("weight:");
    assertThatThrownBy(
            () -> new Quota(OptionalInt.of(-1), OptionalLong.empty(), OptionalInt.empty(), null))
        .hasMessageStartingWith("max-slices:");
    assertThatThrownBy(
            () -> new Quota(null, OptionalLong.of(0), OptionalInt.empty(), OptionalInt.empty()))
        .hasMessageStartingWith("max-gpu-memory:");
    assertThatThrownBy(
            () -> new Quota(null, null, OptionalInt.of(Quota.MAX_COUNT + 1), OptionalInt.empty()))
        .hasMessageStartingWith("max-running:");
    assertThatThrownBy(() -> new Quota(null, null, null, OptionalInt.of(-5)))
        .hasMessageStartingWith("max-queued:");
  }

  @Test
  void gpuMemoryLimitsEndAt64TiBAndUsageIsNeverNegative() {
    assertThat(
            new Quota(null, OptionalLong.of(GpuNeed.MAX_MEMORY_MIB), null, null).maxGpuMemoryMiB())
        .hasValue(GpuNeed.MAX_MEMORY_MIB);
    assertThatThrownBy(
            () -> new Quota(null, OptionalLong.of(GpuNeed.MAX_MEMORY_MIB + 1), null, null))
        .hasMessageStartingWith("max-gpu-memory:")
        .hasMessageContaining("64 TiB");
    assertThat(new FairShare.Usage(0, 0)).isEqualTo(FairShare.Usage.ZERO);
    assertThat(new FairShare.Usage(3, 300).minus(new FairShare.Usage(1, 100)))
        .isEqualTo(new FairShare.Usage(2, 200));
    assertThatThrownBy(() -> new FairShare.Usage(1, 100).minus(new FairShare.Usage(2, 0)))
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> new FairShare.Usage(-1, 0)).hasMessageContaining("negative");
    assertThatThrownBy(() -> new FairShare.Usage(0, -1)).hasMessageContaining("negative");
  }

  @Test
  void boundsAndBlanksAreAccepted() {
    Tenant t =
        new Tenant(
            "a.b_c-1",
            Optional.of(" "),
            new Quota(OptionalInt.of(0), OptionalLong.of(1), null, OptionalInt.of(Quota.MAX_COUNT)),
            Tenant.MAX_WEIGHT,
            null);
    assertThat(t.unixUser()).isEmpty();
    assertThat(t.quota().maxRunning()).isEmpty();
    assertThat(new Tenant("b", Optional.of("svc_ml-1"), null, 1, null).unixUser())
        .hasValue("svc_ml-1");
  }

  @Test
  void aDirectoryResolvesTenantsWithoutARecordAsUnlimited() {
    Tenant alice = new Tenant("alice", Optional.of("alice"), Quota.NONE, 3, HostLimits.NONE);
    TenantDirectory dir = TenantDirectory.of(List.of(alice));
    assertThat(dir.find("alice")).hasValue(alice);
    assertThat(dir.find("bob")).isEmpty();
    assertThat(dir.resolve("alice")).isSameAs(alice);
    assertThat(dir.resolve("bob")).isEqualTo(Tenant.named("bob"));
  }
}
