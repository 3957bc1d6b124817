-- Entries are JSON objects keyed by snowflake. A deleted entry stays as a row with NULL data
-- (a tombstone) so that resuming clients learn of the deletion and seq never goes backwards.
CREATE TABLE guilds (
    id   TEXT PRIMARY KEY,
    data TEXT,
    seq  INTEGER NOT NULL
);
CREATE INDEX guilds_seq ON guilds (seq);

CREATE TABLE users (
    id   TEXT PRIMARY KEY,
    data TEXT,
    seq  INTEGER NOT NULL
);
CREATE INDEX users_seq ON users (seq);

-- The global change sequence: one row, bumped inside every write transaction.
CREATE TABLE change_seq (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO change_seq (id, value) VALUES (1, 0);

-- Tokens are kept as SHA-256 hashes only.
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    hash       TEXT    NOT NULL UNIQUE,
    owner      TEXT    NOT NULL,
    scope      TEXT    NOT NULL CHECK (scope IN ('private', 'public')),
    label      TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
