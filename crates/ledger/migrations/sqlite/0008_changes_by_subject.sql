-- A record's facts without its audit facts (who looked at it), by subject: a case page reads
-- its changes through this index, so that a case looked at a thousand times is read as fast as
-- one never looked at. The condition is the one `Engine::changes_of` queries with (an audit
-- fact's change starts with {"type":"audited", as `vigilia_core::fact::is_audit` reads it).
CREATE INDEX IF NOT EXISTS facts_changes_by_subject ON facts (subject_kind, subject_id, seq)
WHERE substr(change, 1, 17) <> '{"type":"audited"';
