-- The ledger: append-only facts, each carrying the hash of the one before.
-- The subject `kind:id` is kept as two columns so that its index grows at the end; the hash
-- covers its text form, so changing either column breaks the chain as any other byte would.
-- Columns are TEXT, not JSONB: verification hashes the bytes exactly as written.
CREATE TABLE facts (
    seq         BIGINT PRIMARY KEY,
    appended_at TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    actor       TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id  BIGINT NOT NULL,
    valid_on    TEXT,
    sources     TEXT NOT NULL,
    change      TEXT NOT NULL,
    prev_hash   BYTEA NOT NULL,  -- 32 bytes of SHA-256 (hashed as hex text)
    hash        BYTEA NOT NULL
);
CREATE INDEX facts_by_subject ON facts (subject_kind COLLATE "C", subject_id, seq);

-- Projection: the current state of every record, derived from the facts (vigilia rebuild).
CREATE TABLE records (
    kind      TEXT NOT NULL,
    id        BIGINT NOT NULL,
    reference TEXT,
    parent    BIGINT,
    state     TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE UNIQUE INDEX records_by_reference ON records (kind, reference) WHERE reference IS NOT NULL;
