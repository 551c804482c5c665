-- Object-store buckets the scans listed: where each is reached (endpoint, region), so that
-- later commands can read its objects again, and its bucket policy as the last scan read it
-- (for `iam` and the incident scope: identity and bucket policies together).
CREATE TABLE buckets (
    name TEXT PRIMARY KEY,
    endpoint_url TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '',
    policy TEXT,
    policy_state TEXT NOT NULL DEFAULT 'unknown'
        CHECK (policy_state IN ('present', 'absent', 'unknown')),
    policy_detail TEXT NOT NULL DEFAULT '',
    read_at TEXT NOT NULL,
    scan_id INTEGER
);
