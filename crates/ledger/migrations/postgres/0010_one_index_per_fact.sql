-- Each fact goes into one index by subject, not two: the changes into facts_changes_by_subject
-- (0008), the audit facts (who looked at a record) into facts_views_by_subject. The index of
-- every fact by subject is dropped; a record's whole history, or every history in subject
-- order, is read from the two and merged (`Engine::facts_of`, `Engine::facts_by_subject_after`).
-- Importing a million detentions wrote 2.9 million entries less, and took 5 s less of the
-- server's time (bench/README.md, "PostgreSQL import").
CREATE INDEX IF NOT EXISTS facts_views_by_subject ON facts (subject_kind COLLATE "C", subject_id, seq)
WHERE substr(change, 1, 17) = '{"type":"audited"';
DROP INDEX IF EXISTS facts_by_subject;
-- The kind and the reference of a record are compared byte by byte, as the facts' kind already
-- is: in a database made in a language's collation (es_VE.UTF-8), every insert into the
-- records' three indexes compared them by that language's rules. Nothing is ordered by them.
ALTER TABLE records ALTER COLUMN kind TYPE TEXT COLLATE "C",
    ALTER COLUMN reference TYPE TEXT COLLATE "C";
