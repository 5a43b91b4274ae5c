//! `vigilia balance`, `series`, `diff`: the figures of `foro-penal-1` (see
//! `vigilia_app::counting`), printed as text, CSV, JSON or SVG.

use vigilia_app::counting::{self, LISTING, Movement, csv_table, listing_row};
use vigilia_core::fold::KnownOn;
use vigilia_core::lang::{Lang, Localize};
use vigilia_count::list::{Selector, behind};
pub use vigilia_count::stored::compute;
use vigilia_count::stored::current_index;
use vigilia_count::when::{When, day_option};
use vigilia_count::{Balance, Dim};
use vigilia_ledger::Ledger;

use crate::Env;
use crate::failure::Failure;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
    Svg,
}

/// What `vigilia balance` was asked.
#[derive(Debug)]
pub struct Request<'a> {
    pub as_of: Option<&'a str>,
    pub known_on: Option<&'a str>,
    pub since: Option<&'a str>,
    pub format: Format,
    pub list: Option<&'a str>,
    pub publish: bool,
    pub reproduce: Option<u64>,
    pub compare_now: bool,
}

pub fn balance_command(env: &Env, req: &Request<'_>) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    if let Some(id) = req.reproduce {
        return reproduce(env, &mut ledger, id, req.compare_now, req.format);
    }
    let when = When::parse(ledger.today()?, req.as_of, req.known_on, req.since)?;
    let index = current_index(&mut ledger)?;
    if let Some(selector) = req.list {
        let s = Selector::parse(selector).map_err(|e| {
            Failure::bad(
                format!("--list {}", e.localize(Lang::Es)),
                format!("--list {}", e.localize(Lang::En)),
            )
        })?;
        let ids = behind(&index, when.as_of, when.known_on, &s);
        let rows: Vec<(u64, String)> = ids.iter().map(|id| (*id, String::new())).collect();
        print_detentions(env, &mut ledger, &rows, req.format)?;
        let n = env.lang.number(ids.len() as u64);
        eprintln!("{n} {}", env.lang.pick("detenciones", "detentions"));
        return Ok(());
    }
    let b = compute(&mut ledger, &index, &when)?;
    print(env.lang, &b, req.format);
    if req.publish {
        let id = vigilia_app::write(&mut ledger, |tx| {
            vigilia_app::publication::publish(tx, &env.actor, &b, &when)
        })?;
        let (id, h) = (id.0, ledger.head()?.hash);
        eprintln!(
            "{}",
            env.lang.pick(
                &format!("Balance publicado con el número {id} (cabeza del libro {h})"),
                &format!("Balance published as number {id} (ledger head {h})"),
            )
        );
    }
    Ok(())
}

fn print(lang: Lang, b: &Balance, format: Format) {
    match format {
        Format::Json => crate::say!("{}", b.to_json()),
        Format::Csv => crate::say!("{}", counting::balance_csv(b)),
        Format::Text => crate::say!("{}", to_text(lang, b)),
        Format::Svg => crate::say!("{}", vigilia_count::chart::breakdown(b, lang)),
    }
}

fn bounds(lang: Lang, lower: u64, upper: u64) -> String {
    let n = |x| lang.number(x);
    if lower == upper {
        n(lower)
    } else {
        format!(
            "{}–{} ({})",
            n(lower),
            n(upper),
            lang.pick("fechas inciertas", "uncertain dates")
        )
    }
}

