-- Alerts raised by detections (Sigma rules, correlations, analytics) over the event lake, with
-- the events that prove them. risk is on a 0-100 scale; detail holds kind-specific facts.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    rule_id TEXT NOT NULL,
    rule_title TEXT NOT NULL,
    rule_path TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('detection', 'correlation', 'analytics')),
    severity TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    group_key TEXT NOT NULL DEFAULT '{}',
    principal TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    event_count INTEGER NOT NULL,
    asset_id INTEGER REFERENCES assets(id) ON DELETE SET NULL,
    assets TEXT NOT NULL DEFAULT '[]',
    sensitivity TEXT,
    risk INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'closed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX alerts_rank ON alerts(status, risk, first_seen);

CREATE TABLE alert_evidence (
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    event_uid TEXT NOT NULL,
    event_time TEXT,
    event TEXT NOT NULL,
    PRIMARY KEY (alert_id, event_uid)
);
