-- Access tokens made with another access token are its children: they never outlive it (their expiry is capped at
-- the parent's) and revoking the parent revokes them (worker/src/tokens.ts deletes the whole subtree; the foreign key
-- cascades as well). Tokens made by an administrator or through a Cloudflare Access session have no parent.
ALTER TABLE access_tokens ADD COLUMN parent_id TEXT REFERENCES access_tokens(id) ON DELETE CASCADE;
CREATE INDEX access_tokens_parent ON access_tokens (parent_id) WHERE parent_id IS NOT NULL;
