package io.migctl.core.tenant;

import java.util.Optional;

/**
 * Who a request acts as: the operator (the daemon's own token), or one tenant (a token made by
 * {@code migctl tenant token}). Every request to the API is attributed to one, and these rules
 * decide what it may see and do; the daemon only maps the answers to HTTP.
 *
 * <p>The operator sees everything and may act for any tenant. A tenant sees only its own jobs,
 * logs, events and environment builds, and submits only as itself.
 */
public sealed interface Principal {

  /** The operator: manages tenants and layouts, sees and acts for everyone. */
  Principal OPERATOR = new Operator();

  /** The operator. */
  record Operator() implements Principal {}

  /**
   * One tenant.
   *
   * @param tenant the tenant's name, as {@link Tenant#name()} checks it
   */
  record Member(String tenant) implements Principal {
    /** Checks the name as a tenant record would. */
    public Member {
      tenant = Tenant.named(tenant).name();
    }
  }

  /** The tenant this principal is bound to; empty for the operator. */
  default Optional<String> ownTenant() {
    return switch (this) {
      case Operator o -> Optional.empty();
      case Member m -> Optional.of(m.tenant());
    };
  }

  /** Whether this principal may see and act on what belongs to {@code owner} (a tenant name). */
  default boolean sees(String owner) {
    return ownTenant().map(own -> own.equals(owner)).orElse(true);
  }

  /** Whether this principal may manage tenants, tokens, layouts and read the audit log. */
  default boolean isOperator() {
    return ownTenant().isEmpty();
  }

  /**
   * The tenant a submission belongs to: a tenant's own name when it names none or its own; the
   * named one, or {@code fallback}, for the operator.
   *
   * @param requested the tenant the submission names, if any
   * @throws IllegalArgumentException when a tenant names another tenant; the message says so
   */
  default String submissionTenant(Optional<String> requested, String fallback) {
    Optional<String> asked = requested.filter(r -> !r.isBlank());
    return switch (this) {
      case Operator o -> asked.orElse(fallback);
      case Member m -> {
        if (asked.isPresent() && !asked.get().equals(m.tenant())) {
          throw new IllegalArgumentException(
              "tenant: this token belongs to tenant "
                  + m.tenant()
                  + " and may submit only as "
                  + m.tenant()
                  + ", not as "
                  + asked.get()
                  + "; leave tenant out, or use the operator's token to act for another tenant");
        }
        yield m.tenant();
      }
    };
  }

  /** How the audit log names it: {@code operator} or {@code tenant:alice}. */
  default String actor() {
    return ownTenant().map(t -> "tenant:" + t).orElse("operator");
  }

  /** How job events name it: {@code operator} or {@code tenant alice}. */
  default String words() {
    return ownTenant().map(t -> "tenant " + t).orElse("operator");
  }
}
