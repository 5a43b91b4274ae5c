-- Derived data kept to start fast (the counting index), with the ledger position and head it
-- reflects: used only while the ledger still ends there, rebuilt from the facts otherwise.
CREATE TABLE snapshots (
    name TEXT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    head BYTEA NOT NULL,
    data BYTEA NOT NULL
);
