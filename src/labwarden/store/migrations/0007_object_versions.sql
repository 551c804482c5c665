-- Versions and delete markers of objects in S3-compatible stores, as the scans listed them:
-- the catalog's history of an object (which version was current when, and what was deleted).
CREATE TABLE object_versions (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    version_id TEXT NOT NULL,
    etag TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT 0,
    last_modified_ns INTEGER NOT NULL,
    is_latest INTEGER NOT NULL,
    delete_marker INTEGER NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    first_seen_scan INTEGER NOT NULL,
    last_seen_scan INTEGER NOT NULL,
    PRIMARY KEY (bucket, key, version_id)
);
