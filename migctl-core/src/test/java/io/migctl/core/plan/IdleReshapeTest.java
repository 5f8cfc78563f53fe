package io.migctl.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.job.Requirement;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.plan.DesiredGpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IdleReshapeTest {

  static final GpuModel A100 = Catalog.A100_40GB;

  static GpuInstanceProfile profile(String name) {
    return A100.profile(ProfileName.parse(name)).orElseThrow();
  }

  static PlacedInstance at(String name, int start) {
    GpuInstanceProfile p = profile(name);
    return new PlacedInstance(p, new Placement(start, p.memorySlices()));
  }

  static List<PlacedInstance> smalls(int... starts) {
    List<PlacedInstance> out = new ArrayList<>();
    for (int s : starts) {
      out.add(at("1g.5gb", s));
    }
    return out;
  }

  static Requirement need(String name) {
    GpuInstanceProfile p = profile(name);
    return new Requirement(p.memoryMiB(), p.computeSlices());
  }

  @Test
  void destroysOnlyTheIdleInstancesInTheWay() {
    IdleReshape.GpuState gpu =
        new IdleReshape.GpuState(0, A100, smalls(0, 1), smalls(2, 3, 4, 5, 6));
    IdleReshape r = IdleReshape.plan(List.of(gpu), need("3g.20gb"), g -> true).orElseThrow();
    assertThat(r.created().toString()).isEqualTo("3g.20gb@4:4");
    assertThat(r.destroyed())
        .extracting(PlacedInstance::toString)
        .containsExactly("1g.5gb@4:1", "1g.5gb@5:1", "1g.5gb@6:1");
    assertThat(r.kept())
        .extracting(PlacedInstance::toString)
        .containsExactly("1g.5gb@0:1", "1g.5gb@1:1", "1g.5gb@2:1", "1g.5gb@3:1");
    assertThat(r.operations()).isEqualTo(4);
    assertThat(r.describe())
        .isEqualTo("GPU 0: destroy idle 1g.5gb@4:1, 1g.5gb@5:1, 1g.5gb@6:1; create 3g.20gb@4:4");
    DesiredGpu desired = r.desiredGpu();
    assertThat(desired.instances()).hasSize(5);
    assertThat(desired.instances()).allMatch(i -> i.placement().isPresent());
  }

  @Test
  void neverDestroysABusyInstance() {
    // Busy instances on both halves: no 3g.20gb can be made.
    IdleReshape.GpuState gpu =
        new IdleReshape.GpuState(0, A100, smalls(0, 4), smalls(1, 2, 3, 5, 6));
    assertThat(IdleReshape.plan(List.of(gpu), need("3g.20gb"), g -> true)).isEmpty();
    // But a 2g.10gb fits in place of two idle ones.
    IdleReshape r = IdleReshape.plan(List.of(gpu), need("2g.10gb"), g -> true).orElseThrow();
    assertThat(r.destroyed()).hasSize(2);
    assertThat(r.destroyed()).doesNotContainAnyElementsOf(smalls(0, 4));
  }

  @Test
  void prefersTheGpuWithFewerOperationsAndHonoursCooldown() {
    IdleReshape.GpuState full =
        new IdleReshape.GpuState(0, A100, List.of(), smalls(0, 1, 2, 3, 4, 5, 6));
    IdleReshape.GpuState roomy = new IdleReshape.GpuState(1, A100, smalls(0), smalls(1, 4));
    IdleReshape r =
        IdleReshape.plan(List.of(full, roomy), need("3g.20gb"), g -> true).orElseThrow();
    assertThat(r.gpu()).isEqualTo(1);
    assertThat(r.destroyed()).extracting(PlacedInstance::toString).containsExactly("1g.5gb@4:1");
    Optional<IdleReshape> cooling =
        IdleReshape.plan(List.of(full, roomy), need("3g.20gb"), g -> g != 1);
    assertThat(cooling).isPresent();
    assertThat(cooling.get().gpu()).isZero();
    assertThat(cooling.get().destroyed()).hasSize(3);
  }

  @Test
  void picksTheSmallestProfileThatMeetsTheNeed() {
    assertThat(IdleReshape.smallestProfile(A100, new Requirement(6000, 1)).orElseThrow().name())
        .hasToString("1g.10gb");
    assertThat(IdleReshape.smallestProfile(A100, need("3g.20gb")).orElseThrow().name())
        .hasToString("3g.20gb");
    assertThat(IdleReshape.smallestProfile(A100, new Requirement(1 << 20, 1))).isEmpty();
  }
}
