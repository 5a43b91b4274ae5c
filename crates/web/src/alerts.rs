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
use vigilia_app::submissions::Element;
use vigilia_core::fact::Audit;
use vigilia_core::ids::Subject;
use vigilia_core::lang::Localize;
use vigilia_core::profile::Deadline;
use vigilia_count::when::When;

use crate::app::App;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, Errors, ok};

/// The most alerts of one kind a page lists (the count says how many there are).
const SHOWN: usize = 100;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Asked {
    as_of: String,
    known_on: String,
    /// One kind only (`presentation_overdue`, `whereabouts_unknown`), read a page at a time.
    kind: String,
    page: String,
}

impl Asked {
    /// This page's address for one kind and page, the days kept.
    fn link(&self, kind: AlertKind, page: usize) -> String {
        let kind = kind.name();
        let page = page.to_string();
        let pairs = [
            ("as_of", self.as_of.as_str()),
            ("known_on", self.known_on.as_str()),
            ("kind", kind),
            ("page", page.as_str()),
        ];
        let pairs: Vec<_> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
        format!(
            "/alerts?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

/// One kind of alert as the page shows it: its name, its rule, how many, and the first ones.
struct Section {
    kind: AlertKind,
    title: String,
    rule: Option<Deadline>,
    total: usize,
    alerts: Vec<Alert>,
    /// The page shown and how many there are, when one kind is read a page at a time.
    page: usize,
    pages: usize,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    p: Chrome,
    when: When,
    asked: Asked,
    sections: Vec<Section>,
    shown: usize,
    /// The days typed wrong, beside their fields.
    errors: Errors,
}

impl AlertsPage {
    fn link(&self, kind: &AlertKind, page: usize) -> String {
        self.asked.link(*kind, page)
    }

    /// What the day column of a kind says.
    fn since_label(&self, kind: &AlertKind) -> &'static str {
        let (es, en) = match kind {
            AlertKind::WhereaboutsUnknown => ("Desaparecida desde", "Missing since"),
            AlertKind::Hearing => ("Audiencia del", "Hearing on"),
            AlertKind::MeasureDue => ("Le toca presentarse el", "Due to report on"),
            AlertKind::FacilityStale => ("Informe vencido desde", "Report due since"),
            _ => ("Plazo vencido el", "Deadline passed on"),
        };
        self.p.t(es, en)
    }

    /// How many days, in words: ahead ("en 3 días", "en 1 día"), today, or past ("hace 2
    /// días" for a hearing; a number of days for a deadline run out).
    fn days(&self, a: &Alert) -> String {
        let n = self.p.n(&a.days.unsigned_abs());
        let unit = if a.days.abs() == 1 {
            self.p.t("día", "day")
        } else {
            self.p.t("días", "days")
        };
        match a.days {
            0 => self.p.t("hoy", "today").to_string(),
            d if d < 0 => format!("{} {n} {unit}", self.p.t("en", "in")),
            _ if a.kind == AlertKind::Hearing => match self.p.l {
                vigilia_core::lang::Lang::Es => format!("hace {n} {unit}"),
                vigilia_core::lang::Lang::En => format!("{n} {unit} ago"),
            },
            _ => n,
        }
    }

    /// What starts a deadline, in the reader's language where the profile says it.
    fn starts<'a>(&self, r: &'a Deadline) -> &'a str {
        self.p
            .t(&r.starts, r.starts_en.as_deref().unwrap_or(&r.starts))
    }

    fn stops<'a>(&self, r: &'a Deadline) -> &'a str {
        self.p
            .t(&r.stops, r.stops_en.as_deref().unwrap_or(&r.stops))
    }
}

