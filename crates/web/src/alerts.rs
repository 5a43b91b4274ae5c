//! What to do today (`/alerts`), for coordinators and lawyers: the people not brought before a
//! judge in time and the people whose whereabouts are unknown, among the cases the account
//! sees, for any day and as known on any day. The use case is `vigilia_app::alerts`.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use vigilia_app::alerts::{self, Alert, AlertKind};
use vigilia_core::fact::Audit;
use vigilia_core::ids::Subject;
use vigilia_core::lang::Localize;
use vigilia_core::profile::Deadline;
use vigilia_count::when::When;

use crate::app::App;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, ok};

/// The most alerts of one kind a page lists (the count says how many there are).
const SHOWN: usize = 100;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Asked {
    as_of: String,
    known_on: String,
}

/// One kind of alert as the page shows it: its name, its rule, how many, and the first ones.
struct Section {
    kind: AlertKind,
    title: String,
    rule: Option<Deadline>,
    total: usize,
    alerts: Vec<Alert>,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    p: Chrome,
    when: When,
    asked: Asked,
    sections: Vec<Section>,
    shown: usize,
}

pub async fn show(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(asked): Query<Asked>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let (actor, a) = (v.actor(), (asked.as_of.clone(), asked.known_on.clone()));
    let (when, found) = app
        .read(move |app, ledger| {
            let when = When::parse(ledger.today()?, Some(&a.0), Some(&a.1), None)?;
            let index = app.counting(ledger)?;
            let found = alerts::alerts(ledger, &index, &actor, when.as_of, when.known_on)?;
            Ok((when, found))
        })
        .await?;
    let l = ctx.lang;
    let sections: Vec<Section> = [
        AlertKind::WhereaboutsUnknown,
        AlertKind::PresentationOverdue,
    ]
    .into_iter()
    .map(|kind| {
        let of: Vec<Alert> = found.iter().filter(|a| a.kind == kind).cloned().collect();
        Section {
            kind,
            title: kind.localize(l),
            rule: alerts::rule(&app.profile, kind).cloned(),
            total: of.len(),
            alerts: of.into_iter().take(SHOWN).collect(),
        }
    })
    .collect();
    // The names shown, recorded before the page is sent.
    let listed: Vec<Subject> = sections
        .iter()
        .flat_map(|s| s.alerts.iter().map(|a| a.detention.into()))
        .collect();
    if !listed.is_empty() {
        app.audit_read(&v.name, Audit::Listed, Subject::REGISTRY, listed, None)
            .await?;
    }
    Ok(ok(&AlertsPage {
        p: Chrome::of(&ctx),
        when,
        asked,
        sections,
        shown: SHOWN,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Drafting {
    family_steps: String,
    submitter: String,
    /// Sent: draft now.
    draft: String,
}

#[derive(Template)]
#[template(path = "urgent.html")]
struct UrgentPage {
    p: Chrome,
    id: u64,
    f: Drafting,
    /// The drafts (habeas corpus, urgent action), or what is missing, once asked.
    drafts: Option<(String, String)>,
    missing: Vec<String>,
}

/// `/detentions/{id}/urgent`: drafts of a habeas corpus request and of an urgent action to the
/// UN Working Group for a person whose whereabouts are unknown, from the record and what the
/// lawyer adds; refused, naming each missing element, when one is missing.
pub async fn urgent(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Path(id): axum::extract::Path<u64>,
    Query(f): Query<Drafting>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let (mut drafts, mut missing) = (None, Vec::new());
    if !f.draft.is_empty() {
        let (actor, steps, by) = (v.actor(), f.family_steps.clone(), f.submitter.clone());
        let made = app
            .read(move |_, l| {
                let id = vigilia_core::ids::DetentionId(id);
                Ok(alerts::urgent_action(l, &actor, id, &steps, &by)?)
            })
            .await?;
        app.audit(
            &v.name,
            vigilia_core::ids::DetentionId(id).into(),
            Audit::Viewed,
        )
        .await?;
        match made {
            Ok(d) => drafts = Some(d),
            Err(m) => missing = m.iter().map(|e| e.localize(ctx.lang)).collect(),
        }
    }
    Ok(ok(&UrgentPage {
        p: Chrome::of(&ctx),
        id,
        f,
        drafts,
        missing,
    }))
}
