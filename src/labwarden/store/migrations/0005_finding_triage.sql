-- Triage of findings: what a person decided about a finding (accepted with a reason, marked
-- fixed, reopened), keyed on the finding's fingerprint so that the decision survives rescans,
-- regrouping and an asset that is removed and found again. Every decision is also logged.
CREATE TABLE finding_triage (
    fingerprint TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'fixed')),
    reason TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    expires TEXT
);

CREATE TABLE finding_triage_log (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'fixed')),
    previous TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    expires TEXT
);
CREATE INDEX finding_triage_log_fingerprint ON finding_triage_log(fingerprint, id);

-- When a finding was first and last seen, for "new since" without a scan (verify --all).
ALTER TABLE findings ADD COLUMN first_seen_at TEXT;
ALTER TABLE findings ADD COLUMN last_seen_at TEXT;
UPDATE findings SET
    first_seen_at = coalesce((SELECT started_at FROM scans WHERE scans.id = findings.first_seen_scan), '1970-01-01T00:00:00+00:00'),
    last_seen_at = coalesce((SELECT started_at FROM scans WHERE scans.id = findings.last_seen_scan), '1970-01-01T00:00:00+00:00');
CREATE INDEX findings_first_seen ON findings(first_seen_at);
CREATE INDEX findings_check ON findings(check_name, severity);
