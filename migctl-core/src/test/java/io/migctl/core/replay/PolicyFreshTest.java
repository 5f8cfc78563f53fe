package io.migctl.core.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each run of a policy in a report starts from a policy without the state of an earlier run. */
class PolicyFreshTest {

  @Test
  void aDynamicPolicyIsRenewedWithItsParameters() {
    DynamicPolicy used = new DynamicPolicy();

    Policy fresh = used.fresh();

    assertThat(fresh).isNotSameAs(used).isInstanceOf(DynamicPolicy.class);
    assertThat(((DynamicPolicy) fresh).params()).isEqualTo(used.params());
  }

  @Test
  void aDynamicPolicyFromALayoutStartsEachGpuThereAndKeepsItWhenRenewed() {
    SimProfiles profiles = SimProfiles.of(io.migctl.core.mig.Catalog.require("a100-40gb"));
    List<List<Integer>> mix = List.of(List.of(7), List.of(3, 2, 2));
    DynamicPolicy from = DynamicPolicy.startingFrom(DynamicPolicy.Params.defaults(), mix);

    for (Policy p : List.of(from, from.fresh())) {
      assertThat(p.name()).isEqualTo("dynamic from best static");
      assertThat(p.initialLayout(profiles, 0)).isEqualTo(profiles.layout(List.of(7)));
      assertThat(p.initialLayout(profiles, 1)).isEqualTo(profiles.layout(List.of(3, 2, 2)));
    }
    assertThat(new DynamicPolicy().initialLayout(profiles, 1))
        .as("plain dynamic starts whole")
        .isEqualTo(profiles.layout(List.of(7)));
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> DynamicPolicy.startingFrom(DynamicPolicy.Params.defaults(), List.of()));
  }

  @Test
  void aStaticPolicyKeepsNoStateAndIsItself() {
    StaticPolicy p = StaticPolicy.of(List.of(4, 2, 1));

    assertThat(p.fresh()).isSameAs(p);
  }
}
