//! What a storage engine must do. Engines store and fetch rows; they hold no logic of the
//! ledger (hashing, folding, verifying live in [`crate::Ledger`], once for every engine).

use vigilia_core::fact::FactRow;
use vigilia_core::ids::Subject;

use crate::LedgerError;

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
    fn rollback(&mut self) -> Result<(), LedgerError>;

    /// The last fact's position and hash.
    fn head(&mut self) -> Result<Option<(u64, String)>, LedgerError>;
    fn insert_facts(&mut self, rows: &[FactRow]) -> Result<(), LedgerError>;
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

    fn put_records(&mut self, rows: &[RecordRow]) -> Result<(), LedgerError>;
    fn record(&mut self, kind: &str, id: u64) -> Result<Option<RecordRow>, LedgerError>;
    /// Records of a kind with id above `after`, by id, at most `limit`.
    fn records_after(
        &mut self,
        kind: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordRow>, LedgerError>;
    /// Every `(reference, id)` of a kind.
    fn references(&mut self, kind: &str) -> Result<Vec<(String, u64)>, LedgerError>;
    /// The highest id of a kind in the projection (0 when there is none).
    fn max_id(&mut self, kind: &str) -> Result<u64, LedgerError>;
    fn count_records(&mut self, kind: &str) -> Result<u64, LedgerError>;
    fn clear_records(&mut self) -> Result<(), LedgerError>;
}

/// The subject of a row about to be stored, as its two columns.
pub(crate) fn subject_columns(row: &FactRow) -> (&str, i64) {
    match row.subject.split_once(':') {
        Some((kind, id)) => (kind, id.parse().unwrap_or(-1)),
        None => (row.subject.as_str(), -1),
    }
}

/// A hash as stored: 32 bytes, not 64 hex digits.
pub(crate) fn hash_bytes(hex_text: &str) -> Result<[u8; 32], LedgerError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_text, &mut out)
        .map_err(|_| LedgerError::Refused(format!("{hex_text:?} is not a SHA-256 hash")))?;
    Ok(out)
}

/// Engines apply their migrations in order; a registry newer than the binary is refused.
pub(crate) fn check_schema(found: i64, known: i64) -> Result<(), LedgerError> {
    if found > known {
        return Err(LedgerError::NewerSchema { found, known });
    }
    Ok(())
}
