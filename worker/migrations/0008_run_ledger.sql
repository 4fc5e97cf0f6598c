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
