//! Persons as matching sees them: every person not merged into another, as a report to
//! compare new reports and other persons with.

use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::Kind;
use vigilia_ledger::{Ledger, LedgerError};

/// The persons not merged into another, as reports to match against, with their names.
pub fn registered(
    ledger: &mut Ledger,
) -> Result<Vec<(u64, vigilia_matching::report::Report, String)>, LedgerError> {
    let mut out = Vec::new();
    ledger.fold_all(Kind::Person, KnownOn::NOW, &mut |r| {
        if let Record::Person(p) = r
            && p.merged_into.is_none()
        {
            out.push((
                p.id.0,
                vigilia_matching::report::Report::of_identity(p.id.0, &p.identity),
                p.identity.full_name(),
            ));
        }
    })?;
    Ok(out)
}
