//! Triage: the queue of new reports; each with its ranked candidate persons (from `matching`);
//! accepted as a new person and detention, attached to an existing person or detention, or
//! rejected with a reason. Every decision is facts with the coordinator's name.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use vigilia_app::records;
use vigilia_app::triage::{self, AttachTo};
use vigilia_core::fact::Audit;
use vigilia_core::fold::Record;
use vigilia_core::ids::{DetentionId, PersonId, ReportId};
use vigilia_core::model::{Detention, GroupDetention, Person, Report};
use vigilia_ledger::Ledger;

use crate::app::App;
use crate::ctx::{Ctx, Viewer};
use crate::error::WebError;
use crate::page::{Chrome, Errors, back_saying, invalid, ok, see};

/// Candidates shown per report, and the least score worth showing.
const CANDIDATES: usize = 5;
const AT_LEAST: f64 = 0.05;

/// A candidate person with their detentions.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub score: f64,
    pub person: Person,
    pub detentions: Vec<Detention>,
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
            let detentions = records::detentions_of(ledger, PersonId(c.person))?;
            out.push(Candidate {
                score: c.probability,
                person,
                detentions,
            });
        }
    }
    Ok(out)
}

/// Page `page` of the reports waiting for triage (every one without a page), oldest first,
/// with how many wait and how many pages they fill; that the account was shown them is
/// recorded.
pub async fn waiting(
    app: &Arc<App>,
    v: &Viewer,
    page: Option<usize>,
) -> Result<(Vec<Report>, usize, usize, usize), WebError> {
    let (reports, total, page, pages) = app
        .read(move |app, l| {
            let all = app.waiting(l)?;
            let total = all.len();
            Ok(match page {
                Some(page) => {
                    let (shown, page, pages) = vigilia_app::lists::paged(all.to_vec(), page);
                    (shown, total, page, pages)
                }
                None => (all.to_vec(), total, 1, 1),
            })
        })
        .await?;
    crate::reports::shown(app, v, &reports).await?;
    Ok((reports, total, page, pages))
}

/// A report waiting for triage with what it may be about: registered persons, and group
/// detentions of the same arrest.
#[derive(Clone, Debug, Serialize)]
pub struct Compared {
    pub report: Report,
    pub candidates: Vec<Candidate>,
    pub groups: Vec<GroupDetention>,
    /// Other reports waiting that name the same person.
    pub twins: Vec<Report>,
    /// The reports of the other people it named.
    pub named: Vec<Report>,
}

/// A report waiting for triage with the persons and groups it may be about; that the account
/// compared them (which persons it was shown) is recorded.
pub async fn compared(app: &Arc<App>, v: &Viewer, id: ReportId) -> Result<Compared, WebError> {
    let found = app
        .read(move |app, l| {
            let report = triage::report(l, id)?;
            let candidates = candidates(app, l, &report)?;
            let groups = triage::group_candidates(&app.groups(l)?, &report);
            let twins = triage::same_person_waiting(&app.waiting(l)?, &report);
            let named = triage::named_with(l, &report)?;
            Ok(Compared {
                report,
                candidates,
                groups,
                twins,
                named,
            })
        })
        .await?;
    let persons = found
        .candidates
        .iter()
        .map(|c| c.person.id.into())
        .collect();
    app.audit_read(&v.name, Audit::Compared, id.into(), persons, None)
        .await?;
    Ok(found)
}

/// The queue's address: a report just filed, and the page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    done: String,
    seal: String,
    /// As typed: a page that is not a number shows the first.
    page: String,
}

impl Queue {
    fn page_link(&self, page: usize) -> String {
        format!("/triage?page={page}")
    }

    fn total_u64(&self) -> u64 {
        self.total as u64
    }
}

#[derive(Template)]
#[template(path = "triage.html")]
struct Queue {
    p: Chrome,
    /// The page of the queue shown.
    reports: Vec<Report>,
    /// How many reports wait, and the page shown of how many.
    total: usize,
    page: usize,
    pages: usize,
    /// What was just done from a report's page: `accepted` (filed, with nowhere else to go
    /// back to) or `rejected`; sealed ([`crate::page::Done`]).
    done: String,
    /// Accounts made or given a role lately, for the coordinators to check.
    new_accounts: Vec<vigilia_app::accounts::NewAccount>,
    days: i64,
}

