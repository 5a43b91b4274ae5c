//! Records: search (accent-insensitive, by name or cédula), a person with all their detentions,
//! a detention's timeline with the 48-hour deadline, sources, recognition and the history of
//! every fact; lawyers record legal steps, ends and recognition decisions; coordinators merge
//! and split persons.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use vigilia_core::date::PartialDate;
use vigilia_core::fact::{Audit, Change, Fact};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{DetentionId, Kind, PersonId, ReportId, SourceId};
use vigilia_core::lang::Lang;
use vigilia_core::model::{
    Custody, Dated, Detention, End, EndType, Person, Recognition, RecognitionStatus, Role, Source,
    Step,
};
use vigilia_core::text::fold;
use vigilia_ledger::Ledger;

use crate::app::App;
use crate::auth::{Ctx, Viewer};
use crate::error::WebError;
use crate::forms::{date_field, line};
use crate::page::{Chrome, Errors, ok, see};

/// Whether this account sees this detention: coordinators every case; a lawyer the cases of
/// their states (every state when none is set) and those with a report assigned to them; no
/// other role (the route table keeps them off case pages; analysts see figures, not names).
pub fn sees(ledger: &mut Ledger, v: &Viewer, d: &Detention) -> Result<bool, WebError> {
    Ok(match v.role {
        _ if v.sees_every_case() => true,
        Role::Lawyer => {
            d.arrest.state.as_ref().is_some_and(|s| v.regions.contains(s))
                || ledger.children(Kind::Report, d.id.0)?.iter().any(|r| {
                    matches!(r, Record::Report(r) if r.assigned_to.as_deref() == Some(v.name.as_str()))
                })
        }
        _ => false,
    })
}

/// A detention this account may work on, or why not.
pub fn in_scope(ledger: &mut Ledger, v: &Viewer, id: u64) -> Result<Detention, WebError> {
    let d = exists(ledger, id)?;
    if sees(ledger, v, &d)? {
        Ok(d)
    } else {
        Err(WebError::Forbidden)
    }
}

/// The detentions of a person this account sees; refused when it sees none of them.
fn seen_detentions(
    ledger: &mut Ledger,
    v: &Viewer,
    person: u64,
) -> Result<Vec<Detention>, WebError> {
    let all = detentions_of(ledger, person)?;
    let mut seen = Vec::new();
    for d in all {
        if sees(ledger, v, &d)? {
            seen.push(d);
        }
    }
    if seen.is_empty() && !v.sees_every_case() {
        return Err(WebError::Forbidden);
    }
    Ok(seen)
}

