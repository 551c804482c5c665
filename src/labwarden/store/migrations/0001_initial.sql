-- The first catalog schema: scans, files, assets with their history, findings, scan notes.
CREATE TABLE scans (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'interrupted')),
    roots TEXT NOT NULL,
    digest_algorithm TEXT NOT NULL,
    stats TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE assets (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    grouping TEXT NOT NULL,
    sensitivity TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    formats TEXT NOT NULL DEFAULT '[]',
    file_count INTEGER NOT NULL DEFAULT 0,
    size INTEGER NOT NULL DEFAULT 0,
    content_digest TEXT,
    first_seen_scan INTEGER REFERENCES scans(id),
    last_changed_scan INTEGER REFERENCES scans(id),
    removed_scan INTEGER REFERENCES scans(id)
);
CREATE INDEX assets_kind ON assets(kind, sensitivity);

CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    mode INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    owner TEXT NOT NULL,
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    digest TEXT,
    digest_algorithm TEXT,
    columns TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    asset_id INTEGER REFERENCES assets(id) ON DELETE SET NULL,
    first_seen_scan INTEGER REFERENCES scans(id),
    last_changed_scan INTEGER REFERENCES scans(id)
);
CREATE INDEX files_asset ON files(asset_id);

CREATE TABLE asset_events (
    id INTEGER PRIMARY KEY,
    asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    scan_id INTEGER REFERENCES scans(id),
    at TEXT NOT NULL,
    change TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX asset_events_asset ON asset_events(asset_id, id);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    asset_id INTEGER REFERENCES assets(id) ON DELETE CASCADE,
    check_name TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    path TEXT NOT NULL,
    member TEXT,
    "offset" INTEGER,
    line INTEGER,
    message TEXT NOT NULL,
    remediation TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    first_seen_scan INTEGER REFERENCES scans(id),
    last_seen_scan INTEGER REFERENCES scans(id)
);
CREATE INDEX findings_asset ON findings(asset_id, status);

CREATE TABLE scan_notes (
    id INTEGER PRIMARY KEY,
    scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('skipped', 'scanned')),
    reason TEXT NOT NULL
);
CREATE INDEX scan_notes_scan ON scan_notes(scan_id);
