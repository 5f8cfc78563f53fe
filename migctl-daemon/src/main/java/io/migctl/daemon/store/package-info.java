/**
 * The daemon's durable store: one SQLite file (WAL, synchronous=FULL) with the schema that Flyway
 * migrates, the {@link io.migctl.core.job.JobStore} on it, and small stores for environment builds,
 * applied layouts and API tokens.
 */
package io.migctl.daemon.store;
