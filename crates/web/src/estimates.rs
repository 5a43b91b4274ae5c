//! `/estimate`: for analysts, how many detentions no channel documented — the registry's
//! channels as lists, the latent-class estimate with its interval drawn beside the documented
//! count, what it assumes, and what can make it wrong; or the reason none is given. Nothing
//! here reaches a public page.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use vigilia_app::estimates::{self, List, Question};
use vigilia_core::fold::KnownOn;
use vigilia_core::lang::{Lang, Localize};
use vigilia_count::when::day_option;
use vigilia_estimate::lcmcr::Settings;
use vigilia_estimate::{Estimate, Method, Refusal, Rules};

use crate::app::App;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, ok};

/// One estimate at a time.
static BUSY: std::sync::LazyLock<Arc<tokio::sync::Semaphore>> =
    std::sync::LazyLock::new(|| Arc::new(tokio::sync::Semaphore::new(1)));

/// The fewest detentions a list must have documented to be ticked when the analyst ticked none:
/// the least the guard rails accept (a smaller list would only make the estimate refuse).
const LEAST: u64 = Rules::DEFAULT_MIN_LIST_SIZE;

/// Why an estimate of one state, or from a day on, is not published: a publication names
/// neither, and would be read as the country's since the first detention.
const PART_ES: &str = "No se puede publicar: se publica solo la estimación de todo el país desde la primera detención (una publicación no dice estado ni fecha de inicio, y se leería como la del país). Quite el estado y la fecha «Desde el» para publicarla.";
const PART_EN: &str = "It cannot be published: only the estimate of the whole country since the first detention is (a publication says no state and no start, and would be read as the country's). Leave out the state and the «From» date to publish it.";

/// A fingerprint of an estimate as shown: its method and its table (how many detentions each
/// pattern of lists holds: no person). The page sends it with its publish form, and publishing
/// compares it with the method and table it would publish: a form that names another method
/// than the page showed does not publish figures no one saw.
fn shown(table: &vigilia_estimate::table::Table, method: Method) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(format!("{method:?}\n").as_bytes());
    h.update(table.to_csv().as_bytes());
    hex::encode(h.finalize())
}

/// The answers kept: the last questions asked on the registry as it stands.
const KEPT: usize = 16;

/// The questions asked (with the registry's head) and their answers, at most [`KEPT`].
type Answer = Option<Result<Estimate, Refusal>>;
static LAST: std::sync::LazyLock<std::sync::Mutex<HashMap<String, Answer>>> =
    std::sync::LazyLock::new(Default::default);

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the form asks (in the address: no name, only days, a state and lists).
#[derive(Default, Clone)]
pub struct Asked {
    from: String,
    as_of: String,
    known_on: String,
    /// A state's name; the whole country when empty.
    state: String,
    /// `loglinear` for the log-linear model; the latent-class model otherwise.
    method: String,
    /// The lists ticked, by name (`list=family&list=press&list=…`).
    lists: Vec<String>,
}

impl Asked {
    /// Reads the address's query; a key it does not know is left aside.
    fn of(query: Option<&str>) -> Asked {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
        let mut a = Asked::default();
        for (k, v) in pairs {
            match k.as_str() {
                "from" => a.from = v,
                "as_of" => a.as_of = v,
                "known_on" => a.known_on = v,
                "state" => a.state = v,
                "method" => a.method = v,
                "list" if !a.lists.contains(&v) => a.lists.push(v),
                _ => {}
            }
        }
        a
    }

    fn ticked(&self, name: &str) -> bool {
        self.lists.iter().any(|l| l == name)
    }
}

