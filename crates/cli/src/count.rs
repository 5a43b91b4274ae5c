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
use crate::registry::tell;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
    Svg,
}

/// What `vigilia balance` is asked.
#[derive(Debug, clap::Args)]
pub struct BalanceArgs {
    /// The date counted (YYYY-MM-DD); today by default.
    #[arg(long)]
    as_of: Option<String>,
    /// Count only what had been recorded by this date (YYYY-MM-DD).
    #[arg(long)]
    known_on: Option<String>,
    /// Start of the period whose movements are counted, (SINCE, AS_OF]; a week before by default.
    #[arg(long)]
    since: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// List the detentions behind a figure: FIGURE, DIMENSION=VALUE or FIGURE:DIMENSION=VALUE.
    #[arg(long)]
    list: Option<String>,
    /// Store this balance as a published one (a fact in the ledger).
    #[arg(long)]
    publish: bool,
    /// With --publish: the public note that goes with the figures (required for a second
    /// balance of one date: what it corrects).
    #[arg(long, requires = "publish")]
    note: Option<String>,
    /// Recompute published balance ID from the ledger as it was; it must be identical.
    #[arg(long, conflicts_with_all = ["as_of", "known_on", "since", "publish", "list"])]
    reproduce: Option<u64>,
    /// With --reproduce: how what is known today changes that balance.
    #[arg(long, requires = "reproduce")]
    compare_now: bool,
}

/// What `vigilia series` is asked.
#[derive(Debug, clap::Args)]
pub struct SeriesArgs {
    #[arg(long)]
    from: String,
    #[arg(long)]
    to: String,
    #[arg(long, value_enum, default_value_t = Every::Week)]
    every: Every,
    /// Group by these dimensions, comma-separated (sex,civilian_military,…).
    #[arg(long)]
    by: Option<String>,
    #[arg(long)]
    known_on: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

/// What `vigilia diff` is asked.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    #[arg(long)]
    from: String,
    #[arg(long)]
    to: String,
    #[arg(long)]
    known_on: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// The day a command is about, and the day it is as known on.
#[derive(Debug, clap::Args)]
pub struct Days {
    /// The day (DD/MM/AAAA or YYYY-MM-DD); today by default.
    #[arg(long)]
    as_of: Option<String>,
    /// As the registry knew it on this day.
    #[arg(long)]
    known_on: Option<String>,
}

impl Days {
    /// The days asked, with the registry opened on them.
    fn open(
        &self,
        env: &Env,
    ) -> Result<(vigilia_ledger::Ledger, When, vigilia_count::Index), Failure> {
        let mut ledger = env.open()?;
        let when = When::parse(
            ledger.today()?,
            self.as_of.as_deref(),
            self.known_on.as_deref(),
            None,
        )?;
        let index = current_index(&mut ledger)?;
        Ok((ledger, when, index))
    }
}

/// What `vigilia alerts` is asked.
#[derive(Debug, clap::Args)]
pub struct AlertsArgs {
    #[command(flatten)]
    day: Days,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// `vigilia alerts`: what to do today, for the operator (every case), as text or JSON. Names
/// printed are recorded as seen before they are printed.
pub fn alerts_command(env: &Env, req: &AlertsArgs) -> Result<(), Failure> {
    let (mut ledger, when, index) = req.day.open(env)?;
    let actor = vigilia_app::Actor::operator(&env.actor);
    let found =
        vigilia_app::alerts::alerts(&mut ledger, &index, &actor, when.as_of, when.known_on)?;
    let ids: Vec<u64> = found
        .iter()
        .filter_map(|a| a.detention.map(|d| d.0))
        .collect();
    let _ = vigilia_app::counting::listed(&mut ledger, &actor, &ids)?;
    let lang = env.lang;
    match req.format {
        Format::Json => {
            crate::say!(
                "{}",
                serde_json::to_string_pretty(&found).unwrap_or_default()
            );
        }
        _ => {
            let profile = ledger.profile()?.clone();
            for kind in vigilia_app::alerts::AlertKind::ALL {
                let of: Vec<_> = found.iter().filter(|a| a.kind == kind).collect();
                crate::say!("{} ({})", kind.localize(lang), lang.number(of.len() as u64));
                if let Some(rule) = vigilia_app::alerts::rule(&profile, kind) {
                    let checked = if rule.verified {
                        lang.pick("verificada", "verified")
                    } else {
                        lang.pick("sin verificar por un abogado", "not verified by a lawyer")
                    };
                    crate::say!("  {} ({checked})", rule.citation);
                }
                for a in of {
                    crate::say!("  {}", alert_line(a, lang));
                }
            }
        }
    }
    Ok(())
}

/// One alert as a line: who or where, since when (or when it is due), how many days, and what
/// makes it urgent.
pub fn alert_line(a: &vigilia_app::alerts::Alert, lang: vigilia_core::lang::Lang) -> String {
    use vigilia_app::alerts::AlertKind;
    let since = vigilia_core::date::short_day(a.since, lang);
    let n = lang.number(a.days.unsigned_abs());
    let unit = if a.days.abs() == 1 {
        lang.pick("día", "day")
    } else {
        lang.pick("días", "days")
    };
    let when = match (a.kind, a.days) {
        (_, 0) => format!("{since} ({})", lang.pick("hoy", "today")),
        (_, d) if d < 0 => format!("{since} ({} {n} {unit})", lang.pick("en", "in")),
        (AlertKind::Hearing, _) => match lang {
            vigilia_core::lang::Lang::Es => format!("{since} (hace {n} {unit})"),
            vigilia_core::lang::Lang::En => format!("{since} ({n} {unit} ago)"),
        },
        _ => format!("{} {since}, {n} {unit}", lang.pick("desde el", "since")),
    };
    let mut flags = Vec::new();
    if a.escalate {
        flags.push(
            lang.pick(
                "hábeas corpus y acción urgente de la ONU",
                "habeas corpus and UN urgent action",
            )
            .to_string(),
        );
    }
    if a.urgent_window {
        flags.push(
            lang.pick(
                "dentro de los tres meses de la ONU",
                "inside the UN's three months",
            )
            .to_string(),
        );
    }
    if a.deferred {
        flags.push(lang.pick("diferida", "deferred").to_string());
    }
    if let Some(n) = a.deferrals.filter(|n| *n > 0) {
        flags.push(match lang {
            vigilia_core::lang::Lang::Es => {
                format!("{n} diferimiento{}", if n == 1 { "" } else { "s" })
            }
            vigilia_core::lang::Lang::En => {
                format!("{n} deferral{}", if n == 1 { "" } else { "s" })
            }
        });
    }
    if let Some(m) = &a.measure {
        flags.push(m.localize(lang));
    } else if let Some(d) = &a.detail {
        flags.push(d.clone());
    }
    if let Some(next) = a.next_hearing {
        flags.push(format!(
            "{} {}",
            lang.pick("nueva fecha:", "new date:"),
            vigilia_core::date::short_day(next, lang)
        ));
    }
    if a.never {
        flags.push(lang.pick("nunca informado", "never reported").to_string());
    }
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!(" [{}]", flags.join("; "))
    };
    let who = match (&a.detention_ref, &a.place) {
        (Some(r), _) => format!("{r} {}", a.name.as_deref().unwrap_or("")),
        (None, Some(p)) => p.clone(),
        _ => String::new(),
    };
    format!("{}: {when}{flags}", who.trim_end())
}

/// What `vigilia bench-count` is asked.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[arg(long)]
    as_of: String,
    #[arg(long)]
    known_on: String,
    #[arg(long)]
    from: String,
    #[arg(long)]
    to: String,
    #[arg(long, default_value_t = 20)]
    repeat: usize,
}

