//! The team, for coordinators: the lawyers (with the states whose cases each one sees) and the
//! volunteers; a lawyer's states are set here, and anyone's access restored from here
//! (`/accounts/{id}/access`). The use cases are `vigilia_app::accounts`.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::Response;
use vigilia_app::accounts;
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{AccountId, Kind};
use vigilia_core::model::{Account, Role};

use crate::app::App;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, Errors, invalid, ok};

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    p: Chrome,
    /// The active lawyers and volunteers, by role and name.
    team: Vec<Account>,
    /// The profile's states: code and name.
    states: Vec<(String, String)>,
    /// The lawyer whose states were just saved, and the form of one sent back with its
    /// problem.
    saved: Option<u64>,
    errors: Errors,
    failed: Option<u64>,
}

impl TeamPage {
    /// Whether this member's form came back with a problem.
    fn failed_here(&self, a: &Account) -> bool {
        self.failed == Some(a.id.0)
    }

    fn saved_here(&self, a: &Account) -> bool {
        self.saved == Some(a.id.0)
    }
}

async fn page(
    app: &Arc<App>,
    ctx: &Ctx,
    saved: Option<u64>,
    errors: Errors,
    failed: Option<u64>,
) -> Result<Response, WebError> {
    let mut team = app
        .read(|_, l| {
            let mut out = Vec::new();
            l.fold_all(Kind::Account, KnownOn::NOW, &mut |r| {
                if let Record::Account(a) = r
                    && a.revoked.is_none()
                    && accounts::may_manage(Role::Coordinator, a.role)
                {
                    out.push(a);
                }
            })?;
            Ok(out)
        })
        .await?;
    team.sort_by_key(|a| (a.role != Role::Lawyer, vigilia_core::text::fold(&a.name)));
    let page = TeamPage {
        p: Chrome::of(ctx),
        team,
        states: crate::forms::states(&app.profile, "")
            .into_iter()
            .filter(|(code, _)| !code.is_empty())
            .collect(),
        saved,
        errors,
        failed,
    };
    Ok(if failed.is_some() {
        invalid(&page)
    } else {
        ok(&page)
    })
}

pub async fn show(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(d): Query<crate::page::Done>,
) -> Result<Response, WebError> {
    let saved = d.said(&app, &ctx, "/team").parse().ok();
    page(&app, &ctx, saved, Errors::default(), None).await
}

/// Sets the states whose cases a lawyer sees: the boxes ticked (`state`, repeated), or, with
/// none ticked, every state when `scope=all` was chosen.
pub async fn states(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| WebError::bad("Formulario ilegible.", "Unreadable form."))?;
    let every = pairs.iter().any(|(k, v)| k == "scope" && v == "all");
    let chosen: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "state")
        .map(|(_, v)| v)
        .collect();
    let me = ctx.viewer()?.actor();
    let done = app
        .attempt(move |tx| accounts::set_lawyer_states(tx, &me, AccountId(id), every, &chosen))
        .await?;
    match done {
        Ok(_) => Ok(crate::page::back_saying(
            &app,
            &ctx,
            "/team",
            &id.to_string(),
            &format!("#member-{id}"),
        )),
        Err(e) => {
            let errors = crate::forms::mistake(&e, "state");
            page(&app, &ctx, None, errors, Some(id)).await
        }
    }
}
