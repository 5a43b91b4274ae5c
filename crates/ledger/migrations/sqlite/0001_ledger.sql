-- The ledger: append-only facts, each carrying the hash of the one before.
-- The subject `kind:id` is kept as two columns so that its index grows at the end; the hash
-- covers its text form, so changing either column breaks the chain as any other byte would.
CREATE TABLE facts (
    seq         INTEGER PRIMARY KEY,
    appended_at TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    actor       TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id  INTEGER NOT NULL,
    valid_on    TEXT,
    sources     TEXT NOT NULL,
    change      TEXT NOT NULL,
    prev_hash   BLOB NOT NULL,  -- 32 bytes of SHA-256 (hashed as hex text)
    hash        BLOB NOT NULL
);
CREATE INDEX facts_by_subject ON facts (subject_kind, subject_id, seq);

-- Projection: the current state of every record, derived from the facts (vigilia rebuild).
CREATE TABLE records (
    kind      TEXT NOT NULL,
    id        INTEGER NOT NULL,
    reference TEXT,
    parent    INTEGER,
    state     TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX records_by_reference ON records (kind, reference) WHERE reference IS NOT NULL;