#[derive(Template)]
#[template(path = "estimate.html")]
struct EstimatePage {
    p: Chrome,
    asked: Asked,
    /// Whether the form was sent (an estimate is computed only when asked).
    sent: bool,
    result: Option<Result<Estimate, Refusal>>,
    /// Detentions on none of the lists chosen, left out of the table.
    without_report: u64,
    /// Reports still waiting in triage, on no list yet.
    waiting: u64,
    /// Every list (the channels, then the imported lists), with how many detentions of the
    /// period and state each documented, for the checkboxes.
    every: Vec<(List, u64)>,
    /// The profile's states by name, for the state chosen.
    states: Vec<String>,
    /// A date that could not be read, in words.
    problem: Option<String>,
    /// What a coordinator's button publishes: the question as read (days as Vigilia writes
    /// them, the lists of the table by name) and the registry's head it was answered at.
    publishing: Vec<(&'static str, String)>,
    /// The number of this same estimate, when it is already published.
    already: Option<u64>,
    /// Why its day cannot be published (off the week of what is already public), in words.
    too_close: Option<String>,
}

impl EstimatePage {
    /// The lists with their words, how many each documented, and whether each is ticked
    /// (when none is: those that documented someone).
    fn lists(&self) -> Vec<(String, String, String, bool)> {
        let none = self.every.iter().all(|(l, _)| !self.asked.ticked(l.name()));
        let sizes: Vec<u64> = self.every.iter().map(|(_, s)| *s).collect();
        let by_default = estimates::by_default(&sizes, LEAST);
        self.every
            .iter()
            .enumerate()
            .map(|(i, (l, size))| {
                let (es, en) = l.words();
                let ticked = if none {
                    by_default.contains(&i)
                } else {
                    self.asked.ticked(l.name())
                };
                (
                    l.name().to_string(),
                    self.p.t(&es, &en).to_string(),
                    self.p.n(size),
                    ticked,
                )
            })
            .collect()
    }

    /// Whether the chains agree, in words, by the rule a published estimate must meet (the
    /// same R-hat and effective sample size, written as the CLI and the refusal write them).
    /// "R‑hat" has a non-breaking hyphen: a phone's line does not split it.
    fn convergence(&self, post: &vigilia_estimate::lcmcr::Posterior) -> String {
        use vigilia_app::estimates::{Convergence, PUBLISHED_R_HAT, convergence};
        let value = self.p.l.decimal(post.r_hat, 3);
        let ess = self.p.l.number(post.ess.round().max(0.0) as u64);
        let (es, en) = match convergence(post) {
            Convergence::Stable => (
                "El cálculo es estable (sus cadenas coinciden",
                "The computation is stable (its chains agree",
            ),
            // Say which of the two rules it misses.
            Convergence::Doubtful if post.r_hat <= PUBLISHED_R_HAT => (
                "El cálculo no se puede publicar: sus cadenas coinciden, pero son cortas (hace falta un tamaño efectivo de 200 o más",
                "The computation cannot be published: its chains agree, but they are short (an effective sample size of 200 or more is needed",
            ),
            Convergence::Doubtful => (
                "El cálculo no se puede publicar: sus cadenas no coinciden lo bastante (hace falta R\u{2011}hat de 1,05 o menos",
                "The computation cannot be published: its chains do not agree well enough (R\u{2011}hat of 1.05 or less is needed",
            ),
            Convergence::Unstable => (
                "El cálculo no es estable: no use este resultado (sus cadenas no coinciden",
                "The computation is not stable: do not use this result (its chains disagree",
            ),
        };
        let size = self.p.t("tamaño efectivo", "effective sample size");
        format!("{}; R\u{2011}hat {value}, {size} {ess}).", self.p.t(es, en))
    }

    /// The log-linear model's dependences, in words.
    fn model_words(&self, e: &Estimate) -> String {
        let Some(fit) = &e.loglinear else {
            return String::new();
        };
        if fit.pairs.is_empty() {
            return self
                .p
                .t(
                    "Modelo elegido: las listas no dependen unas de otras.",
                    "Model chosen: the lists do not depend on each other.",
                )
                .to_string();
        }
        let name = |j: usize| e.lists.get(j).map(|l| l.name.clone()).unwrap_or_default();
        let pairs: Vec<String> = fit
            .pairs
            .iter()
            .map(|&(a, b)| format!("{} {} {}", name(a), self.p.t("y", "and"), name(b)))
            .collect();
        format!(
            "{} {}.",
            self.p.t(
                "Modelo elegido: dependen entre sí",
                "Model chosen: these depend on each other:"
            ),
            pairs.join("; ")
        )
    }

