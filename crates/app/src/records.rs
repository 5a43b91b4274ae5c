//! Records: what a lawyer records on a detention (a legal step, its end, the recognition
//! decision) and what a coordinator does to persons (merge and undo a merge). Each checks the
//! record, and the account's reach over it, inside the write that changes it.

use serde::{Deserialize, Serialize};
use vigilia_core::fact::{Change, Draft};
use vigilia_core::fold::Record;
use vigilia_core::ids::{DetentionId, Kind, PersonId, Subject};
use vigilia_core::model::{
    Custody, Dated, Detention, End, EndType, Person, Recognition, RecognitionStatus, Step,
};
use vigilia_ledger::{Ledger, Tx};

use crate::actor::{Actor, sees};
use crate::error::AppError;
use crate::fields::{FieldErrors, Problem};

/// A person's detentions, by id.
pub fn detentions_of(ledger: &mut Ledger, person: PersonId) -> Result<Vec<Detention>, AppError> {
    Ok(ledger
        .children(Kind::Detention, person.0)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Detention(d) => Some(d),
            _ => None,
        })
        .collect())
}

/// A detention as it stands now, if `actor` may see it.
pub fn in_scope(
    ledger: &mut Ledger,
    actor: &Actor,
    id: DetentionId,
) -> Result<Detention, AppError> {
    let Some(Record::Detention(d)) = ledger.get(id.into())? else {
        return Err(AppError::NotFound(id.into()));
    };
    if sees(ledger, actor, &d)? {
        Ok(d)
    } else {
        Err(AppError::Forbidden(id.into()))
    }
}

/// The detention as it stands in this transaction, if `actor` may work on it.
fn in_scope_tx(tx: &mut Tx<'_>, actor: &Actor, id: DetentionId) -> Result<Detention, AppError> {
    let Some(Record::Detention(d)) = tx.get(id.into())?.cloned() else {
        return Err(AppError::NotFound(id.into()));
    };
    if sees(tx, actor, &d)? {
        Ok(d)
    } else {
        Err(AppError::Forbidden(id.into()))
    }
}

/// Appends one fact by `actor`, recorded today.
fn record(
    tx: &mut Tx<'_>,
    actor: &Actor,
    subject: impl Into<Subject>,
    change: Change,
) -> Result<(), AppError> {
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: actor.name.clone(),
        subject: subject.into(),
        change,
        sources: Vec::new(),
    })?;
    Ok(())
}

/// A step or an end as typed in a form (or sent to the API).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct StepForm {
    /// held, whereabouts_unknown, whereabouts_known, house_arrest, hospital, court, charged,
    /// defence_private, defence_imposed, convicted; for an end, its type.
    pub kind: String,
    pub date: String,
    /// The facility, the court, the charges (comma-separated) or the sentence.
    pub detail: String,
}

/// Checks a legal step and records it on the detention.
pub fn record_step(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: DetentionId,
    f: &StepForm,
) -> Result<(), AppError> {
    in_scope_tx(tx, actor, id)?;
    let today = tx.today()?;
    let mut e = FieldErrors::default();
    let date = e.required_date("date", &f.date, today);
    let detail = e.line("detail", &f.detail);
    let what = match f.kind.as_str() {
        "held" => Some(Step::Custody(Custody::Held { facility: detail })),
        "whereabouts_unknown" => Some(Step::Custody(Custody::WhereaboutsUnknown)),
        "whereabouts_known" => Some(Step::Custody(Custody::WhereaboutsKnown)),
        "house_arrest" => Some(Step::Custody(Custody::HouseArrest)),
        "hospital" => Some(Step::Custody(Custody::Hospital { facility: detail })),
        "court" => Some(Step::CourtPresentation {
            court: detail,
            military_court: None,
        }),
        "charged" => Some(Step::Charged {
            charges: detail
                .unwrap_or_default()
                .split(',')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
        }),
        "defence_private" => Some(Step::Defence { imposed: false }),
        "defence_imposed" => Some(Step::Defence { imposed: true }),
        "convicted" => Some(Step::Convicted { sentence: detail }),
        _ => {
            e.add("kind", Problem::ChooseWhatHappened);
            None
        }
    };
    let (Some(what), Some(date)) = (what, date) else {
        return Err(e.into());
    };
    e.check()?;
    record(
        tx,
        actor,
        id,
        Change::StepRecorded(Dated {
            date: Some(date),
            what,
        }),
    )
}

