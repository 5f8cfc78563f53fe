-- migctl node store, schema 2: tenants, tokens per tenant, the audit log, who owns which build.

-- One row per tenant. A NULL limit is no limit; sizes in MiB, CPU in thousandths of a core.
CREATE TABLE tenants (
  name                TEXT    PRIMARY KEY,
  unix_user           TEXT,
  max_slices          INTEGER CHECK (max_slices >= 0),
  max_gpu_memory_mib  INTEGER CHECK (max_gpu_memory_mib >= 1),
  max_running         INTEGER CHECK (max_running >= 0),
  max_queued          INTEGER CHECK (max_queued >= 0),
  weight              INTEGER NOT NULL CHECK (weight >= 1),
  job_memory_mib      INTEGER CHECK (job_memory_mib >= 1),
  job_cpu_millis      INTEGER CHECK (job_cpu_millis >= 1),
  job_max_procs       INTEGER CHECK (job_max_procs >= 1),
  created_at          TEXT    NOT NULL
);

-- NULL: an operator token. A tenant's tokens go with the tenant.
ALTER TABLE tokens ADD COLUMN tenant TEXT REFERENCES tenants (name) ON DELETE CASCADE;

CREATE INDEX tokens_by_tenant ON tokens (tenant);

-- Who asked for which change, written before the change is made. Append-only: the triggers
-- refuse every UPDATE and DELETE, so a line once written stays as written.
CREATE TABLE audit_log (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  at      TEXT    NOT NULL,
  actor   TEXT    NOT NULL,
  action  TEXT    NOT NULL,
  target  TEXT    NOT NULL,
  detail  TEXT    NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: a line cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: a line cannot be removed');
END;

-- Which tenants asked for an environment build. A build is content-addressed, so two tenants
-- asking for the same spec share it and both own it. Tenants without a record may own builds.
CREATE TABLE build_owners (
  build_id  TEXT NOT NULL,
  tenant    TEXT NOT NULL,
  PRIMARY KEY (build_id, tenant)
);
