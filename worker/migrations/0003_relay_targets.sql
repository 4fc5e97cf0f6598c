-- The relay sends secrets only where a workspace's owners said it may, and each run keeps what it needs to clean
-- up its own secrets, so later edits or deletion of its credentials can never strand them or send deletes elsewhere.

-- AWS accounts (and, when role_arns is not '[]', only those roles in them) a workspace's secrets may be relayed to.
CREATE TABLE relay_targets (
  workspace_id  TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  account_id    TEXT NOT NULL CHECK (length(account_id) = 12),
  role_arns     TEXT NOT NULL DEFAULT '[]',  -- JSON array of role ARNs in that account; empty: any identity in it
  description   TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  created_by    TEXT REFERENCES users(id) ON DELETE SET NULL,
  PRIMARY KEY (workspace_id, account_id)
);

-- The account an aws credentials' own keys act in (STS GetCallerIdentity), for one sealed version of its keys:
-- any change of the keys re-seals them with a fresh IV, so a stale answer can never match.
CREATE TABLE aws_identities (
  credentials_id  TEXT PRIMARY KEY REFERENCES credentials(id) ON DELETE CASCADE,
  access_key_id   TEXT NOT NULL,
  sealed_iv       TEXT NOT NULL,
  account_id      TEXT NOT NULL,
  caller_arn      TEXT NOT NULL,
  checked_at      TEXT NOT NULL
);

-- Where a run's secrets went, and how to delete them there: a sealed copy of the AWS keys that created them
-- (AAD-bound to the run; dropped once the run is cleaned), and the sweeper's schedule for failed cleanups.
ALTER TABLE runs ADD COLUMN account_id TEXT;             -- the AWS account that received the secrets
ALTER TABLE runs ADD COLUMN role_arn TEXT;               -- the role that received them (NULL: the keys themselves)
ALTER TABLE runs ADD COLUMN cleanup_ct TEXT;             -- sealed JSON {accessKeyId, secretAccessKey}
ALTER TABLE runs ADD COLUMN cleanup_iv TEXT;
ALTER TABLE runs ADD COLUMN key_version TEXT;            -- vault key version of cleanup_ct (NULL once dropped)
ALTER TABLE runs ADD COLUMN cleanup_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN next_attempt_at TEXT;        -- the sweeper leaves the run alone before this
ALTER TABLE runs ADD COLUMN cleanup_error TEXT;          -- what is still in AWS and why (NULL when nothing is)
ALTER TABLE runs ADD COLUMN expired_at TEXT;             -- when the sweeper noticed the time-to-live ran out (audited once)
CREATE INDEX runs_key_version ON runs (key_version) WHERE key_version IS NOT NULL;

-- Audit events may say more than the target: e.g. a launch's account, role, region and secret names (never a value).
ALTER TABLE audit_events ADD COLUMN detail TEXT;