    /// Whether a coordinator may publish this estimate from here: as by default (always, on
    /// this page), converged, and not short of what the registry holds.
    fn publishable(&self, e: &Estimate) -> bool {
        self.p.is("coordinator")
            && !self.publishing.is_empty()
            && self.already.is_none()
            && self.why_not(e).is_none()
    }

    /// Why a coordinator cannot publish this estimate, in words: it is of one state or from a
    /// day on (a publication says neither, and would pass for the country's), or it falls
    /// short, or its chains do not agree.
    fn why_not(&self, e: &Estimate) -> Option<String> {
        if !self.p.is("coordinator") {
            return None;
        }
        if !self.asked.state.trim().is_empty() || !self.asked.from.trim().is_empty() {
            return Some(self.p.t(PART_ES, PART_EN).to_string());
        }
        if let Some(why) = &self.too_close {
            return Some(why.clone());
        }
        let known = self.known(e);
        (vigilia_app::estimates::publishable(&Settings::default(), &Rules::default(), e, known))
            .err()
            .map(|why| why.localize(self.p.l))
    }

    /// A list of the table by its name, and for another organisation's list the letter its
    /// published assumption calls it by («ONG Justicia (otra organización A)»).
    fn list_name(&self, e: &Estimate, name: &str) -> String {
        let names: Vec<String> = e.lists.iter().map(|l| l.name.clone()).collect();
        match estimates::other_organisation(&names, name) {
            Some((es, en)) => format!("{name} ({})", self.p.t(&es, &en)),
            None => name.to_string(),
        }
    }

    /// Detentions the registry holds in the period: on a list, or on none of those chosen.
    fn known(&self, e: &Estimate) -> u64 {
        e.observed + self.without_report
    }

    fn undocumented(&self, e: &Estimate) -> String {
        self.num(&(e.estimate - e.observed as f64))
    }

    fn refusal(&self, r: &Refusal) -> String {
        r.localize(self.p.l)
    }

    fn num(&self, x: &f64) -> String {
        self.p.n(&(x.round().max(0.0) as u64))
    }

