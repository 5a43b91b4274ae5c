//! Volunteers' reports: an arrest or a group detention, with sources; each sees only the reports
//! they made or were assigned (coordinators see all).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use vigilia_core::confidential::Field;
use vigilia_core::fact::Audit;
use vigilia_core::fold::Record;
use vigilia_core::ids::{ReportId, SourceId, Subject};
use vigilia_core::model::{Channel, Report, Role, Source};
use vigilia_ledger::Ledger;

use crate::app::App;
use crate::ctx::{Ctx, Viewer};
use crate::error::WebError;
use crate::forms::states;
use crate::page::{Chrome, Errors, invalid, ok, see};
use vigilia_app::intake::{self, Incoming, ReportForm};
use vigilia_app::{AppError, reports};

/// The reports this account may see, newest first, without contacts; that the account was
/// shown them is recorded before the answer is sent.
pub async fn listed(app: &Arc<App>, v: &Viewer) -> Result<Vec<Report>, WebError> {
    let actor = v.actor();
    let reports = app
        .read(move |_, l| Ok(reports::visible(l, &actor)?))
        .await?;
    shown(app, v, &reports).await?;
    Ok(reports)
}

/// Records that the account was shown a list of reports (not when it was empty).
pub async fn shown(app: &Arc<App>, v: &Viewer, reports: &[Report]) -> Result<(), WebError> {
    if reports.is_empty() {
        return Ok(());
    }
    let ids = reports.iter().map(|r| r.id.into()).collect();
    app.audit_read(&v.name, Audit::ListedReports, Subject::REGISTRY, ids, None)
        .await
}

/// One report, if this account may see it (otherwise: refused, whether it exists or not).
pub fn one(ledger: &mut Ledger, v: &Viewer, id: u64) -> Result<Report, WebError> {
    Ok(reports::one(ledger, &v.actor(), ReportId(id))?)
}

#[derive(Template)]
#[template(path = "reports.html")]
struct Mine {
    p: Chrome,
    reports: Vec<Report>,
    page: usize,
    pages: usize,
    total: usize,
}

impl Mine {
    fn page_link(&self, page: usize) -> String {
        format!("/reports?page={page}")
    }

    fn total_u64(&self) -> u64 {
        self.total as u64
    }
}

/// Reports a page lists.
const PAGE: usize = 50;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Paged {
    page: usize,
}

/// `GET /reports`: the reports this account may see, newest first, 50 a page; only the page
/// shown is recorded as seen.
pub async fn mine(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Query(q): axum::extract::Query<Paged>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?;
    let actor = v.actor();
    let all = app
        .read(move |_, l| Ok(reports::visible(l, &actor)?))
        .await?;
    let total = all.len();
    let pages = total.div_ceil(PAGE).max(1);
    let page = q.page.clamp(1, pages);
    let reports: Vec<Report> = all.into_iter().skip((page - 1) * PAGE).take(PAGE).collect();
    shown(&app, v, &reports).await?;
    Ok(ok(&Mine {
        p: Chrome::of(&ctx),
        reports,
        page,
        pages,
        total,
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
    let incoming = Incoming {
        form: f,
        channel,
        reporter: Some(v.name.clone()),
        receipt: None,
    };
    crate::forms::store(app, incoming, crate::forms::From::Account).await
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
    /// The reporter's contact, decrypted for a coordinator.
    contact: Option<String>,
    sources: Vec<Source>,
    /// The source form as sent, and what was wrong with it.
    f: SourceForm,
    errors: Errors,
}

async fn report_page(
    app: &Arc<App>,
    ctx: &Ctx,
    id: u64,
    f: SourceForm,
    errors: Errors,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let name = v.name.clone();
    let (r, contact, sources) = app
        .read(move |_, l| {
            let r = one(l, &v, id)?;
            let contact = match &r.contact {
                Some(c) => Some(l.reveal(r.id.into(), Field::Contact, c)?),
                None => None,
            };
            // Not the report itself, which triage made a source of what it recorded.
            let itself = format!("report:{}", r.id.0);
            let mut s = vigilia_app::records::sources_of(l, r.id)?;
            s.retain(|s| s.title != itself);
            Ok((r, contact, s))
        })
        .await?;
    app.audit(&name, r.id.into(), Audit::Viewed).await?;
    let page = Show {
        p: Chrome::of(ctx),
        r,
        contact,
        sources,
        f,
        errors,
    };
    Ok(if page.errors.is_empty() {
        ok(&page)
    } else {
        invalid(&page)
    })
}

pub async fn show(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    report_page(&app, &ctx, id, SourceForm::default(), Errors::default()).await
}

/// A source as typed: what it is, its link, and the file's name (the file itself cannot be
/// shown back: a browser never fills a file field).
#[derive(Clone, Debug, Default)]
pub struct SourceForm {
    title: String,
    link: String,
}

/// A field of a form sent with a file, without characters that are not text (as every other
/// form's, see `auth`).
fn text_only(text: String) -> String {
    vigilia_core::text::only_text(&text).into_owned()
}

/// Reads the source form, sent with or without a file.
async fn read_source(mut form: Multipart) -> Result<(SourceForm, Option<Vec<u8>>), WebError> {
    let unreadable = |_| {
        WebError::bad(
            "El formulario llegó incompleto.",
            "The form arrived incomplete.",
        )
    };
    let mut f = SourceForm::default();
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or_default() {
            "title" => f.title = text_only(field.text().await.map_err(unreadable)?),
            "link" => f.link = text_only(field.text().await.map_err(unreadable)?),
            "file" => {
                let bytes = field.bytes().await.map_err(unreadable)?;
                if !bytes.is_empty() {
                    file = Some(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    Ok((f, file))
}

pub async fn add_source(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    form: Multipart,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let (f, file) = read_source(form).await?;
    let actor = v.actor();
    let source = intake::SourceForm {
        title: f.title.clone(),
        link: f.link.clone(),
        file,
    };
    let added = app
        .write(move |tx| intake::add_source(tx, &actor, ReportId(id), &source))
        .await;
    match added {
        Err(WebError::App(AppError::Invalid(fields))) => {
            return report_page(&app, &ctx, id, f, crate::forms::errors_of(&fields)).await;
        }
        other => other?,
    };
    Ok(see(&format!("/reports/{id}")))
}

/// A source's file, for those who may see its report, and lawyers who see the case it was
/// matched to. Photos
/// open in the browser; documents are downloaded.
pub async fn source_file(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let name = v.name.clone();
    let (media_type, bytes) = app
        .read(move |_, l| {
            let Some(Record::Source(s)) = l.get(SourceId(id).into())? else {
                return Err(WebError::NotFound);
            };
            let report = match s.report {
                Some(r) => l.get(r.into())?,
                None => None,
            };
            let allowed = match &report {
                Some(Record::Report(r)) if reports::may_see(&v.actor(), r) => true,
                Some(Record::Report(r)) if v.role == Role::Lawyer => match r.matched_to {
                    Some(d) => crate::records::in_scope(l, &v, d.0).is_ok(),
                    None => false,
                },
                _ => false,
            };
            if !allowed {
                return Err(WebError::Forbidden);
            }
            let file = s.file.ok_or(WebError::NotFound)?;
            let found = l.file(&file.sha256)?.ok_or(WebError::NotFound)?;
            Ok(found)
        })
        .await?;
    app.audit(&name, SourceId(id).into(), Audit::FileOpened)
        .await?;
    let disposition = if media_type.starts_with("image/") {
        format!("inline; filename=\"fuente-{id}\"")
    } else {
        format!("attachment; filename=\"fuente-{id}.pdf\"")
    };
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
