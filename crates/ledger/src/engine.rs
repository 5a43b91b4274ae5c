//! What a storage engine must do. Engines store and fetch rows; they hold no logic of the
//! ledger (hashing, folding, verifying live in [`crate::Ledger`], once for every engine).

use vigilia_core::fact::{DecodeError, FactRow, Hash};
use vigilia_core::ids::{Kind, Subject};

use crate::{LedgerError, Secret};

/// One row of the projection: a record's current state as JSON, with the columns it is found by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRow {
    pub kind: String,
    pub id: u64,
    pub reference: Option<String>,
    pub parent: Option<u64>,
    pub state: String,
}

/// A database that can hold a ledger. Writes happen between [`Engine::begin`] and
/// [`Engine::commit`]; `begin` takes the writer's lock, so that two writers cannot both extend
/// the chain from the same head.
pub trait Engine: Send {
    /// `sqlite` or `postgres`.
    fn name(&self) -> &'static str;
    fn begin(&mut self) -> Result<(), LedgerError>;
    /// Makes the transaction durable: when it returns, the facts survive a crash.
    fn commit(&mut self) -> Result<(), LedgerError>;
    /// Commits without waiting for it where the engine writes on a thread of its own: the
    /// answer comes on the receiver once the transaction is durable, or failed. Others commit
    /// here.
    fn commit_later(&mut self) -> Result<Committed, LedgerError> {
        let (answer, reply) = std::sync::mpsc::sync_channel(1);
        let _ = answer.send(self.commit());
        Ok(reply)
    }
    /// Begins a transaction that extends the chain from `head`, the end of the one just
    /// committed, without waiting where the engine can: if another writer appended meanwhile,
    /// the transaction fails (at the latest when it commits), and nothing is appended to a head
    /// that is not the last.
    fn begin_after(&mut self, head: Option<(u64, Hash)>) -> Result<(), LedgerError> {
        self.begin()?;
        match self.head() {
            Ok(found) if found == head => Ok(()),
            other => {
                let _ = self.rollback();
                other.and(Err(moved()))
            }
        }
    }
    fn rollback(&mut self) -> Result<(), LedgerError>;

    /// The last fact's position and hash.
    fn head(&mut self) -> Result<Option<(u64, Hash)>, LedgerError>;
    /// When the last fact was appended (its `appended_at`, as stored).
    fn last_appended_at(&mut self) -> Result<Option<String>, LedgerError>;
    /// Adds facts to the open transaction. An engine may return before they are written (the
    /// SQLite engine writes on its own thread while the caller builds the next ones); a failure
    /// then surfaces at the latest at [`Engine::commit`], which never succeeds after one.
    fn insert_facts(&mut self, rows: Vec<FactRow>) -> Result<(), LedgerError>;
    /// Facts after position `after`, in order, at most `limit`.
    fn facts_after(&mut self, after: u64, limit: usize) -> Result<Vec<FactRow>, LedgerError>;
    /// Facts in (subject, seq) order after the given key, at most `limit`: one record's facts
    /// come together, which is how a rebuild folds them.
    fn facts_by_subject_after(
        &mut self,
        after: Option<(Subject, u64)>,
        limit: usize,
    ) -> Result<Vec<FactRow>, LedgerError>;
    /// One record's facts in ledger order.
    fn facts_of(&mut self, subject: Subject) -> Result<Vec<FactRow>, LedgerError>;
    /// One record's facts without its audit facts, in ledger order (through an index of
    /// their own: as fast for a record looked at often as for one never looked at).
    fn changes_of(&mut self, subject: Subject) -> Result<Vec<FactRow>, LedgerError>;
    /// One record's last `limit` audit facts (who looked at it), newest first.
    fn views_of(&mut self, subject: Subject, limit: usize) -> Result<Vec<FactRow>, LedgerError>;

