-- What drifts right now, per app and environment (from DriftDetected / DriftResolved).
ALTER TABLE environment_state ADD COLUMN drift TEXT;

-- Leases: one holder at a time per name (the reconciler takes "reconciler").
-- Operational state, not part of the log: nothing here is an event.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;

-- Small operational records a long-running job keeps between runs (the
-- reconciler's last pass), as JSON.
CREATE TABLE service_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