pub async fn show(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(asked): Query<Asked>,
) -> Result<Response, WebError> {
    let v = ctx.viewer()?.clone();
    let (actor, a) = (v.actor(), (asked.as_of.clone(), asked.known_on.clone()));
    // The days as people type them; a mistake is said beside its field, the page kept.
    let (when, found, errors) = app
        .read(move |app, ledger| {
            let (when, errors) = crate::forms::when(&a.0, &a.1, ledger.today()?);
            if !errors.is_empty() {
                return Ok((when, Vec::new(), errors));
            }
            let index = app.counting(ledger)?;
            let found = alerts::alerts(ledger, &index, &actor, when.as_of, when.known_on)?;
            Ok((when, found, errors))
        })
        .await?;
    let l = ctx.lang;
    let one = AlertKind::from_name(&asked.kind);
    let sections: Vec<Section> = AlertKind::ALL
        .into_iter()
        .filter(|k| one.is_none_or(|o| o == *k))
        .map(|kind| {
            let of: Vec<Alert> = found.iter().filter(|a| a.kind == kind).cloned().collect();
            let total = of.len();
            // One kind: a page at a time; both: the first of each, with a way to see all.
            let (alerts, page, pages) = match one {
                Some(_) => vigilia_app::lists::paged(of, asked.page.trim().parse().unwrap_or(1)),
                None => (of.into_iter().take(SHOWN).collect(), 1, 1),
            };
            Section {
                kind,
                title: kind.localize(l),
                rule: alerts::rule(&app.profile, kind).cloned(),
                total,
                alerts,
                page,
                pages,
            }
        })
        .collect();
    // The names shown, recorded before the page is sent.
    let listed: Vec<Subject> = sections
        .iter()
        .flat_map(|s| s.alerts.iter().filter_map(|a| a.detention.map(Into::into)))
        .collect();
    if !listed.is_empty() {
        app.audit_read(&v.name, Audit::Listed, Subject::REGISTRY, listed, None)
            .await?;
    }
    let page = AlertsPage {
        p: Chrome::of(&ctx),
        when,
        asked,
        sections,
        shown: SHOWN,
        errors,
    };
    Ok(if page.errors.is_empty() {
        ok(&page)
    } else {
        crate::page::invalid(&page)
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Drafting {
    family_steps: String,
    submitter: String,
}

#[derive(Template)]
#[template(path = "urgent.html")]
struct UrgentPage {
    p: Chrome,
    id: u64,
    /// Whom the drafts are for.
    name: String,
    f: Drafting,
    /// The drafts (habeas corpus, urgent action), or what is missing, once asked.
    drafts: Option<(String, Option<String>)>,
    missing: Vec<String>,
    /// The fields the lawyer must fill, when they were left empty.
    errors: crate::page::Errors,
}

/// The person a detention is of, if the account sees it.
pub(crate) async fn whom(app: &Arc<App>, ctx: &Ctx, id: u64) -> Result<String, WebError> {
    let actor = ctx.viewer()?.actor();
    app.read(move |_, l| {
        let d = vigilia_app::records::in_scope(l, &actor, vigilia_core::ids::DetentionId(id))?;
        Ok(match l.get(d.person.into())? {
            Some(vigilia_core::fold::Record::Person(p)) => p.identity.full_name(),
            _ => String::new(),
        })
    })
    .await
}

/// `GET /detentions/{id}/urgent`: the form for the drafts of a habeas corpus request and of an
/// urgent action to the UN Working Group, for a person whose whereabouts are unknown.
pub async fn urgent_form(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Path(id): axum::extract::Path<u64>,
) -> Result<Response, WebError> {
    let name = whom(&app, &ctx, id).await?;
    // The person's name is shown: the view is recorded before the page is sent.
    let v = ctx.viewer()?;
    app.audit(
        &v.name,
        vigilia_core::ids::DetentionId(id).into(),
        Audit::Viewed,
    )
    .await?;
    Ok(ok(&UrgentPage {
        p: Chrome::of(&ctx),
        id,
        name,
        f: Drafting::default(),
        drafts: None,
        missing: Vec::new(),
        errors: crate::page::Errors::default(),
    }))
}

/// `POST /detentions/{id}/urgent`: the drafts, from the record and what the lawyer adds (sent
/// in the body, never in the address: the family's steps and the lawyer's contact stay out of
/// logs and history); refused, naming each missing element, when one is missing.
pub async fn urgent(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Path(id): axum::extract::Path<u64>,
    axum::Form(f): axum::Form<Drafting>,
) -> Result<Response, WebError> {
    let (steps, by) = (f.family_steps.clone(), f.submitter.clone());
    let field = |e| match e {
        Element::FamilySteps => Some("family_steps"),
        Element::Submitter => Some("submitter"),
        _ => None,
    };
    let d = crate::submissions::drafted(
        &app,
        &ctx,
        id,
        Audit::DraftedUrgentAction,
        field,
        move |l, actor, id| vigilia_app::submissions::urgent_action(l, actor, id, &steps, &by),
    )
    .await?;
    let crate::submissions::Drafted {
        name,
        made: drafts,
        missing,
        errors,
    } = d;
    let page = UrgentPage {
        p: Chrome::of(&ctx),
        id,
        name,
        f,
        drafts,
        missing,
        errors,
    };
    Ok(if page.missing.is_empty() {
        ok(&page)
    } else {
        crate::page::invalid(&page)
    })
}
