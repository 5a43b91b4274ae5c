//! `vigilia balance`, `vigilia diff`: the figures of `foro-penal-1` from the counting index.

use std::collections::BTreeSet;

use vigilia_core::date::Day;
use vigilia_core::fact::Audit;
use vigilia_core::fold::{KnownOn, PublishedBalance, Record};
use vigilia_core::ids::{PublicationId, Subject};
use vigilia_core::lang::{Lang, Localize};
use vigilia_count::balance::prisoner;
use vigilia_count::index::{Case, day_no};
use vigilia_count::list::{Selector, behind, dimension_names};
pub use vigilia_count::stored::compute;
use vigilia_count::stored::{build_index, current_index};
use vigilia_count::when::{When, week_before};
use vigilia_count::{Balance, Dim, Index};
use vigilia_ledger::Ledger;

use crate::Env;
use crate::failure::Failure;

/// A date option: `YYYY-MM-DD`, not after today. Bad ones are bad input (exit code 2).
pub fn day_option(name: &str, text: Option<&str>, today: Day) -> Result<Option<Day>, Failure> {
    Ok(vigilia_count::when::day_option(name, text, today)?)
}

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
        return list(env, &mut ledger, &index, &when, selector, req.format);
    }
    let b = compute(&mut ledger, &index, &when)?;
    let json = b.to_json();
    print(env.lang, &b, &json, req.format);
    if req.publish {
        let id = vigilia_app::write(&mut ledger, |tx| {
            vigilia_app::publication::publish(tx, &env.actor, &b, &when)
        })?;
        let head = ledger.head()?;
        eprintln!(
            "{}",
            env.lang.pick(
                &format!(
                    "Balance publicado con el número {} (cabeza del libro {})",
                    id.0, head.hash
                ),
                &format!(
                    "Balance published as number {} (ledger head {})",
                    id.0, head.hash
                ),
            )
        );
    }
    Ok(())
}

fn print(lang: Lang, b: &Balance, json: &str, format: Format) {
    match format {
        Format::Json => crate::say!("{json}"),
        Format::Csv => crate::say!("{}", to_csv(b)),
        Format::Text => crate::say!("{}", to_text(lang, b)),
        Format::Svg => crate::say!("{}", vigilia_count::chart::breakdown(b, lang)),
    }
}

