-- Issue 12 (perf-d1): the sweeper claims the runs it handles, so two overlapping sweeps never clean the same run; a
-- claim lapses at sweep_claimed_until if its sweep dies. And indexes for the paged lists (credentials and pipeline
-- secrets page by their UNIQUE (workspace_id, name) index already).
ALTER TABLE runs ADD COLUMN sweep_claim TEXT;
ALTER TABLE runs ADD COLUMN sweep_claimed_until TEXT;

-- The sweeper's candidates: runs not yet cleaned or abandoned, by when they become due.
CREATE INDEX runs_sweep_due ON runs (state, next_attempt_at) WHERE cleaned_at IS NULL AND abandoned_at IS NULL;
-- GET /runs pages newest first within a workspace.
CREATE INDEX runs_workspace_newest ON runs (workspace_id, created_at DESC, id);
-- GET /tokens pages a user's tokens oldest first.
CREATE INDEX access_tokens_user ON access_tokens (user_id, created_at, id);
