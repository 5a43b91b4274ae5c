//! Reports as the people who made them, were assigned them, or triage them see them: a
//! volunteer sees their own reports and those assigned to them; a coordinator sees every report,
//! and only a coordinator sees a reporter's contact.

use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{Kind, ReportId};
use vigilia_core::model::{Report, Role};
use vigilia_ledger::Ledger;

use crate::actor::Actor;
use crate::error::AppError;

/// Whether this account may see this report: its reporter, its assignee, or a coordinator.
pub fn may_see(actor: &Actor, r: &Report) -> bool {
    actor.role == Role::Coordinator
        || r.reporter.as_deref() == Some(actor.name.as_str())
        || r.assigned_to.as_deref() == Some(actor.name.as_str())
}

/// The reports this account may see, newest first; without contacts (a contact is read on
/// the report's own page, and that read is recorded).
pub fn visible(ledger: &mut Ledger, actor: &Actor) -> Result<Vec<Report>, AppError> {
    let mut out = Vec::new();
    ledger.fold_all(Kind::Report, KnownOn::NOW, &mut |r| {
        if let Record::Report(mut r) = r
            && may_see(actor, &r)
        {
            r.contact = None;
            out.push(r);
        }
    })?;
    out.sort_by_key(|r| std::cmp::Reverse((r.received_on, r.id)));
    Ok(out)
}

/// Whether a lawyer sees the case report `r` became (the family's later messages reach whoever
/// follows the case).
fn case_seen(ledger: &mut Ledger, actor: &Actor, r: &Report) -> Result<bool, AppError> {
    if actor.role != Role::Lawyer {
        return Ok(false);
    }
    let Some(d) = r.matched_to else {
        return Ok(false);
    };
    match ledger.get(d.into())? {
        Some(Record::Detention(d)) => Ok(crate::actor::sees(ledger, actor, &d)?),
        _ => Ok(false),
    }
}

/// One report, if this account may see it (otherwise: refused, whether it exists or not), with
/// the reporter's contact for coordinators only. A lawyer also sees the report of a case they
/// follow.
pub fn one(ledger: &mut Ledger, actor: &Actor, id: ReportId) -> Result<Report, AppError> {
    let found = ledger.get(id.into())?;
    let seen = match &found {
        Some(Record::Report(r)) => may_see(actor, r) || case_seen(ledger, actor, r)?,
        _ => false,
    };
    match found {
        Some(Record::Report(mut r)) if seen => {
            if actor.role != Role::Coordinator {
                r.contact = None;
            }
            Ok(r)
        }
        _ if actor.role == Role::Coordinator => Err(AppError::NotFound(id.into())),
        _ => Err(AppError::Forbidden(id.into())),
    }
}
