-- What was ingested from each log file: one JSON entry per absolute path.
-- IF NOT EXISTS: ledgers written before migrations existed already hold this table.
CREATE TABLE IF NOT EXISTS ledger (
    path TEXT PRIMARY KEY,
    entry TEXT NOT NULL
);
