-- Runs: which secrets a pipeline run got in AWS Secrets Manager, and whether they are gone again.
-- A run is written before any AWS call, so a launch that dies half-way still leaves a record for the sweeper.

CREATE TABLE runs (
  id                   TEXT PRIMARY KEY,
  workspace_id         TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  launched_by          TEXT REFERENCES users(id) ON DELETE SET NULL,
  credentials_id       TEXT NOT NULL,          -- the aws credentials used to create and delete the secrets
  region               TEXT NOT NULL,
  secrets_prefix       TEXT NOT NULL,
  run_name             TEXT,
  state                TEXT NOT NULL CHECK (state IN ('launching', 'launched', 'running', 'succeeded', 'failed', 'launch_failed')),
  nextflow_run_name    TEXT,
  nextflow_session_id  TEXT,
  created_at           TEXT NOT NULL,
  started_at           TEXT,
  completed_at         TEXT,
  expires_at           TEXT NOT NULL,          -- the sweeper deletes what is left after this
  cleaned_at           TEXT,                   -- set when no secret of the run is left in AWS
  last_error           TEXT
);
CREATE INDEX runs_workspace ON runs (workspace_id, created_at);
CREATE INDEX runs_to_sweep ON runs (expires_at) WHERE cleaned_at IS NULL;
CREATE INDEX runs_credentials ON runs (credentials_id) WHERE cleaned_at IS NULL;

-- pending: not yet known to exist; created; deleted; failed: the last delete failed (the sweeper retries);
-- not_created: AWS refused the create, so there is nothing of ours to delete.
CREATE TABLE run_secrets (
  run_id              TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name                TEXT NOT NULL,
  source              TEXT NOT NULL CHECK (source IN ('user', 'workspace')),
  pipeline_secret_id  TEXT,
  aws_name            TEXT NOT NULL,
  arn                 TEXT,
  state               TEXT NOT NULL CHECK (state IN ('pending', 'created', 'deleted', 'failed', 'not_created')),
  last_error          TEXT,
  updated_at          TEXT NOT NULL,
  PRIMARY KEY (run_id, name)
);
