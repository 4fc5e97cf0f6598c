-- Seqera's credential health (issue 9): the outcome of the last conclusive check (POST /credentials/{id}/validate).
-- status is AVAILABLE until a provider refuses the credentials; message says why; last_validated_at when.
-- The AWS External ID for role mode (?useExternalId=true) lives in public_keys with the other non-secret keys.
ALTER TABLE credentials ADD COLUMN status TEXT NOT NULL DEFAULT 'AVAILABLE' CHECK (status IN ('AVAILABLE', 'INVALID'));
ALTER TABLE credentials ADD COLUMN last_validated_at TEXT;
ALTER TABLE credentials ADD COLUMN validation_message TEXT;
