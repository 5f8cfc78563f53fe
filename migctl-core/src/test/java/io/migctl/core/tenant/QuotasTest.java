package io.migctl.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.HostLimits;
import io.migctl.core.job.JobSpecException;
import io.migctl.core.job.Requirement;
import io.migctl.core.job.TenantLoad;
import io.migctl.core.job.WaitingReason.QuotaLimit;
import io.migctl.core.job.WaitingReason.QuotaReached;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class QuotasTest {

  private static final Tenant ALICE =
      tenant(
          new Quota(
              OptionalInt.of(4), OptionalLong.of(20_000), OptionalInt.of(3), OptionalInt.of(2)));
  private static final TenantLoad ONE_G = TenantLoad.ofDevice(1, 4864);

  @Test
  void aJobWithinEveryLimitMayRun() {
    assertThat(Quotas.check(ALICE, new TenantLoad(3, 15_000, 2), ONE_G)).isEmpty();
    assertThat(Quotas.check(Tenant.named("free"), new TenantLoad(99, 1 << 30, 99), ONE_G))
        .isEmpty();
  }

  @Test
  void slicesAreCheckedFirstThenMemoryThenRunningJobs() {
    assertThat(Quotas.check(ALICE, new TenantLoad(4, 20_000, 3), ONE_G))
        .contains(new QuotaReached("alice", QuotaLimit.SLICES, 4, 1, 4));
    assertThat(Quotas.check(ALICE, new TenantLoad(1, 16_000, 3), ONE_G))
        .contains(new QuotaReached("alice", QuotaLimit.GPU_MEMORY, 16_000, 4864, 20_000));
    assertThat(Quotas.check(ALICE, new TenantLoad(1, 4864, 3), ONE_G))
        .contains(new QuotaReached("alice", QuotaLimit.RUNNING, 3, 1, 3));
  }

  @Test
  void aLoweredLimitBlocksOnlyJobsThatAddToIt() {
    TenantLoad overSlices = new TenantLoad(6, 0, 0);
    assertThat(Quotas.check(ALICE, overSlices, new TenantLoad(0, 0, 1))).as("a CPU job").isEmpty();
    assertThat(Quotas.check(ALICE, overSlices, ONE_G)).isPresent();
  }

  @Test
  void rulesGiveEachTenantsWeightAndAnUnlimitedWeightOneToTenantsWithoutARecord() {
    Tenant heavy = new Tenant("heavy", Optional.empty(), Quota.NONE, 5, HostLimits.NONE);
    var rules = Quotas.rules(TenantDirectory.of(List.of(heavy, ALICE)));
    assertThat(rules.weight("heavy")).isEqualTo(5);
    assertThat(rules.weight("nobody")).isEqualTo(1);
    assertThat(rules.limit("nobody", new TenantLoad(99, 99, 99), ONE_G)).isEmpty();
    assertThat(rules.limit("alice", new TenantLoad(4, 0, 0), ONE_G)).isPresent();
  }

  @Test
  void everyDeviceOfAJobCountsAndAWholeGpuCountsItsComputeSlices() {
    assertThatNoException()
        .isThrownBy(() -> Quotas.admit(ALICE, Optional.of(new Requirement(4864, 1, 4)), a100()));
    assertThatThrownBy(() -> Quotas.admit(ALICE, Optional.of(new Requirement(4864, 1, 5)), a100()))
        .hasMessageContaining("this job alone needs 5");
    assertThatThrownBy(
            () -> Quotas.admit(ALICE, Optional.of(new Requirement(40_960, 7, 2)), a100()))
        .hasMessageContaining("this job alone needs 14");
  }

  @Test
  void aJobNeedingMoreSlicesThanTheTenantMayHoldIsRefusedNamingTheLimit() {
    assertThatThrownBy(() -> Quotas.admit(ALICE, Optional.of(new Requirement(40_000, 7)), a100()))
        .isInstanceOf(JobSpecException.class)
        .hasMessage(
            "tenant: tenant alice may hold 4 compute slices at once (max-slices), and this job"
                + " alone needs 7, so the job could never run; ask for less, or have the operator"
                + " raise the limit (migctl tenant set alice --max-slices 7)");
  }

  @Test
  void aJobWhoseSmallestFittingDeviceHasMoreMemoryThanTheTenantMayHoldIsRefused() {
    // On an A100-40GB, 15000 MiB takes at least a 3g.20gb (19968 MiB, within the limit) and
    // 25000 MiB a 7g.40gb (40192 MiB).
    assertThatNoException()
        .isThrownBy(() -> Quotas.admit(ALICE, Optional.of(new Requirement(15_000, 1)), a100()));
    assertThatThrownBy(() -> Quotas.admit(ALICE, Optional.of(new Requirement(25_000, 1)), a100()))
        .hasMessageContaining("may hold 20000 MiB of GPU memory at once (max-gpu-memory)")
        .hasMessageContaining("the smallest MIG device that fits this job here has 40192 MiB");
  }

  @Test
  void aTenantThatMayRunNothingHasEveryJobRefusedEvenWithoutAGpu() {
    Tenant idle =
        tenant(
            new Quota(
                OptionalInt.empty(), OptionalLong.empty(), OptionalInt.of(0), OptionalInt.empty()));
    assertThatThrownBy(() -> Quotas.admit(idle, Optional.empty(), a100()))
        .hasMessageContaining("tenant alice may run no jobs at all (max-running 0)");
    assertThatNoException().isThrownBy(() -> Quotas.admit(ALICE, Optional.empty(), a100()));
  }

  @Test
  void aFullQueueRefusesTheNextJobSayingHowManyAreQueued() {
    assertThat(Quotas.queueFull(ALICE, 1)).isEmpty();
    assertThat(Quotas.queueFull(ALICE, 2))
        .contains(
            "tenant alice has 2 jobs queued, its limit (max-queued 2); wait until some start,"
                + " cancel some, or raise it with migctl tenant set alice --max-queued N");
    assertThat(Quotas.queueFull(Tenant.named("free"), 1_000_000)).isEmpty();
  }

  @Test
  void aJobThatNeedsExactlyItsTenantsLimitIsAdmitted() {
    // max-slices 4: a job of exactly 4 compute slices may run, one of 5 never.
    assertThatNoException()
        .isThrownBy(() -> Quotas.admit(ALICE, Optional.of(new Requirement(1, 4)), a100()));
    assertThatThrownBy(() -> Quotas.admit(ALICE, Optional.of(new Requirement(1, 5)), a100()))
        .hasMessageContaining("max-slices");
    // max-gpu-memory of exactly a 3g.20gb / 4g.20gb (19968 MiB): a job whose smallest device has
    // exactly that much may run, whether its compute slices match 3g's or 4g's exactly.
    Tenant twenty =
        tenant(new Quota(OptionalInt.empty(), OptionalLong.of(19_968), OptionalInt.empty(), null));
    for (Requirement fits : List.of(new Requirement(19_968, 3), new Requirement(19_968, 4))) {
      assertThatNoException()
          .as("%s", fits)
          .isThrownBy(() -> Quotas.admit(twenty, Optional.of(fits), a100()));
    }
    assertThatThrownBy(() -> Quotas.admit(twenty, Optional.of(new Requirement(19_969, 1)), a100()))
        .hasMessageContaining("max-gpu-memory");
  }

  private static List<GpuModel> a100() {
    return List.of(Catalog.A100_40GB);
  }

  private static Tenant tenant(Quota quota) {
    return new Tenant("alice", Optional.empty(), quota, Tenant.DEFAULT_WEIGHT, HostLimits.NONE);
  }
}
