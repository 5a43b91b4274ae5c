//! The report form as the pages and the API hand it to the intake use case
//! (`vigilia_app::intake`), its problems said beside their fields, and the states to choose from.

use std::net::IpAddr;
use std::sync::Arc;

use vigilia_app::intake::{self, Incoming};
use vigilia_app::{AppError, FieldErrors, sessions};
use vigilia_core::ids::ReportId;
use vigilia_core::profile::Profile;

use crate::app::App;
use crate::error::WebError;
use crate::page::Errors;

/// Checks a report and stores it (with the other writes waiting at the same moment); answers
/// once it is durable, or with the errors of its fields (and nothing stored). A public report
/// counts against its address's hourly limit, in the same transaction (so every server of
/// the registry counts it).
pub async fn store(
    app: &Arc<App>,
    report: Incoming,
    from: Option<IpAddr>,
) -> Result<Result<ReportId, Errors>, WebError> {
    let profile = app.profile.clone();
    let (now, per_hour) = (app.now(), app.config.intake_per_hour);
    // Over the limit is an answer of the write, not a failure: a failed write would make the
    // writer run every other write of its batch again, one by one.
    let stored = app
        .write(move |tx| {
            if let Some(ip) = from
                && !sessions::admit_report(tx, &crate::ctx::limit_key(ip), now, per_hour)?
            {
                return Ok(None);
            }
            intake::receive(tx, &report, &profile).map(Some)
        })
        .await?;
    match stored {
        None => Err(AppError::TooManyReports.into()),
        Some(stored) => Ok(stored.map_err(|fields| errors_of(&fields))),
    }
}

/// A form's problems, said in both languages beside their fields.
pub fn errors_of(fields: &FieldErrors) -> Errors {
    let mut errors = Errors::default();
    for (field, problem) in fields.iter() {
        errors.add_localized(field, problem);
    }
    errors
}

/// The states of the profile as `(code, name)`, with an empty first choice.
pub fn states(profile: &Profile, none: &str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), none.to_string())];
    out.extend(
        profile
            .states
            .entries()
            .iter()
            .map(|s| (s.code.clone().unwrap_or_default(), s.name.clone())),
    );
    out
}
