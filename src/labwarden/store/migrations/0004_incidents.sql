-- Incidents: a breach under investigation, its scope (selectors of the lake, alerts, assets,
-- pinned events, attached evidence such as triage archives), notes and its own audit trail.
-- Times are ISO 8601 UTC text. aware_at is when the lab became aware (GDPR Art. 33's 72-hour
-- clock starts there); fields holds report facts a person supplied (DPO contact, reasons for a
-- delay, ...), never facts the tool derived.
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'contained', 'closed')),
    severity TEXT NOT NULL DEFAULT 'high',
    summary TEXT NOT NULL DEFAULT '',
    window_start TEXT,
    window_end TEXT,
    aware_at TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT,
    resolution TEXT,
    fields TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX incidents_status ON incidents(status, opened_at);

-- What selects the incident's lake events: principals, access keys, hosts, source addresses...
CREATE TABLE incident_selectors (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL
        CHECK (kind IN ('principal', 'access_key', 'host', 'source_ip', 'user_agent', 'bucket')),
    value TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (incident_id, kind, value)
);

CREATE TABLE incident_alerts (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (incident_id, alert_id)
);
CREATE INDEX incident_alerts_alert ON incident_alerts(alert_id);

CREATE TABLE incident_assets (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (incident_id, asset_id)
);
CREATE INDEX incident_assets_asset ON incident_assets(asset_id);

-- Events pinned to the incident by hand or by a tool (kept as JSON: they outlive the lake).
CREATE TABLE incident_events (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    event_uid TEXT NOT NULL,
    event_time TEXT,
    event TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (incident_id, event_uid)
);

-- Evidence files attached to the incident (triage archives), identified by their SHA-256.
CREATE TABLE incident_attachments (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('triage', 'file')),
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    UNIQUE (incident_id, sha256)
);

CREATE TABLE incident_notes (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX incident_notes_incident ON incident_notes(incident_id, id);

-- The incident's audit trail: every change, who made it and when.
CREATE TABLE incident_changes (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_changes_incident ON incident_changes(incident_id, id);
