-- Latchkey's first schema: people, where they work, their access tokens, and the sealed records.
-- Secret material is only ever stored sealed (AES-256-GCM, see worker/src/vault.ts): *_ct and *_iv are base64.

CREATE TABLE users (
  id                     TEXT PRIMARY KEY,
  user_name              TEXT NOT NULL UNIQUE,
  email                  TEXT NOT NULL UNIQUE COLLATE NOCASE,
  first_name             TEXT,
  last_name              TEXT,
  personal_workspace_id  TEXT NOT NULL UNIQUE,
  created_at             TEXT NOT NULL
);

CREATE TABLE organizations (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  full_name   TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

-- Every user has one personal workspace (org_id NULL); organization workspaces belong to an organization.
CREATE TABLE workspaces (
  id          TEXT PRIMARY KEY,
  org_id      TEXT REFERENCES organizations(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('personal', 'organization')),
  name        TEXT NOT NULL,
  full_name   TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  CHECK ((kind = 'personal') = (org_id IS NULL))
);
CREATE UNIQUE INDEX workspaces_org_name ON workspaces (org_id, name COLLATE NOCASE) WHERE org_id IS NOT NULL;

-- Seqera's roles. A user is the owner of their personal workspace through a membership row like any other.
CREATE TABLE memberships (
  workspace_id  TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'maintain', 'launch', 'connect', 'view')),
  created_at    TEXT NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- The token itself is shown once; only its SHA-256 is kept. Looked up by id, compared timing-safely.
CREATE TABLE access_tokens (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  token_sha256  TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  last_used_at  TEXT,
  expires_at    TEXT,
  UNIQUE (user_id, name)
);

CREATE TABLE credentials (
  id             TEXT PRIMARY KEY,
  workspace_id   TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  provider       TEXT NOT NULL,
  description    TEXT,
  base_url       TEXT,
  public_keys    TEXT NOT NULL,          -- JSON of the provider's non-secret fields
  secret_ct      TEXT NOT NULL,          -- sealed JSON of the provider's secret fields
  secret_iv      TEXT NOT NULL,
  key_version    TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  last_used_at   TEXT,
  created_by     TEXT REFERENCES users(id) ON DELETE SET NULL,
  UNIQUE (workspace_id, name)
);
CREATE INDEX credentials_key_version ON credentials (key_version);

CREATE TABLE pipeline_secrets (
  id             TEXT PRIMARY KEY,
  workspace_id   TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  value_ct       TEXT NOT NULL,
  value_iv       TEXT NOT NULL,
  key_version    TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  last_used_at   TEXT,
  created_by     TEXT REFERENCES users(id) ON DELETE SET NULL,
  UNIQUE (workspace_id, name)
);
CREATE INDEX pipeline_secrets_key_version ON pipeline_secrets (key_version);

-- Who did what to which record, when, from where. Never a value.
CREATE TABLE audit_events (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  at            TEXT NOT NULL,
  actor_kind    TEXT NOT NULL CHECK (actor_kind IN ('user', 'admin', 'system')),
  actor_id      TEXT,
  workspace_id  TEXT,
  action        TEXT NOT NULL,
  target_kind   TEXT NOT NULL,
  target_id     TEXT,
  target_name   TEXT,
  ip            TEXT,
  user_agent    TEXT
);
CREATE INDEX audit_events_workspace ON audit_events (workspace_id, id);
