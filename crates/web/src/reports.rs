//! Volunteers' reports: an arrest or a group detention, with sources; each sees only the reports
//! they made or were assigned (coordinators see all).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use vigilia_core::fact::{Change, Draft};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{Kind, ReportId, SourceId};
use vigilia_core::model::{Channel, Reliability, Report, Role, Source};
use vigilia_ledger::Ledger;

use crate::app::App;
use crate::auth::{Ctx, Viewer};
use crate::error::WebError;
use crate::forms::{Incoming, ReportForm, line, states};
use crate::page::{Chrome, Errors, invalid, ok, see};

/// Whether this account may see this report: its reporter, its assignee, or a coordinator.
pub fn may_see(v: &Viewer, r: &Report) -> bool {
    v.role == Role::Coordinator
        || r.reporter.as_deref() == Some(v.name.as_str())
        || r.assigned_to.as_deref() == Some(v.name.as_str())
}

/// A report as this account may see it: the reporter's contact only for coordinators.
fn as_seen_by(v: &Viewer, mut r: Report) -> Report {
    if v.role != Role::Coordinator {
        r.contact = None;
    }
    r
}

/// The reports this account may see, newest first.
pub fn visible(ledger: &mut Ledger, v: &Viewer) -> Result<Vec<Report>, WebError> {
    let mut out = Vec::new();
    ledger.fold_all(Kind::Report, KnownOn::NOW, &mut |r| {
        if let Record::Report(r) = r
            && may_see(v, &r)
        {
            out.push(as_seen_by(v, r));
        }
    })?;
    out.reverse();
    Ok(out)
}

/// One report, if this account may see it (otherwise: refused, whether it exists or not).
pub fn one(ledger: &mut Ledger, v: &Viewer, id: u64) -> Result<Report, WebError> {
    match ledger.get(ReportId(id).into())? {
        Some(Record::Report(r)) if may_see(v, &r) => Ok(as_seen_by(v, r)),
        Some(Record::Report(_)) => Err(WebError::Forbidden),
        _ if v.role == Role::Coordinator => Err(WebError::NotFound),
        _ => Err(WebError::Forbidden),
    }
}

#[derive(Template)]
#[template(path = "reports.html")]
struct Mine {
    p: Chrome,
    reports: Vec<Report>,
}

pub async fn mine(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let reports = app.ledger(move |_, l| visible(l, &v)).await?;
    Ok(ok(&Mine {
        p: Chrome::of(&ctx),
        reports,
    }))
}

#[derive(Template)]
#[template(path = "report_form.html")]
struct NewReport {
    p: Chrome,
    f: ReportForm,
    errors: Errors,
    states: Vec<(String, String)>,
}

async fn form_page(
    app: &Arc<App>,
    ctx: &Ctx,
    f: ReportForm,
    errors: Errors,
) -> Result<Response, WebError> {
    let states = states(&app.profile, ctx.lang.pick("— no sé —", "— unknown —"));
    let page = NewReport {
        p: Chrome::of(ctx),
        f,
        errors,
        states,
    };
    Ok(if page.errors.is_empty() {
        ok(&page)
    } else {
        invalid(&page)
    })
}

pub async fn form(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    form_page(&app, &ctx, ReportForm::default(), Errors::default()).await
}

/// Checks and stores a report from a signed-in account.
pub async fn send(
    app: &Arc<App>,
    v: &Viewer,
    f: ReportForm,
) -> Result<Result<ReportId, Errors>, WebError> {
    let channel = if v.role == Role::Lawyer {
        Channel::Lawyer
    } else {
        Channel::Volunteer
    };
    app.inbox
        .receive(Incoming {
            form: f,
            channel,
            reporter: Some(v.name.clone()),
            receipt: None,
        })
        .await
}

pub async fn submit(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<ReportForm>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    match send(&app, &v, f.clone()).await? {
        Ok(id) if v.role == Role::Lawyer => Ok(see(&format!("/reports/new?sent={}", id.0))),
        Ok(id) => Ok(see(&format!("/reports/{}", id.0))),
        Err(errors) => form_page(&app, &ctx, f, errors).await,
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct Show {
    p: Chrome,
    r: Report,
    sources: Vec<Source>,
}

/// The sources attached to a report.
pub fn sources_of(ledger: &mut Ledger, report: ReportId) -> Result<Vec<Source>, WebError> {
    Ok(ledger
        .children(Kind::Source, report.0)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Source(s) => Some(s),
            _ => None,
        })
        .collect())
}

pub async fn show(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let (r, sources) = app
        .ledger(move |_, l| {
            let r = one(l, &v, id)?;
            let s = sources_of(l, r.id)?;
            Ok((r, s))
        })
        .await?;
    Ok(ok(&Show {
        p: Chrome::of(&ctx),
        r,
        sources,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SourceForm {
    title: String,
    link: String,
}

pub async fn add_source(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<SourceForm>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let mut e = Errors::default();
    let title = line(&mut e, "title", &f.title);
    let link = line(&mut e, "link", &f.link);
    if title.is_none() && link.is_none() {
        return Err(WebError::bad(
            "Escriba qué es la fuente o su enlace.",
            "Write what the source is or its link.",
        ));
    }
    if !e.is_empty() {
        return Err(WebError::bad(
            "Máximo 200 caracteres.",
            "At most 200 characters.",
        ));
    }
    app.ledger(move |_, l| {
        let r = one(l, &v, id)?;
        let today = l.today()?;
        let mut tx = l.begin()?;
        let s = SourceId(tx.new_id(Kind::Source));
        tx.append(Draft {
            recorded_on: today,
            actor: v.name.clone(),
            subject: s.into(),
            change: Change::SourceRecorded {
                title: title.unwrap_or_else(|| link.clone().unwrap_or_default()),
                reliability: Reliability::Unverified,
                report: Some(r.id),
                link,
            },
            sources: vec![],
        })?;
        tx.commit()?;
        Ok(())
    })
    .await?;
    Ok(see(&format!("/reports/{id}")))
}