/// Persons whose name or cédula matches every word of `q`, accents and case aside, among those
/// this account sees.
pub fn search_in(
    ledger: &mut Ledger,
    v: &Viewer,
    q: &str,
    limit: usize,
) -> Result<Vec<Person>, WebError> {
    let words: Vec<String> = fold(q).split_whitespace().map(str::to_string).collect();
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let everything = v.sees_every_case();
    let mut out = Vec::new();
    ledger.fold_all(Kind::Person, KnownOn::NOW, &mut |r| {
        if everything && out.len() >= limit {
            return;
        }
        if let Record::Person(p) = r {
            let by_id = !digits.is_empty()
                && digits.len() >= 5
                && p.identity
                    .national_id
                    .is_some_and(|n| n.number.to_string() == digits);
            let name = fold(&format!(
                "{} {}",
                p.identity.full_name(),
                p.identity.aliases.join(" ")
            ));
            if by_id
                || words
                    .iter()
                    .all(|w| name.split_whitespace().any(|n| n.starts_with(w.as_str())))
            {
                out.push(p);
            }
        }
    })?;
    if !everything {
        let mut seen = Vec::new();
        for p in out {
            if seen.len() < limit && seen_detentions(ledger, v, p.id.0).is_ok() {
                seen.push(p);
            }
        }
        out = seen;
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Q {
    pub q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct Search {
    p: Chrome,
    q: String,
    persons: Vec<Person>,
}

pub async fn search(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<Q>,
) -> Result<Response, WebError> {
    let text = q.q.clone();
    let v = ctx.viewer()?.clone();
    let persons = app.ledger(move |_, l| search_in(l, &v, &text, 100)).await?;
    Ok(ok(&Search {
        p: Chrome::of(&ctx),
        q: q.q,
        persons,
    }))
}

/// A person's detentions, by id.
pub fn detentions_of(ledger: &mut Ledger, person: u64) -> Result<Vec<Detention>, WebError> {
    Ok(ledger
        .children(Kind::Detention, person)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Detention(d) => Some(d),
            _ => None,
        })
        .collect())
}

/// A person and the detentions of theirs this account sees.
pub fn person_in(
    ledger: &mut Ledger,
    v: &Viewer,
    id: u64,
) -> Result<(Person, Vec<Detention>), WebError> {
    let Some(Record::Person(p)) = ledger.get(PersonId(id).into())? else {
        return Err(WebError::NotFound);
    };
    let detentions = seen_detentions(ledger, v, id)?;
    ledger.audit(&v.name, p.id.into(), Audit::Viewed)?;
    Ok((p, detentions))
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    p: Chrome,
    person: Person,
    detentions: Vec<Detention>,
    history: Vec<Fact>,
    views: Vec<Fact>,
}

pub async fn person(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let (person, detentions, (history, views)) = app
        .ledger(move |_, l| {
            let (p, d) = person_in(l, &v, id)?;
            let h = changes_and_views(l.history(PersonId(id).into())?, &v);
            Ok((p, d, h))
        })
        .await?;
    Ok(ok(&PersonPage {
        p: Chrome::of(&ctx),
        person,
        detentions,
        history,
        views,
    }))
}

/// A detention with what its page shows.
#[derive(Clone, Debug, Serialize)]
pub struct Full {
    pub detention: Detention,
    pub person: Option<Person>,
    /// Steps in date order (undated ones last, in the order recorded).
    pub timeline: Vec<Dated<Step>>,
    /// The 48-hour deadline for the court presentation, for an arrest known to the day.
    pub deadline: Option<String>,
    /// When the detainee was presented to a court, and whether that was in time.
    pub presented: Option<(String, bool)>,
    pub sources: Vec<Source>,
    #[serde(skip)]
    pub history: Vec<Fact>,
    /// Who looked at the case, and when (audit facts): shown to coordinators only.
    #[serde(skip)]
    pub views: Vec<Fact>,
}

/// A record's history split into what changed it and who looked at it; the lookers only for
/// coordinators.
fn changes_and_views(facts: Vec<Fact>, v: &Viewer) -> (Vec<Fact>, Vec<Fact>) {
    let (views, changes): (Vec<Fact>, Vec<Fact>) = facts
        .into_iter()
        .partition(|f| matches!(f.change, Change::Audited { .. }));
    let views = if v.role == Role::Coordinator {
        views
    } else {
        Vec::new()
    };
    (changes, views)
}

pub fn detention_in(ledger: &mut Ledger, v: &Viewer, id: u64) -> Result<Full, WebError> {
    let d = in_scope(ledger, v, id)?;
    ledger.audit(&v.name, d.id.into(), Audit::Viewed)?;
    let person = match ledger.get(d.person.into())? {
        Some(Record::Person(p)) => Some(p),
        _ => None,
    };
    let mut timeline = d.steps.clone();
    timeline.sort_by_key(|s| s.date.map(|d| d.first_day()));
    timeline.sort_by_key(|s| s.date.is_none());
    let deadline = d
        .arrest
        .date
        .is_exact()
        .then(|| {
            d.arrest
                .date
                .first_day()
                .checked_add(jiff::Span::new().days(2))
                .ok()
        })
        .flatten();
    let presented = d
        .steps
        .iter()
        .filter(|s| matches!(s.what, Step::CourtPresentation { .. }))
        .filter_map(|s| s.date)
        .min_by_key(|x| x.first_day())
        .map(|p| (p.to_string(), deadline.is_none_or(|dl| p.last_day() <= dl)));
    let (history, views) = changes_and_views(ledger.history(DetentionId(id).into())?, v);
    let mut ids: Vec<SourceId> = history.iter().flat_map(|f| f.sources.clone()).collect();
    ids.sort();
    ids.dedup();
    let mut sources = Vec::new();
    for s in ids {
        if let Some(Record::Source(s)) = ledger.get(s.into())? {
            sources.push(s);
        }
    }
    // And what the reports matched to it brought (the reports themselves, their links).
    let reports: Vec<ReportId> = ledger
        .children(Kind::Report, id)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Report(r) => Some(r.id),
            _ => None,
        })
        .collect();
    for r in reports {
        for s in crate::reports::sources_of(ledger, r)? {
            if !sources.iter().any(|x| x.id == s.id) {
                sources.push(s);
            }
        }
    }
    Ok(Full {
        detention: d,
        person,
        timeline,
        deadline: deadline.map(|d| d.to_string()),
        presented,
        sources,
        history,
        views,
    })
}

#[derive(Template)]
#[template(path = "detention.html")]
struct DetentionPage {
    p: Chrome,
    f: Full,
    today: String,
}

pub async fn detention(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let (f, today) = app
        .ledger(move |_, l| Ok((detention_in(l, &v, id)?, l.today()?.to_string())))
        .await?;
    Ok(ok(&DetentionPage {
        p: Chrome::of(&ctx),
        f,
        today,
    }))
}