    /// The documented count and the interval on one scale, as SVG: a bar for what was
    /// documented, a line for the 95% interval, a mark for the estimate. Its words are the
    /// page's own text under it, not the drawing's, so they read at a phone's width too.
    fn chart(&self, e: &Estimate) -> String {
        let top = e.upper.max(e.observed as f64).max(1.0) * 1.05;
        let x = |v: f64| 10.0 + 580.0 * v / top;
        let documented = self.p.t("documentadas", "documented");
        let estimated = self.p.t(
            "estimación e intervalo del 95 %",
            "estimate and 95% interval",
        );
        format!(
            "<svg viewBox=\"0 0 600 70\" role=\"img\" aria-labelledby=\"chart-title\" class=\"estimate-chart\">\
             <title id=\"chart-title\">{documented}: {obs}; {estimated}: {est} ({lo} – {hi})</title>\
             <rect x=\"10\" y=\"5\" width=\"{wo:.1}\" height=\"24\" fill=\"#5b6b7a\"/>\
             <line x1=\"{xl:.1}\" y1=\"50\" x2=\"{xh:.1}\" y2=\"50\" stroke=\"#8a1c1c\" stroke-width=\"4\"/>\
             <line x1=\"{xl:.1}\" y1=\"42\" x2=\"{xl:.1}\" y2=\"58\" stroke=\"#8a1c1c\" stroke-width=\"2\"/>\
             <line x1=\"{xh:.1}\" y1=\"42\" x2=\"{xh:.1}\" y2=\"58\" stroke=\"#8a1c1c\" stroke-width=\"2\"/>\
             <circle cx=\"{xe:.1}\" cy=\"50\" r=\"6\" fill=\"#8a1c1c\"/></svg>\
             <p class=\"legend\" aria-hidden=\"true\"><span class=\"swatch documented\"></span> {documented}: {obs} · \
             <span class=\"swatch estimated\"></span> {estimated}: {est} ({lo} – {hi})</p>",
            obs = self.p.n(&e.observed),
            est = self.num(&e.estimate),
            lo = self.num(&e.lower),
            hi = self.num(&e.upper),
            wo = x(e.observed as f64) - 10.0,
            xl = x(e.lower),
            xh = x(e.upper),
            xe = x(e.estimate),
        )
    }
}

/// `GET /estimate`: the form, and the estimate once asked.
pub async fn page(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let asked = Asked::of(query.as_deref());
    let sent = !asked.as_of.is_empty() || !asked.method.is_empty();
    // One request at a time reads the lists and estimates: the form waits its turn (reading
    // takes a fraction of a second); an estimate asked while another is computed is told to
    // wait, so that no one keeps both cores busy by asking again and again. The permit goes
    // with the computation: a client that hangs up does not free it early.
    let permit = if sent {
        BUSY.clone()
            .try_acquire_owned()
            .map_err(|_| WebError::TooMany {
                es: "Otra estimación se está calculando (puede tardar un minuto); vuelva a pedirla después.".into(),
                en: "Another estimate is being computed (it may take a minute); ask again afterwards.".into(),
            })?
    } else {
        BUSY.clone()
            .acquire_owned()
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?
    };
    let q = asked.clone();
    let lang = ctx.lang;
    // The days and the state asked, read as people type them; a wrong one keeps the form, with
    // why.
    let read = app
        .read(move |_, l| {
            let today = l.today()?;
            let states: Vec<String> = l
                .profile()?
                .states
                .entries()
                .iter()
                .map(|s| s.name.clone())
                .collect();
            let day = |label: (&'static str, &'static str), text: &str| {
                day_option("day", Some(text), today)
                    .map_err(|e| format!("{}: {}", lang.pick(label.0, label.1), e.wrong_day(lang)))
            };
            let question = (|| {
                let as_of = day(("Detenciones hasta el", "Detentions up to"), &q.as_of)?;
                let from = day(("Detenciones desde el", "Detentions from"), &q.from)?;
                let known_on = day(("Con lo que se sabía al", "As known on"), &q.known_on)?;
                let state = Some(q.state.trim().to_string()).filter(|s| !s.is_empty());
                Ok::<_, String>(Question {
                    from,
                    state,
                    ..Question::by(as_of.unwrap_or(today), KnownOn(known_on))
                })
            })();
            // One read: every list's sizes, the table of the lists ticked, and the head it was
            // read at. A question that cannot be read still shows the lists (of every
            // detention), ticked as they were.
            let head = l.content()?.hash.to_string();
            // The sizes of every list, with no table made (a registry may have more lists
            // than a table takes).
            let sizes = |question: &Question| Question {
                lists: Some(Vec::new()),
                ..question.clone()
            };
            let asked = question
                .as_ref()
                .ok()
                .map(|question| estimates::histories(l, &sizes(question)));
            let every = match &asked {
                Some(Ok(h)) => h.every.clone(),
                _ => estimates::histories(l, &sizes(&Question::by(today, KnownOn::NOW)))?.every,
            };
            let chosen = match (&question, asked) {
                (Ok(question), Some(Ok(_))) => {
                    // None ticked: the lists used by default.
                    let none = every.iter().all(|(l, _)| !q.ticked(l.name()));
                    let lists = (!none).then(|| {
                        every
                            .iter()
                            .filter(|(l, _)| q.ticked(l.name()))
                            .map(|(l, _)| l.name().to_string())
                            .collect()
                    });
                    Some(estimates::histories(
                        l,
                        &Question {
                            lists,
                            least: LEAST,
                            ..question.clone()
                        },
                    ))
                }
                (_, Some(Err(e))) => Some(Err(e)),
                _ => None,
            };
            let published = estimates::published(l)?;
            // Off the week of what is already public: said on the page, not only when the
            // button is pressed (the write refuses it again, if anything was made public since).
            let too_close = match &question {
                Ok(q) => match vigilia_app::publication::far_enough(l, q.as_of) {
                    Err(e) if e.is_mistake() => Some(e.localize(lang)),
                    other => other.map(|()| None)?,
                },
                Err(_) => None,
            };
            Ok((
                question,
                every,
                chosen,
                head,
                states,
                (published, too_close),
            ))
        })
        .await?;
    let (question, every, chosen, head, states, (published, too_close)) = read;
    let mut page = EstimatePage {
        p: Chrome::of(&ctx),
        asked: asked.clone(),
        sent,
        result: None,
        without_report: 0,
        waiting: 0,
        every,
        states,
        problem: None,
        publishing: Vec::new(),
        already: None,
        too_close,
    };
    let (question, chosen) = match (question, chosen) {
        (Ok(q), Some(c)) => (q, c),
        (q, _) => {
            page.sent = false;
            page.problem = q.err();
            return Ok(crate::page::invalid(&page));
        }
    };
    // A state or period the registry cannot read (a state it does not know, a period that
    // ends before it starts) is said where the form is.
    let chosen = match chosen {
        Ok(c) => c,
        Err(e) if !e.is_failure() => {
            page.sent = false;
            page.problem = Some(e.localize(ctx.lang));
            return Ok(crate::page::invalid(&page));
        }
        Err(e) => return Err(e.into()),
    };
    if !sent {
        return Ok(ok(&page));
    }
    let method = match asked.method.as_str() {
        "loglinear" => Method::Loglinear,
        _ => Method::Lcmcr,
    };
    // The lists by their words, in the page's language.
    let words = |name: &str| {
        let (es, en) = List::named(name).column();
        ctx.lang.pick(&es, &en).to_string()
    };
    let table = chosen.tables.into_iter().next().map(|(_, t)| t);
    if let Some(t) = &table {
        let day = |d: Option<vigilia_core::date::Day>| d.map(|d| d.to_string()).unwrap_or_default();
        page.publishing = vec![
            ("shown", shown(t, method)),
            ("as_of", question.as_of.to_string()),
            ("from", day(question.from)),
            ("known_on", day(question.known_on.0)),
            ("state", question.state.clone().unwrap_or_default()),
            ("method", asked.method.clone()),
        ];
        page.publishing
            .extend(t.lists().iter().map(|l| ("list", l.clone())));
        let (settings, rules) = (Settings::default(), Rules::default());
        page.already =
            estimates::same_as(&published, t, question.as_of, method, &settings, &rules)?;
    }
    let table = table.map(|t| {
        let names: Vec<String> = t.lists().iter().map(|c| words(c)).collect();
        t.named(&names)
    });
    page.without_report = chosen.without_report;
    page.waiting = chosen.waiting;
    // The same question on the same registry is answered from the last answer; one estimate
    // is computed at a time (each takes seconds of both cores): a second asked meanwhile is
    // told to wait, and no one can keep the server busy by asking again and again.
    let key = format!(
        "{head}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
        question.as_of,
        question.from,
        question.known_on.0,
        question.state,
        table.as_ref().map(|t| t.lists().to_vec()),
        method,
        ctx.lang.pick("es", "en")
    );
    let cached = lock(&LAST).get(&key).cloned();
    let result = match cached {
        Some(r) => r,
        None => {
            let r = tokio::task::spawn_blocking(move || {
                let _held = permit;
                table.map(|t| {
                    vigilia_app::estimates::estimate(
                        &t,
                        method,
                        &Rules::default(),
                        &Settings::default(),
                    )
                })
            })
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
            let mut kept = lock(&LAST);
            // Answers of a registry that has changed since are of no use: kept few.
            if kept.len() >= KEPT {
                kept.clear();
            }
            kept.insert(key, r.clone());
            r
        }
    };
    page.result = result;
    Ok(ok(&page))
}

/// A coordinator publishes the estimate the page showed: the same question (as the page read
/// it), computed again as by default, published if the registry is still as it was when the
/// page answered it (else it is to be looked at again). Then the public page, where it is.
pub async fn publish(
    State(app): State<Arc<App>>,
    Extension(ctx): Extension<Ctx>,
    body: String,
) -> Result<Response, WebError> {
    // A refusal leads back to the estimate, its question kept.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let question: Vec<&(String, String)> = (pairs.iter())
        .filter(|(k, _)| k != "csrf" && k != "shown")
        .collect();
    let back = format!(
        "/estimate?{}",
        serde_urlencoded::to_string(question).unwrap_or_default()
    );
    match publish_asked(app, ctx, &body).await {
        Err(e) => Ok(e.page(Some(back))),
        done => done,
    }
}

async fn publish_asked(app: Arc<App>, ctx: Ctx, body: &str) -> Result<Response, WebError> {
    let asked = Asked::of(Some(body));
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(body).unwrap_or_default();
    let seen = (pairs.iter())
        .find(|(k, _)| k == "shown")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let actor = ctx.viewer()?.actor();
    if !asked.state.trim().is_empty() || !asked.from.trim().is_empty() {
        return Err(WebError::bad(PART_ES, PART_EN));
    }
    // Waits its turn behind an estimate being computed (one at a time, in the order asked):
    // analysts asking estimate after estimate do not keep a coordinator from publishing.
    let permit = BUSY
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let method = match asked.method.as_str() {
        "loglinear" => Method::Loglinear,
        _ => Method::Lcmcr,
    };
    // The question as the page read it, and its table now: the same as the page showed, or
    // the estimate is to be looked at again. Any other write since (a lawyer's step on another
    // case) changes nothing the estimate is made of, and does not stop it.
    let table_now = move |l: &mut vigilia_ledger::Ledger| {
        let today = l.today()?;
        let day = |text: &str| {
            day_option("day", Some(text), today)
                .map_err(|e| WebError::bad(e.wrong_day(Lang::Es), e.wrong_day(Lang::En)))
        };
        let question = Question {
            lists: Some(asked.lists.clone()),
            least: LEAST,
            ..Question::by(
                day(&asked.as_of)?.unwrap_or(today),
                KnownOn(day(&asked.known_on)?),
            )
        };
        let head = l.content()?;
        let histories = estimates::histories(l, &question)?;
        vigilia_app::publication::far_enough(l, question.as_of)?;
        let Some((_, table)) = histories.tables.into_iter().next() else {
            return Err(WebError::bad(
                "No hay detenciones documentadas por estas listas en ese período: no hay nada que publicar.",
                "No detentions documented by these lists in that period: there is nothing to publish.",
            ));
        };
        if shown(&table, method) != seen {
            let changed = vigilia_app::estimates::Unpublishable::RegistryChanged;
            return Err(vigilia_app::AppError::Unpublishable(changed).into());
        }
        let known_on = question.known_on.0.unwrap_or(today);
        Ok((
            head,
            question.as_of,
            known_on,
            table,
            histories.without_report,
        ))
    };
    let read = table_now.clone();
    let (_, _, _, table, _) = app.read(move |_, l| read(l)).await?;
    let (settings, rules) = (Settings::default(), Rules::default());
    let estimate = tokio::task::spawn_blocking(move || {
        let _held = permit;
        vigilia_app::estimates::estimate(&table, method, &rules, &settings)
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?
    .map_err(|r| WebError::bad(r.localize(Lang::Es), r.localize(Lang::En)))?;
    // Written at the registry's head as read just before; a write in between (the estimate
    // took its time) is read past, as long as the table is still the one shown.
    let mut tries = 0;
    let version = loop {
        let read = table_now.clone();
        let (head, as_of, known_on, table, without_report) = app.read(move |_, l| read(l)).await?;
        let known = estimate.observed + without_report;
        vigilia_app::estimates::publishable(&settings, &rules, &estimate, known)?;
        let (actor, estimate) = (actor.clone(), estimate.clone());
        let written = app
            .write(move |tx| {
                vigilia_app::estimates::record(
                    tx, &actor, head, &table, as_of, known_on, method, &settings, &rules, &estimate,
                )
            })
            .await;
        tries += 1;
        match written {
            Err(WebError::App(vigilia_app::AppError::Unpublishable(
                vigilia_app::estimates::Unpublishable::RegistryChanged,
            ))) if tries < 3 => continue,
            other => break other?,
        };
    };
    // The public page, saying at its top that it is published (a link leads to it below).
    Ok(crate::page::see(&format!("/public?estimate={version}")))
}
