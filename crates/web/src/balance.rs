//! The balance: figures with every breakdown and the revolving-door chart, for any as-of and
//! known-on dates; the list behind a figure; publishing; and the public page of published
//! balances (aggregate figures only: no names, whatever their disclosure level).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use vigilia_app::lists;
use vigilia_app::publication::Made;
use vigilia_core::date::Day;
use vigilia_core::fact::Audit;
use vigilia_core::fold::{KnownOn, PublishedBalance, Record};
use vigilia_core::ids::{DetentionId, PublicationId, Subject};
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::RecognitionStatus;
use vigilia_count::list::{Selector, behind};
use vigilia_count::series::{Every, series};
use vigilia_count::stored;
use vigilia_count::when::{When, WhenError};
use vigilia_count::words;
use vigilia_count::{Balance, Index};
use vigilia_ledger::Ledger;

use crate::app::{App, lock};
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, Errors, ok, see};

/// The dates asked, as typed (and, for the list, which figure).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Asked {
    pub as_of: String,
    pub known_on: String,
    pub since: String,
    pub list: String,
}

impl From<WhenError> for WebError {
    fn from(e: WhenError) -> WebError {
        WebError::bad(e.for_people(Lang::Es), e.for_people(Lang::En))
    }
}

/// The balance for the dates asked, from the counting index kept warm, with the dates read.
pub fn compute(
    app: &App,
    ledger: &mut Ledger,
    asked: &Asked,
) -> Result<(Balance, When, Arc<Index>), WebError> {
    let when = When::parse(
        ledger.today()?,
        Some(&asked.as_of),
        Some(&asked.known_on),
        Some(&asked.since),
    )?;
    // The head first: a write while the index is built makes the figures newer than the head
    // they name, and publishing them is then refused, never wrong.
    let head = ledger.content()?;
    let index = app.counting(ledger)?;
    let b = stored::compute(&index, &when, &head);
    Ok((b, when, index))
}

/// A year of weekly steps up to `as_of`, drawn.
fn chart(index: &Index, as_of: Day, known_on: KnownOn, l: Lang) -> Result<String, WebError> {
    let from = as_of
        .checked_sub(jiff::Span::new().days(364))
        .unwrap_or(as_of);
    let rows = series(index, from, as_of, Every::Week, &[], known_on);
    vigilia_count::chart::revolving_door(&rows, l).map_err(WebError::Internal)
}

/// One breakdown table: a dimension and its values with their counts.
/// A breakdown as a page shows it: its name and each value's, in words, with the codes a
/// list's link carries.
#[derive(Clone, Debug)]
pub struct Breakdown {
    pub dim: String,
    pub title: String,
    pub cells: Vec<Cell>,
}

/// One value of a breakdown: its code, its name in words, and its count as shown.
#[derive(Clone, Debug)]
pub struct Cell {
    pub code: String,
    pub name: String,
    pub n: String,
}

impl Breakdown {
    fn of(dim: &str, cells: impl Iterator<Item = (String, String)>, l: Lang) -> Breakdown {
        let mut cells: Vec<Cell> = cells
            .map(|(code, n)| Cell {
                name: words::value(dim, &code, l),
                code,
                n,
            })
            .collect();
        // In the order `words::value_place` gives, names in the alphabet's order, accents
        // aside (Mérida between Lara and Monagas).
        cells.sort_by_key(|c| {
            (
                words::value_place(dim, &c.code),
                vigilia_core::text::fold(&c.name),
            )
        });
        Breakdown {
            dim: dim.to_string(),
            title: words::dimension(dim, l),
            cells,
        }
    }
}

fn breakdowns(l: Lang, b: &Balance) -> Vec<Breakdown> {
    in_order(
        b.political_prisoners
            .by
            .iter()
            .map(|(dim, values)| {
                let cells = values.iter().map(|(v, n)| (v.clone(), l.number(*n)));
                Breakdown::of(dim, cells, l)
            })
            .collect(),
    )
}

/// The breakdowns in the order the balance is read (who: sex, civilian or military, age,
/// nationality; their situation; where; by whom; why), not in their keys' alphabetical order.
fn in_order(mut breakdowns: Vec<Breakdown>) -> Vec<Breakdown> {
    breakdowns.sort_by_key(|b| {
        vigilia_count::index::Dim::ALL
            .iter()
            .position(|d| d.name() == b.dim)
            .unwrap_or(usize::MAX)
    });
    breakdowns
}

#[derive(Template)]
#[template(path = "balance.html")]
struct BalancePage {
    p: Chrome,
    w: Asked,
    /// The balance, unless the dates asked could not be read.
    b: Option<Balance>,
    breakdowns: Vec<Breakdown>,
    chart: String,
    /// What was wrong with the dates asked, beside their fields.
    errors: crate::page::Errors,
}

/// A balance's dates as a link carries them: a list, a download or the way back is of that
/// same balance (as of, as known on, and the period its movements are counted in when one was
/// chosen), written as people write them, since the balance's form shows them again.
fn dates_of(b: &Balance) -> String {
    query(&date_fields(b))
}