pub async fn queue(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Query(q): axum::extract::Query<QueueQuery>,
) -> Result<Response, WebError> {
    let (reports, total, page, pages) = waiting(
        &app,
        ctx.viewer()?,
        Some(q.page.trim().parse().unwrap_or(1)),
    )
    .await?;
    let days = vigilia_app::accounts::NEW_ACCOUNT_DAYS;
    let new_accounts = app
        .read(move |_, l| Ok(vigilia_app::accounts::new_accounts(l, days)?))
        .await?;
    Ok(ok(&Queue {
        p: Chrome::of(&ctx),
        reports,
        total,
        page,
        pages,
        done: crate::page::sealed(&app, &ctx, "/triage", &q.done, &q.seal).to_string(),
        new_accounts,
        days,
    }))
}

#[derive(Template)]
#[template(path = "triage_one.html")]
struct One {
    p: Chrome,
    r: Report,
    candidates: Vec<Candidate>,
    groups: Vec<GroupDetention>,
    twins: Vec<Report>,
    /// The other people this report named, each a report of its own.
    named: Vec<Report>,
    /// The accounts a report can be assigned to (active lawyers and coordinators).
    staff: Vec<(String, String)>,
    /// What was typed in the reject and assign forms, and their problems.
    reason: String,
    to: String,
    errors: Errors,
}

impl One {
    /// Whether the report still waits for a decision.
    fn is_new(&self) -> bool {
        self.r.status() == vigilia_core::model::ReportStatus::New
    }

    /// What accepting the report as new records, on its button: a new person, or (a report
    /// that names nobody, only how many were detained) a group detention without names.
    fn accept_words(&self) -> String {
        let details = self.r.details.clone().unwrap_or_default();
        match details.count {
            Some(1) if !details.names_someone() => self
                .p
                .t(
                    "Registrar la detención de una persona, sin su nombre",
                    "Record the detention of one person, without their name",
                )
                .to_string(),
            Some(n) if !details.names_someone() => match self.p.l {
                vigilia_core::lang::Lang::Es => {
                    format!(
                        "Registrar la detención de {} personas, sin nombres",
                        self.p.n(&u64::from(n))
                    )
                }
                vigilia_core::lang::Lang::En => {
                    format!(
                        "Record the detention of {} people, without names",
                        self.p.n(&u64::from(n))
                    )
                }
            },
            _ => self
                .p
                .t("Aceptar como persona nueva", "Accept as a new person")
                .to_string(),
        }
    }

    /// What attaching the report adds to `person`'s record, in words (none: nothing).
    fn fills(&self, person: &vigilia_core::model::Person) -> Option<String> {
        let filled = vigilia_app::triage::fills(&self.r, person);
        let said = vigilia_core::words::identity_said(&filled, self.p.l);
        (!said.is_empty()).then(|| said.join(", "))
    }

    /// The cédula the report gives that `person`'s record lacks, to add on their page.
    fn offers_national_id(&self, person: &vigilia_core::model::Person) -> Option<String> {
        vigilia_app::triage::offers_national_id(&self.r, person).map(|n| n.to_string())
    }

    /// Whether attaching the report to `person` narrows what may be published of them.
    fn narrows(&self, person: &vigilia_core::model::Person) -> bool {
        vigilia_app::triage::narrows(&self.r, person)
    }

    /// Whether the report asks that less be published of `person` but, not speaking for them,
    /// does not change it.
    fn asks_but_keeps(&self, person: &vigilia_core::model::Person) -> bool {
        vigilia_app::triage::asks_stricter(&self.r, person) && !self.narrows(person)
    }

    /// The report's birth date, when it cannot be a candidate's (no day in common: 1991
    /// against 04/03/1990; 1990 against 04/03/1990 can be).
    fn other_birth(
        &self,
        candidate: &Option<vigilia_core::date::PartialDate>,
    ) -> Option<vigilia_core::date::PartialDate> {
        let reported = self.r.details.as_ref()?.birth_date?;
        let theirs = (*candidate)?;
        (reported.certainly_before(&theirs) || theirs.certainly_before(&reported))
            .then_some(reported)
    }

    /// The report's sex, when it says another than a candidate's: shown beside the
    /// candidate's, so that a namesake (or a mistaken report) is seen before deciding.
    fn other_sex(
        &self,
        candidate: &Option<vigilia_core::model::Sex>,
    ) -> Option<vigilia_core::model::Sex> {
        let reported = self.r.details.as_ref()?.sex?;
        (Some(reported) != *candidate && candidate.is_some()).then_some(reported)
    }
}

