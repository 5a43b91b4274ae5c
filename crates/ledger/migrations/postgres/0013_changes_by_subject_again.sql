-- A registry opened by a build of commit aac298a has indexes of each kind's changes instead of
-- facts_changes_by_subject (0008): it gets that index back and loses those. On every other
-- registry this changes nothing.
CREATE INDEX IF NOT EXISTS facts_changes_by_subject ON facts (subject_kind COLLATE "C", subject_id, seq)
WHERE substr(change, 1, 17) <> '{"type":"audited"';
DROP INDEX IF EXISTS facts_changes_of_detentions;
DROP INDEX IF EXISTS facts_changes_of_persons;
DROP INDEX IF EXISTS facts_changes_of_other_kinds;
