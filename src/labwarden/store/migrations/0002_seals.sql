-- Seals: each signed manifest of an asset is a numbered asset version (v1, v2, ...);
-- every verification of a version against a folder is recorded with its outcome.
CREATE TABLE asset_versions (
    id INTEGER PRIMARY KEY,
    asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    sealed_at TEXT NOT NULL,
    sealed_by TEXT NOT NULL,
    key_name TEXT NOT NULL,
    key_fingerprint TEXT NOT NULL,
    key_type TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    method TEXT NOT NULL,
    root_digest TEXT NOT NULL,
    file_count INTEGER NOT NULL,
    size INTEGER NOT NULL,
    excluded_count INTEGER NOT NULL,
    seal_path TEXT NOT NULL,
    bundle TEXT NOT NULL,
    UNIQUE (asset_id, version)
);
CREATE INDEX asset_versions_asset ON asset_versions(asset_id, version);

CREATE TABLE seal_verifications (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES asset_versions(id) ON DELETE CASCADE,
    checked_at TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('verified', 'mismatch', 'error')),
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX seal_verifications_version ON seal_verifications(version_id, id);
