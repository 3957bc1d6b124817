-- Scoped and session tokens. A token with guilds and users NULL may touch every entry; a scoped
-- one lists the IDs it may touch (comma-separated, possibly none). Session tokens expire and name
-- the token that minted them: they end when it is revoked.
ALTER TABLE tokens ADD COLUMN guilds text;
ALTER TABLE tokens ADD COLUMN users text;
ALTER TABLE tokens ADD COLUMN read_only boolean NOT NULL DEFAULT false;
ALTER TABLE tokens ADD COLUMN expires_at bigint;
ALTER TABLE tokens ADD COLUMN parent_id bigint;
CREATE INDEX tokens_expires_at ON tokens (expires_at);