    /// Inserts or replaces projection rows in the open transaction; may return before they are
    /// written, like [`Engine::insert_facts`].
    fn put_records(&mut self, rows: Vec<RecordRow>) -> Result<(), LedgerError>;
    /// Inserts projection rows of records made in the open transaction (none is in the
    /// projection yet): an engine may store them faster than [`Engine::put_records`].
    fn insert_records(&mut self, rows: Vec<RecordRow>) -> Result<(), LedgerError> {
        self.put_records(rows)
    }
    /// A record as last committed (a transaction reads here only records it has not touched).
    fn record(&mut self, kind: &str, id: u64) -> Result<Option<RecordRow>, LedgerError>;
    /// The records of a kind with these numbers, as last committed, those that exist, in no
    /// order: one read for many, where an engine across a network answers each read in a round
    /// trip.
    fn records(&mut self, kind: &str, ids: &[u64]) -> Result<Vec<RecordRow>, LedgerError> {
        let mut found = Vec::with_capacity(ids.len());
        for &id in ids {
            found.extend(self.record(kind, id)?);
        }
        Ok(found)
    }
    /// Records of a kind with id above `after`, by id, at most `limit`.
    fn records_after(
        &mut self,
        kind: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordRow>, LedgerError>;
    /// The record of a kind with this reference.
    fn by_reference(
        &mut self,
        kind: &str,
        reference: &str,
    ) -> Result<Option<RecordRow>, LedgerError>;
    /// The records of a kind whose parent is `parent`, by id.
    fn children(&mut self, kind: &str, parent: u64) -> Result<Vec<RecordRow>, LedgerError>;
    /// Every `(reference, id)` of a kind.
    fn references(&mut self, kind: &str) -> Result<Vec<(String, u64)>, LedgerError>;
    /// The highest id of a kind in the projection (0 when there is none).
    fn max_id(&mut self, kind: &str) -> Result<u64, LedgerError>;
    fn count_records(&mut self, kind: &str) -> Result<u64, LedgerError>;
    fn clear_records(&mut self) -> Result<(), LedgerError>;
    /// The position of the last fact, not an audit fact, about each kind of record, as last
    /// committed (kinds without such a fact are absent).
    fn changed(&mut self) -> Result<Vec<(Kind, u64)>, LedgerError>;
    /// Moves kinds' last changes forward to these positions in the open transaction (a kept
    /// position is never moved back); with `replace`, these become the only ones (a rebuild).
    /// May return before they are written, like [`Engine::insert_facts`].
    fn put_changed(&mut self, rows: Vec<(Kind, u64)>, replace: bool) -> Result<(), LedgerError>;
    /// Derived data saved under a name, with the ledger position and head it reflects.
    fn snapshot(&mut self, name: &str) -> Result<Option<(u64, Hash, Vec<u8>)>, LedgerError>;
    fn put_snapshot(
        &mut self,
        name: &str,
        seq: u64,
        head: Hash,
        data: Vec<u8>,
    ) -> Result<(), LedgerError>;
    /// Keeps a file under the SHA-256 of its bytes (kept once however often it is stored).
    fn put_file(
        &mut self,
        sha256: &str,
        media_type: &str,
        data: Vec<u8>,
    ) -> Result<(), LedgerError>;
    /// A kept file: its media type and bytes.
    fn file(&mut self, sha256: &str) -> Result<Option<(String, Vec<u8>)>, LedgerError>;
    /// A row of the keyring (see [`crate::keyring`]).
    fn key_get(&mut self, name: &str) -> Result<Option<Vec<u8>>, LedgerError>;
    /// Keeps keyring rows: new ones only, or (`replace`) over those of the same name.
    fn key_put(&mut self, rows: Vec<(String, Vec<u8>)>, replace: bool) -> Result<(), LedgerError>;
    /// Every row of the keyring.
    fn keys(&mut self) -> Result<Vec<(String, Vec<u8>)>, LedgerError>;
    /// Destroys a row of the keyring (a record's data key: its fields are then erased).
    fn key_delete(&mut self, name: &str) -> Result<(), LedgerError>;
    /// A row of the servers' shared state (`server_state`) not expired at `now` (Unix seconds).
    fn state_get(&mut self, key: &str, now: i64) -> Result<Option<String>, LedgerError>;
    /// Sets a row of the servers' shared state (`None`: removes it), and removes the rows
    /// expired at `now`.
    fn state_put(
        &mut self,
        key: &str,
        value: Option<(&str, i64)>,
        now: i64,
    ) -> Result<(), LedgerError>;
    /// Re-encrypts the whole database with a new key (SQLite with SQLCipher). Other engines
    /// leave the disk to the server's own encryption: nothing to do.
    fn rekey(&mut self, _key: &Secret) -> Result<(), LedgerError> {
        Ok(())
    }
    /// Prepares for (or ends) a bulk load. Only an engine that can write faster that way does
    /// anything, and only when nobody else has the database open. Whether nobody else had it
    /// open (`false` when the engine cannot tell): a load may then commit without waiting
    /// ([`Engine::commit_later`]).
    fn bulk(&mut self, _on: bool) -> Result<bool, LedgerError> {
        Ok(false)
    }
}

/// The answer of a commit made without waiting ([`Engine::commit_later`]).
pub type Committed = std::sync::mpsc::Receiver<Result<(), LedgerError>>;

/// Another writer appended between two transactions of one long write.
pub(crate) fn moved() -> LedgerError {
    LedgerError::Stopped(
        "another writer appended to the registry between two batches of this write, which stopped there: run it again"
            .into(),
    )
}

/// The subject of a row about to be stored, as its two columns.
pub(crate) fn subject_columns(row: &FactRow) -> (&str, i64) {
    match row.subject.split_once(':') {
        Some((kind, id)) => (kind, id.parse().unwrap_or(-1)),
        None => (row.subject.as_str(), -1),
    }
}

/// A hash read back from its 32 stored bytes.
pub(crate) fn stored_hash(seq: i64, bytes: &[u8]) -> Result<Hash, LedgerError> {
    Hash::from_slice(bytes).ok_or_else(|| {
        LedgerError::Chain(
            DecodeError::Column {
                seq: seq as u64,
                column: "hash",
                detail: format!("{} bytes where a hash has 32", bytes.len()),
            }
            .into(),
        )
    })
}

/// Engines apply their migrations in order; a registry newer than the binary is refused.
pub(crate) fn check_schema(found: i64, known: i64) -> Result<(), LedgerError> {
    if found > known {
        return Err(LedgerError::NewerSchema { found, known });
    }
    Ok(())
}