/// The balance as rows `figure,dimension,value,count`.
pub fn to_csv(b: &Balance) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut row = |f: &str, d: &str, v: &str, n: u64| {
        let _ = w.write_record([f, d, v, &n.to_string()]);
    };
    row("figure", "dimension", "value", 0);
    for (name, fig) in [
        ("political_prisoners", &b.political_prisoners),
        ("held", &b.held),
    ] {
        row(name, "total", "", fig.total);
        row(name, "lower", "", fig.lower);
        row(name, "upper", "", fig.upper);
        for (dim, values) in &fig.by {
            for (value, n) in values {
                row(name, dim, value, *n);
            }
        }
    }
    let p = &b.period;
    for (name, n, upper) in [
        (
            "political_detentions",
            p.political_detentions,
            p.upper.political_detentions,
        ),
        ("new_prisoners", p.new_prisoners, p.upper.new_prisoners),
        ("releases", p.releases, p.upper.releases),
        (
            "prisoner_releases",
            p.prisoner_releases,
            p.upper.prisoner_releases,
        ),
        ("deaths", p.deaths, p.upper.deaths),
    ] {
        row("period", name, "", n);
        row("period", name, "upper", upper);
    }
    for (kind, n) in &p.ends_by_type {
        row("period", "ends_by_type", kind, *n);
    }
    row(
        "cumulative",
        "political_detentions",
        "",
        b.cumulative.political_detentions,
    );
    row(
        "cumulative",
        "political_detentions",
        "upper",
        b.cumulative.political_detentions_upper,
    );
    row("under_study", "total", "", b.under_study.total);
    row("under_study", "upper", "", b.under_study.upper);
    let bytes = w.into_inner().unwrap_or_default();
    let text = String::from_utf8(bytes).unwrap_or_default();
    // The header row was written with a count column of "0": name it.
    text.replacen(
        "figure,dimension,value,0",
        "figure,dimension,value,count",
        1,
    )
    .trim_end()
    .to_string()
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
    let Some(Record::Publication(p)) = ledger.get(Subject::from(PublicationId(id)))? else {
        return Err(Failure::bad(
            format!("no hay un balance publicado con el número {id}"),
            format!("there is no published balance number {id}"),
        ));
    };
    let PublishedBalance {
        publication: pb,
        published_on,
        ..
    } = p;
    let index = build_index(ledger, Some(pb.ledger_seq))?;
    let mut b = vigilia_count::balance(&index, pb.as_of, KnownOn(pb.known_on), pb.since);
    b.ledger_head = ledger
        .fact_hash(pb.ledger_seq)?
        .map(|h| h.to_string())
        .unwrap_or_default();
    let again = b.to_json();
    let lang = env.lang;
    if again != pb.figures {
        eprintln!(
            "{}",
            lang.pick(
                "Las cifras recalculadas NO coinciden con las publicadas:",
                "The recomputed figures do NOT match the published ones:"
            )
        );
        crate::say!("{again}");
        return Err(Failure::Broken(vigilia_ledger::LedgerError::Refused(
            format!(
                "published balance {id} (ledger head {}) does not reproduce",
                pb.ledger_head
            ),
        )));
    }
    eprintln!(
        "{}",
        lang.pick(
            &format!("Balance {id} publicado el {published_on}: reproducido idéntico desde el libro hasta el hecho {} ({})", pb.ledger_seq, pb.ledger_head),
            &format!("Balance {id} published on {published_on}: reproduced identical from the ledger up to fact {} ({})", pb.ledger_seq, pb.ledger_head),
        )
    );
    if !compare_now {
        print(lang, &b, &again, format);
        return Ok(());
    }
    let full = current_index(ledger)?;
    let now = vigilia_count::balance(&full, pb.as_of, KnownOn::NOW, pb.since);
    let pick = |es: &'static str, en: &'static str| lang.pick(es, en);
    crate::say!(
        "{} {} — {} / {}",
        pick("Balance al", "Balance as of"),
        pb.as_of,
        pick("publicado", "published"),
        pick("con lo que se sabe hoy", "with what is known today")
    );
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
            b.period.political_detentions,
            now.period.political_detentions,
        ),
        (
            pick("excarcelaciones (periodo)", "releases (period)"),
            b.period.releases,
            now.period.releases,
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

fn list(
    env: &Env,
    ledger: &mut Ledger,
    index: &Index,
    when: &When,
    selector: &str,
    format: Format,
) -> Result<(), Failure> {
    let s = Selector::parse(selector).map_err(|e| {
        Failure::bad(
            format!("--list {}", e.localize(Lang::Es)),
            format!("--list {}", e.localize(Lang::En)),
        )
    })?;
    let ids = behind(index, when.as_of, when.known_on, &s);
    print_detentions(
        env,
        ledger,
        &ids.iter()
            .map(|id| (*id, String::new()))
            .collect::<Vec<_>>(),
        format,
    )?;
    eprintln!(
        "{} {}",
        env.lang.number(ids.len() as u64),
        env.lang.pick("detenciones", "detentions")
    );
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
    let found = vigilia_app::records::behind(ledger, &actor, &ids)?;
    if vigilia_app::records::lists_names(&found) {
        vigilia_app::write(ledger, |tx| {
            vigilia_app::records::audit(tx, &actor.name, Subject::REGISTRY, Audit::Listed)
        })?;
    }
    let notes: std::collections::HashMap<u64, &String> =
        rows.iter().map(|(id, note)| (*id, note)).collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut json = Vec::new();
    let header = [
        "detention_ref",
        "person_ref",
        "name",
        "national_id",
        "arrest_date",
        "arrest_state",
        "end_date",
        "end_type",
        "note",
    ];
    let _ = out.write_record(header);
    let profile = ledger.profile()?.clone();
    for b in found {
        let (d, person) = (b.detention, b.person);
        let note = notes
            .get(&d.id.0)
            .map(|n| n.to_string())
            .unwrap_or_default();
        let identity = person.as_ref().map(|p| &p.identity);
        let name = identity.map(|i| i.full_name()).unwrap_or_default();
        let cells = [
            d.reference
                .clone()
                .unwrap_or_else(|| format!("d{}", d.id.0)),
            person
                .as_ref()
                .and_then(|p| p.reference.clone())
                .unwrap_or_default(),
            name,
            identity
                .and_then(|i| i.national_id)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            d.arrest.date.to_string(),
            d.arrest
                .state
                .as_deref()
                .map(|c| profile.state_name(c).unwrap_or(c).to_string())
                .unwrap_or_default(),
            d.end
                .as_ref()
                .map(|e| e.date.to_string())
                .unwrap_or_default(),
            d.end
                .as_ref()
                .map(|e| e.kind.name().to_string())
                .unwrap_or_default(),
            note,
        ];
        match format {
            Format::Json => json.push(
                header
                    .iter()
                    .zip(cells.iter())
                    .map(|(k, v)| (k.to_string(), serde_json::Value::from(v.clone())))
                    .collect::<serde_json::Map<_, _>>(),
            ),
            _ => {
                let _ = out.write_record(&cells);
            }
        }
    }
    match format {
        Format::Json => crate::say!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        ),
        Format::Csv => crate::say!(
            "{}",
            String::from_utf8(out.into_inner().unwrap_or_default())
                .unwrap_or_default()
                .trim_end()
        ),
        Format::Text | Format::Svg => {
            let text = String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default();
            for line in text.lines().skip(1) {
                crate::say!("  {}", line.replace(',', "  "));
            }
        }
    }
    Ok(())
}

