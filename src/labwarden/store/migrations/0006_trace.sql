-- Canaries (decoys nobody should touch) and shares (per-recipient marked copies of a table).
-- A canary's token is what gives it away in logs: an access key id, a path or URI, a beacon
-- token; match is the resource prefix events are compared with. A share records which copy of
-- which table version went to whom, under which fingerprint key.
CREATE TABLE canaries (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    token TEXT NOT NULL,
    location TEXT NOT NULL,
    matches TEXT NOT NULL DEFAULT '[]',
    detail TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE INDEX canaries_token ON canaries(token);

CREATE TABLE shares (
    id INTEGER PRIMARY KEY,
    asset_id INTEGER REFERENCES assets(id) ON DELETE SET NULL,
    source TEXT NOT NULL,
    source_digest TEXT NOT NULL,
    recipient TEXT NOT NULL,
    key_id TEXT NOT NULL,
    output TEXT NOT NULL,
    created_at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    UNIQUE (source_digest, recipient)
);
CREATE INDEX shares_source ON shares(source_digest);
