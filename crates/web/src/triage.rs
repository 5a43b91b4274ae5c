//! Triage: the queue of new reports; each with its ranked candidate persons (from `matching`);
//! accepted as a new person and detention, attached to an existing person or detention, or
//! rejected with a reason. Every decision is facts with the coordinator's name.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use vigilia_core::date::PartialDate;
use vigilia_core::fact::{Change, Draft};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{DetentionId, GroupId, Kind, PersonId, ReportId, SourceId};
use vigilia_core::model::{
    Arrest, Channel, Custody, Dated, Detention, Person, Recognition, RecognitionStatus,
    Reliability, Report, ReportStatus, Step,
};
use vigilia_ledger::{Ledger, Tx};

use crate::app::App;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, ok, see};

/// Candidates shown per report, and the least score worth showing.
const CANDIDATES: usize = 5;
const AT_LEAST: f64 = 0.05;

/// The reports waiting for triage, oldest first.
pub fn waiting(ledger: &mut Ledger) -> Result<Vec<Report>, WebError> {
    let mut out = Vec::new();
    ledger.fold_all(Kind::Report, KnownOn::NOW, &mut |r| {
        if let Record::Report(r) = r
            && r.status() == ReportStatus::New
        {
            out.push(r);
        }
    })?;
    Ok(out)
}

/// A candidate person with their detentions.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub score: f64,
    pub person: Person,
    pub detentions: Vec<Detention>,
}

pub fn report(ledger: &mut Ledger, id: u64) -> Result<Report, WebError> {
    match ledger.get(ReportId(id).into())? {
        Some(Record::Report(r)) => Ok(r),
        _ => Err(WebError::NotFound),
    }
}

/// The persons a report may be about, best first.
pub fn candidates(app: &App, ledger: &mut Ledger, r: &Report) -> Result<Vec<Candidate>, WebError> {
    let Some(d) = &r.details else {
        return Ok(Vec::new());
    };
    let index = app.matching(ledger)?;
    let mut probe = vigilia_matching::report::Report::of_identity(0, &d.identity());
    probe.arrest = d.arrest_date;
    probe.state = d.state.clone();
    let mut out = Vec::new();
    for c in index.candidates(probe, CANDIDATES, AT_LEAST) {
        if let Some(Record::Person(person)) = ledger.get(PersonId(c.person).into())? {
            let detentions = crate::records::detentions_of(ledger, c.person)?;
            out.push(Candidate {
                score: c.probability,
                person,
                detentions,
            });
        }
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "triage.html")]
struct Queue {
    p: Chrome,
    reports: Vec<Report>,
}

pub async fn queue(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let reports = app.ledger(|_, l| waiting(l)).await?;
    Ok(ok(&Queue {
        p: Chrome::of(&ctx),
        reports,
    }))
}

#[derive(Template)]
#[template(path = "triage_one.html")]
struct One {
    p: Chrome,
    r: Report,
    candidates: Vec<Candidate>,
}

pub async fn show(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let (r, candidates) = app
        .ledger(move |app, l| {
            let r = report(l, id)?;
            let c = candidates(app, l, &r)?;
            Ok((r, c))
        })
        .await?;
    Ok(ok(&One {
        p: Chrome::of(&ctx),
        r,
        candidates,
    }))
}

/// The source a report becomes when it is accepted: how far it can be trusted by who sent it.
fn source(
    tx: &mut Tx<'_>,
    r: &Report,
    actor: &str,
    today: vigilia_core::date::Day,
) -> Result<SourceId, WebError> {
    let s = SourceId(tx.new_id(Kind::Source));
    let reliability = match r.channel {
        Channel::Lawyer | Channel::Official => Reliability::Probable,
        _ => Reliability::Unverified,
    };
    tx.append(Draft {
        recorded_on: today,
        actor: actor.to_string(),
        subject: s.into(),
        change: Change::SourceRecorded {
            title: format!("report:{}", r.id.0),
            reliability,
            report: Some(r.id),
            link: None,
            file: None,
        },
        sources: vec![],
    })?;
    Ok(s)
}

