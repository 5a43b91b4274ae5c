//! The balance: figures with every breakdown and the revolving-door chart, for any as-of and
//! known-on dates; the list behind a figure; publishing; and the public page of published
//! balances (aggregate figures only: no names, whatever their disclosure level).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use vigilia_core::date::{Day, parse_day};
use vigilia_core::fact::{Change, Draft, Publication};
use vigilia_core::fold::{KnownOn, PublishedBalance, Record};
use vigilia_core::ids::{DetentionId, Kind, PublicationId};
use vigilia_core::lang::Localize;
use vigilia_core::model::Role;
use vigilia_count::Balance;
use vigilia_count::list::{Selector, behind};
use vigilia_count::series::{Every, series};
use vigilia_ledger::Ledger;

use crate::app::App;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, number, ok, see};

/// The dates asked, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct When {
    pub as_of: String,
    pub known_on: String,
    pub since: String,
    pub list: String,
}

/// The dates, read: as of (today by default), known on (now by default), since (a week before).
pub fn dates(ledger: &mut Ledger, w: &When) -> Result<(Day, KnownOn, Day), WebError> {
    let today = ledger.today()?;
    let day = |name: &str, text: &str| -> Result<Option<Day>, WebError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let d = parse_day(text.trim()).map_err(|e| {
            WebError::bad(
                format!("{name}: {}", e.localize(vigilia_core::lang::Lang::Es)),
                format!("{name}: {}", e.localize(vigilia_core::lang::Lang::En)),
            )
        })?;
        if d > today {
            return Err(WebError::bad(
                format!("{name}: {d} es posterior a hoy ({today})"),
                format!("{name}: {d} is after today ({today})"),
            ));
        }
        Ok(Some(d))
    };
    let as_of = day("as_of", &w.as_of)?.unwrap_or(today);
    let known_on = KnownOn(day("known_on", &w.known_on)?);
    let since = match day("since", &w.since)? {
        Some(s) if s < as_of => s,
        Some(_) => {
            return Err(WebError::bad(
                "since debe ser anterior a as_of",
                "since must be before as_of",
            ));
        }
        None => as_of
            .checked_sub(jiff::Span::new().days(7))
            .unwrap_or(as_of),
    };
    Ok((as_of, known_on, since))
}

/// The balance for these dates, from the counting index kept warm.
pub fn compute(app: &App, ledger: &mut Ledger, w: &When) -> Result<Balance, WebError> {
    let (as_of, known_on, since) = dates(ledger, w)?;
    let index = app.counting(ledger)?;
    let mut b = vigilia_count::balance(&index, as_of, known_on, since);
    b.ledger_head = ledger.head()?.hash.to_string();
    Ok(b)
}

/// A year of weekly steps up to `as_of`, drawn.
fn chart(
    app: &App,
    ledger: &mut Ledger,
    as_of: Day,
    known_on: KnownOn,
    l: vigilia_core::lang::Lang,
) -> Result<String, WebError> {
    let index = app.counting(ledger)?;
    let from = as_of
        .checked_sub(jiff::Span::new().days(364))
        .unwrap_or(as_of);
    let rows = series(&index, from, as_of, Every::Week, &[], known_on);
    vigilia_count::chart::revolving_door(&rows, l).map_err(WebError::Internal)
}

/// One breakdown table: a dimension and its values with their counts.
pub type Breakdown = (String, Vec<(String, String)>);

