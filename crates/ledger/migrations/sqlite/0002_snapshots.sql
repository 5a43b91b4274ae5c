-- Derived data kept to start fast (the counting index), with the ledger position and head it
-- reflects: used only while the ledger still ends there, rebuilt from the facts otherwise.
CREATE TABLE snapshots (
    name TEXT PRIMARY KEY,
    seq  INTEGER NOT NULL,
    head BLOB NOT NULL,
    data BLOB NOT NULL
);