/// A step, an end or a decision as typed in a form (or sent to the API).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct StepForm {
    /// held, whereabouts_unknown, whereabouts_known, house_arrest, hospital, court, charged,
    /// defence_private, defence_imposed, convicted
    pub kind: String,
    pub date: String,
    /// The facility, the court, the charges (comma-separated) or the sentence.
    pub detail: String,
}

fn exists(ledger: &mut Ledger, id: u64) -> Result<Detention, WebError> {
    match ledger.get(DetentionId(id).into())? {
        Some(Record::Detention(d)) => Ok(d),
        _ => Err(WebError::NotFound),
    }
}

/// Checks a step and records it.
pub fn step_in(
    ledger: &mut Ledger,
    id: u64,
    actor: &str,
    f: &StepForm,
) -> Result<Result<(), Errors>, WebError> {
    exists(ledger, id)?;
    let today = ledger.today()?;
    let mut e = Errors::default();
    let date = date_field(&mut e, "date", &f.date, today);
    let detail = line(&mut e, "detail", &f.detail);
    let what = match f.kind.as_str() {
        "held" => Step::Custody(Custody::Held { facility: detail }),
        "whereabouts_unknown" => Step::Custody(Custody::WhereaboutsUnknown),
        "whereabouts_known" => Step::Custody(Custody::WhereaboutsKnown),
        "house_arrest" => Step::Custody(Custody::HouseArrest),
        "hospital" => Step::Custody(Custody::Hospital { facility: detail }),
        "court" => Step::CourtPresentation {
            court: detail,
            military_court: None,
        },
        "charged" => Step::Charged {
            charges: detail
                .unwrap_or_default()
                .split(',')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
        },
        "defence_private" => Step::Defence { imposed: false },
        "defence_imposed" => Step::Defence { imposed: true },
        "convicted" => Step::Convicted { sentence: detail },
        _ => {
            e.add("kind", "Elija qué pasó.", "Choose what happened.");
            Step::Custody(Custody::WhereaboutsKnown)
        }
    };
    if date.is_none() && e.get("date", &vigilia_core::lang::Lang::Es).is_none() {
        e.add(
            "date",
            "¿Cuándo? AAAA-MM-DD (o AAAA-MM).",
            "When? YYYY-MM-DD (or YYYY-MM).",
        );
    }
    if !e.is_empty() {
        return Ok(Err(e));
    }
    ledger.record(
        actor,
        DetentionId(id).into(),
        Change::StepRecorded(Dated { date, what }),
    )?;
    Ok(Ok(()))
}

/// Checks an end (`kind` is its type) and records it.
pub fn end_in(
    ledger: &mut Ledger,
    id: u64,
    actor: &str,
    f: &StepForm,
) -> Result<Result<(), Errors>, WebError> {
    let d = exists(ledger, id)?;
    let today = ledger.today()?;
    let mut e = Errors::default();
    let kind = EndType::from_name(&f.kind);
    if kind.is_none() {
        e.add("kind", "Elija cómo terminó.", "Choose how it ended.");
    }
    let date: Option<PartialDate> = date_field(&mut e, "date", &f.date, today);
    if date.is_none() && e.get("date", &vigilia_core::lang::Lang::Es).is_none() {
        e.add("date", "¿Cuándo? AAAA-MM-DD.", "When? YYYY-MM-DD.");
    }
    if let Some(dt) = date
        && dt.certainly_before(&d.arrest.date)
    {
        e.add(
            "date",
            "El fin no puede ser anterior a la detención.",
            "The end cannot be before the arrest.",
        );
    }
    let (Some(kind), Some(date), true) = (kind, date, e.is_empty()) else {
        return Ok(Err(e));
    };
    ledger.record(
        actor,
        DetentionId(id).into(),
        Change::Ended {
            end: End { date, kind },
        },
    )?;
    Ok(Ok(()))
}

/// Records a recognition decision (`kind` is its status; `detail` the reason; `date` unused).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DecisionForm {
    pub status: String,
    pub category: String,
    pub reason: String,
}

pub fn decide_in(
    ledger: &mut Ledger,
    id: u64,
    actor: &str,
    f: &DecisionForm,
) -> Result<Result<(), Errors>, WebError> {
    exists(ledger, id)?;
    let mut e = Errors::default();
    let status = RecognitionStatus::from_name(&f.status);
    if status.is_none() {
        e.add("status", "Elija la decisión.", "Choose the decision.");
    }
    let category = match f.category.trim() {
        "" => None,
        c => match c.parse::<u8>() {
            Ok(n @ 1..=3) => Some(n),
            _ => {
                e.add(
                    "category",
                    "La categoría es 1, 2 o 3.",
                    "The category is 1, 2 or 3.",
                );
                None
            }
        },
    };
    let reason = line(&mut e, "reason", &f.reason);
    if reason.is_none() {
        e.add(
            "reason",
            "Explique la decisión: queda en el registro.",
            "Explain the decision: it stays on the record.",
        );
    }
    let (Some(status), true) = (status, e.is_empty()) else {
        return Ok(Err(e));
    };
    ledger.record(
        actor,
        DetentionId(id).into(),
        Change::RecognitionDecided(Recognition {
            status,
            category,
            reviewer: Some(actor.to_string()),
            reason,
            criteria: vec![],
        }),
    )?;
    Ok(Ok(()))
}

