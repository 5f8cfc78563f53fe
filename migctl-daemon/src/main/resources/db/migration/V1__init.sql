-- migctl node store, schema 1.
-- Times are ISO-8601 text as java.time.Instant.toString() writes it (exact round trip).
-- That text does not sort by time (fractions have variable length), so order by id/seq.

CREATE TABLE jobs (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  name                TEXT    NOT NULL,
  tenant              TEXT    NOT NULL,
  priority            INTEGER NOT NULL,
  spec_json           TEXT    NOT NULL,
  req_memory_mib      INTEGER,
  req_compute_slices  INTEGER,
  environment_build   TEXT,
  state               TEXT    NOT NULL CHECK (state IN ('queued', 'starting', 'running', 'stopping',
                                                        'succeeded', 'failed', 'cancelled', 'lost')),
  attempt             INTEGER NOT NULL CHECK (attempt >= 1),
  submitted_at        TEXT    NOT NULL,
  started_at          TEXT,
  finished_at         TEXT,
  device_uuid         TEXT,
  device_gpu          INTEGER,
  device_gi           INTEGER,
  device_profile      TEXT,
  supervisor_pid      INTEGER,
  supervisor_start    TEXT,
  stop_cause          TEXT    CHECK (stop_cause IN ('cancel', 'timeout')),
  exit_status         INTEGER,
  reason              TEXT,
  CHECK ((req_memory_mib IS NULL) = (req_compute_slices IS NULL)),
  CHECK ((device_uuid IS NULL) = (device_gpu IS NULL)
     AND (device_uuid IS NULL) = (device_gi IS NULL)
     AND (device_uuid IS NULL) = (device_profile IS NULL)),
  CHECK (supervisor_pid IS NOT NULL OR supervisor_start IS NULL)
);

CREATE INDEX jobs_by_state ON jobs (state);
CREATE INDEX jobs_by_tenant ON jobs (tenant, id);
CREATE INDEX jobs_by_name ON jobs (name, id);

-- seq is one total order over the history of all jobs; AUTOINCREMENT never reuses a number.
CREATE TABLE job_events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id      INTEGER NOT NULL REFERENCES jobs (id),
  at          TEXT    NOT NULL,
  from_state  TEXT    NOT NULL,
  to_state    TEXT    NOT NULL,
  attempt     INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  detail      TEXT    NOT NULL,
  device      TEXT
);

CREATE INDEX job_events_by_job ON job_events (job_id, seq);

CREATE TABLE env_builds (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  backend      TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  recorded_at  TEXT NOT NULL
);

CREATE TABLE layouts (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  applied_at   TEXT NOT NULL,
  source       TEXT NOT NULL,
  request      TEXT NOT NULL,
  result_json  TEXT NOT NULL,
  outcome      TEXT NOT NULL
);

-- Only the SHA-256 of a token is stored, never the token.
CREATE TABLE tokens (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256       TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
  created_at   TEXT NOT NULL,
  description  TEXT NOT NULL
);
