-- Expired rows of the servers' shared state are removed at every change of it: by this index,
-- a range read of the expired rows, not a scan of every open session and counter.
CREATE INDEX IF NOT EXISTS server_state_expires ON server_state (expires);
