-- What several `vigilia serve` processes on one registry must agree on, outside the chain:
-- open sessions (by the SHA-256 of their cookie), failed sign-ins and lockouts of an account,
-- the last second-factor step an account used, recent sign-in attempts and public reports
-- per address, and the key that signs anonymous forms. None of it is a fact: it expires, and
-- losing it only signs people out. `expires` is a Unix time in seconds.
CREATE TABLE server_state (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL,
    expires BIGINT NOT NULL
);
