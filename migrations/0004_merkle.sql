-- The log as an RFC 6962 Merkle tree (leaf i is event position i + 1).
-- merkle_nodes holds the hash of every complete subtree of 2^level leaves,
-- index counting from the left, for levels 4 and up; smaller subtrees are
-- recomputed from the events' hashes (at most 16 rows), which keeps the
-- append path to about one extra row per eight events. Any root, inclusion
-- proof or consistency proof for any past size needs O(log n) lookups here.
CREATE TABLE merkle_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- Signed checkpoints, as issued: the newest is what a service hands out.
CREATE TABLE checkpoints (
    tree_size INTEGER NOT NULL,
    root_hash BLOB    NOT NULL,
    signed_at TEXT    NOT NULL,
    note      TEXT    NOT NULL
);

CREATE INDEX checkpoints_by_size ON checkpoints (tree_size);

-- When the deployed commit was made (metadata committed_at), for lead time.
ALTER TABLE deployments ADD COLUMN committed_at TEXT;