fn open(r: &Report) -> Result<(), WebError> {
    if r.status() == ReportStatus::New {
        Ok(())
    } else {
        Err(WebError::bad(
            "Este reporte ya fue revisado.",
            "This report was already reviewed.",
        ))
    }
}

/// The arrest a report states; its date must be known at least to the year.
fn arrest_of(r: &Report) -> Result<Arrest, WebError> {
    let d = r.details.clone().unwrap_or_default();
    let date: PartialDate = d.arrest_date.ok_or_else(|| {
        WebError::bad(
            "El reporte no dice cuándo fue la detención; agréguelo antes de aceptarlo.",
            "The report does not say when the arrest was; add it before accepting it.",
        )
    })?;
    Ok(Arrest {
        date,
        state: d.state,
        municipality: None,
        agency: d.agency,
        circumstances: d.place,
        context: vec![],
        minor: None,
    })
}

/// Opens a detention for `person` from the report (under study until a lawyer decides).
#[allow(clippy::too_many_arguments)]
fn open_detention(
    tx: &mut Tx<'_>,
    r: &Report,
    person: PersonId,
    previous: Option<DetentionId>,
    group: Option<GroupId>,
    actor: &str,
    today: vigilia_core::date::Day,
    s: SourceId,
) -> Result<DetentionId, WebError> {
    let arrest = arrest_of(r)?;
    let facility = r.details.as_ref().and_then(|d| d.facility.clone());
    let steps = facility
        .map(|f| Dated {
            date: None,
            what: Step::Custody(Custody::Held { facility: Some(f) }),
        })
        .into_iter()
        .collect();
    let d = DetentionId(tx.new_id(Kind::Detention));
    tx.append(Draft {
        recorded_on: today,
        actor: actor.to_string(),
        subject: d.into(),
        change: Change::DetentionOpened {
            person,
            reference: None,
            arrest,
            steps,
            recognition: Some(Recognition {
                status: RecognitionStatus::UnderStudy,
                category: None,
                reviewer: Some(actor.to_string()),
                reason: None,
                criteria: vec![],
            }),
            notes: None,
            group,
            previous,
        },
        sources: vec![s],
    })?;
    Ok(d)
}

/// The report is about detention `d`; the match cites the source the report became.
fn matched(
    tx: &mut Tx<'_>,
    r: &Report,
    d: DetentionId,
    actor: &str,
    today: vigilia_core::date::Day,
    s: SourceId,
) -> Result<(), WebError> {
    tx.append(Draft {
        recorded_on: today,
        actor: actor.to_string(),
        subject: r.id.into(),
        change: Change::ReportMatched { detention: d },
        sources: vec![s],
    })?;
    Ok(())
}

/// Accepts a report as a new person and detention (and, for a group, the group detention);
/// a group report without a name gives no detention.
pub fn accept_new_in(
    ledger: &mut Ledger,
    id: u64,
    actor: &str,
) -> Result<Option<DetentionId>, WebError> {
    let r = report(ledger, id)?;
    open(&r)?;
    let today = ledger.today()?;
    let details = r.details.clone().unwrap_or_default();
    let mut tx = ledger.begin()?;
    let s = source(&mut tx, &r, actor, today)?;
    let group = match details.count {
        Some(count) if count > 1 => {
            let g = GroupId(tx.new_id(Kind::Group));
            tx.append(Draft {
                recorded_on: today,
                actor: actor.to_string(),
                subject: g.into(),
                change: Change::GroupRecorded {
                    reference: None,
                    arrest: arrest_of(&r)?,
                    count,
                },
                sources: vec![s],
            })?;
            tx.append(Draft {
                recorded_on: today,
                actor: actor.to_string(),
                subject: r.id.into(),
                change: Change::ReportGrouped { group: g },
                sources: vec![],
            })?;
            Some(g)
        }
        _ => None,
    };
    let identity = details.identity();
    let named = identity.given_names.is_some()
        || identity.paternal_surname.is_some()
        || identity.national_id.is_some();
    if !named {
        tx.commit()?;
        return Ok(None);
    }
    let p = PersonId(tx.new_id(Kind::Person));
    tx.append(Draft {
        recorded_on: today,
        actor: actor.to_string(),
        subject: p.into(),
        change: Change::PersonStated {
            reference: None,
            identity,
            disclosure: Some(r.consent),
            cleared: vec![],
        },
        sources: vec![s],
    })?;
    let d = open_detention(&mut tx, &r, p, None, group, actor, today, s)?;
    if let Some(g) = group {
        tx.append(Draft {
            recorded_on: today,
            actor: actor.to_string(),
            subject: g.into(),
            change: Change::GroupMemberIdentified { detention: d },
            sources: vec![s],
        })?;
    } else {
        matched(&mut tx, &r, d, actor, today, s)?;
    }
    tx.commit()?;
    Ok(Some(d))
}

