package io.migctl.core.job;

import java.util.Optional;

/**
 * What the scheduler needs to know about the tenants whose jobs it places: each one's weight
 * against the others and whether a placement would pass one of its limits. {@code
 * io.migctl.core.tenant.Quotas} gives the rules of the node's tenant records; {@link #EQUAL} is for
 * a node without any.
 */
public interface TenantRules {

  /** The tenant's weight, at least 1: its share of the node against other tenants that wait. */
  int weight(String tenant);

  /**
   * Whether the tenant may take on {@code adding} on top of {@code held}.
   *
   * @return empty when it may; else the first limit it would pass, with what it holds
   */
  Optional<WaitingReason.QuotaReached> limit(String tenant, TenantLoad held, TenantLoad adding);

  /** Every tenant weighs 1 and has no limits. */
  TenantRules EQUAL =
      new TenantRules() {
        @Override
        public int weight(String tenant) {
          return 1;
        }

        @Override
        public Optional<WaitingReason.QuotaReached> limit(
            String tenant, TenantLoad held, TenantLoad adding) {
          return Optional.empty();
        }
      };
}