fn breakdowns(l: vigilia_core::lang::Lang, b: &Balance) -> Vec<Breakdown> {
    b.political_prisoners
        .by
        .iter()
        .map(|(dim, values)| {
            (
                dim.to_string(),
                values
                    .iter()
                    .map(|(v, n)| (v.clone(), number(l, *n)))
                    .collect(),
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "balance.html")]
struct BalancePage {
    p: Chrome,
    w: When,
    b: Balance,
    breakdowns: Vec<Breakdown>,
    chart: String,
    list: Vec<(u64, String, String)>,
    listed: bool,
}

pub async fn current(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(w): Query<When>,
) -> Result<Response, WebError> {
    let l = ctx.lang;
    let w2 = w.clone();
    let (b, svg) = app
        .ledger(move |app, ledger| {
            let b = compute(app, ledger, &w2)?;
            let (as_of, known_on, _) = dates(ledger, &w2)?;
            let svg = chart(app, ledger, as_of, known_on, l)?;
            Ok((b, svg))
        })
        .await?;
    Ok(ok(&BalancePage {
        p: Chrome::of(&ctx),
        breakdowns: breakdowns(l, &b),
        w,
        b,
        chart: svg,
        list: Vec::new(),
        listed: false,
    }))
}

/// The detentions behind a figure; names only for roles that see cases (per-field rule).
pub async fn list(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(w): Query<When>,
) -> Result<Response, WebError> {
    let l = ctx.lang;
    let names = ctx.has(&[Role::Coordinator, Role::Lawyer]);
    let w2 = w.clone();
    let (b, rows) = app
        .ledger(move |app, ledger| {
            let selector = Selector::parse(w2.list.trim()).map_err(|e| {
                WebError::bad(
                    e.localize(vigilia_core::lang::Lang::Es),
                    e.localize(vigilia_core::lang::Lang::En),
                )
            })?;
            let b = compute(app, ledger, &w2)?;
            let (as_of, known_on, _) = dates(ledger, &w2)?;
            let index = app.counting(ledger)?;
            let mut rows = Vec::new();
            for id in behind(&index, as_of, known_on, &selector)
                .into_iter()
                .take(2000)
            {
                if let Some(Record::Detention(d)) = ledger.get(DetentionId(id).into())? {
                    let name = if names {
                        match ledger.get(d.person.into())? {
                            Some(Record::Person(p)) => p.identity.full_name(),
                            _ => String::new(),
                        }
                    } else {
                        String::new()
                    };
                    rows.push((id, name, d.arrest.date.to_string()));
                }
            }
            Ok((b, rows))
        })
        .await?;
    Ok(ok(&BalancePage {
        p: Chrome::of(&ctx),
        breakdowns: breakdowns(l, &b),
        w,
        b,
        chart: String::new(),
        list: rows,
        listed: true,
    }))
}

/// Publishes the balance for these dates: a fact holding its figures exactly as computed.
pub fn publish_in(app: &App, ledger: &mut Ledger, w: &When, actor: &str) -> Result<u64, WebError> {
    let b = compute(app, ledger, w)?;
    let (as_of, known_on, since) = dates(ledger, w)?;
    let head = ledger.head()?;
    let today = ledger.today()?;
    let publication = Publication {
        rules: b.rules.to_string(),
        as_of,
        known_on: known_on.0,
        since,
        ledger_seq: head.facts,
        ledger_head: head.hash.to_string(),
        figures: serde_json::to_string_pretty(&b).unwrap_or_default(),
    };
    let mut tx = ledger.begin()?;
    let id = PublicationId(tx.new_id(Kind::Publication));
    tx.append(Draft {
        recorded_on: today,
        actor: actor.to_string(),
        subject: id.into(),
        change: Change::BalancePublished(publication),
        sources: vec![],
    })?;
    tx.commit()?;
    Ok(id.0)
}

pub async fn publish(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Form(w): Form<When>,
) -> Result<Response, WebError> {
    let actor = ctx.viewer()?.name.clone();
    let id = app
        .ledger(move |app, l| publish_in(app, l, &w, &actor))
        .await?;
    Ok(see(&format!("/public/{id}")))
}

pub fn publications(ledger: &mut Ledger) -> Result<Vec<PublishedBalance>, WebError> {
    let mut out = Vec::new();
    ledger.fold_all(Kind::Publication, KnownOn::NOW, &mut |r| {
        if let Record::Publication(p) = r {
            out.push(p);
        }
    })?;
    out.reverse();
    Ok(out)
}

#[derive(Template)]
#[template(path = "public.html")]
struct Public {
    p: Chrome,
    list: Vec<PublishedBalance>,
}

pub async fn public_list(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let list = app.ledger(|_, l| publications(l)).await?;
    Ok(ok(&Public {
        p: Chrome::of(&ctx),
        list,
    }))
}

#[derive(Template)]
#[template(path = "public_one.html")]
struct PublicOne {
    p: Chrome,
    pb: PublishedBalance,
    prisoners: String,
    held: String,
    breakdowns: Vec<Breakdown>,
    chart: String,
}

pub async fn public_one(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let l = ctx.lang;
    let (pb, svg) = app
        .ledger(move |app, ledger| {
            let Some(Record::Publication(pb)) = ledger.get(PublicationId(id).into())? else {
                return Err(WebError::NotFound);
            };
            let svg = chart(
                app,
                ledger,
                pb.publication.as_of,
                KnownOn(Some(pb.published_on)),
                l,
            )?;
            Ok((pb, svg))
        })
        .await?;
    let figures: serde_json::Value =
        serde_json::from_str(&pb.publication.figures).unwrap_or_default();
    let at = |k: &str| {
        figures
            .get(k)
            .and_then(|f| f.get("total"))
            .and_then(|n| n.as_u64())
            .map(|n| number(l, n))
            .unwrap_or_default()
    };
    let breakdowns = figures
        .get("political_prisoners")
        .and_then(|f| f.get("by"))
        .and_then(|b| b.as_object())
        .map(|by| {
            by.iter()
                .map(|(dim, values)| {
                    (
                        dim.clone(),
                        values
                            .as_object()
                            .map(|v| {
                                v.iter()
                                    .map(|(k, n)| (k.clone(), number(l, n.as_u64().unwrap_or(0))))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ok(&PublicOne {
        p: Chrome::of(&ctx),
        prisoners: at("political_prisoners"),
        held: at("held"),
        breakdowns,
        chart: svg,
        pb,
    }))
}
