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

/// Where a report comes from: an account, or the public form (its address, and its token,
/// which sends one report).
pub enum From {
    Account,
    Public { address: IpAddr, token: String },
}

/// Checks a report and stores it (with the other writes waiting at the same moment); answers
/// once it is durable, or with the errors of its fields (and nothing stored). A public report
/// counts against its address's hourly limit, in the same transaction (so every server of
/// the registry counts it), and its form's token is used by it.
pub async fn store(
    app: &Arc<App>,
    report: Incoming,
    from: From,
) -> Result<Result<ReportId, Errors>, WebError> {
    let profile = app.profile.clone();
    let (now, per_hour) = (app.now(), app.config.intake_per_hour);
    let until = (now + crate::auth::FORM_TOKEN_LIFE).as_second();
    // Refusals are answers of the write, not failures: a failed write would make the writer run
    // every other write of its batch again, one by one. The checks run inside the write, so
    // two servers cannot both take one token.
    let stored = app
        .write(move |tx| {
            if let From::Public { address, token } = &from {
                if sessions::form_used(tx, token)? {
                    return Ok(Err(AppError::FormAlreadySent));
                }
                let limit_key = crate::ctx::limit_key(*address);
                if !sessions::may_report(tx, &limit_key, now, per_hour)? {
                    return Ok(Err(AppError::TooManyReports));
                }
            }
            let stored = intake::receive(tx, &report, &profile)?;
            if let From::Public { token, address } = &from {
                let limit_key = crate::ctx::limit_key(*address);
                sessions::count_report(tx, &limit_key, now, per_hour, stored.is_ok())?;
                if stored.is_ok() {
                    sessions::use_form_token(tx, token, until)?;
                }
            }
            Ok(Ok(stored))
        })
        .await?;
    Ok(stored?.map_err(|fields| errors_of(&fields)))
}

/// A form's mistake ([`vigilia_app::AppError::is_mistake`]) beside its fields: a field's
/// problems where they are, any other beside `field`.
pub fn mistake(e: &AppError, field: &'static str) -> Errors {
    match e {
        AppError::Invalid(fields) => errors_of(fields),
        other => {
            let mut errors = Errors::default();
            errors.add_localized(field, other);
            errors
        }
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

/// The states of the profile as `(code, name)`, by name, with an empty first choice.
pub fn states(profile: &Profile, none: &str) -> Vec<(String, String)> {
    let mut states: Vec<(String, String)> = profile
        .states
        .entries()
        .iter()
        .map(|s| (s.code.clone().unwrap_or_default(), s.name.clone()))
        .collect();
    // In the alphabet's order, accents aside: a person looks for Mérida between Lara and Miranda.
    states.sort_by_cached_key(|(_, name)| vigilia_core::text::fold(name));
    let mut out = vec![(String::new(), none.to_string())];
    out.extend(states);
    out
}

/// The day a page is asked for and the day it is as known on, as people type them (empty:
/// today, and as known now), with a mistake said beside its field (`as_of`, `known_on`).
pub fn when(
    as_of: &str,
    known_on: &str,
    today: vigilia_core::date::Day,
) -> (vigilia_count::when::When, Errors) {
    let mut errors = Errors::default();
    let mut day = |field: &'static str, text: &str| -> Option<vigilia_core::date::Day> {
        if text.trim().is_empty() {
            return None;
        }
        match vigilia_core::date::typed_day(text, today) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.add_localized(field, &vigilia_app::Problem::BadDate(e));
                None
            }
        }
    };
    let as_of = day("as_of", as_of).unwrap_or(today);
    let known_on = vigilia_core::fold::KnownOn(day("known_on", known_on));
    let when = vigilia_count::when::When {
        as_of,
        known_on,
        since: as_of,
    };
    (when, errors)
}
