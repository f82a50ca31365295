-- The append-only event log. position is the global, gap-free order of the
-- whole log; (stream, version) is the event's place in its stream.
CREATE TABLE events (
    position    INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL,
    stream      TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    actor       TEXT,
    recorded_at TEXT    NOT NULL,
    prev_hash   BLOB    NOT NULL,
    hash        BLOB    NOT NULL,
    UNIQUE (stream, version)
);

CREATE INDEX events_by_type ON events (type, position);
CREATE INDEX events_by_actor ON events (actor, position) WHERE actor IS NOT NULL;

-- The log is append-only, and the database itself says so.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
END;

-- Durable idempotency: a retried append with the same key and content gets
-- the positions of the original back, across restarts.
CREATE TABLE idempotency_keys (
    key            TEXT    PRIMARY KEY,
    content_hash   BLOB    NOT NULL,
    first_position INTEGER NOT NULL,
    last_position  INTEGER NOT NULL,
    next_version   INTEGER NOT NULL
) WITHOUT ROWID;
