-- The position of the last fact, not an audit fact, about each kind of record. Derived data
-- (the counting index, the web's warm pages, the accounts) is keyed on it, and every process
-- reads it at start: kept here, written in the transaction of the facts, it needs no scan of
-- the ledger. `vigilia rebuild` computes it again from the facts and `vigilia verify` checks
-- it. An existing registry gets it from its facts once, here (an audit fact's change starts
-- with {"type":"audited", as `vigilia_core::fact::is_audit` reads it).
CREATE TABLE kinds_changed (
    kind TEXT PRIMARY KEY,
    seq  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO kinds_changed (kind, seq)
SELECT subject_kind, max(seq) FROM facts
WHERE substr(change, 1, 17) <> '{"type":"audited"'
GROUP BY subject_kind;
