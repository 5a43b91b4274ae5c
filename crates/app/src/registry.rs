//! Running a use case against the registry: a write runs inside one ledger transaction, so the
//! checks it makes and the facts it appends see the same state; it is committed only when the
//! use case succeeded, and nothing of it is written otherwise.

use vigilia_ledger::{Ledger, Tx};

use crate::error::AppError;

/// Runs `work` in a write transaction and commits what it appended; an error leaves the
/// registry as it was.
pub fn write<T>(
    ledger: &mut Ledger,
    work: impl FnOnce(&mut Tx<'_>) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let mut tx = ledger.begin()?;
    let out = work(&mut tx)?;
    if tx.appended() > 0 {
        tx.commit()?;
    }
    Ok(out)
}
