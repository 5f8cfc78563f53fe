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
  void aStaticPolicyKeepsNoStateAndIsItself() {
    StaticPolicy p = StaticPolicy.of(List.of(4, 2, 1));

    assertThat(p.fresh()).isSameAs(p);
  }
}