/// Fields as an address's query (`as_of=20/11/2026&since=01/10/2026`).
fn query(fields: &[(&'static str, String)]) -> String {
    let pairs: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join("&")
}

/// The balance's dates as a person types them (day first), field by field: as-of, known-on if
/// asked, and the period's first day only when it is not the default week (so that a new date
/// brings its own week). Links and the forms that lead on from the balance carry these.
fn date_fields(b: &Balance) -> Vec<(&'static str, String)> {
    let typed = |iso: &str| vigilia_core::date::short_iso(iso, Lang::Es);
    let mut fields = vec![("as_of", typed(&b.as_of))];
    if let Some(k) = &b.known_on {
        fields.push(("known_on", typed(k)));
    }
    let default = (b.as_of.parse::<Day>())
        .map(|d| vigilia_count::when::week_before(d).to_string())
        .ok();
    if default.as_deref() != Some(b.period.from.as_str()) {
        fields.push(("since", typed(&b.period.from)));
    }
    fields
}

impl BalancePage {
    /// The dates of the balance shown, as a list's link carries them: a figure's list is that
    /// figure (the same as-of and known-on), so its rows are as many as the figure says.
    fn dates(&self) -> String {
        self.b.as_ref().map(dates_of).unwrap_or_default()
    }

    /// The same dates as hidden fields, for the form that prepares the publication.
    fn carried(&self) -> Vec<(&'static str, String)> {
        self.b.as_ref().map(date_fields).unwrap_or_default()
    }

    /// The date fields: name, label, value as typed, and what is wrong with it.
    fn fields(&self) -> Vec<(&'static str, &'static str, String, Option<String>)> {
        let l = &self.p.l;
        [
            (
                "as_of",
                l.pick("Fecha del balance", "Date of the balance"),
                &self.w.as_of,
            ),
            (
                "known_on",
                l.pick("Según lo conocido el (opcional)", "As known on (optional)"),
                &self.w.known_on,
            ),
            (
                "since",
                l.pick(
                    "Movimientos posteriores al (opcional; una semana si se deja vacío)",
                    "Movements after (optional; a week if left empty)",
                ),
                &self.w.since,
            ),
        ]
        .into_iter()
        .map(|(name, label, value)| {
            let error = self.errors.get(name, l).map(str::to_string);
            (name, label, value.clone(), error)
        })
        .collect()
    }

    /// The period's movements: id, label, certain count and the count with imprecise dates.
    fn movements(&self) -> Vec<(&'static str, &'static str, u64, u64)> {
        let l = &self.p.l;
        let Some(b) = &self.b else {
            return Vec::new();
        };
        let (c, u) = (&b.period, &b.period.upper);
        vec![
            (
                "period-detentions",
                l.pick("Detenciones políticas", "Political detentions"),
                c.political_detentions,
                u.political_detentions,
            ),
            (
                "period-new-prisoners",
                l.pick(
                    "Nuevos presos políticos (tras 48 horas detenidos)",
                    "New political prisoners (held 48 hours)",
                ),
                c.new_prisoners,
                u.new_prisoners,
            ),
            (
                "period-releases",
                l.pick("Excarcelaciones", "Releases"),
                c.releases,
                u.releases,
            ),
            (
                "period-prisoner-releases",
                l.pick(
                    "…de ellas, de presos políticos",
                    "…of which, of political prisoners",
                ),
                c.prisoner_releases,
                u.prisoner_releases,
            ),
            (
                "period-deaths",
                l.pick("Muertes bajo custodia", "Deaths in custody"),
                c.deaths,
                u.deaths,
            ),
        ]
    }

    /// The first day of the period's movements, as people write it (the period runs from the
    /// day after `since`).
    fn period_first(&self) -> String {
        self.b
            .as_ref()
            .and_then(|b| b.period.from.parse::<Day>().ok())
            .and_then(|d| d.tomorrow().ok())
            .map(|d| self.p.iso(&d.to_string()))
            .unwrap_or_default()
    }
}

/// A balance page's figures and chart, computed once per ledger head, dates and language.
#[derive(Debug)]
pub struct Shown {
    b: Balance,
    chart: String,
    breakdowns: Vec<Breakdown>,
}

/// The balances shown since the ledger's head last moved, by dates and language.
pub type Kept = Mutex<HashMap<(When, Lang), Arc<Shown>>>;

/// A balance page kept, or what it is counted from: the index and the ledger head it holds for.
enum Found {
    Kept(Arc<Shown>),
    ToCount(Arc<vigilia_count::Index>, String),
}

/// At most this many balances are kept per head (each a page's worth of figures and chart).
const KEPT: usize = 64;

pub async fn current(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(w): Query<Asked>,
) -> Result<Response, WebError> {
    let l = ctx.lang;
    let asked = w.clone();
    // Under the registry's lock only what must read it; the counting is done outside. A page
    // already kept needs nothing more from the registry.
    let read = app
        .read(move |app, ledger| {
            let when = match When::parse(
                ledger.today()?,
                Some(&asked.as_of),
                Some(&asked.known_on),
                Some(&asked.since),
            ) {
                Ok(when) => when,
                Err(e) => return Ok(Err(e)),
            };
            let kept = app.balances.get(ledger, |_| Ok(Kept::default()))?;
            let found = lock(&kept).get(&(when, l)).cloned();
            let found = match found {
                Some(shown) => Found::Kept(shown),
                None => {
                    let head = ledger.content()?.hash.to_string();
                    Found::ToCount(app.counting(ledger)?, head)
                }
            };
            Ok(Ok((when, kept, found)))
        })
        .await?;
    // Dates that cannot be read: the form again, as typed, with what is wrong beside the field.
    let (when, kept, found) = match read {
        Ok(read) => read,
        Err(e) => {
            let mut errors = crate::page::Errors::default();
            errors.add(e.field(), e.for_people(Lang::Es), e.for_people(Lang::En));
            return Ok(crate::page::invalid(&BalancePage {
                p: Chrome::of(&ctx),
                w,
                b: None,
                breakdowns: Vec::new(),
                chart: String::new(),
                errors,
            }));
        }
    };
    let shown = match found {
        Found::Kept(s) => s,
        Found::ToCount(index, head) => {
            let s = tokio::task::spawn_blocking(move || -> Result<Arc<Shown>, WebError> {
                let mut b = vigilia_count::balance(&index, when.as_of, when.known_on, when.since);
                b.ledger_head = head;
                let chart = chart(&index, when.as_of, when.known_on, l)?;
                let breakdowns = breakdowns(l, &b);
                Ok(Arc::new(Shown {
                    b,
                    chart,
                    breakdowns,
                }))
            })
            .await
            .map_err(|e| WebError::Internal(e.to_string()))??;
            let mut kept = lock(&kept);
            if kept.len() >= KEPT {
                kept.clear();
            }
            kept.insert((when, l), s.clone());
            s
        }
    };
    Ok(ok(&BalancePage {
        p: Chrome::of(&ctx),
        breakdowns: shown.breakdowns.clone(),
        w,
        b: Some(shown.b.clone()),
        chart: shown.chart.clone(),
        errors: crate::page::Errors::default(),
    }))
}

/// The detentions behind a figure; names only for those who see the case (per-field rule).
/// The list behind a figure as asked: the figure's dates and selection, the list's filters,
/// sort and page, and (for a download) the file's format.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    #[serde(flatten)]
    w: Asked,
    #[serde(flatten)]
    t: lists::Typed,
    /// `csv` or `xlsx`, for a download.
    format: String,
}

impl ListQuery {
    /// The list asked for; none named is the list behind the first figure, the political
    /// prisoners (an address typed by hand, or cut short).
    fn named(mut self) -> ListQuery {
        if self.w.list.trim().is_empty() {
            self.w.list = "political_prisoners".into();
        }
        self
    }

    /// This list's address with `changes` made to it (a page, a format): every filter kept.
    fn link(&self, path: &str, changes: &[(&str, String)]) -> String {
        let t = &self.t;
        let mut pairs: Vec<(&str, String)> = vec![
            ("list", self.w.list.clone()),
            ("as_of", self.w.as_of.clone()),
            ("known_on", self.w.known_on.clone()),
            ("since", self.w.since.clone()),
            ("state", t.state.clone()),
            ("facility", t.facility.clone()),
            ("situation", t.situation.clone()),
            ("recognition", t.recognition.clone()),
            ("from", t.from.clone()),
            ("to", t.to.clone()),
            ("sort", t.sort.clone()),
        ];
        for (k, v) in changes {
            pairs.retain(|(key, _)| key != k);
            pairs.push((k, v.clone()));
        }
        pairs.retain(|(_, v)| !v.trim().is_empty());
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

/// The rows behind the figure asked, as `viewer` may list them, with the balance and the day
/// the rows' situation is of.
async fn rows_behind(
    app: &Arc<App>,
    w: &Asked,
    viewer: &crate::ctx::Viewer,
) -> Result<(Balance, Arc<Vec<lists::Row>>, Day), WebError> {
    let (w, actor) = (w.clone(), viewer.actor());
    app.read(move |app, ledger| {
        // A figure that is not one (an address changed by hand) is said in words, not in the
        // command line's syntax.
        let selector = Selector::parse(w.list.trim()).map_err(|_| {
            WebError::bad(
                "Esa lista no existe: abra la lista de una cifra desde el balance.",
                "There is no such list: open a figure's list from the balance.",
            )
        })?;
        let (b, when, index) = compute(app, ledger, &w)?;
        // What the account sees of a case is the same for all who see every case.
        let scope = if actor.sees_every_case() {
            String::new()
        } else {
            actor.name.clone()
        };
        let key = format!(
            "{}|{}|{}|{:?}|{scope}",
            b.ledger_head,
            w.list.trim(),
            when.as_of,
            when.known_on.0
        );
        let rows = app.behind.get(&key, || {
            let ids = behind(&index, when.as_of, when.known_on, &selector);
            Ok(
                vigilia_app::records::behind(ledger, &actor, &ids, when.known_on)?
                    .iter()
                    .map(|r| lists::Row::of(r, when.as_of))
                    .collect(),
            )
        })?;
        Ok((b, rows, ledger.today()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    p: Chrome,
    q: ListQuery,
    b: Balance,
    /// The figure's rows on the page asked, or nothing when a filter could not be read.
    shown: Option<lists::Page>,
    errors: Errors,
    states: Vec<(String, String)>,
    situations: Vec<(String, String)>,
    recognitions: Vec<(String, String)>,
    sorts: Vec<(String, String)>,
}

impl ListPage {
    fn title(&self) -> String {
        words::list_title(&self.q.w.list, self.p.l)
    }

    /// Whether the list is filtered or sorted, or a filter was typed wrong: the filters are
    /// shown open.
    fn filtering(&self) -> bool {
        let t = &self.q.t;
        !self.errors.is_empty()
            || [
                &t.state,
                &t.facility,
                &t.situation,
                &t.recognition,
                &t.from,
                &t.to,
                &t.sort,
            ]
            .iter()
            .any(|x| !x.trim().is_empty())
    }

    /// Whether a row of the page is shown without its name.
    fn withheld(&self) -> bool {
        self.shown
            .as_ref()
            .is_some_and(|s| s.rows.iter().any(|r| r.name.is_none()))
    }

    fn back(&self) -> String {
        format!("/balance?{}", dates_of(&self.b))
    }

    fn link(&self, changes: &[(&str, String)]) -> String {
        self.q.link("/balance/list", changes)
    }

    fn page_link(&self, page: usize) -> String {
        self.link(&[("page", page.to_string())])
    }

    fn download(&self, format: &str) -> String {
        self.q
            .link("/balance/list/download", &[("format", format.to_string())])
    }

    fn unfiltered(&self) -> String {
        let mut plain = ListQuery {
            w: self.q.w.clone(),
            ..ListQuery::default()
        };
        plain.t.sort = self.q.t.sort.clone();
        plain.link("/balance/list", &[])
    }
}

/// A form's choices: an empty one first ("any"), then each with its name in words.
fn choices<T: Localize>(
    l: Lang,
    any: (&str, &str),
    all: impl Iterator<Item = (String, T)>,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), l.pick(any.0, any.1).to_string()))
        .chain(all.map(|(code, x)| (code, x.localize(l))))
        .collect()
}

/// The list behind a figure of the balance: exactly the detentions it counts (same as-of,
/// known-on and selection), narrowed by the filters asked, sorted, a page at a time. Who saw a
/// page with names, and which, is recorded before it is sent.
pub async fn list(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let q = q.named();
    let l = ctx.lang;
    let viewer = ctx.viewer()?.clone();
    let (b, rows, today) = rows_behind(&app, &q.w, &viewer).await?;
    let profile = &app.profile;
    let (shown, errors) = match q.t.read(profile, today) {
        Ok(asked) => (Some(lists::page(&rows, &asked, profile)), Errors::default()),
        Err(e) => (None, crate::forms::mistake(&e, "state")),
    };
    if let Some(page) = &shown
        && page.rows.iter().any(|r| r.name.is_some())
    {
        let listed = page.rows.iter().map(|r| DetentionId(r.detention).into());
        app.audit_read(
            &viewer.name,
            Audit::Listed,
            Subject::REGISTRY,
            listed.collect(),
            None,
        )
        .await?;
    }
    Ok(ok(&ListPage {
        p: Chrome::of(&ctx),
        b,
        shown,
        errors,
        states: crate::forms::states(profile, l.pick("Todos", "All")),
        situations: choices(
            l,
            ("Todas", "All"),
            lists::Situation::all().map(|s| (s.code().to_string(), s)),
        ),
        recognitions: choices(
            l,
            ("Todos", "All"),
            [
                RecognitionStatus::Recognised,
                RecognitionStatus::UnderStudy,
                RecognitionStatus::NotRecognised,
            ]
            .into_iter()
            .map(|s| (s.name().to_string(), s)),
        ),
        sorts: lists::Sort::ALL
            .into_iter()
            .map(|s| (s.code().to_string(), s.localize(l)))
            .collect(),
        q,
    }))
}

/// The list behind a figure, filtered and sorted as on its page, every row, as a CSV or XLSX
/// file in the page's language. Who took it, and which records it held, is recorded before a
/// byte is sent.
pub async fn list_download(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let q = q.named();
    let l = ctx.lang;
    let viewer = ctx.viewer()?.clone();
    let (b, rows, today) = rows_behind(&app, &q.w, &viewer).await?;
    let profile = &app.profile;
    let asked =
        q.t.read(profile, today)
            .map_err(|e| WebError::bad(e.localize(Lang::Es), e.localize(Lang::En)))?;
    let rows = lists::narrowed(&rows, &asked, profile);
    // Every download is recorded, names or not: numbers, states, places and dates together
    // can say who someone is.
    {
        let taken = rows.iter().map(|r| DetentionId(r.detention).into());
        app.audit_read(
            &viewer.name,
            Audit::Downloaded,
            Subject::REGISTRY,
            taken.collect(),
            Some(q.link("", &[])),
        )
        .await?;
    }
    let (headings, cells) = lists::table(&rows, profile, l, asked.sort);
    let (body, kind, ext) = match q.format.as_str() {
        "xlsx" => (
            lists::xlsx(&headings, &cells, l.pick("Lista", "List"))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => (
            lists::csv(&headings, &cells)?,
            "text/csv; charset=utf-8",
            "csv",
        ),
    };
    Ok(attachment(body, kind, &format!("lista-{}.{ext}", b.as_of)))
}

/// A file to save, named `name`.
fn attachment(body: Vec<u8>, kind: &str, name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (axum::http::header::CONTENT_TYPE, kind.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Download {
    #[serde(flatten)]
    w: Asked,
    /// `csv` or `json`.
    format: String,
}

/// The balance for the dates asked, as a file: its CSV tables or its JSON (`docs/balance.md`),
/// for those who see the figures, from the page they read it on.
pub async fn download(
    State(app): State<Arc<App>>,
    Query(d): Query<Download>,
) -> Result<Response, WebError> {
    let w = d.w.clone();
    let (b, _, _) = app.read(move |app, l| compute(app, l, &w)).await?;
    let (body, kind, ext) = match d.format.as_str() {
        "csv" => (
            vigilia_app::counting::balance_csv(&b),
            "text/csv; charset=utf-8",
            "csv",
        ),
        _ => (b.to_json(), "application/json", "json"),
    };
    Ok(attachment(body.into_bytes(), kind, &file_name(&b, ext)))
}

/// A download's name says every date its figures depend on, as the command's options name
/// them: two balances of one day, one with a chosen period, are not saved over each other.
fn file_name(b: &Balance, ext: &str) -> String {
    let mut name = format!("balance-{}", b.as_of);
    if let Some(k) = &b.known_on {
        name.push_str(&format!("-known-on-{k}"));
    }
    if date_fields(b).iter().any(|(k, _)| *k == "since") {
        name.push_str(&format!("-since-{}", b.period.from));
    }
    format!("{name}.{ext}")
}

/// What the public sees of a balance's figures: its two headline totals, the breakdowns of
/// political prisoners without small cells (`vigilia_count::disclosure`), and its week's
/// movements in words.
type PublicView = (String, String, Vec<Breakdown>, Option<String>);

fn public_view(figures_json: &str, below: u64, l: Lang) -> PublicView {
    let figures = vigilia_count::disclosure::for_the_public(
        &serde_json::from_str(figures_json).unwrap_or_default(),
        below,
    );
    let at = |k: &str| {
        figures
            .get(k)
            .and_then(|f| f.get("total"))
            .and_then(|n| n.as_u64())
            .map(|n| l.number(n))
            .unwrap_or_default()
    };
    let breakdowns = figures
        .get("political_prisoners")
        .and_then(|f| f.get("by"))
        .and_then(|b| b.as_object())
        .map(|by| {
            by.iter()
                .map(|(dim, values)| {
                    let cells = values.as_object().into_iter().flatten();
                    let cells = cells.map(|(k, n)| (k.clone(), l.number(n.as_u64().unwrap_or(0))));
                    Breakdown::of(dim, cells, l)
                })
                .collect()
        })
        .map(in_order)
        .unwrap_or_default();
    let week = week_in_words(&figures, l);
    (at("political_prisoners"), at("held"), breakdowns, week)
}

/// What the public will not see of each breakdown, for whoever publishes: the values each
/// «otros» holds (a single «otro» can hide the women, and the one who publishes should know
/// before the public does), and the breakdowns left out whole.
fn gathered_for_staff(
    by: &BTreeMap<&'static str, BTreeMap<String, u64>>,
    public: &[Breakdown],
    l: Lang,
) -> (BTreeMap<String, Breakdown>, Vec<String>) {
    let mut gathered = BTreeMap::new();
    let mut withheld = Vec::new();
    for (dim, values) in by {
        let Some(shown) = public.iter().find(|x| x.dim == *dim) else {
            if values.values().any(|n| *n > 0) {
                withheld.push(words::dimension(dim, l));
            }
            continue;
        };
        let inside = values
            .iter()
            .filter(|(v, n)| **n > 0 && !shown.cells.iter().any(|c| c.code == **v))
            .map(|(v, n)| (v.clone(), l.number(*n)));
        let inside = Breakdown::of(dim, inside, l);
        if !inside.cells.is_empty() {
            gathered.insert(dim.to_string(), inside);
        }
    }
    withheld.sort_by_key(|t| vigilia_core::text::fold(t));
    (gathered, withheld)
}

#[derive(Template)]
#[template(path = "publish.html")]
struct Preview {
    p: Chrome,
    b: Balance,
    prisoners: String,
    held: String,
    breakdowns: Vec<Breakdown>,
    /// The week's movements published with it, in words.
    week: String,
    note: String,
    errors: crate::page::Errors,
    /// Balances already published as of the same date: (number, day published).
    already: Vec<(u64, Day)>,
    /// The smallest count a public breakdown names.
    below: u64,
    /// The balance page's own period and "as known on", when they were not what is published:
    /// the page says so, and the way back keeps them.
    page_since: Option<Day>,
    page_known_on: Option<Day>,
    /// A publication or release 1–6 days from this date (which, and its date): this one cannot
    /// be made.
    close: Option<(Made, Day)>,
    /// A publication of this date with these same figures: nothing new to publish.
    unchanged: Option<u64>,
    /// The nearest dates before and after this one that may be published.
    free: (Option<Day>, Option<Day>),
    today: Day,
    /// Nothing is public yet: this date sets the day of the week of everything public.
    first: bool,
    /// For the staff only: what each public breakdown's «otros» holds, by breakdown.
    gathered: BTreeMap<String, Breakdown>,
    /// For the staff only: the breakdowns not published at all (they could name no value).
    withheld: Vec<String>,
}

impl Preview {
    /// The balance's date as shown.
    fn as_of(&self) -> String {
        self.p.iso(&self.b.as_of)
    }

    /// The dates the publish form sends and the way back carries, as people type them: the
    /// publication's, with the balance page's own period and "as known on".
    fn carried(&self) -> Vec<(&'static str, String)> {
        let typed = |d: Day| vigilia_core::date::short_day(d, Lang::Es);
        let mut fields = date_fields(&self.b);
        fields.extend(self.page_known_on.map(|k| ("known_on", typed(k))));
        fields.extend(self.page_since.map(|s| ("since", typed(s))));
        fields
    }

    /// The day of the week of the balance's date, in words (for a plural: "los viernes").
    fn as_of_weekday(&self) -> &'static str {
        (self.b.as_of.parse::<Day>()).map_or("", |d| vigilia_core::date::weekday(d, self.p.l))
    }

    /// The day of the week of `day`, in words.
    fn weekday(&self, day: &Day) -> &'static str {
        vigilia_core::date::weekday(*day, self.p.l)
    }

    /// The fingerprint of the figures shown, sent with the form.
    fn shown(&self) -> String {
        shown(&self.b, self.below)
    }

    /// The way back to the balance page as it was.
    fn back(&self) -> String {
        query(&self.carried())
    }

    /// The nearest dates that may be published, as shown, each with the way to its preview
    /// (none for a day still to come).
    fn free_dates(&self) -> Vec<(String, Option<String>)> {
        let (before, after) = self.free;
        (before.into_iter().chain(after))
            .map(|d| {
                let link = (d <= self.today).then(|| {
                    let typed = vigilia_core::date::short_day(d, Lang::Es);
                    format!("/balance/publish?as_of={typed}")
                });
                (self.p.day(&d), link)
            })
            .collect()
    }

    /// The first day of the balance page's own period, as shown.
    fn page_period_first(&self) -> Option<String> {
        let first = self.page_since?.tomorrow().ok()?;
        Some(self.p.day(&first))
    }
}

/// The week's movements a balance's figures carry, in words: what a publication says of the
/// arrests, releases and deaths of its week.
fn week_in_words(figures: &serde_json::Value, l: Lang) -> Option<String> {
    let p = figures.get("period")?;
    let from = p
        .get("from")?
        .as_str()?
        .parse::<Day>()
        .ok()?
        .tomorrow()
        .ok()?;
    let from = vigilia_core::date::short_day(from, l);
    let to = vigilia_core::date::short_iso(p.get("to")?.as_str()?, l);
    // "1 excarcelación", "2 excarcelaciones".
    let count = |k: &str, one: (&str, &str), many: (&str, &str)| {
        let x = p.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
        let (es, en) = if x == 1 { one } else { many };
        format!("{} {}", l.number(x), l.pick(es, en))
    };
    let arrests = count(
        "political_detentions",
        ("detención política", "political detention"),
        ("detenciones políticas", "political detentions"),
    );
    let releases = count(
        "releases",
        ("excarcelación", "release"),
        ("excarcelaciones", "releases"),
    );
    let deaths = count(
        "deaths",
        ("muerte bajo custodia", "death in custody"),
        ("muertes bajo custodia", "deaths in custody"),
    );
    Some(match l {
        Lang::Es => format!("En la semana del {from} al {to}: {arrests}, {releases} y {deaths}."),
        Lang::En => format!("In the week from {from} to {to}: {arrests}, {releases} and {deaths}."),
    })
}

/// The dates a publication is of from the web: the balance's date, as known now, with the
/// movements of the week before it, whatever period or "as known on" the page showed (the
/// application refuses any other: a period of a day, or "as known on" a past day, published,
/// would date a release or show figures nobody has today).
fn weekly(mut w: Asked) -> Asked {
    w.since.clear();
    w.known_on.clear();
    w
}

/// The preview of a publication: what the public will see, a note to go with it, and the
/// button that publishes (nothing is public before it is pressed).
async fn preview(
    app: &Arc<App>,
    ctx: &Ctx,
    w: Asked,
    note: String,
    errors: crate::page::Errors,
) -> Result<Preview, WebError> {
    // The balance, and what the application would refuse, said before a note is written: a
    // publication a few days from this date, or the same figures already published.
    let (b, when, page, (all, signed), below, today) = app
        .read(move |app, l| {
            // The balance page's own dates, when they read (a wrong one is not repeated).
            let today = l.today()?;
            let page = When::parse(today, Some(&w.as_of), Some(&w.known_on), Some(&w.since)).ok();
            let (b, when, _) = compute(app, l, &weekly(w))?;
            let all = vigilia_app::counting::publications(l)?;
            let signed = vigilia_app::publication::signed_days_of(l)?;
            let below = vigilia_app::publication::small_cells(l)?;
            Ok((b, when, page, (all, signed), below, today))
        })
        .await?;
    let page_since = page.map(|p| p.since).filter(|s| *s != when.since);
    let page_known_on = page.and_then(|p| p.known_on.0);
    let standing = vigilia_app::publication::standing(&all, &signed, &b, &when, None, below);
    let close = standing.close;
    let unchanged = standing.already.or(standing.republished);
    let free = vigilia_app::publication::free_dates(&all, &signed, when.as_of);
    let first = all.is_empty() && signed.is_empty();
    let already = (all.iter())
        .filter(|x| x.publication.as_of == when.as_of)
        .map(|x| (x.id, x.published_on))
        .collect::<Vec<_>>();
    let figures = b.to_json();
    let (prisoners, held, breakdowns, week) = public_view(&figures, below, ctx.lang);
    let (gathered, withheld) = gathered_for_staff(&b.political_prisoners.by, &breakdowns, ctx.lang);
    Ok(Preview {
        gathered,
        withheld,
        already,
        p: Chrome::of(ctx),
        b,
        prisoners,
        held,
        breakdowns,
        week: week.unwrap_or_default(),
        note,
        errors,
        below,
        page_since,
        page_known_on,
        close,
        unchanged,
        free,
        today,
        first,
    })
}

pub async fn publish_form(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Query(w): Query<Asked>,
) -> Result<Response, WebError> {
    let typed = [
        ("as_of", w.as_of.clone()),
        ("known_on", w.known_on.clone()),
        ("since", w.since.clone()),
    ];
    match preview(&app, &ctx, w, String::new(), crate::page::Errors::default()).await {
        Ok(page) => Ok(ok(&page)),
        // A date that does not read (a link typed by hand): the balance page says what is
        // wrong beside its field, with what was typed, and leads on from there.
        Err(WebError::Bad { .. }) => {
            let typed: Vec<_> = typed.into_iter().filter(|(_, v)| !v.is_empty()).collect();
            let query = serde_urlencoded::to_string(typed).unwrap_or_default();
            Ok(see(&format!("/balance?{query}")))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Publish {
    #[serde(flatten)]
    w: Asked,
    note: String,
    /// The figures the preview showed ([`shown`]): others are not published unseen.
    #[serde(default)]
    shown: String,
}

/// A fingerprint of a balance's figures and of the smallest count its breakdowns name (what
/// the public will see), whatever the registry's position they were counted at: the preview
/// sends it with the form, and publishing compares it with what it would publish.
fn shown(b: &Balance, below: u64) -> String {
    use sha2::Digest;
    let figures = Balance {
        ledger_head: String::new(),
        ..b.clone()
    };
    let seen = format!("{}\n{below}", figures.to_json());
    hex::encode(sha2::Sha256::digest(seen.as_bytes()))
}

/// Publishes the balance for these dates, from its preview: a fact holding its figures exactly
/// as computed (counted on a reader, stored by the writer, which refuses it if the registry
/// changed in between) and the note.
pub async fn publish(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<Publish>,
) -> Result<Response, WebError> {
    let me = ctx.viewer()?.actor();
    let w = weekly(f.w.clone());
    let (b, when, below) = app
        .read(move |app, l| {
            let (b, when, _) = compute(app, l, &w)?;
            Ok((b, when, vigilia_app::publication::small_cells(l)?))
        })
        .await?;
    let note = f.note.clone();
    // Only what the person was shown is published (a form without the fingerprint was not
    // made by the preview).
    let done = if f.shown == shown(&b, below) {
        match app
            .attempt(move |tx| vigilia_app::publication::publish(tx, &me, &b, &when, Some(&note)))
            .await
        {
            // Something was written between the count and the write (another publication a
            // moment before, perhaps of a nearby date): the preview, counted again, says where
            // this one now stands.
            Err(WebError::App(vigilia_app::AppError::CountedBeforeAChange)) => {
                Ok(Err(vigilia_app::AppError::FiguresChanged))
            }
            other => other,
        }?
    } else {
        // Other figures than those shown (something recorded meanwhile, or a form the preview
        // did not make): the person sees them before anything is published. A second click
        // carries the same figures, and publishing says it is the publication already made.
        Err(vigilia_app::AppError::FiguresChanged)
    };
    match done {
        Ok(id) => Ok(see(&format!("/public/{}", id.0))),
        Err(e) => {
            // A mistake of the note is told beside it; any other above the button.
            let errors = crate::forms::mistake(&e, "publish");
            let page = preview(&app, &ctx, f.w, f.note, errors).await?;
            Ok(crate::page::invalid(&page))
        }
    }
}

#[derive(Template)]
#[template(path = "public.html")]
struct Public {
    p: Chrome,
    list: Vec<PublishedBalance>,
    /// The certified lists, newest first: each manifest's fingerprint is in its fact.
    certified: Vec<vigilia_core::fact::SignedFiles>,
    /// The latest open-data release.
    release: Option<vigilia_core::fact::SignedFiles>,
    /// The estimates of the undocumented a coordinator published, newest first.
    estimates: Vec<PublishedEstimate>,
    /// The estimate a coordinator has just published (from its form), said at the top.
    just_published: Option<u64>,
}

/// A published estimate, as the public page shows it.
struct PublishedEstimate {
    version: u64,
    as_of: Day,
    estimate: u64,
    lower: u64,
    upper: u64,
    observed: u64,
    assumption_es: String,
    assumption_en: String,
    /// The lists it came from, by their names (channels and imported lists).
    lists: Vec<String>,
    /// `lcmcr` or `loglinear`.
    method: String,
    /// How far its chains agree, and their effective size (latent classes only).
    chains: Option<(f64, f64)>,
}

impl PublishedEstimate {
    fn undocumented(&self) -> u64 {
        self.estimate.saturating_sub(self.observed)
    }

    /// How it was estimated and from which lists, in words.
    fn how(&self, lang: &Lang) -> String {
        let lang = *lang;
        // Another organisation's list by what it is, not by its name: the page is public, and
        // the partner may not want to be named. Several are said once, with how many.
        let mut lists: Vec<String> = Vec::new();
        let mut others = 0;
        for name in &self.lists {
            match vigilia_app::estimates::List::named(name) {
                vigilia_app::estimates::List::Imported(_) => others += 1,
                channel => {
                    let (es, en) = channel.words();
                    lists.push(lang.pick(&es, &en).to_string());
                }
            }
        }
        match others {
            0 => {}
            1 => lists.push(
                lang.pick(
                    "una lista de otra organización",
                    "another organisation's list",
                )
                .to_string(),
            ),
            n => lists.push(format!(
                "{} {}",
                lang.number(n),
                lang.pick(
                    "listas de otras organizaciones",
                    "lists of other organisations"
                )
            )),
        }
        let method = match (self.method.as_str(), lang) {
            ("loglinear", Lang::Es) => "modelo log-lineal",
            ("loglinear", Lang::En) => "log-linear model",
            (_, Lang::Es) => "modelo de clases latentes",
            (_, Lang::En) => "latent-class model",
        };
        let how = format!(
            "{} {method}; {}: {}.",
            lang.pick("Estimado con el", "Estimated with the"),
            lang.pick("listas", "lists"),
            lists.join(", ")
        );
        // How sure the computation is of itself: a reader can check it was converged ("R‑hat"
        // with a non-breaking hyphen, as on the staff page, and held to its value by a
        // non-breaking space: a phone's line splits neither).
        let Some((r_hat, ess)) = self.chains else {
            return how;
        };
        let (most, least) = (
            lang.decimal(vigilia_app::estimates::PUBLISHED_R_HAT, 2),
            lang.number(vigilia_app::estimates::PUBLISHED_ESS as u64),
        );
        let (r_hat, ess) = (lang.decimal(r_hat, 3), lang.number(ess.round() as u64));
        match lang {
            Lang::Es => format!(
                "{how} Sus cadenas de cálculo coinciden: R‑hat\u{a0}{r_hat}, tamaño efectivo\u{a0}{ess} (se publica solo con R‑hat hasta {most} y tamaño efectivo desde {least})."
            ),
            Lang::En => format!(
                "{how} Its computation's chains agree: R‑hat\u{a0}{r_hat}, effective sample size\u{a0}{ess} (published only with R‑hat up to {most} and an effective sample size from {least})."
            ),
        }
    }

    fn of(p: &vigilia_core::fact::EstimatePublication) -> PublishedEstimate {
        let v: serde_json::Value = serde_json::from_str(&p.result).unwrap_or_default();
        let n = |k: &str| {
            v.get(k)
                .and_then(|x| x.as_f64())
                .unwrap_or(0.0)
                .round()
                .max(0.0) as u64
        };
        let t = |k: &str| {
            v.get(k)
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string()
        };
        PublishedEstimate {
            version: p.version,
            as_of: p.as_of,
            estimate: n("estimate"),
            lower: n("lower"),
            upper: n("upper"),
            observed: n("observed"),
            assumption_es: t("assumption_es"),
            assumption_en: t("assumption_en"),
            lists: v
                .get("lists")
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
                .filter_map(|l| l.get("name")?.as_str().map(str::to_string))
                .collect(),
            method: p.method.clone(),
            chains: v
                .get("posterior")
                .and_then(|p| Some((p.get("r_hat")?.as_f64()?, p.get("ess")?.as_f64()?))),
        }
    }
}

impl Public {
    /// Whether `e` is the estimate a coordinator has just published.
    fn is_just_published(&self, e: &PublishedEstimate) -> bool {
        self.just_published == Some(e.version)
    }

    /// The publication of `x`'s date it corrects, and the one that corrects it.
    fn same_day(&self, x: &PublishedBalance) -> (Option<u64>, Option<u64>) {
        same_day(&self.list, x)
    }

    /// A certified list's manifest fingerprint (its SHA-256).
    fn fingerprint(&self, c: &vigilia_core::fact::SignedFiles) -> String {
        c.files
            .iter()
            .find(|f| f.name.ends_with(".json"))
            .map(|f| f.sha256.clone())
            .unwrap_or_default()
    }
}

pub async fn public_list(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    // `estimate`: an estimate just published (it says so); read leniently, as an address
    // anyone may type (a second `estimate`, or anything else, changes nothing).
    let asked = (query.as_deref())
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "estimate"))
        .map(|(_, v)| v)
        .unwrap_or_default();
    let (list, (mut certified, mut released), estimates) = app
        .read(|_, l| {
            Ok((
                vigilia_app::counting::publications(l)?,
                vigilia_app::signed::made(l)?,
                vigilia_app::estimates::published(l)?,
            ))
        })
        .await?;
    certified.reverse();
    let mut list = list;
    // Newest date first; a correction above what it corrects.
    list.sort_by_key(|x| std::cmp::Reverse((x.publication.as_of, x.id)));
    let estimates: Vec<PublishedEstimate> =
        estimates.iter().rev().map(PublishedEstimate::of).collect();
    // Said to a coordinator, who publishes, and only of an estimate that is there (the
    // address is anyone's to type).
    let coordinator =
        (ctx.viewer.as_ref()).is_some_and(|v| v.role == vigilia_core::model::Role::Coordinator);
    let just_published = (asked.trim().parse::<u64>().ok())
        .filter(|v| coordinator && estimates.iter().any(|e| e.version == *v));
    Ok(ok(&Public {
        p: Chrome::of(&ctx),
        list,
        certified,
        release: released.pop(),
        estimates,
        just_published,
    }))
}

/// The publications of `x`'s date just before and just after it: the one it corrects, and the
/// one that corrects it.
fn same_day(all: &[PublishedBalance], x: &PublishedBalance) -> (Option<u64>, Option<u64>) {
    let same = all
        .iter()
        .filter(|y| y.publication.as_of == x.publication.as_of);
    let before = same.clone().map(|y| y.id).filter(|id| *id < x.id).max();
    let after = same.map(|y| y.id).filter(|id| *id > x.id).min();
    (before, after)
}

#[derive(Template)]
#[template(path = "public_one.html")]
struct PublicOne {
    p: Chrome,
    pb: PublishedBalance,
    prisoners: String,
    held: String,
    /// The change since the balance published before it (as of an earlier date), in words.
    change: Option<String>,
    /// The movements of its week, in words.
    week: Option<String>,
    breakdowns: Vec<Breakdown>,
    chart: String,
    /// The smallest count its breakdowns name.
    below: u64,
    /// The publication of the same date it corrects, and the one that corrects it.
    corrects: Option<u64>,
    corrected_by: Option<u64>,
}

/// How many political prisoners more or fewer than in the balance published before, in words.
fn change_since(before: &PublishedBalance, now: &PublishedBalance, l: Lang) -> String {
    let total = |p: &PublishedBalance| {
        serde_json::from_str::<serde_json::Value>(&p.publication.figures)
            .ok()
            .and_then(|f| f.get("political_prisoners")?.get("total")?.as_u64())
            .unwrap_or(0)
    };
    let (then, today) = (total(before), total(now));
    let day = vigilia_core::date::short_day(before.publication.as_of, l);
    let n = |v: u64| l.number(v);
    match (today.cmp(&then), l) {
        (std::cmp::Ordering::Greater, Lang::Es) => {
            format!(
                "{} más que en el balance al {day} ({}).",
                n(today - then),
                n(then)
            )
        }
        (std::cmp::Ordering::Greater, Lang::En) => {
            format!(
                "{} more than in the balance as of {day} ({}).",
                n(today - then),
                n(then)
            )
        }
        (std::cmp::Ordering::Less, Lang::Es) => {
            format!(
                "{} menos que en el balance al {day} ({}).",
                n(then - today),
                n(then)
            )
        }
        (std::cmp::Ordering::Less, Lang::En) => {
            format!(
                "{} fewer than in the balance as of {day} ({}).",
                n(then - today),
                n(then)
            )
        }
        (_, Lang::Es) => format!("Los mismos que en el balance al {day}."),
        (_, Lang::En) => format!("The same as in the balance as of {day}."),
    }
}

pub async fn public_one(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let l = ctx.lang;
    let (pb, svg, before, (corrects, corrected_by)) = app
        .read(move |app, ledger| {
            let Some(Record::Publication(pb)) = ledger.get(PublicationId(id).into())? else {
                return Err(WebError::NotFound);
            };
            let all = vigilia_app::counting::publications(ledger)?;
            let neighbours = same_day(&all, &pb);
            // The last balance published as of an earlier date.
            let before = all
                .into_iter()
                .filter(|x| x.publication.as_of < pb.publication.as_of)
                .max_by_key(|x| (x.publication.as_of, x.id));
            let index = app.counting(ledger)?;
            let svg = chart(
                &index,
                pb.publication.as_of,
                KnownOn(Some(pb.published_on)),
                l,
            )?;
            Ok((pb, svg, before, neighbours))
        })
        .await?;
    let change = before.map(|b| change_since(&b, &pb, l));
    let below = pb
        .publication
        .withheld_below
        .unwrap_or(vigilia_count::disclosure::SMALLEST_SHOWN);
    let (prisoners, held, breakdowns, week) = public_view(&pb.publication.figures, below, l);
    Ok(ok(&PublicOne {
        p: Chrome::of(&ctx),
        prisoners,
        held,
        week,
        change,
        breakdowns,
        chart: svg,
        pb,
        below,
        corrects,
        corrected_by,
    }))
}

/// The public names of each published balance (by its number), made since persons or
/// detentions last changed.
pub type Names = Mutex<HashMap<u64, Arc<vigilia_app::public::PublicList>>>;

#[derive(Template)]
#[template(path = "public_names.html")]
struct PublicNames {
    p: Chrome,
    pb: PublishedBalance,
    list: Arc<vigilia_app::public::PublicList>,
    /// The page of names shown, of `pages`.
    shown: Vec<vigilia_app::public::PublicRow>,
    page: usize,
    pages: usize,
}

impl PublicNames {
    fn page_link(&self, page: usize) -> String {
        format!("/public/{}/names?page={page}", self.pb.id)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageAsked {
    page: String,
}

/// The names behind a published balance's political prisoners, as each person's consent in
/// force today allows: full name, initials, or only counted. The same day and knowledge as the
/// balance, so the listed and the counted add up to its figure.
pub async fn public_names(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<u64>,
    Query(q): Query<PageAsked>,
) -> Result<Response, WebError> {
    let (pb, list) = app
        .read(move |app, ledger| {
            let Some(Record::Publication(pb)) = ledger.get(PublicationId(id).into())? else {
                return Err(WebError::NotFound);
            };
            let names = app.names.get(ledger, |_| Ok(Names::default()))?;
            if let Some(list) = lock(&names).get(&id).cloned() {
                return Ok((pb, list));
            }
            let known_on = KnownOn(Some(pb.publication.known_on.unwrap_or(pb.published_on)));
            let index = app.counting(ledger)?;
            let list = Arc::new(vigilia_app::public::public_list(
                ledger,
                &index,
                pb.publication.as_of,
                known_on,
                Some(pb.publication.ledger_seq),
                pb.publication
                    .withheld_below
                    .unwrap_or(vigilia_count::disclosure::SMALLEST_SHOWN),
            )?);
            lock(&names).insert(id, list.clone());
            Ok((pb, list))
        })
        .await?;
    let (shown, page, pages) =
        vigilia_app::lists::paged(list.listed.clone(), q.page.trim().parse().unwrap_or(1));
    Ok(ok(&PublicNames {
        p: Chrome::of(&ctx),
        pb,
        list,
        shown,
        page,
        pages,
    }))
}

/// A day as the feed dates it: its start, UTC.
fn feed_date(day: Day) -> atom_syndication::FixedDateTime {
    atom_syndication::FixedDateTime::parse_from_rfc3339(&format!("{day}T00:00:00Z"))
        .unwrap_or_default()
}

/// An Atom feed of what the organisation published, newest first: each balance (its page) and
/// each certified list (its manifest, which names no one), for the press to follow.
pub async fn feed(State(app): State<Arc<App>>) -> Result<Response, WebError> {
    use atom_syndication::{Entry, Feed, Link};
    let (balances, (lists, releases), estimates) = app
        .read(|_, l| {
            Ok((
                vigilia_app::counting::publications(l)?,
                vigilia_app::signed::made(l)?,
                vigilia_app::estimates::published(l)?,
            ))
        })
        .await?;
    let base = app.config.base_url.trim_end_matches('/').to_string();
    let link = |href: String| Link {
        href,
        ..Link::default()
    };
    let mut entries: Vec<(Day, u64, Entry)> = Vec::new();
    for b in &balances {
        let mut e = Entry::default();
        e.set_id(format!("{base}/public/{}", b.id));
        e.set_title(format!(
            "Balance al {} / Balance as of {}",
            vigilia_core::date::short_day(b.publication.as_of, Lang::Es),
            vigilia_core::date::short_day(b.publication.as_of, Lang::En)
        ));
        e.set_updated(feed_date(b.published_on));
        e.set_links(vec![link(format!("{base}/public/{}", b.id))]);
        entries.push((b.published_on, b.id, e));
    }
    // Each certified list (its manifest), each release (its data package) and each estimate of
    // the undocumented (its place on the public page), dated the day it was made: a list of a
    // past day is news the day it is made.
    let made = (lists.iter())
        .map(|c| {
            (
                "Lista certificada",
                "Certified list",
                c.version,
                c.as_of,
                c.made_on,
            )
        })
        .map(|(es, en, v, as_of, on)| {
            (es, en, v, as_of, on, format!("certified/{v}/manifest.json"))
        })
        .chain(releases.iter().map(|r| {
            let v = r.version;
            (
                "Datos abiertos",
                "Open data",
                v,
                r.as_of,
                r.made_on,
                format!("releases/{v}/datapackage.json"),
            )
        }))
        .chain(estimates.iter().map(|x| {
            let v = x.version;
            (
                "Estimación",
                "Estimate",
                v,
                x.as_of,
                x.made_on,
                format!("#estimate-{v}"),
            )
        }));
    for (es, en, version, as_of, made_on, at) in made {
        let mut e = Entry::default();
        let href = match at.starts_with('#') {
            true => format!("{base}/public{at}"),
            false => format!("{base}/public/{at}"),
        };
        e.set_id(href.clone());
        e.set_title(format!(
            "{es} n.º {version} (al {}) / {en} no. {version} (as of {})",
            vigilia_core::date::short_day(as_of, Lang::Es),
            vigilia_core::date::short_day(as_of, Lang::En)
        ));
        let made = made_on.unwrap_or(as_of);
        e.set_updated(feed_date(made));
        e.set_links(vec![link(href)]);
        entries.push((made, version, e));
    }
    entries.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    let mut feed = Feed::default();
    feed.set_id(format!("{base}/public"));
    feed.set_title("Vigilia: cifras publicadas / published figures");
    let mut own = link(format!("{base}/public/feed.atom"));
    own.set_rel("self");
    feed.set_links(vec![link(format!("{base}/public")), own]);
    // Atom requires an author: the registry that publishes.
    feed.set_authors(vec![atom_syndication::Person {
        name: "Vigilia".into(),
        uri: Some(format!("{base}/public")),
        ..atom_syndication::Person::default()
    }]);
    if let Some((day, _, _)) = entries.first() {
        feed.set_updated(feed_date(*day));
    }
    feed.set_entries(entries.into_iter().map(|(_, _, e)| e).collect::<Vec<_>>());
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/atom+xml; charset=utf-8",
        )],
        feed.to_string(),
    )
        .into_response())
}

/// A file of an open-data release, as made (the public list in it names only those whose
/// consent allows it, as the public page does).
pub async fn released_file(
    State(app): State<Arc<App>>,
    Path((version, file)): Path<(u64, String)>,
) -> Result<Response, WebError> {
    let name = file.clone();
    let bytes = app
        .read(move |app, l| {
            let cache = app.consent_holds.get(l, |_| Ok(Mutex::default()))?;
            let holds = |l: &mut Ledger, r: &vigilia_core::fact::SignedFiles| {
                if let Some(h) = lock(&cache).get(&r.version) {
                    return Ok(*h);
                }
                let h = vigilia_app::release::consent_holds(l, r)?;
                lock(&cache).insert(r.version, h);
                Ok(h)
            };
            match vigilia_app::release::file(l, version, &name, holds) {
                Ok(b) => Ok(b),
                Err(vigilia_app::AppError::NoRelease(_)) => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    let Some(bytes) = bytes else {
        return Err(WebError::NotFound);
    };
    let kind = match file.rsplit('.').next() {
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    };
    Ok(attachment(bytes, kind, &file))
}

/// A certified list's manifest or its signature (`manifest.json`, `manifest.json.sig`): the
/// counts, the ledger head and each file's fingerprint, no name; anyone may check a list they
/// were given against it.
pub async fn certified_manifest(
    State(app): State<Arc<App>>,
    Path((version, file)): Path<(u64, String)>,
) -> Result<Response, WebError> {
    let wanted = match file.as_str() {
        "manifest.json" => format!("manifest-{version}.json"),
        "manifest.json.sig" => format!("manifest-{version}.json.sig"),
        _ => return Err(WebError::NotFound),
    };
    let name = wanted.clone();
    let bytes = app
        .read(
            move |_, l| match vigilia_app::certify::file(l, version, &name) {
                Ok(b) => Ok(b),
                Err(vigilia_app::AppError::NoCertifiedList(_)) => Ok(None),
                Err(e) => Err(e.into()),
            },
        )
        .await?;
    let Some(bytes) = bytes else {
        return Err(WebError::NotFound);
    };
    let kind = if wanted.ends_with(".json") {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    Ok(attachment(bytes, kind, &wanted))
}

#[cfg(test)]
mod tests {
    use super::{Breakdown, PublishedEstimate, gathered_for_staff, public_view};
    use std::collections::BTreeMap;
    use vigilia_core::lang::Lang;

    /// One person of sex «otro» and none whose sex is not known: the women are gathered with
    /// them (so that nobody is found by subtraction), and whoever publishes is told so, in
    /// words, before the public sees «otros 168» where the women were.
    #[test]
    fn the_one_who_publishes_is_told_what_each_others_holds_and_what_is_left_out() {
        let sex = [("F", 167), ("M", 1491), ("X", 1), ("unknown", 0)];
        let age = [("adult", 1), ("adolescent", 1)];
        let by: BTreeMap<&'static str, BTreeMap<String, u64>> = [
            (
                "sex",
                sex.iter().map(|(v, n)| (v.to_string(), *n)).collect(),
            ),
            (
                "age",
                age.iter().map(|(v, n)| (v.to_string(), *n)).collect(),
            ),
        ]
        .into();
        let figures = serde_json::json!({"political_prisoners": {"total": 1659, "by": by}});
        let (_, _, public, _) = public_view(&figures.to_string(), 3, Lang::Es);
        let (gathered, withheld) = gathered_for_staff(&by, &public, Lang::Es);
        let sex: Vec<_> = (gathered["sex"].cells.iter())
            .map(|c| format!("{} ({})", c.name, c.n))
            .collect();
        assert_eq!(sex, ["mujeres (167)", "otro (1)"]);
        assert_eq!(withheld, ["Edad"]);
    }

    #[test]
    fn a_public_estimate_says_other_organisations_lists_once_and_names_none() {
        let e = PublishedEstimate {
            version: 1,
            as_of: "2026-11-20".parse().unwrap(),
            estimate: 100,
            lower: 90,
            upper: 120,
            observed: 80,
            assumption_es: String::new(),
            assumption_en: String::new(),
            lists: ["family", "Provea 2024", "ONG Zulia"]
                .map(String::from)
                .to_vec(),
            method: "lcmcr".into(),
            chains: Some((1.0123, 456.4)),
        };
        let es = e.how(&Lang::Es);
        assert!(
            es.contains("R‑hat\u{a0}1,012, tamaño efectivo\u{a0}456"),
            "{es}"
        );
        assert!(
            es.contains("hasta 1,05 y tamaño efectivo desde 200"),
            "{es}"
        );
        assert!(es.contains("2 listas de otras organizaciones"), "{es}");
        assert!(!es.contains("Provea") && !es.contains("Zulia"), "{es}");
        let en = e.how(&Lang::En);
        assert!(en.contains("2 lists of other organisations"), "{en}");
        let one = PublishedEstimate {
            lists: vec!["family".into(), "Provea 2024".into()],
            ..e
        };
        assert!(
            one.how(&Lang::Es)
                .contains("una lista de otra organización")
        );
    }

    fn names(dim: &str, codes: &[&str], l: Lang) -> Vec<String> {
        let cells = codes.iter().map(|c| (c.to_string(), "1".to_string()));
        Breakdown::of(dim, cells, l)
            .cells
            .into_iter()
            .map(|c| c.name)
            .collect()
    }

    #[test]
    fn a_breakdowns_values_go_in_the_same_order_in_both_languages() {
        // A fixed set of values: read in its own order, whatever the alphabet of the language.
        let sex = ["unknown", "X", "F", "M"];
        assert_eq!(
            names("sex", &sex, Lang::Es),
            ["hombres", "mujeres", "otro", "sin dato"]
        );
        assert_eq!(
            names("sex", &sex, Lang::En),
            ["men", "women", "other", "not known"]
        );
        let house = ["false", "true"];
        assert_eq!(
            names("house_arrest", &house, Lang::Es),
            ["en arresto domiciliario", "en un centro de reclusión"]
        );
        assert_eq!(
            names("house_arrest", &house, Lang::En),
            ["under house arrest", "in a place of detention"]
        );
        // Names: the alphabet, accents aside; then what is not known, and the values gathered
        // last, in both languages.
        let states = ["others", "unknown", "Monagas", "Mérida", "Lara"];
        assert_eq!(
            names("state", &states, Lang::Es)[..4],
            ["Lara", "Mérida", "Monagas", "sin dato"]
        );
        assert_eq!(
            names("state", &states, Lang::En)[3],
            "not known",
            "before the values gathered"
        );
    }
}
