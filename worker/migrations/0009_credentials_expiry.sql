-- Credentials may say when they expire (a Docker Hub personal access token's expiry date, a token's lifetime): a
-- public field, shown in lists and warned about by the extension before the day comes.
ALTER TABLE credentials ADD COLUMN expires_at TEXT;
