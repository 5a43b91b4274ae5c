-- The keyring, outside the chain: each record's data key, which seals its confidential
-- fields (a reporter's contact, a detention's notes), wrapped by the key-encryption key
-- derived from the registry's key; plus "salt" (for a passphrase) and "check" (a wrapped
-- random key that tells a wrong key at opening). Erasing a record's row makes its sealed
-- fields unreadable while the chain, which holds only their ciphertext, still verifies.
CREATE TABLE keyring (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
