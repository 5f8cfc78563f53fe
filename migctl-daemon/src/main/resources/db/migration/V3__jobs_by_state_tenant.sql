-- migctl node store, schema 3: the job counts by state and tenant (GET /api/v1/health, the metrics,
-- queue quotas) read a covering index instead of every job row, about five times faster with
-- thousands of jobs. It also serves every look-up by state, so the index on state alone goes.
CREATE INDEX jobs_by_state_tenant ON jobs (state, tenant);
DROP INDEX jobs_by_state;