/// Checks an end (`kind` is its type) and records it on the detention.
pub fn record_end(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: DetentionId,
    f: &StepForm,
) -> Result<(), AppError> {
    let d = in_scope_tx(tx, actor, id)?;
    let today = tx.today()?;
    let mut e = FieldErrors::default();
    let kind = EndType::from_name(&f.kind);
    if kind.is_none() {
        e.add("kind", Problem::ChooseHowItEnded);
    }
    let date = e.required_date("date", &f.date, today);
    if let Some(dt) = date
        && dt.certainly_before(&d.arrest.date)
    {
        e.add("date", Problem::EndBeforeArrest);
    }
    let (Some(kind), Some(date)) = (kind, date) else {
        return Err(e.into());
    };
    e.check()?;
    record(
        tx,
        actor,
        id,
        Change::Ended {
            end: End { date, kind },
        },
    )
}

/// A recognition decision as typed in a form: its status, category (1–3) and reason.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DecisionForm {
    pub status: String,
    pub category: String,
    pub reason: String,
}

/// Checks a recognition decision and records it, with the deciding account as reviewer.
pub fn decide(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: DetentionId,
    f: &DecisionForm,
) -> Result<(), AppError> {
    in_scope_tx(tx, actor, id)?;
    let mut e = FieldErrors::default();
    let status = RecognitionStatus::from_name(&f.status);
    if status.is_none() {
        e.add("status", Problem::ChooseDecision);
    }
    let category = match f.category.trim() {
        "" => None,
        c => match c.parse::<u8>() {
            Ok(n @ 1..=3) => Some(n),
            _ => {
                e.add("category", Problem::BadCategory);
                None
            }
        },
    };
    let reason = e.line("reason", &f.reason);
    if reason.is_none() {
        e.add("reason", Problem::ExplainDecision);
    }
    let Some(status) = status else {
        return Err(e.into());
    };
    e.check()?;
    let change = Change::RecognitionDecided(Recognition {
        status,
        category,
        reviewer: Some(actor.name.clone()),
        reason,
        criteria: vec![],
    });
    record(tx, actor, id, change)
}

/// The reason typed for a decision that stays on the record; refused when empty.
pub fn reason_needed(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::ReasonNeeded);
    }
    Ok(reason.to_string())
}

/// A person as it stands in this transaction.
fn person(tx: &mut Tx<'_>, id: PersonId) -> Result<Person, AppError> {
    match tx.get(id.into())? {
        Some(Record::Person(p)) => Ok(p.clone()),
        _ => Err(AppError::NotFound(id.into())),
    }
}

/// Records that person `id` is the same as `into` (both exist, neither is merged already).
pub fn merge(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: PersonId,
    into: PersonId,
    reason: &str,
) -> Result<(), AppError> {
    let reason = reason_needed(reason)?;
    if id == into {
        return Err(AppError::MergeIntoItself(id));
    }
    let p = person(tx, id)?;
    let target = person(tx, into)?;
    if let Some(other) = p.merged_into {
        return Err(AppError::AlreadyMerged {
            person: id,
            into: other,
        });
    }
    if let Some(other) = target.merged_into {
        return Err(AppError::TargetMerged {
            person: into,
            into: other,
        });
    }
    record(tx, actor, id, Change::MergedInto { into, reason })
}

/// Undoes a merge: the person is separate again.
pub fn unmerge(tx: &mut Tx<'_>, actor: &Actor, id: PersonId, reason: &str) -> Result<(), AppError> {
    let reason = reason_needed(reason)?;
    if person(tx, id)?.merged_into.is_none() {
        return Err(AppError::NotMerged(id));
    }
    record(tx, actor, id, Change::MergeUndone { reason })
}

/// Records that `actor` saw or took `subject`: an audit fact, carrying what kind of access it
/// was, never the values seen.
pub fn audit(
    tx: &mut Tx<'_>,
    actor: &str,
    subject: Subject,
    what: vigilia_core::fact::Audit,
) -> Result<(), AppError> {
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: actor.to_string(),
        subject,
        change: Change::Audited { what },
        sources: Vec::new(),
    })?;
    Ok(())
}

/// Erases a report's contact or a detention's notes for good: the record's data key is
/// destroyed in the same transaction as the fact that says who erased them and why. Earlier
/// facts keep their ciphertext, so the chain still verifies; nobody can open it any more.
pub fn erase(tx: &mut Tx<'_>, actor: &str, subject: Subject, reason: &str) -> Result<(), AppError> {
    if !matches!(subject.kind, Kind::Report | Kind::Detention) {
        return Err(AppError::NothingConfidential(subject));
    }
    let reason = reason_needed(reason)?;
    if tx.get(subject)?.is_none() {
        return Err(AppError::NotFound(subject));
    }
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: actor.to_string(),
        subject,
        change: Change::ConfidentialErased { reason },
        sources: Vec::new(),
    })?;
    tx.destroy_data_key(subject)?;
    Ok(())
}