/// The balance for a person to read.
pub fn to_text(lang: Lang, b: &Balance) -> String {
    let pick = |es: &'static str, en: &'static str| lang.pick(es, en);
    let n = |x| lang.number(x);
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
    let p = &b.period;
    let figures = [
        (
            pick("presos políticos", "political prisoners"),
            bounds(
                lang,
                b.political_prisoners.lower,
                b.political_prisoners.upper,
            ),
        ),
        (
            pick("detenidos reconocidos", "held, recognised"),
            bounds(lang, b.held.lower, b.held.upper),
        ),
        (
            pick("detenidos en estudio", "held, under study"),
            bounds(lang, b.under_study.lower, b.under_study.upper),
        ),
        (
            pick(
                "detenciones políticas acumuladas",
                "cumulative political detentions",
            ),
            bounds(
                lang,
                b.cumulative.political_detentions,
                b.cumulative.political_detentions_upper,
            ),
        ),
    ];
    for (label, value) in figures {
        out.push(format!("  {:<38} {value}", format!("{label}:")));
    }
    out.push(format!(
        "{} ({}, {}]:",
        pick("Movimientos", "Movements"),
        p.from,
        p.to
    ));
    let movements = [
        (
            pick("detenciones políticas", "political detentions"),
            p.political_detentions,
            p.upper.political_detentions,
        ),
        (
            pick("nuevos presos políticos", "new political prisoners"),
            p.new_prisoners,
            p.upper.new_prisoners,
        ),
        (
            pick("excarcelaciones", "releases"),
            p.releases,
            p.upper.releases,
        ),
        (
            pick(
                "excarcelaciones de presos políticos",
                "releases of political prisoners",
            ),
            p.prisoner_releases,
            p.upper.prisoner_releases,
        ),
        (
            pick("muertes bajo custodia", "deaths in custody"),
            p.deaths,
            p.upper.deaths,
        ),
    ];
    for (label, lower, upper) in movements {
        out.push(format!(
            "  {:<38} {}",
            format!("{label}:"),
            bounds(lang, lower, upper)
        ));
    }
    out.push(format!(
        "{}:",
        pick("Presos políticos por", "Political prisoners by")
    ));
    for dim in [
        Dim::Sex,
        Dim::CivilianMilitary,
        Dim::Age,
        Dim::Nationality,
        Dim::Convicted,
        Dim::WhereaboutsUnknown,
        Dim::HouseArrest,
        Dim::Category,
    ] {
        if let Some(values) = b.political_prisoners.by.get(dim.name()) {
            let parts: Vec<String> = values
                .iter()
                .map(|(v, c)| format!("{v} {}", n(*c)))
                .collect();
            out.push(format!("  {:<20} {}", dim.name(), parts.join(" · ")));
        }
    }
    for dim in [Dim::State, Dim::Facility] {
        if let Some(values) = b.political_prisoners.by.get(dim.name()) {
            let mut top: Vec<(&String, &u64)> = values.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let parts: Vec<String> = top
                .iter()
                .take(6)
                .map(|(v, c)| format!("{v} {}", n(**c)))
                .collect();
            out.push(format!(
                "  {:<20} {}{}",
                dim.name(),
                parts.join(" · "),
                if top.len() > 6 { " …" } else { "" }
            ));
        }
    }
    out.push(format!(
        "{}: {}",
        pick("Cabeza del libro", "Ledger head"),
        b.ledger_head
    ));
    out.join("\n")
}

fn reproduce(
    env: &Env,
    ledger: &mut Ledger,
    id: u64,
    compare_now: bool,
    format: Format,
) -> Result<(), Failure> {
    let r = counting::reproduce(ledger, id)?;
    let pb = &r.published.publication;
    let (seq, head, on) = (pb.ledger_seq, &pb.ledger_head, r.published.published_on);
    let lang = env.lang;
    if !r.identical {
        eprintln!(
            "{}",
            lang.pick(
                "Las cifras recalculadas NO coinciden con las publicadas:",
                "The recomputed figures do NOT match the published ones:"
            )
        );
        crate::say!("{}", r.again.to_json());
        return Err(Failure::Broken(vigilia_ledger::LedgerError::Refused(
            format!("published balance {id} (ledger head {head}) does not reproduce"),
        )));
    }
    eprintln!(
        "{}",
        lang.pick(
            &format!("Balance {id} publicado el {on}: reproducido idéntico desde el libro hasta el hecho {seq} ({head})"),
            &format!("Balance {id} published on {on}: reproduced identical from the ledger up to fact {seq} ({head})"),
        )
    );
    if !compare_now {
        print(lang, &r.again, format);
        return Ok(());
    }
    let (b, now) = (&r.again, counting::as_known_now(ledger, &r.published)?);
    let pick = |es: &'static str, en: &'static str| lang.pick(es, en);
    crate::say!(
        "{} {} — {} / {}",
        pick("Balance al", "Balance as of"),
        pb.as_of,
        pick("publicado", "published"),
        pick("con lo que se sabe hoy", "with what is known today")
    );
    let (p, n) = (&b.period, &now.period);
    let rows = [
        (
            pick("presos políticos", "political prisoners"),
            b.political_prisoners.total,
            now.political_prisoners.total,
        ),
        (
            pick("detenidos reconocidos", "held, recognised"),
            b.held.total,
            now.held.total,
        ),
        (
            pick("detenidos en estudio", "held, under study"),
            b.under_study.total,
            now.under_study.total,
        ),
        (
            pick(
                "detenciones políticas (periodo)",
                "political detentions (period)",
            ),
            p.political_detentions,
            n.political_detentions,
        ),
        (
            pick("excarcelaciones (periodo)", "releases (period)"),
            p.releases,
            n.releases,
        ),
        (
            pick(
                "detenciones políticas acumuladas",
                "cumulative political detentions",
            ),
            b.cumulative.political_detentions,
            now.cumulative.political_detentions,
        ),
    ];
    for (label, then, now) in rows {
        let delta = now as i64 - then as i64;
        crate::say!(
            "  {:<34} {then:>8} {now:>8} {delta:>+8}",
            format!("{label}:")
        );
    }
    Ok(())
}

