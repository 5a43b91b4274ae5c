//! The balance as text for a person to read (a terminal, a message): the figures, the
//! movements of the period, and the breakdowns, with uncertain dates shown as a range.

use vigilia_core::lang::Lang;

use crate::{Balance, Dim};

/// Label width of a figure's line.
const LABEL: usize = 38;

/// The balance as lines of text.
pub fn balance(b: &Balance, lang: Lang) -> String {
    let pick = |es: &'static str, en: &'static str| lang.pick(es, en);
    let known = match &b.known_on {
        None => pick("según lo conocido hoy", "as known today").to_string(),
        Some(k) => format!("{} {k}", pick("según lo conocido el", "as known on")),
    };
    let mut out = vec![format!(
        "{} {}, {known} ({})",
        pick("Balance al", "Balance as of"),
        b.as_of,
        b.rules
    )];
    out.extend(figures(b, lang));
    let p = &b.period;
    out.push(format!(
        "{} ({}, {}]:",
        pick("Movimientos", "Movements"),
        p.from,
        p.to
    ));
    out.extend(movements(b, lang));
    out.push(format!(
        "{}:",
        pick("Presos políticos por", "Political prisoners by")
    ));
    out.extend(breakdowns(b, lang));
    out.push(format!(
        "{}: {}",
        pick("Cabeza del libro", "Ledger head"),
        b.ledger_head
    ));
    out.join("\n")
}

/// A figure's line: its label and value, a range when dates are uncertain.
fn line(lang: Lang, label: &str, lower: u64, upper: u64) -> String {
    let value = if lower == upper {
        lang.number(lower)
    } else {
        let uncertain = lang.pick("fechas inciertas", "uncertain dates");
        format!(
            "{}–{} ({uncertain})",
            lang.number(lower),
            lang.number(upper)
        )
    };
    format!("  {:<LABEL$} {value}", format!("{label}:"))
}

fn figures(b: &Balance, lang: Lang) -> Vec<String> {
    let pick = |es: &'static str, en: &'static str| lang.pick(es, en);
    let (pp, c) = (&b.political_prisoners, &b.cumulative);
    vec![
        line(
            lang,
            pick("presos políticos", "political prisoners"),
            pp.lower,
            pp.upper,
        ),
        line(
            lang,
            pick("detenidos reconocidos", "held, recognised"),
            b.held.lower,
            b.held.upper,
        ),
        line(
            lang,
            pick("detenidos en estudio", "held, under study"),
            b.under_study.lower,
            b.under_study.upper,
        ),
        line(
            lang,
            pick(
                "detenciones políticas acumuladas",
                "cumulative political detentions",
            ),
            c.political_detentions,
            c.political_detentions_upper,
        ),
    ]
}

fn movements(b: &Balance, lang: Lang) -> Vec<String> {
    let pick = |es: &'static str, en: &'static str| lang.pick(es, en);
    let (p, u) = (&b.period, &b.period.upper);
    [
        (
            pick("detenciones políticas", "political detentions"),
            p.political_detentions,
            u.political_detentions,
        ),
        (
            pick("nuevos presos políticos", "new political prisoners"),
            p.new_prisoners,
            u.new_prisoners,
        ),
        (pick("excarcelaciones", "releases"), p.releases, u.releases),
        (
            pick(
                "excarcelaciones de presos políticos",
                "releases of political prisoners",
            ),
            p.prisoner_releases,
            u.prisoner_releases,
        ),
        (
            pick("muertes bajo custodia", "deaths in custody"),
            p.deaths,
            u.deaths,
        ),
    ]
    .into_iter()
    .map(|(label, lower, upper)| line(lang, label, lower, upper))
    .collect()
}

/// The breakdowns of the political prisoners, in the pages' order (`Dim::ALL`): states and
/// facilities by their six largest; agencies, charges and contexts are left to the pages and
/// the JSON.
fn breakdowns(b: &Balance, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    for dim in Dim::ALL {
        let top = match dim {
            Dim::State | Dim::Facility => Some(6),
            Dim::Agency | Dim::Charge | Dim::Context => continue,
            _ => None,
        };
        let Some(values) = b.political_prisoners.by.get(dim.name()) else {
            continue;
        };
        let mut values: Vec<(&String, &u64)> = values.iter().collect();
        if top.is_some() {
            values.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        } else {
            values.sort_by_key(|(v, _)| crate::words::value_place(dim.name(), v));
        }
        let shown = top.unwrap_or(values.len());
        let parts: Vec<String> = values
            .iter()
            .take(shown)
            .map(|(v, c)| {
                let v = crate::words::value(dim.name(), v, lang);
                format!("{v} {}", lang.number(**c))
            })
            .collect();
        let more = if values.len() > shown { " …" } else { "" };
        let name = crate::words::dimension(dim.name(), lang);
        out.push(format!("  {name:<20} {}{more}", parts.join(" · ")));
    }
    out
}

/// A balance as published beside the same balance counted with what is known today: the main
/// figures, then and now, and how much each moved.
pub fn compared(then: &Balance, now: &Balance, lang: Lang) -> String {
    let pick = |es: &'static str, en: &'static str| lang.pick(es, en);
    let mut out = vec![format!(
        "{} {} — {} / {}",
        pick("Balance al", "Balance as of"),
        then.as_of,
        pick("publicado", "published"),
        pick("con lo que se sabe hoy", "with what is known today")
    )];
    let (p, n) = (&then.period, &now.period);
    let (tc, nc) = (&then.cumulative, &now.cumulative);
    let rows = [
        (
            pick("presos políticos", "political prisoners"),
            then.political_prisoners.total,
            now.political_prisoners.total,
        ),
        (
            pick("detenidos reconocidos", "held, recognised"),
            then.held.total,
            now.held.total,
        ),
        (
            pick("detenidos en estudio", "held, under study"),
            then.under_study.total,
            now.under_study.total,
        ),
        (
            pick(
                "detenciones políticas (período)",
                "political detentions (period)",
            ),
            p.political_detentions,
            n.political_detentions,
        ),
        (
            pick("excarcelaciones (período)", "releases (period)"),
            p.releases,
            n.releases,
        ),
        (
            pick(
                "detenciones políticas acumuladas",
                "cumulative political detentions",
            ),
            tc.political_detentions,
            nc.political_detentions,
        ),
    ];
    for (label, then, now) in rows {
        let delta = now as i64 - then as i64;
        out.push(format!(
            "  {:<34} {then:>8} {now:>8} {delta:>+8}",
            format!("{label}:")
        ));
    }
    out.join("\n")
}
