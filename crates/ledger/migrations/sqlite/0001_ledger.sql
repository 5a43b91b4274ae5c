-- The ledger: append-only facts, each carrying the hash of the one before.
CREATE TABLE facts (
    seq         INTEGER PRIMARY KEY,
    appended_at TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    actor       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    valid_on    TEXT,
    sources     TEXT NOT NULL,
    change      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX facts_by_subject ON facts (subject, seq);

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
CREATE INDEX records_by_parent ON records (kind, parent) WHERE parent IS NOT NULL;
