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
use vigilia_app::actor::sees;
use vigilia_app::records::{self, DecisionForm, StepForm};
use vigilia_app::{Actor, AppError};
use vigilia_core::fact::{Audit, Change, Fact};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{DetentionId, Kind, PersonId, ReportId, SourceId, Subject};
use vigilia_core::model::{Dated, Detention, Person, Role, Source, Step};
use vigilia_core::text::fold;
use vigilia_ledger::{Ledger, Tx};

use crate::app::App;
use crate::auth::{Ctx, Viewer};
use crate::error::WebError;
use crate::page::{Chrome, ok, see};

/// A detention this account may work on, or why not.
pub fn in_scope(ledger: &mut Ledger, v: &Viewer, id: u64) -> Result<Detention, WebError> {
    Ok(records::in_scope(ledger, &v.actor(), DetentionId(id))?)
}

/// The detentions of a person this account sees; refused when it sees none of them.
fn seen_detentions(
    ledger: &mut Ledger,
    v: &Viewer,
    person: u64,
) -> Result<Vec<Detention>, WebError> {
    let all = records::detentions_of(ledger, PersonId(person))?;
    let actor = v.actor();
    let mut seen = Vec::new();
    for d in all {
        if sees(ledger, &actor, &d)? {
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
    let persons = app.read(move |_, l| search_in(l, &v, &text, 100)).await?;
    Ok(ok(&Search {
        p: Chrome::of(&ctx),
        q: q.q,
        persons,
    }))
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
    Ok((p, detentions))
}

/// Reads what a page of a record shows and records, before the page is sent, that the
/// account viewed the record.
pub async fn viewed<T: Send + 'static>(
    app: &Arc<App>,
    v: &Viewer,
    subject: Subject,
    read: impl FnOnce(&mut Ledger, &Viewer) -> Result<T, WebError> + Send + 'static,
) -> Result<T, WebError> {
    let reader = v.clone();
    let out = app.read(move |_, l| read(l, &reader)).await?;
    app.audit(&v.name, subject, Audit::Viewed).await?;
    Ok(out)
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
    let (person, detentions, (history, views)) =
        viewed(&app, &v, PersonId(id).into(), move |l, v| {
            let (p, d) = person_in(l, v, id)?;
            let h = changes_and_views(l.history(PersonId(id).into())?, v);
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
    let (f, today) = viewed(&app, &v, DetentionId(id).into(), move |l, v| {
        Ok((detention_in(l, v, id)?, l.today()?.to_string()))
    })
    .await?;
    Ok(ok(&DetentionPage {
        p: Chrome::of(&ctx),
        f,
        today,
    }))
}

/// A use case on a detention, run in one write transaction by the account.
pub type OnDetention<F> = fn(&mut Tx<'_>, &Actor, DetentionId, &F) -> Result<(), AppError>;

/// A lawyer's form on a detention's page: recorded, then back to the page; its field errors
/// come back as one message (the page's forms are short).
async fn on_detention<F>(
    app: Arc<App>,
    ctx: Ctx,
    id: u64,
    f: F,
    work: OnDetention<F>,
) -> Result<Response, WebError>
where
    F: Send + 'static,
{
    let actor = ctx.viewer()?.actor();
    app.write(move |tx| work(tx, &actor, DetentionId(id), &f))
        .await?;
    Ok(see(&format!("/detentions/{id}")))
}

pub async fn step(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    on_detention(app, ctx, id, f, records::record_step).await
}

pub async fn end(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    on_detention(app, ctx, id, f, records::record_end).await
}

pub async fn recognition(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, WebError> {
    on_detention(app, ctx, id, f, records::decide).await
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
    let actor = ctx.viewer()?.actor();
    let into: u64 = f.into.trim().trim_start_matches('#').parse().map_err(|_| {
        WebError::bad(
            "Escriba el número de la otra persona.",
            "Write the other person's number.",
        )
    })?;
    app.write(move |tx| records::merge(tx, &actor, PersonId(id), PersonId(into), &f.reason))
        .await?;
    Ok(see(&format!("/persons/{id}")))
}

pub async fn unmerge(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<MergeForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    app.write(move |tx| records::unmerge(tx, &actor, PersonId(id), &f.reason))
        .await?;
    Ok(see(&format!("/persons/{id}")))
}