/// A report's triage page, with its forms as typed.
async fn one(
    app: &Arc<App>,
    ctx: &Ctx,
    id: u64,
    reason: String,
    to: String,
    errors: Errors,
) -> Result<One, WebError> {
    let c = compared(app, ctx.viewer()?, ReportId(id)).await?;
    let l = ctx.lang;
    let staff = app
        .read(move |_, ledger| {
            let mut out = vec![(String::new(), "—".to_string())];
            ledger.fold_all(
                vigilia_core::ids::Kind::Account,
                vigilia_core::fold::KnownOn::NOW,
                &mut |r| {
                    if let Record::Account(a) = r
                        && a.revoked.is_none()
                        && a.password.is_some()
                        && matches!(
                            a.role,
                            vigilia_core::model::Role::Lawyer
                                | vigilia_core::model::Role::Coordinator
                        )
                    {
                        let (es, en) = a.role.words();
                        let role = if l == vigilia_core::lang::Lang::Es {
                            es
                        } else {
                            en
                        };
                        out.push((a.name.clone(), format!("{} ({role})", a.name)));
                    }
                },
            )?;
            Ok(out)
        })
        .await?;
    Ok(One {
        p: Chrome::of(ctx),
        r: c.report,
        candidates: c.candidates,
        groups: c.groups,
        twins: c.twins,
        named: c.named,
        staff,
        reason,
        to,
        errors,
    })
}

pub async fn show(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let page = one(
        &app,
        &ctx,
        id,
        String::new(),
        String::new(),
        Errors::default(),
    )
    .await?;
    Ok(ok(&page))
}

/// Where to go after accepting: the detention, or (a group without names) the group detention
/// report `id` was filed under.
async fn after(
    app: &Arc<App>,
    ctx: &Ctx,
    id: ReportId,
    d: Option<DetentionId>,
) -> Result<Response, WebError> {
    if let Some(d) = d {
        return Ok(back_saying(
            app,
            ctx,
            &format!("/detentions/{}", d.0),
            "accepted",
            "",
        ));
    }
    let group = app
        .read(move |_, l| match l.get(id.into())? {
            Some(vigilia_core::fold::Record::Report(r)) => Ok(r.group),
            _ => Ok(None),
        })
        .await?;
    Ok(match group {
        Some(g) => back_saying(app, ctx, &format!("/groups/{}", g.0), "accepted", ""),
        None => back_saying(app, ctx, "/triage", "accepted", ""),
    })
}

pub async fn accept_new(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let d = app
        .write(move |tx| triage::accept_new(tx, &actor, ReportId(id)))
        .await?;
    after(&app, &ctx, ReportId(id), d).await
}

#[derive(Deserialize, Default, Serialize)]
#[serde(default)]
pub struct AttachForm {
    pub person: Option<u64>,
    pub detention: Option<u64>,
    /// A group detention already registered: the report is another report of that arrest.
    pub group: Option<u64>,
}

pub async fn attach(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<AttachForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let to = AttachTo::chosen(f.person, f.detention, f.group)?;
    let d = app
        .write(move |tx| triage::attach(tx, &actor, ReportId(id), to))
        .await?;
    after(&app, &ctx, ReportId(id), d).await
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
    let actor = ctx.viewer()?.actor();
    let reason = f.reason.clone();
    let done = app
        .attempt(move |tx| triage::reject(tx, &actor, ReportId(id), &reason))
        .await?;
    if let Err(e) = done {
        let errors = crate::forms::mistake(&e, "reason");
        let page = one(&app, &ctx, id, f.reason, String::new(), errors).await?;
        return Ok(invalid(&page));
    }
    Ok(back_saying(&app, &ctx, "/triage", "rejected", ""))
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
    let actor = ctx.viewer()?.actor();
    let to = f.to.clone();
    let done = app
        .attempt(move |tx| triage::assign(tx, &actor, ReportId(id), &to))
        .await?;
    if let Err(e) = done {
        let errors = crate::forms::mistake(&e, "to");
        let page = one(&app, &ctx, id, String::new(), f.to, errors).await?;
        return Ok(invalid(&page));
    }
    Ok(see(&format!("/triage/{id}?assigned=1")))
}
