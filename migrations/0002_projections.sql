-- Projections: rebuilt from the log at will, updated in the append transaction.
CREATE TABLE projection_positions (
    name     TEXT    PRIMARY KEY,
    position INTEGER NOT NULL
) WITHOUT ROWID;

-- Current (and desired) state of each app in each environment.
CREATE TABLE environment_state (
    app                   TEXT NOT NULL,
    environment           TEXT NOT NULL,
    task_definition_arn   TEXT,
    revision              INTEGER,
    tag                   TEXT,
    images                TEXT,
    last_healthy_arn      TEXT,
    last_healthy_revision INTEGER,
    deployment_in_progress TEXT,
    deployed_by           TEXT,
    deployed_at           TEXT,
    last_outcome          TEXT,
    updated_position      INTEGER NOT NULL,
    PRIMARY KEY (app, environment)
) WITHOUT ROWID;

-- One row per deployment attempt.
CREATE TABLE deployments (
    id             TEXT    PRIMARY KEY,
    app            TEXT    NOT NULL,
    environment    TEXT    NOT NULL,
    tag            TEXT    NOT NULL,
    trigger        TEXT    NOT NULL,
    actor          TEXT,
    via            TEXT,
    source         TEXT,
    commit_sha     TEXT,
    started_at     TEXT    NOT NULL,
    ended_at       TEXT,
    duration_ms    INTEGER,
    outcome        TEXT    NOT NULL,
    failure_stage  TEXT,
    failure_reason TEXT,
    task_definition_arn TEXT,
    rolled_back_to TEXT,
    position       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX deployments_by_app_env ON deployments (app, environment, position);
CREATE INDEX deployments_by_position ON deployments (position);

-- One row per action by an actor, refusals included.
CREATE TABLE audit (
    position    INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    actor       TEXT,
    via         TEXT,
    action      TEXT NOT NULL,
    app         TEXT,
    environment TEXT,
    target      TEXT,
    outcome     TEXT NOT NULL,
    detail      TEXT
);

CREATE INDEX audit_by_actor ON audit (actor, position);
