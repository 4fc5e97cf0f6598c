-- The per-run ledger and the launch kit (issue 10).
-- Each pipeline secret has a version that changes on every update; a run records which version of which secret went
-- where (its AWS name/ARN, or an HPC download), when, and when it was deleted.
ALTER TABLE pipeline_secrets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE run_secrets ADD COLUMN secret_version INTEGER;
ALTER TABLE run_secrets ADD COLUMN delivered_at TEXT;   -- created in AWS, or included in the HPC download
ALTER TABLE run_secrets ADD COLUMN deleted_at TEXT;     -- deleted from AWS (or, for HPC, the run ended)
-- Where the AWS CLI is in the run's Batch task containers (Nextflow's aws.batch.cliPath), for the launch kit.
ALTER TABLE runs ADD COLUMN batch_cli_path TEXT;
-- Slurm/HPC runs (target 'hpc') relay nothing to AWS: the head job downloads the run's secret store once, with a
-- short-lived single-use token, before download_expires_at; downloaded_at records that it happened.
ALTER TABLE runs ADD COLUMN target TEXT NOT NULL DEFAULT 'aws' CHECK (target IN ('aws', 'hpc'));
ALTER TABLE runs ADD COLUMN download_expires_at TEXT;
ALTER TABLE runs ADD COLUMN downloaded_at TEXT;
-- The sweeper's final state for a run it cannot clean after repeated attempts ('abandoned' secrets may remain in AWS;
-- the run says what and where). SQLite cannot widen the CHECK on run_secrets.state in place, so the table is rebuilt.
ALTER TABLE runs ADD COLUMN abandoned_at TEXT;
CREATE TABLE run_secrets_new (
  run_id              TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name                TEXT NOT NULL,
  source              TEXT NOT NULL CHECK (source IN ('user', 'workspace')),
  pipeline_secret_id  TEXT,
  aws_name            TEXT NOT NULL,
  arn                 TEXT,
  state               TEXT NOT NULL CHECK (state IN ('pending', 'created', 'deleted', 'failed', 'not_created', 'abandoned')),
  last_error          TEXT,
  updated_at          TEXT NOT NULL,
  secret_version      INTEGER,
  delivered_at        TEXT,
  deleted_at          TEXT,
  PRIMARY KEY (run_id, name)
);
INSERT INTO run_secrets_new (run_id, name, source, pipeline_secret_id, aws_name, arn, state, last_error, updated_at, secret_version, delivered_at, deleted_at)
  SELECT run_id, name, source, pipeline_secret_id, aws_name, arn, state, last_error, updated_at, secret_version, delivered_at, deleted_at FROM run_secrets;
DROP TABLE run_secrets;
ALTER TABLE run_secrets_new RENAME TO run_secrets;
-- Slurm/HPC downloads hand a run's secret store to whoever holds the kit, so, like AWS accounts, they are an owner's
-- decision: a workspace allows them only while it has a row here.
CREATE TABLE relay_hpc (
  workspace_id  TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  created_at    TEXT NOT NULL,
  created_by    TEXT REFERENCES users(id) ON DELETE SET NULL
);