/// Detentions with the person behind each, one per line (or CSV/JSON rows). Names listed
/// are recorded as seen (an audit fact by the operator) before they are printed.
fn print_detentions(
    env: &Env,
    ledger: &mut Ledger,
    rows: &[(u64, String)],
    format: Format,
) -> Result<(), Failure> {
    let actor = vigilia_app::Actor::operator(&env.actor);
    let ids: Vec<u64> = rows.iter().map(|(id, _)| *id).collect();
    let found = counting::listed(ledger, &actor, &ids)?;
    let notes: std::collections::HashMap<u64, &String> =
        rows.iter().map(|(id, note)| (*id, note)).collect();
    let profile = ledger.profile()?.clone();
    let state = |c: &str| profile.state_name(c).unwrap_or(c).to_string();
    let cells: Vec<[String; 9]> = found
        .iter()
        .map(|b| {
            let note = notes.get(&b.detention.id.0).map_or("", |n| n.as_str());
            listing_row(b, note, &state)
        })
        .collect();
    match format {
        Format::Json => {
            let json: Vec<serde_json::Map<String, serde_json::Value>> = (cells.iter())
                .map(|c| {
                    LISTING
                        .iter()
                        .zip(c)
                        .map(|(k, v)| (k.to_string(), v.clone().into()))
                        .collect()
                })
                .collect();
            crate::say!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        Format::Csv => crate::say!("{}", csv_table(&LISTING, &cells)),
        Format::Text | Format::Svg => {
            for line in csv_table(&LISTING, &cells).lines().skip(1) {
                crate::say!("  {}", line.replace(',', "  "));
            }
        }
    }
    Ok(())
}

/// `vigilia diff --from D1 --to D2`: who became a political prisoner and who stopped being one.
pub fn diff_command(
    env: &Env,
    from: &str,
    to: &str,
    known_on: Option<&str>,
    format: Format,
) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let today = ledger.today()?;
    let (from, to) = counting::from_to(today, from, to, false)?;
    let known_on = KnownOn(day_option("known-on", known_on, today)?);
    let moved = counting::diff(&mut ledger, from, to, known_on)?;
    let rows: Vec<(u64, String)> = (moved.iter())
        .map(|(id, m)| {
            let note = match m {
                Movement::Entered => {
                    "+ became a political prisoner / pasó a ser preso político".to_string()
                }
                Movement::Left(kind) => format!("- left: {} / salió: {}", kind.name(), kind.name()),
                Movement::NoLongerCounted => {
                    "- no longer counted (recognition) / ya no se cuenta (reconocimiento)"
                        .to_string()
                }
            };
            (*id, note)
        })
        .collect();
    print_detentions(env, &mut ledger, &rows, format)?;
    let entered = moved
        .iter()
        .filter(|(_, m)| *m == Movement::Entered)
        .count() as u64;
    let n = |x| env.lang.number(x);
    let (e, l) = (n(entered), n(moved.len() as u64 - entered));
    eprintln!(
        "{}",
        env.lang.pick(
            &format!(
                "Entre {from} y {to}: {e} pasaron a ser presos políticos, {l} dejaron de serlo"
            ),
            &format!(
                "Between {from} and {to}: {e} became political prisoners, {l} stopped being ones"
            ),
        )
    );
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Every {
    Day,
    Week,
    Month,
}

/// `vigilia series`: the figures at every step from `from` to `to`.
pub fn series_command(
    env: &Env,
    from: &str,
    to: &str,
    every: Every,
    by: Option<&str>,
    known_on: Option<&str>,
    format: Format,
) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let today = ledger.today()?;
    let (from, to) = counting::from_to(today, from, to, true)?;
    let known_on = KnownOn(day_option("known-on", known_on, today)?);
    let dims: Vec<Dim> = counting::dimensions(by.unwrap_or(""))?;
    let every = match every {
        Every::Day => vigilia_count::series::Every::Day,
        Every::Week => vigilia_count::series::Every::Week,
        Every::Month => vigilia_count::series::Every::Month,
    };
    let index = current_index(&mut ledger)?;
    let rows = vigilia_count::series::series(&index, from, to, every, &dims, known_on);
    match format {
        Format::Json => crate::say!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        ),
        Format::Svg => {
            let svg = vigilia_count::chart::revolving_door(&rows, env.lang)
                .map_err(|e| Failure::bad(format!("gráfico: {e}"), format!("chart: {e}")))?;
            crate::say!("{svg}");
        }
        Format::Csv | Format::Text => crate::say!("{}", counting::series_csv(&rows, &dims)),
    }
    Ok(())
}

/// `vigilia bench-count`: the counting engine timed warm, in this process, for `bench/`
/// (see `vigilia_count::timing`).
pub fn bench_command(
    env: &Env,
    as_of: &str,
    known_on: &str,
    from: &str,
    to: &str,
    repeat: usize,
) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let today = ledger.today()?;
    let day = |name, text| -> Result<_, Failure> {
        Ok(day_option(name, Some(text), today)?.unwrap_or(today))
    };
    let (as_of, known_on) = (day("as-of", as_of)?, day("known-on", known_on)?);
    let (from, to) = (day("from", from)?, day("to", to)?);
    let load = std::time::Instant::now();
    let index = current_index(&mut ledger)?;
    let load_ms = load.elapsed().as_secs_f64() * 1000.0;
    let out = vigilia_count::timing::run(&index, load_ms, as_of, known_on, (from, to), repeat);
    crate::say!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(())
}
