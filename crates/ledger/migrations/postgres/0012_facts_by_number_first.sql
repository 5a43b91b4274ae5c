-- The two indexes of facts by subject begin with the record's number, as the records' indexes
-- do since 0011: a record's facts are looked up by kind and number together, and a walk through
-- the histories goes kind by kind (`Engine::facts_by_subject_after`), so nothing needs them
-- ordered by kind first. With the kind first, the facts of a new detention went into the middle
-- of the index (the end of the detentions, before the persons), where a full page is split in
-- two half-empty ones; by number they go at its end, where it is not. Loading the facts of a
-- million detentions took 6 s less of the server's time (bench/README.md, "PostgreSQL import").
DROP INDEX IF EXISTS facts_changes_by_subject;
CREATE INDEX facts_changes_by_subject ON facts (subject_id, subject_kind COLLATE "C", seq)
WHERE substr(change, 1, 17) <> '{"type":"audited"';
DROP INDEX IF EXISTS facts_views_by_subject;
CREATE INDEX facts_views_by_subject ON facts (subject_id, subject_kind COLLATE "C", seq)
WHERE substr(change, 1, 17) = '{"type":"audited"';
