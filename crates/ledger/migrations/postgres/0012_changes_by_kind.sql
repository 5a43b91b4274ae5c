-- A record's changes by subject, in one index per kind an import writes by the hundred thousand
-- (detentions, persons) and one for the other kinds. In facts_changes_by_subject (0008), by kind
-- first, the facts of every new detention went into the middle of the index, before the
-- persons', where PostgreSQL reads its way down from the root and splits full pages in two
-- half-empty ones (201 MB for 2.9 million facts). In an index of its own, by number and
-- position, a new record's facts go at its end (104 MB for the same facts). The queries say
-- each index's condition word for word (crates/ledger/src/postgres.rs, `of_kind`).
CREATE INDEX IF NOT EXISTS facts_changes_of_detentions ON facts (subject_id, seq)
WHERE subject_kind = 'detention' AND substr(change, 1, 17) <> '{"type":"audited"';
CREATE INDEX IF NOT EXISTS facts_changes_of_persons ON facts (subject_id, seq)
WHERE subject_kind = 'person' AND substr(change, 1, 17) <> '{"type":"audited"';
CREATE INDEX IF NOT EXISTS facts_changes_of_other_kinds ON facts (subject_kind COLLATE "C", subject_id, seq)
WHERE subject_kind NOT IN ('detention', 'person') AND substr(change, 1, 17) <> '{"type":"audited"';
DROP INDEX IF EXISTS facts_changes_by_subject;