/// Checks a form about a detention and records it: field errors, or done.
pub type Checked<F> = fn(&mut Ledger, u64, &str, &F) -> Result<Result<(), Errors>, WebError>;

/// A lawyer's form on a detention's page: recorded, then back to the page; its field errors
/// come back as one message (the page's forms are short).
async fn on_detention<F>(
    app: Arc<App>,
    ctx: Ctx,
    id: u64,
    f: F,
    work: Checked<F>,
) -> Result<Response, WebError>
where
    F: Send + 'static,
{
    let v = ctx.viewer()?.clone();
    match app
        .ledger(move |_, l| {
            in_scope(l, &v, id)?;
            work(l, id, &v.name, &f)
        })
        .await?
    {
        Ok(()) => Ok(see(&format!("/detentions/{id}"))),
        Err(e) => Err(WebError::bad(e.joined(Lang::Es), e.joined(Lang::En))),
    }
}

pub async fn step(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    on_detention(app, ctx, id, f, step_in).await
}

pub async fn end(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    on_detention(app, ctx, id, f, end_in).await
}

pub async fn recognition(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, WebError> {
    on_detention(app, ctx, id, f, decide_in).await
}

fn person_or_refuse(ledger: &mut Ledger, id: u64) -> Result<Person, WebError> {
    match ledger.get(PersonId(id).into())? {
        Some(Record::Person(p)) => Ok(p),
        _ => Err(WebError::bad(
            format!("No hay ninguna persona {id} en el registro."),
            format!("There is no person {id} in the registry."),
        )),
    }
}

fn reason_needed(reason: &str) -> Result<String, WebError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(WebError::bad(
            "Diga por qué: queda en el registro con quien lo decidió.",
            "Say why: it stays in the registry with who decided it.",
        ));
    }
    Ok(reason.to_string())
}

/// Records that person `id` is the same as `into` (both exist, neither is merged already).
pub fn merge_persons(
    ledger: &mut Ledger,
    id: u64,
    into: u64,
    reason: &str,
    actor: &str,
) -> Result<(), WebError> {
    let reason = reason_needed(reason)?;
    if id == into {
        return Err(WebError::bad(
            format!("La persona {id} no puede fusionarse consigo misma."),
            format!("Person {id} cannot be merged into itself."),
        ));
    }
    let p = person_or_refuse(ledger, id)?;
    let target = person_or_refuse(ledger, into)?;
    if let Some(other) = p.merged_into {
        return Err(WebError::bad(
            format!("La persona {id} ya está fusionada con {}.", other.0),
            format!("Person {id} is already merged into {}.", other.0),
        ));
    }
    if let Some(other) = target.merged_into {
        return Err(WebError::bad(
            format!(
                "La persona {into} está fusionada con {}: fusione con {}.",
                other.0, other.0
            ),
            format!(
                "Person {into} is merged into {}: merge into {}.",
                other.0, other.0
            ),
        ));
    }
    ledger.record(
        actor,
        PersonId(id).into(),
        Change::MergedInto {
            into: PersonId(into),
            reason,
        },
    )?;
    Ok(())
}

/// Undoes a merge: the person is separate again.
pub fn unmerge_person(
    ledger: &mut Ledger,
    id: u64,
    reason: &str,
    actor: &str,
) -> Result<(), WebError> {
    let reason = reason_needed(reason)?;
    if person_or_refuse(ledger, id)?.merged_into.is_none() {
        return Err(WebError::bad(
            format!("La persona {id} no está fusionada con nadie."),
            format!("Person {id} is not merged into anyone."),
        ));
    }
    ledger.record(actor, PersonId(id).into(), Change::MergeUndone { reason })?;
    Ok(())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MergeForm {
    into: String,
    reason: String,
}

pub async fn merge(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<MergeForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.name.clone();
    let into: u64 = f.into.trim().trim_start_matches('#').parse().map_err(|_| {
        WebError::bad(
            "Escriba el número de la otra persona.",
            "Write the other person's number.",
        )
    })?;
    app.ledger(move |_, l| merge_persons(l, id, into, &f.reason, &actor))
        .await?;
    Ok(see(&format!("/persons/{id}")))
}

pub async fn unmerge(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<MergeForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.name.clone();
    app.ledger(move |_, l| unmerge_person(l, id, &f.reason, &actor))
        .await?;
    Ok(see(&format!("/persons/{id}")))
}