pub fn balance_command(env: &Env, req: &BalanceArgs) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    if let Some(id) = req.reproduce {
        return reproduce(env, &mut ledger, id, req.compare_now, req.format);
    }
    let (as_of, known_on, since) = (
        req.as_of.as_deref(),
        req.known_on.as_deref(),
        req.since.as_deref(),
    );
    let when = When::parse(ledger.today()?, as_of, known_on, since)?;
    let (index, head) = vigilia_count::stored::index_and_head(&mut ledger)?;
    if let Some(selector) = req.list.as_deref() {
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
    let b = compute(&index, &when, &head);
    print(env.lang, &b, req.format);
    if req.publish {
        let id = vigilia_app::write(&mut ledger, |tx| {
            vigilia_app::publication::publish(
                tx,
                &vigilia_app::Actor::operator(&env.actor),
                &b,
                &when,
                req.note.as_deref(),
            )
        })?;
        let (id, h) = (id.0, ledger.head()?.hash);
        tell(
            env,
            format!("Balance publicado con el número {id} (cabeza del libro {h})"),
            format!("Balance published as number {id} (ledger head {h})"),
        );
    }
    Ok(())
}

fn print(lang: Lang, b: &Balance, format: Format) {
    match format {
        Format::Json => crate::say!("{}", b.to_json()),
        Format::Csv => crate::say!("{}", counting::balance_csv(b)),
        Format::Text => crate::say!("{}", vigilia_count::text::balance(b, lang)),
        Format::Svg => crate::say!("{}", vigilia_count::chart::breakdown(b, lang)),
    }
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
        tell(
            env,
            "Las cifras recalculadas NO coinciden con las publicadas:",
            "The recomputed figures do NOT match the published ones:",
        );
        crate::say!("{}", r.again.to_json());
        return Err(Failure::Broken(vigilia_ledger::LedgerError::Refused(
            format!("published balance {id} (ledger head {head}) does not reproduce"),
        )));
    }
    tell(
        env,
        format!(
            "Balance {id} publicado el {on}: reproducido idéntico desde el libro hasta el hecho {seq} ({head})"
        ),
        format!(
            "Balance {id} published on {on}: reproduced identical from the ledger up to fact {seq} ({head})"
        ),
    );
    if !compare_now {
        print(lang, &r.again, format);
        return Ok(());
    }
    let now = counting::as_known_now(ledger, &r.published)?;
    crate::say!("{}", vigilia_count::text::compared(&r.again, &now, lang));
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
pub fn diff_command(env: &Env, args: &DiffArgs) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let today = ledger.today()?;
    let (from, to) = counting::from_to(today, &args.from, &args.to, false)?;
    let known_on = KnownOn(day_option("known-on", args.known_on.as_deref(), today)?);
    let format = args.format;
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
    tell(
        env,
        format!("Entre {from} y {to}: {e} pasaron a ser presos políticos, {l} dejaron de serlo"),
        format!("Between {from} and {to}: {e} became political prisoners, {l} stopped being ones"),
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
pub fn series_command(env: &Env, args: &SeriesArgs) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let today = ledger.today()?;
    let (from, to) = counting::from_to(today, &args.from, &args.to, true)?;
    let known_on = KnownOn(day_option("known-on", args.known_on.as_deref(), today)?);
    let dims: Vec<Dim> = counting::dimensions(args.by.as_deref().unwrap_or(""))?;
    let every = match args.every {
        Every::Day => vigilia_count::series::Every::Day,
        Every::Week => vigilia_count::series::Every::Week,
        Every::Month => vigilia_count::series::Every::Month,
    };
    let index = current_index(&mut ledger)?;
    let rows = vigilia_count::series::series(&index, from, to, every, &dims, known_on);
    match args.format {
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
pub fn bench_command(env: &Env, args: &BenchArgs) -> Result<(), Failure> {
    let BenchArgs {
        as_of,
        known_on,
        from,
        to,
        repeat,
    } = args;
    let mut ledger = env.open()?;
    let today = ledger.today()?;
    let day = |name, text| -> Result<_, Failure> {
        Ok(day_option(name, Some(text), today)?.unwrap_or(today))
    };
    let (as_of, known_on) = (day("as-of", as_of)?, day("known-on", known_on)?);
    let (from, to) = (day("from", from)?, day("to", to)?);
    let load = std::time::Instant::now();
    let mut index = current_index(&mut ledger)?;
    let load_ms = load.elapsed().as_secs_f64() * 1000.0;
    let out = vigilia_count::timing::run(&mut index, load_ms, as_of, known_on, (from, to), *repeat);
    crate::say!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(())
}

/// What `vigilia public-list` is asked.
#[derive(Debug, clap::Args)]
pub struct PublicListArgs {
    #[command(flatten)]
    day: Days,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

/// `vigilia public-list`: the political prisoners of a day as the public may see them (full
/// name, initials, or only counted, by each person's consent in force now). CSV rows on
/// standard output, what they add up to on standard error; or all of it as JSON.
pub fn public_list_command(env: &Env, req: &PublicListArgs) -> Result<(), Failure> {
    let (mut ledger, when, index) = req.day.open(env)?;
    let list = {
        let below = vigilia_app::publication::small_cells(&mut ledger)?;
        vigilia_app::public::public_list(
            &mut ledger,
            &index,
            when.as_of,
            when.known_on,
            None,
            below,
        )?
    };
    match req.format {
        Format::Json => crate::say!(
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        ),
        _ => {
            crate::say!("{}", vigilia_app::public::list_csv(&list));
            let n = |x: usize| env.lang.number(x as u64);
            crate::registry::tell(
                env,
                format!(
                    "{} presos políticos: {} con nombre o iniciales, {} solo contados",
                    n(list.political_prisoners),
                    n(list.listed.len()),
                    n(list.counted_only)
                ),
                format!(
                    "{} political prisoners: {} by name or initials, {} counted only",
                    n(list.political_prisoners),
                    n(list.listed.len()),
                    n(list.counted_only)
                ),
            );
        }
    }
    Ok(())
}
