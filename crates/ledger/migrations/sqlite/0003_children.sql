-- A person's detentions are found by their parent.
CREATE INDEX records_by_parent ON records (kind, parent) WHERE parent IS NOT NULL;
