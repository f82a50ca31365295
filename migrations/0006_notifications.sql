-- Where each notification sink's subscription has read the log to: every event at or before
-- `position` has been routed to the sink and, where it matched, delivered or given up on
-- (the outcomes are events, `NotificationDelivered` / `NotificationFailed`). Operational state
-- beside the log, like the leases: moving a position is not an event.
CREATE TABLE notification_positions (
    sink       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
