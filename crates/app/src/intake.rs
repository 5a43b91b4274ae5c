//! What comes in from families and volunteers: a family adds to the report it made (by its
//! receipt code, found by the page).

use vigilia_core::fact::{Change, Draft};
use vigilia_core::fold::Record;
use vigilia_core::ids::ReportId;
use vigilia_core::model::Report;
use vigilia_ledger::Tx;

use crate::error::AppError;

/// Adds what a family wrote to its report; the report as it then stands.
pub fn add_to_report(tx: &mut Tx<'_>, id: ReportId, text: &str) -> Result<Report, AppError> {
    if !matches!(tx.get(id.into())?, Some(Record::Report(_))) {
        return Err(AppError::NotFound(id.into()));
    }
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: "public-form".into(),
        subject: id.into(),
        change: Change::ReportAdded {
            text: text.to_string(),
        },
        sources: Vec::new(),
    })?;
    match tx.get(id.into())? {
        Some(Record::Report(r)) => Ok(r.clone()),
        _ => Err(AppError::NotFound(id.into())),
    }
}
