/**
 * Tenants: who shares the node, what each may take at once ({@link io.migctl.core.tenant.Quota})
 * and its share of the node when several wait ({@link io.migctl.core.tenant.Tenant#weight}). Pure
 * records and decisions; the daemon stores them and enforces them where placement is decided.
 */
package io.migctl.core.tenant;