/// Attaches a report to an existing detention, or opens a new detention of an existing person.
pub fn attach_in(
    ledger: &mut Ledger,
    id: u64,
    actor: &str,
    person: Option<u64>,
    detention: Option<u64>,
) -> Result<DetentionId, WebError> {
    let r = report(ledger, id)?;
    open(&r)?;
    let today = ledger.today()?;
    if let Some(d) = detention {
        if !matches!(
            ledger.get(DetentionId(d).into())?,
            Some(Record::Detention(_))
        ) {
            return Err(WebError::NotFound);
        }
        let mut tx = ledger.begin()?;
        let s = source(&mut tx, &r, actor, today)?;
        matched(&mut tx, &r, DetentionId(d), actor, today, s)?;
        tx.commit()?;
        return Ok(DetentionId(d));
    }
    let Some(p) = person else {
        return Err(WebError::bad(
            "Elija una persona o una detención.",
            "Choose a person or a detention.",
        ));
    };
    if !matches!(ledger.get(PersonId(p).into())?, Some(Record::Person(_))) {
        return Err(WebError::NotFound);
    }
    // A new arrest of a person already registered: the revolving door links it to the last one.
    let previous = crate::records::detentions_of(ledger, p)?
        .iter()
        .map(|d| d.id)
        .max();
    let mut tx = ledger.begin()?;
    let s = source(&mut tx, &r, actor, today)?;
    let d = open_detention(&mut tx, &r, PersonId(p), previous, None, actor, today, s)?;
    matched(&mut tx, &r, d, actor, today, s)?;
    tx.commit()?;
    Ok(d)
}

pub fn reject_in(ledger: &mut Ledger, id: u64, actor: &str, reason: &str) -> Result<(), WebError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(WebError::bad(
            "Diga por qué se rechaza: queda en el registro.",
            "Say why it is rejected: it stays on the record.",
        ));
    }
    let r = report(ledger, id)?;
    open(&r)?;
    ledger.record(
        actor,
        r.id.into(),
        Change::ReportRejected {
            reason: reason.to_string(),
        },
    )?;
    Ok(())
}

/// Where to go after accepting: the detention, or (a group without names) the queue.
fn after(d: Option<DetentionId>) -> Response {
    match d {
        Some(d) => see(&format!("/detentions/{}", d.0)),
        None => see("/triage"),
    }
}

pub async fn accept_new(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.name.clone();
    let d = app.ledger(move |_, l| accept_new_in(l, id, &actor)).await?;
    Ok(after(d))
}

#[derive(Deserialize, Default, Serialize)]
#[serde(default)]
pub struct AttachForm {
    pub person: Option<u64>,
    pub detention: Option<u64>,
}

pub async fn attach(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<AttachForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.name.clone();
    let d = app
        .ledger(move |_, l| attach_in(l, id, &actor, f.person, f.detention))
        .await?;
    Ok(after(Some(d)))
}

#[derive(Deserialize, Default, Serialize)]
#[serde(default)]
pub struct ReasonForm {
    pub reason: String,
}

pub async fn reject(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.name.clone();
    app.ledger(move |_, l| reject_in(l, id, &actor, &f.reason))
        .await?;
    Ok(see("/triage"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    to: String,
}

pub async fn assign(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<AssignForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.name.clone();
    let to = f.to.trim().to_string();
    app.ledger(move |_, l| {
        let r = report(l, id)?;
        crate::auth::active(l, &to)?;
        l.record(&actor, r.id.into(), Change::ReportAssigned { to })?;
        Ok(())
    })
    .await?;
    Ok(see(&format!("/triage/{id}")))
}
