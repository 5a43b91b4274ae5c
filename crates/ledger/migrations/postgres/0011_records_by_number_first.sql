-- A record's children and its reference are looked up by kind and value together, never
-- ranged over by kind: the value comes first in their indexes, so that an insert compares
-- the parent's number or the reference's bytes before the kind's text, which every record of a
-- kind shares. Importing a million detentions into the records took 2.5 s less of the server's
-- time (bench/README.md, "PostgreSQL import").
DROP INDEX IF EXISTS records_by_parent;
CREATE INDEX records_by_parent ON records (parent, kind) WHERE parent IS NOT NULL;
DROP INDEX IF EXISTS records_by_reference;
CREATE UNIQUE INDEX records_by_reference ON records (reference, kind) WHERE reference IS NOT NULL;
