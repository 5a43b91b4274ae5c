//! `/estimate`: for analysts, how many detentions no channel documented — the registry's
//! channels as lists, the latent-class estimate with its interval drawn beside the documented
//! count, what it assumes, and what can make it wrong; or the reason none is given. Nothing
//! here reaches a public page.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use vigilia_app::estimates::CHANNELS;
use vigilia_core::fold::KnownOn;
use vigilia_core::lang::{Lang, Localize};
use vigilia_count::when::day_option;
use vigilia_estimate::lcmcr::Settings;
use vigilia_estimate::{Estimate, Method, Refusal, Rules};

use crate::app::App;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::page::{Chrome, ok};

/// What the form asks (in the address: no name, only days and channels).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Asked {
    as_of: String,
    known_on: String,
    /// `loglinear` for the log-linear model; the latent-class model otherwise.
    method: String,
    family: String,
    volunteer: String,
    lawyer: String,
    press: String,
    social_media: String,
    official: String,
}

impl Asked {
    fn ticked(&self, name: &str) -> bool {
        let v = match name {
            "family" => &self.family,
            "volunteer" => &self.volunteer,
            "lawyer" => &self.lawyer,
            "press" => &self.press,
            "social_media" => &self.social_media,
            "official" => &self.official,
            _ => return false,
        };
        !v.is_empty()
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
    /// Detentions no report documented, left out of the table.
    without_report: u64,
}

impl EstimatePage {
    /// The channels with their words and whether each is ticked (all when none is).
    fn channels(&self) -> Vec<(&'static str, &'static str, bool)> {
        let none = CHANNELS.iter().all(|(_, n)| !self.asked.ticked(n));
        CHANNELS
            .iter()
            .map(|(c, n)| {
                let (es, en) = c.words();
                (*n, self.p.t(es, en), none || self.asked.ticked(n))
            })
            .collect()
    }

    fn refusal(&self, r: &Refusal) -> String {
        r.localize(self.p.l)
    }

    fn num(&self, x: &f64) -> String {
        self.p.n(&(x.round().max(0.0) as u64))
    }

    /// The documented count and the interval on one scale, as SVG: a bar for what was
    /// documented, a line for the 95% interval, a mark for the estimate.
    fn chart(&self, e: &Estimate) -> String {
        let top = e.upper.max(e.observed as f64).max(1.0) * 1.05;
        let x = |v: f64| 10.0 + 580.0 * v / top;
        let documented = self.p.t("documentadas", "documented");
        let estimated = self.p.t(
            "estimación e intervalo del 95 %",
            "estimate and 95% interval",
        );
        format!(
            "<svg viewBox=\"0 0 600 110\" role=\"img\" aria-labelledby=\"chart-title\" class=\"estimate-chart\">\
             <title id=\"chart-title\">{documented}: {obs}; {estimated}: {est} ({lo} – {hi})</title>\
             <rect x=\"10\" y=\"15\" width=\"{wo:.1}\" height=\"24\" fill=\"#5b6b7a\"/>\
             <text x=\"10\" y=\"55\" font-size=\"13\">{documented}: {obs}</text>\
             <line x1=\"{xl:.1}\" y1=\"80\" x2=\"{xh:.1}\" y2=\"80\" stroke=\"#8a1c1c\" stroke-width=\"4\"/>\
             <line x1=\"{xl:.1}\" y1=\"72\" x2=\"{xl:.1}\" y2=\"88\" stroke=\"#8a1c1c\" stroke-width=\"2\"/>\
             <line x1=\"{xh:.1}\" y1=\"72\" x2=\"{xh:.1}\" y2=\"88\" stroke=\"#8a1c1c\" stroke-width=\"2\"/>\
             <circle cx=\"{xe:.1}\" cy=\"80\" r=\"6\" fill=\"#8a1c1c\"/>\
             <text x=\"10\" y=\"106\" font-size=\"13\">{estimated}: {est} ({lo} – {hi})</text></svg>",
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
    Query(asked): Query<Asked>,
) -> Result<Response, WebError> {
    let sent = !asked.as_of.is_empty() || !asked.method.is_empty();
    let mut page = EstimatePage {
        p: Chrome::of(&ctx),
        asked: asked.clone(),
        sent,
        result: None,
        without_report: 0,
    };
    if !sent {
        return Ok(ok(&page));
    }
    let chosen: Vec<String> = CHANNELS
        .iter()
        .filter(|(_, n)| asked.ticked(n))
        .map(|(_, n)| n.to_string())
        .collect();
    let q = asked.clone();
    let histories = app
        .read(move |_, l| {
            let today = l.today()?;
            let as_of = day_option("as-of", Some(&q.as_of), today)?.unwrap_or(today);
            let known_on = KnownOn(day_option("known-on", Some(&q.known_on), today)?);
            let lists = (!chosen.is_empty()).then_some(chosen.as_slice());
            Ok(vigilia_app::estimates::histories(
                l, as_of, known_on, lists, None,
            )?)
        })
        .await?;
    let method = match asked.method.as_str() {
        "loglinear" => Method::Loglinear,
        _ => Method::Lcmcr,
    };
    // The lists by their words, in the page's language.
    let words = |code: &str| {
        CHANNELS
            .iter()
            .find(|(_, n)| *n == code)
            .map(|(c, _)| {
                let (es, en) = c.words();
                ctx.lang.pick(es, en).to_string()
            })
            .unwrap_or_else(|| code.to_string())
    };
    let table = histories.tables.into_iter().next().map(|(_, t)| {
        let names: Vec<String> = t.lists().iter().map(|c| words(c)).collect();
        t.named(&names)
    });
    let result = tokio::task::spawn_blocking(move || {
        table.map(|t| {
            vigilia_estimate::estimate(&t, method, &Rules::default(), &Settings::default())
        })
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    page.result = result;
    page.without_report = histories.without_report;
    Ok(ok(&page))
}
