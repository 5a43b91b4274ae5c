-- Files kept with sources (photos, documents), by the SHA-256 of their bytes, which the fact
-- that records the source names: a changed file no longer matches the hash in the chain.
CREATE TABLE files (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    data       BLOB NOT NULL
);
