//! Merging two records of one person, for coordinators: the two side by side with what differs
//! marked, the consent to publish chosen when they disagree, a confirmation, and the way back
//! (split). The use cases are `vigilia_app::merges`.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use vigilia_app::merges::{self, Comparison};
use vigilia_core::fact::Audit;
use vigilia_core::ids::PersonId;
use vigilia_core::lang::Localize;
use vigilia_core::model::Disclosure;

use crate::app::App;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, Errors, back_saying, invalid, ok};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MergeForm {
    /// The other person's number: the one that stays.
    into: String,
    reason: String,
    /// The consent that stands, when the two disagree.
    consent: String,
}

#[derive(Template)]
#[template(path = "merge.html")]
struct MergePage {
    p: Chrome,
    c: Comparison,
    f: MergeForm,
    errors: Errors,
    consents: Vec<(String, String)>,
}

/// The other person as typed: their number (`12`, `#12`) or the organisation's reference
/// (`P-0010504`), as their page shows them; `None` when no person is found so.
async fn other(app: &Arc<App>, typed: &str) -> Result<Option<u64>, WebError> {
    let typed = typed.trim().trim_start_matches('#').to_string();
    if let Ok(n) = typed.parse::<u64>() {
        return Ok(Some(n));
    }
    if typed.is_empty() {
        return Ok(None);
    }
    // As typed, or in the normal form references are kept in (`P‑12` with another dash).
    let normal = vigilia_core::text::normal_reference(&typed);
    app.read(move |_, l| {
        for reference in [&typed, &normal] {
            if let Some(vigilia_core::fold::Record::Person(p)) =
                l.by_reference(vigilia_core::ids::Kind::Person, reference)?
            {
                return Ok(Some(p.id.0));
            }
        }
        Ok(None)
    })
    .await
}

/// The person page again, with the person to compare with as typed and why it was not found.
async fn not_found(
    app: &Arc<App>,
    ctx: &Ctx,
    id: u64,
    typed: String,
) -> Result<Response, WebError> {
    let mut errors = Errors::default();
    errors.add(
        "into",
        "No hay ninguna persona con ese número o esa referencia: cópielo de su ficha (Número).",
        "There is no person with that number or reference: copy it from their page (Number).",
    );
    let typed = crate::records::PersonTyped {
        into: typed,
        ..Default::default()
    };
    crate::records::person_page(app, ctx, id, None, errors, typed).await
}

async fn page(
    app: &Arc<App>,
    ctx: &Ctx,
    id: u64,
    f: MergeForm,
    errors: Errors,
) -> Result<MergePage, WebError> {
    let v = ctx.viewer()?.clone();
    let into = other(app, &f.into).await?.ok_or(WebError::NotFound)?;
    let actor = v.actor();
    let c = app
        .read(move |_, l| Ok(merges::compare(l, &actor, PersonId(id), PersonId(into))?))
        .await?;
    // Both records were shown: each view is recorded before the page is sent.
    for person in [id, into] {
        app.audit(&v.name, PersonId(person).into(), Audit::Viewed)
            .await?;
    }
    let l = ctx.lang;
    Ok(MergePage {
        p: Chrome::of(ctx),
        consents: Disclosure::ALL
            .into_iter()
            .map(|d| (d.name().to_string(), d.localize(l)))
            .collect(),
        c,
        f,
        errors,
    })
}

/// `GET /persons/{id}/merge?into=N`: person `id` and person N side by side, and the form that
/// merges `id` into N.
pub async fn compare(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Query(f): Query<MergeForm>,
) -> Result<Response, WebError> {
    let exists = match other(&app, &f.into).await? {
        Some(n) => {
            app.read(move |_, l| Ok(l.get(vigilia_core::ids::PersonId(n).into())?.is_some()))
                .await?
        }
        None => false,
    };
    if !exists {
        return not_found(&app, &ctx, id, f.into).await;
    }
    Ok(ok(&page(&app, &ctx, id, f, Errors::default()).await?))
}

/// Merges person `id` into the other, once confirmed with a reason (and the consent that
/// stands, when theirs differ); a mistake comes back beside its field with what was typed.
pub async fn merge(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<MergeForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let Some(into) = other(&app, &f.into).await? else {
        return not_found(&app, &ctx, id, f.into).await;
    };
    let consent = Disclosure::from_name(f.consent.trim());
    let reason = f.reason.clone();
    let done = app
        .attempt(move |tx| {
            merges::merge(tx, &actor, PersonId(id), PersonId(into), &reason, consent)
        })
        .await?;
    let errors = match done {
        Ok(()) => {
            return Ok(back_saying(
                &app,
                &ctx,
                &format!("/persons/{into}"),
                "merged",
                "",
            ));
        }
        Err(e) => crate::forms::mistake(&e, "reason"),
    };
    Ok(invalid(&page(&app, &ctx, id, f, errors).await?))
}

/// Splits a person merged by mistake (saying why).
pub async fn unmerge(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Form(f): Form<MergeForm>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.actor();
    let reason = f.reason.clone();
    let done = app
        .attempt(move |tx| merges::unmerge(tx, &actor, PersonId(id), &reason))
        .await?;
    match done {
        Ok(false) => Ok(back_saying(
            &app,
            &ctx,
            &format!("/persons/{id}"),
            "split",
            "",
        )),
        Ok(true) => Ok(back_saying(
            &app,
            &ctx,
            &format!("/persons/{id}"),
            "split_stricter",
            "",
        )),
        Err(e) => {
            let errors = crate::forms::mistake(&e, "reason");
            let typed = crate::records::PersonTyped {
                reason: f.reason,
                ..Default::default()
            };
            crate::records::person_page(&app, &ctx, id, None, errors, typed).await
        }
    }
}
