//! The counting engine timed warm, for `bench/` (`vigilia bench-count`): each computation run
//! `repeat` times on an index already loaded, with the best and median milliseconds and the
//! figures computed (so a harness can check that what it compares against counts the same).

use std::time::Instant;

use serde_json::{Value, json};
use vigilia_core::date::Day;
use vigilia_core::fold::KnownOn;

use crate::series::{Every, Step, series};
use crate::when::week_before;
use crate::{Balance, Dim, Index};

/// Times the balance (as known now and on `known_on`) and the weekly series over `period`,
/// counting every detention, then from running totals (built once, timed too).
pub fn run(
    index: &mut Index,
    load_ms: f64,
    as_of: Day,
    known_on: Day,
    (from, to): (Day, Day),
    repeat: usize,
) -> Value {
    let since = week_before(as_of);
    let time = |f: &dyn Fn() -> Value| -> Value {
        let mut times = Vec::with_capacity(repeat);
        let mut result = Value::Null;
        for _ in 0..repeat.max(1) {
            let start = Instant::now();
            result = f();
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        let first = times.first().copied().unwrap_or(0.0);
        times.sort_by(f64::total_cmp);
        let best = times.first().copied().unwrap_or(0.0);
        let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
        json!({ "first_ms": first, "best_ms": best, "median_ms": median, "figures": result })
    };
    let series_figures = |rows: Vec<Step>| {
        let sum = |f: fn(&Step) -> u64| rows.iter().map(f).sum::<u64>();
        json!({
            "rows": rows.len(),
            "sum_political_prisoners": sum(|r| r.political_prisoners),
            "sum_political_prisoners_upper": sum(|r| r.political_prisoners_upper),
            "sum_held": sum(|r| r.held),
            "sum_political_detentions": sum(|r| r.political_detentions),
            "sum_releases": sum(|r| r.releases),
        })
    };
    let balance_figures = |b: Balance| {
        json!({
            "political_prisoners": b.political_prisoners.total,
            "political_prisoners_upper": b.political_prisoners.upper,
            "held": b.held.total,
            "by_sex": b.political_prisoners.by.get("sex"),
            "by_state": b.political_prisoners.by.get("state"),
            "period_political_detentions": b.period.political_detentions,
            "period_releases": b.period.releases,
        })
    };
    let by = [Dim::Sex, Dim::CivilianMilitary];
    let figures = |index: &Index| {
        json!({
            "balance": time(&|| balance_figures(crate::balance(index, as_of, KnownOn::NOW, since))),
            "balance_known_on": time(&|| balance_figures(crate::balance(index, as_of, KnownOn(Some(known_on)), since))),
            "series_weekly": time(&|| series_figures(series(index, from, to, Every::Week, &[], KnownOn::NOW))),
            "series_weekly_by_sex_civilian_military": time(&|| series_figures(series(index, from, to, Every::Week, &by, KnownOn::NOW))),
        })
    };
    // As known on each of 60 days spread over the period: the block a day falls in is counted
    // directly, so the time depends on the day; the slowest is what a user may wait.
    let spread = |index: &Index| {
        let (a, b) = (crate::index::day_no(from), crate::index::day_no(to));
        let mut times: Vec<f64> = (0..60)
            .map(|i| {
                let k = crate::index::day_of(a + (b - a) * i / 59);
                let d = as_of.max(k);
                let start = Instant::now();
                let _ = crate::balance(index, d, KnownOn(Some(k)), week_before(d));
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        json!({
            "median_ms": times.get(30).copied().unwrap_or(0.0),
            "max_ms": times.last().copied().unwrap_or(0.0),
        })
    };
    index.totals = None;
    let scan = figures(index);
    let start = Instant::now();
    index.precompute();
    let build_ms = start.elapsed().as_secs_f64() * 1000.0;
    let mut out = figures(index);
    if let Some(o) = out.as_object_mut() {
        o.insert("balance_known_on_60_days".into(), spread(index));
        o.insert("detentions".into(), json!(index.detentions.len()));
        o.insert("index_load_ms".into(), json!(load_ms));
        o.insert("totals_build_ms".into(), json!(build_ms));
        o.insert(
            "totals_mib".into(),
            json!(index.totals.as_ref().map_or(0, |t| t.bytes()) as f64 / 1_048_576.0),
        );
        o.insert(
            "totals_shape".into(),
            json!(index.totals.as_ref().map(|t| t.shape())),
        );
        o.insert("scan".into(), scan);
    }
    out
}
