-- An event's id names it in proofs, receipts and links: no two events share one. Appends
-- check a given id against this index (generated ids are random UUIDs). Not UNIQUE, so that a
-- ledger written before the check still opens; `verify` is where such a ledger shows.
CREATE INDEX events_by_id ON events (id);
