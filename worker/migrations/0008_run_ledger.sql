-- The per-run ledger and the launch kit (issue 10).
-- Each pipeline secret has a version that changes on every update; a run records which version of which secret went
-- where (its AWS name/ARN, or an HPC download), when, and when it was deleted.
ALTER TABLE pipeline_secrets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE run_secrets ADD COLUMN secret_version INTEGER;
ALTER TABLE run_secrets ADD COLUMN delivered_at TEXT;   -- created in AWS, or included in the HPC download
ALTER TABLE run_secrets ADD COLUMN deleted_at TEXT;     -- deleted from AWS (or, for HPC, the run ended)
-- Where the AWS CLI is in the run's Batch task containers (Nextflow's aws.batch.cliPath), for the launch kit.
ALTER TABLE runs ADD COLUMN batch_cli_path TEXT;