/// `--from` and `--to`: days not after today, `--from` before `--to` (or the same day, when
/// `same_day` is allowed).
fn from_to(
    ledger: &mut Ledger,
    from: &str,
    to: &str,
    same_day: bool,
) -> Result<(Day, Day), Failure> {
    let today = ledger.today()?;
    let from = day_option("from", Some(from), today)?.unwrap_or(today);
    let to = day_option("to", Some(to), today)?.unwrap_or(today);
    if from > to || (from == to && !same_day) {
        return Err(Failure::bad(
            format!("--from {from} debe ser anterior a --to {to}"),
            format!("--from {from} must be before --to {to}"),
        ));
    }
    Ok((from, to))
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
    let (from, to) = from_to(&mut ledger, from, to, false)?;
    let known_on = KnownOn(day_option("known-on", known_on, today)?);
    let index = current_index(&mut ledger)?;
    let (d1, d2) = (day_no(from), day_no(to));
    use vigilia_core::model::RecognitionStatus as R;
    let is_prisoner = |c: &Case, d| c.status == Some(R::Recognised) && prisoner(c, d).0;
    let before: BTreeSet<u64> = index
        .cases(known_on)
        .filter(|c| is_prisoner(c, d1))
        .map(|c| c.detention)
        .collect();
    let mut rows = Vec::new();
    for c in index.cases(known_on) {
        let (was, is) = (before.contains(&c.detention), is_prisoner(c, d2));
        if is && !was {
            rows.push((
                c.detention,
                "+ became a political prisoner / pasó a ser preso político".to_string(),
            ));
        } else if was && !is {
            let how = match &c.end {
                Some((end, kind)) if end.last <= d2 => {
                    format!("- left: {} / salió: {}", kind.name(), kind.name())
                }
                _ => "- no longer counted (recognition) / ya no se cuenta (reconocimiento)"
                    .to_string(),
            };
            rows.push((c.detention, how));
        }
    }
    print_detentions(env, &mut ledger, &rows, format)?;
    let entered = rows.iter().filter(|(_, n)| n.starts_with('+')).count() as u64;
    let left = rows.len() as u64 - entered;
    let n = |x| env.lang.number(x);
    eprintln!(
        "{}",
        env.lang.pick(
            &format!(
                "Entre {from} y {to}: {} pasaron a ser presos políticos, {} dejaron de serlo",
                n(entered),
                n(left)
            ),
            &format!(
                "Between {from} and {to}: {} became political prisoners, {} stopped being ones",
                n(entered),
                n(left)
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
    let (from, to) = from_to(&mut ledger, from, to, true)?;
    let known_on = KnownOn(day_option("known-on", known_on, today)?);
    let mut dims = Vec::new();
    for name in by.unwrap_or("").split(',').filter(|s| !s.is_empty()) {
        let dim = Dim::from_name(name.trim()).ok_or_else(|| {
            Failure::bad(
                format!("--by: {name:?} no es una dimensión ({})", dimension_names()),
                format!("--by: {name:?} is not a dimension ({})", dimension_names()),
            )
        })?;
        dims.push(dim);
    }
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
        Format::Csv | Format::Text => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header: Vec<&str> = vec!["date"];
            header.extend(dims.iter().map(|d| d.name()));
            header.extend([
                "political_prisoners",
                "political_prisoners_lower",
                "political_prisoners_upper",
                "held",
                "political_detentions",
                "releases",
                "prisoner_releases",
                "deaths",
            ]);
            let _ = w.write_record(&header);
            for r in &rows {
                let mut cells = vec![r.date.clone()];
                cells.extend(
                    dims.iter()
                        .map(|d| r.by.get(d.name()).cloned().unwrap_or_default()),
                );
                cells.extend(
                    [
                        r.political_prisoners,
                        r.political_prisoners_lower,
                        r.political_prisoners_upper,
                        r.held,
                        r.political_detentions,
                        r.releases,
                        r.prisoner_releases,
                        r.deaths,
                    ]
                    .map(|n| n.to_string()),
                );
                let _ = w.write_record(&cells);
            }
            crate::say!(
                "{}",
                String::from_utf8(w.into_inner().unwrap_or_default())
                    .unwrap_or_default()
                    .trim_end()
            );
        }
    }
    Ok(())
}

/// `vigilia bench-count`: the counting engine timed warm, in this process, for `bench/`.
/// Loads the index once, then runs each computation `repeat` times and prints, as JSON, the
/// best and median milliseconds with the figures computed (so a harness can check that what
/// it compares against counts the same).
pub fn bench_command(
    env: &Env,
    as_of: &str,
    known_on: &str,
    from: &str,
    to: &str,
    repeat: usize,
) -> Result<(), Failure> {
    use std::time::Instant;
    let mut ledger = env.open()?;
    let today = ledger.today()?;
    let as_of = day_option("as-of", Some(as_of), today)?.unwrap_or(today);
    let known_on = day_option("known-on", Some(known_on), today)?.unwrap_or(today);
    let (from, to) = (
        day_option("from", Some(from), today)?.unwrap_or(today),
        day_option("to", Some(to), today)?.unwrap_or(today),
    );
    let load = Instant::now();
    let index = current_index(&mut ledger)?;
    let load_ms = load.elapsed().as_secs_f64() * 1000.0;
    let since = week_before(as_of);
    let time = |f: &dyn Fn() -> serde_json::Value| -> serde_json::Value {
        let mut times = Vec::with_capacity(repeat);
        let mut result = serde_json::Value::Null;
        for _ in 0..repeat.max(1) {
            let start = Instant::now();
            result = f();
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let best = times.first().copied().unwrap_or(0.0);
        let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
        serde_json::json!({ "best_ms": best, "median_ms": median, "figures": result })
    };
    let series_figures = |rows: Vec<vigilia_count::series::Step>| {
        let sum = |f: fn(&vigilia_count::series::Step) -> u64| rows.iter().map(f).sum::<u64>();
        serde_json::json!({
            "rows": rows.len(),
            "sum_political_prisoners": sum(|r| r.political_prisoners),
            "sum_political_prisoners_upper": sum(|r| r.political_prisoners_upper),
            "sum_held": sum(|r| r.held),
            "sum_political_detentions": sum(|r| r.political_detentions),
            "sum_releases": sum(|r| r.releases),
        })
    };
    let balance_figures = |b: Balance| {
        serde_json::json!({
            "political_prisoners": b.political_prisoners.total,
            "political_prisoners_upper": b.political_prisoners.upper,
            "held": b.held.total,
            "by_sex": b.political_prisoners.by.get("sex"),
            "by_state": b.political_prisoners.by.get("state"),
            "period_political_detentions": b.period.political_detentions,
            "period_releases": b.period.releases,
        })
    };
    use vigilia_count::series::{Every as E, series};
    let out = serde_json::json!({
        "detentions": index.detentions.len(),
        "index_load_ms": load_ms,
        "balance": time(&|| balance_figures(vigilia_count::balance(&index, as_of, KnownOn::NOW, since))),
        "balance_known_on": time(&|| balance_figures(vigilia_count::balance(&index, as_of, KnownOn(Some(known_on)), since))),
        "series_weekly": time(&|| series_figures(series(&index, from, to, E::Week, &[], KnownOn::NOW))),
        "series_weekly_by_sex_civilian_military": time(&|| series_figures(series(&index, from, to, E::Week, &[Dim::Sex, Dim::CivilianMilitary], KnownOn::NOW))),
    });
    crate::say!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(())
}
