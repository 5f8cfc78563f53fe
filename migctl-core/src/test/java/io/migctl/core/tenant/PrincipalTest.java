package io.migctl.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PrincipalTest {

  private static final Principal ALICE = new Principal.Member("alice");

  @Test
  void theOperatorSeesEveryTenantAndATenantOnlyItself() {
    assertThat(Principal.OPERATOR.sees("alice")).isTrue();
    assertThat(Principal.OPERATOR.sees("default")).isTrue();
    assertThat(ALICE.sees("alice")).isTrue();
    assertThat(ALICE.sees("bob")).isFalse();
    assertThat(ALICE.sees("default")).isFalse();
    assertThat(Principal.OPERATOR.isOperator()).isTrue();
    assertThat(ALICE.isOperator()).isFalse();
  }

  @Test
  void theOperatorSubmitsForAnyTenantAndATenantOnlyAsItself() {
    assertThat(Principal.OPERATOR.submissionTenant(Optional.of("bob"), "default")).isEqualTo("bob");
    assertThat(Principal.OPERATOR.submissionTenant(Optional.empty(), "default"))
        .isEqualTo("default");
    assertThat(ALICE.submissionTenant(Optional.empty(), "default")).isEqualTo("alice");
    assertThat(ALICE.submissionTenant(Optional.of(" "), "default")).isEqualTo("alice");
    assertThat(ALICE.submissionTenant(Optional.of("alice"), "default")).isEqualTo("alice");
    assertThatThrownBy(() -> ALICE.submissionTenant(Optional.of("bob"), "default"))
        .hasMessage(
            "tenant: this token belongs to tenant alice and may submit only as alice, not as bob;"
                + " leave tenant out, or use the operator's token to act for another tenant");
  }

  @Test
  void namesForTheAuditLogAndTheEventHistory() {
    assertThat(Principal.OPERATOR.actor()).isEqualTo("operator");
    assertThat(Principal.OPERATOR.words()).isEqualTo("operator");
    assertThat(ALICE.actor()).isEqualTo("tenant:alice");
    assertThat(ALICE.words()).isEqualTo("tenant alice");
  }

  @Test
  void aMemberNeedsATenantName() {
    assertThatThrownBy(() -> new Principal.Member("../x")).isInstanceOf(TenantSpecException.class);
  }
}
