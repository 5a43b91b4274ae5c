//! Group detentions ("47 detenidos en la marcha, 8 identificados"): their page, with the event,
//! the people identified, the reports filed under it and the count's corrections; and the
//! coordinator's correction of the count.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use vigilia_app::records::{self, GroupPage};
use vigilia_core::fact::Audit;
use vigilia_core::ids::GroupId;

use crate::app::App;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, Errors, invalid, ok, see};

#[derive(Template)]
#[template(path = "group.html")]
struct Group {
    p: Chrome,
    g: GroupPage,
    count: String,
    reason: String,
    errors: Errors,
    /// A report was just filed under it (`?done=accepted`, sealed).
    accepted: bool,
}

/// The group's page as it stands, with the correction form as typed.
async fn page(
    app: &Arc<App>,
    ctx: &Ctx,
    id: u64,
    count: String,
    reason: String,
    errors: Errors,
) -> Result<Group, WebError> {
    let v = ctx.viewer()?;
    let actor = v.actor();
    let g = app
        .read(move |_, l| Ok(records::group(l, &actor, GroupId(id))?))
        .await?;
    // Its page names its members: who was shown which is recorded, as for any list of names.
    let shown = g.members.iter().map(|m| m.detention.id.into()).collect();
    app.audit_read(&v.name, Audit::Viewed, GroupId(id).into(), shown, None)
        .await?;
    Ok(Group {
        accepted: false,
        p: Chrome::of(ctx),
        g,
        count,
        reason,
        errors,
    })
}

pub async fn show(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    axum::extract::Query(d): axum::extract::Query<crate::page::Done>,
) -> Result<Response, WebError> {
    let mut group = page(
        &app,
        &ctx,
        id,
        String::new(),
        String::new(),
        Errors::default(),
    )
    .await?;
    group.accepted = d.said(&app, &ctx, &format!("/groups/{id}")) == "accepted";
    Ok(ok(&group))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CountForm {
    count: String,
    reason: String,
}

/// A coordinator corrects how many people the group counts, saying why; a problem comes back
/// beside its field with what was typed.
pub async fn correct(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<CountForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let (count, reason) = (f.count.clone(), f.reason.clone());
    let done = app
        .attempt(move |tx| records::correct_group_count(tx, &actor, GroupId(id), &count, &reason))
        .await?;
    let errors = match done {
        Ok(()) => return Ok(see(&format!("/groups/{id}"))),
        Err(e) => crate::forms::mistake(&e, "reason"),
    };
    Ok(invalid(
        &page(&app, &ctx, id, f.count, f.reason, errors).await?,
    ))
}
