//! `vigilia estimate`: how many detentions no list documented (multiple systems estimation),
//! from a capture-history file or from the registry's own channels; an estimate with its
//! interval and its assumption, or a refusal that says why.

use std::path::PathBuf;

use vigilia_core::fold::KnownOn;
use vigilia_core::lang::{Lang, Localize};
use vigilia_count::when::day_option;
use vigilia_estimate::lcmcr::Settings;
use vigilia_estimate::loglinear::Criterion;
use vigilia_estimate::table::Table;
use vigilia_estimate::{Estimate, Method, Refusal, Rules};

use crate::Env;
use crate::failure::Failure;

/// What `vigilia estimate` is asked.
#[derive(Debug, clap::Args)]
pub struct EstimateArgs {
    /// A capture-history table: one 0/1 column per list, then `count`.
    #[arg(long, conflicts_with = "registry")]
    histories: Option<PathBuf>,
    /// From the registry: each channel its reports came by is a list.
    #[arg(long)]
    registry: bool,
    /// The detentions arrested by this day (registry; today by default).
    #[arg(long, requires = "registry")]
    as_of: Option<String>,
    /// The detentions arrested from this day on (registry; from the first by default).
    #[arg(long, requires = "registry", conflicts_with = "publish")]
    from: Option<String>,
    /// What was known on this day (registry).
    #[arg(long, requires = "registry")]
    known_on: Option<String>,
    /// Only the detentions of this state (registry), by name or code.
    #[arg(long, requires = "registry", conflicts_with = "publish")]
    state: Option<String>,
    /// The lists used, by name: family, volunteer, lawyer, press, social_media, official and
    /// the lists imported with `vigilia import list` (registry; all by default).
    #[arg(long, value_delimiter = ',', requires = "registry")]
    lists: Option<Vec<String>>,
    /// One estimate per state or per year of arrest (registry).
    #[arg(long, requires = "registry")]
    strata: Option<String>,
    /// lcmcr (latent classes, the default) or loglinear.
    #[arg(long, default_value = "lcmcr")]
    method: String,
    /// How the log-linear model is chosen: aic or bic.
    #[arg(long, default_value = "aic")]
    criterion: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 4)]
    chains: usize,
    /// Draws kept per chain.
    #[arg(long, default_value_t = 10_000)]
    draws: usize,
    #[arg(long, default_value_t = 10_000)]
    burn_in: usize,
    #[arg(long, default_value_t = 10)]
    thin: usize,
    /// Latent classes.
    #[arg(long, default_value_t = 10)]
    classes: usize,
    /// The fewest people a list must have documented.
    #[arg(long, default_value_t = 20)]
    min_list_size: u64,
    /// The fewest people documented in a table (or stratum).
    #[arg(long, default_value_t = 50)]
    min_observed: u64,
    /// text, json or csv.
    #[arg(long, default_value = "text")]
    format: String,
    /// Publish the estimate as such (registry, no strata): a fact, shown on the public page with
    /// its interval and assumption, computed again by --reproduce.
    #[arg(long, requires = "registry", conflicts_with = "strata")]
    publish: bool,
    /// Compute published estimate N again from its table and settings, and say whether it
    /// gives the same figures.
    #[arg(long, conflicts_with_all = ["histories", "registry"])]
    reproduce: Option<u64>,
}

/// One table's answer.
struct Answer {
    stratum: String,
    result: Result<Estimate, Refusal>,
}

impl Answer {
    /// As JSON: the estimate's fields (or `refused` with the reason in both languages), and
    /// the stratum when there are strata.
    fn json(&self) -> serde_json::Value {
        let mut v = match &self.result {
            Ok(e) => serde_json::to_value(e).unwrap_or_default(),
            Err(r) => {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("reason_es".into(), r.localize(Lang::Es).into());
                    o.insert("reason_en".into(), r.localize(Lang::En).into());
                }
                v
            }
        };
        if let (Some(o), false) = (v.as_object_mut(), self.stratum.is_empty()) {
            o.insert("stratum".into(), self.stratum.clone().into());
        }
        v
    }
}

pub fn estimate(env: &Env, args: &EstimateArgs) -> Result<(), Failure> {
    let bad = |es: String, en: String| Failure::bad(es, en);
    if let Some(n) = args.reproduce {
        let mut ledger = env.open()?;
        let (e, same) = vigilia_app::estimates::reproduce(&mut ledger, n)?;
        let answers = [Answer {
            stratum: String::new(),
            result: Ok(e),
        }];
        crate::say!("{}", text(&answers, env.lang, true));
        return if same {
            crate::registry::tell(
                env,
                format!(
                    "La estimación publicada n.º {n} se calculó de nuevo: da las mismas cifras."
                ),
                format!(
                    "Published estimate no. {n} was computed again: it gives the same figures."
                ),
            );
            Ok(())
        } else {
            Err(Failure::Differs {
                es: format!(
                    "La estimación publicada n.º {n}, calculada de nuevo, NO da las mismas cifras."
                ),
                en: format!(
                    "Published estimate no. {n}, computed again, does NOT give the same figures."
                ),
            })
        };
    }
    let method = Method::from_name(&args.method).ok_or_else(|| {
        bad(
            format!("--method {}: diga lcmcr o loglinear", args.method),
            format!("--method {}: say lcmcr or loglinear", args.method),
        )
    })?;
    let criterion = match args.criterion.as_str() {
        "aic" => Criterion::Aic,
        "bic" => Criterion::Bic,
        other => {
            return Err(bad(
                format!("--criterion {other}: diga aic o bic"),
                format!("--criterion {other}: say aic or bic"),
            ));
        }
    };
    if !matches!(args.format.as_str(), "text" | "json" | "csv") {
        return Err(bad(
            format!("--format {}: diga text, json o csv", args.format),
            format!("--format {}: say text, json or csv", args.format),
        ));
    }
    if !(1..=16).contains(&args.chains)
        || !(10..=1_000_000).contains(&args.draws)
        || !(1..=50).contains(&args.classes)
        || !(1..=1_000).contains(&args.thin)
        || args.burn_in > 10_000_000
    {
        return Err(bad(
            "--chains de 1 a 16, --classes de 1 a 50, --thin de 1 a 1.000, --draws de 10 a 1.000.000 y --burn-in hasta 10.000.000".into(),
            "--chains from 1 to 16, --classes from 1 to 50, --thin from 1 to 1,000, --draws from 10 to 1,000,000 and --burn-in up to 10,000,000".into(),
        ));
    }
    let rules = Rules {
        min_lists: 3,
        min_list_size: args.min_list_size,
        min_observed: args.min_observed,
        criterion,
    };
    let settings = Settings {
        classes: args.classes,
        chains: args.chains,
        draws: args.draws,
        burn_in: args.burn_in,
        thin: args.thin,
        seed: args.seed,
        ..Settings::default()
    };
    let mut publishing = None;
    let mut waiting = 0;
    let (tables, without_report) = match (&args.histories, args.registry) {
        (Some(path), _) => {
            let file = std::fs::File::open(path).map_err(|e| Failure::io(path, &e))?;
            let table = Table::from_csv(std::io::BufReader::new(file)).map_err(|e| {
                bad(
                    format!("{}: {}", path.display(), e.localize(Lang::Es)),
                    format!("{}: {}", path.display(), e.localize(Lang::En)),
                )
            })?;
            (vec![(String::new(), table)], None)
        }
        (None, true) => {
            let mut ledger = env.open()?;
            // The head before the table: a write while it is built refuses the publication.
            let head = ledger.content()?;
            let today = ledger.today()?;
            let day = |name: &str, text: Option<&str>| {
                day_option(name, text, today).map_err(vigilia_app::AppError::from)
            };
            let as_of = day("as-of", args.as_of.as_deref())?.unwrap_or(today);
            let from = day("from", args.from.as_deref())?;
            let known_on = KnownOn(day("known-on", args.known_on.as_deref())?);
            let strata = match args.strata.as_deref() {
                None => None,
                Some(s) => Some(vigilia_app::estimates::Strata::from_name(s).ok_or_else(|| {
                    bad(
                        format!("--strata {s}: diga state o year"),
                        format!("--strata {s}: say state or year"),
                    )
                })?),
            };
            let h = vigilia_app::estimates::histories(
                &mut ledger,
                &vigilia_app::estimates::Question {
                    from,
                    state: args.state.clone(),
                    lists: args.lists.clone(),
                    least: args.min_list_size,
                    strata,
                    ..vigilia_app::estimates::Question::by(as_of, known_on)
                },
            )?;
            if args.publish {
                publishing = Some((ledger, head, as_of, known_on));
            }
            waiting = h.waiting;
            (h.tables, Some(h.without_report))
        }
        (None, false) => {
            return Err(bad(
                "diga --histories ARCHIVO o --registry".into(),
                "say --histories FILE or --registry".into(),
            ));
        }
    };
    let answers: Vec<Answer> = tables
        .iter()
        .map(|(stratum, t)| Answer {
            stratum: stratum.clone(),
            // A file's columns are its author's own names; the registry's lists are said in
            // words, and another organisation's never named.
            result: match args.registry {
                true => vigilia_app::estimates::estimate(t, method, &rules, &settings),
                false => vigilia_estimate::estimate(t, method, &rules, &settings),
            },
        })
        .collect();
    match args.format.as_str() {
        "json" => {
            let out = match answers.as_slice() {
                [one] if one.stratum.is_empty() => serde_json::to_string_pretty(&one.json()),
                _ => serde_json::to_string_pretty(
                    &answers.iter().map(Answer::json).collect::<Vec<_>>(),
                ),
            };
            crate::say!("{}", out.unwrap_or_default());
        }
        "csv" => crate::say!("{}", csv(&answers, env.lang)),
        _ => crate::say!("{}", text(&answers, env.lang, args.registry)),
    }
    if let Some(n) = without_report.filter(|n| *n > 0) {
        let n = env.lang.number(n);
        crate::registry::tell(
            env,
            format!(
                "{n} detenciones que ninguna de estas listas documentó (importadas o anotadas a mano, o solo en listas no usadas) no están en la tabla."
            ),
            format!(
                "{n} detentions that none of these lists documented (imported or entered by hand, or only on lists not used) are not in the table."
            ),
        );
    }
    if waiting > 0 {
        let n = env.lang.number(waiting);
        crate::registry::tell(
            env,
            format!(
                "{n} reportes esperan todavía en la bandeja: no cuentan para ninguna lista hasta que se unan a una detención, y la estimación puede cambiar cuando se decidan."
            ),
            format!(
                "{n} reports still wait in the reports queue: they count for no list until joined to a detention, and the estimate may change once they are decided."
            ),
        );
    }
    // An estimate below what the registry already holds falls short: said as the page says it
    // (and it is not published).
    for a in answers.iter().filter(|_| args.registry) {
        let Ok(e) = &a.result else { continue };
        let known = e.observed + without_report.unwrap_or(0);
        if e.estimate < known as f64 {
            let (n, stratum) = (env.lang.number(known), &a.stratum);
            let of = match stratum.is_empty() {
                true => String::new(),
                false => format!(" ({stratum})"),
            };
            crate::registry::tell(
                env,
                format!(
                    "Esta estimación se queda corta{of}: el registro ya tiene {n} detenciones en ese período, más que lo que estima. Hay detenciones que estas listas casi nunca alcanzan, y ningún método las ve."
                ),
                format!(
                    "This estimate falls short{of}: the registry already holds {n} detentions in that period, more than it estimates. Some detentions these lists almost never reach, and no method sees them."
                ),
            );
        }
    }
    if let (Some((mut ledger, head, as_of, known_on)), [only]) = (publishing, answers.as_slice())
        && let (Ok(e), Some((_, table))) = (&only.result, tables.first())
    {
        let actor = vigilia_app::Actor::operator(&env.actor);
        // What the registry already holds in the period: on a list, or on none.
        let known = e.observed + without_report.unwrap_or(0);
        let n = vigilia_app::estimates::publish(
            &mut ledger,
            &actor,
            head,
            table,
            as_of,
            known_on,
            method,
            &settings,
            &rules,
            e,
            known,
        )?;
        crate::registry::tell(
            env,
            format!(
                "Publicada como estimación n.º {n}: la página pública la muestra con su intervalo y lo que supone."
            ),
            format!(
                "Published as estimate no. {n}: the public page shows it with its interval and what it assumes."
            ),
        );
    }
    // Nothing estimated at all: a refusal, said with its reason, is the answer (exit code 2).
    if answers.iter().all(|a| a.result.is_err()) {
        let reasons = |l: Lang| {
            answers
                .iter()
                .filter_map(|a| a.result.as_ref().err().map(|r| r.localize(l)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        return Err(Failure::bad(reasons(Lang::Es), reasons(Lang::En)));
    }
    Ok(())
}

fn number(lang: Lang, x: f64) -> String {
    lang.number(x.round().max(0.0) as u64)
}

/// The answers as a person reads them.
/// The answers for a person; `registry`: the lists are the registry's (in words, another
/// organisation's with the letter its published assumption gives it).
fn text(answers: &[Answer], lang: Lang, registry: bool) -> String {
    let mut out = String::new();
    for a in answers {
        if !a.stratum.is_empty() {
            out.push_str(&format!("== {}\n", a.stratum));
        }
        let e = match &a.result {
            Ok(e) => e,
            Err(r) => {
                out.push_str(&format!(
                    "{} {}\n\n",
                    lang.pick("Sin estimación:", "No estimate:"),
                    r.localize(lang)
                ));
                continue;
            }
        };
        // The model in words: its pairs of lists are said in the assumption, below.
        let how = match (&e.posterior, lang) {
            (Some(p), Lang::Es) => format!(
                "modelo de {} clases latentes (LCMCR), mediana a posteriori",
                p.settings.classes
            ),
            (Some(p), Lang::En) => format!(
                "model of {} latent classes (LCMCR), posterior median",
                p.settings.classes
            ),
            (None, _) => lang
                .pick("modelo log-lineal", "log-linear model")
                .to_string(),
        };
        out.push_str(&format!(
            "{}: {} ({how})\n",
            lang.pick("Total estimado", "Estimated total"),
            number(lang, e.estimate),
        ));
        out.push_str(&format!(
            "{}: {} {} {}\n",
            lang.pick("Intervalo del 95 %", "95% interval"),
            number(lang, e.lower),
            lang.pick("a", "to"),
            number(lang, e.upper),
        ));
        out.push_str(&format!(
            "{}: {} · {}: {}\n",
            lang.pick(
                "Documentadas por al menos una lista",
                "Documented by at least one list"
            ),
            number(lang, e.observed as f64),
            lang.pick("sin documentar (estimado)", "undocumented (estimated)"),
            number(lang, e.estimate - e.observed as f64),
        ));
        let names: Vec<String> = e.lists.iter().map(|l| l.name.clone()).collect();
        let lists: Vec<String> = e
            .lists
            .iter()
            .map(|l| {
                let (es, en) = vigilia_app::estimates::List::named(&l.name).column();
                // The letter its assumption calls another organisation's list by.
                let called = (vigilia_app::estimates::other_organisation(&names, &l.name))
                    .filter(|_| registry)
                    .map(|(es, en)| format!(" ({})", lang.pick(&es, &en)))
                    .unwrap_or_default();
                format!("{}{called} {}", lang.pick(&es, &en), lang.number(l.size))
            })
            .collect();
        out.push_str(&format!(
            "{}: {}\n",
            lang.pick("Listas", "Lists"),
            lists.join(" · ")
        ));
        if let Some(p) = &e.posterior {
            let medians: Vec<String> = p.chain_medians.iter().map(|m| number(lang, *m)).collect();
            out.push_str(&format!(
                "{}: R-hat {}, {} {}; {} {}\n",
                lang.pick("Convergencia", "Convergence"),
                lang.decimal(p.r_hat, 3),
                lang.pick("tamaño efectivo", "effective sample size"),
                number(lang, p.ess),
                lang.pick("medianas por cadena", "each chain's median"),
                medians.join(" · "),
            ));
            if vigilia_app::estimates::convergence(p)
                == vigilia_app::estimates::Convergence::Unstable
            {
                out.push_str(lang.pick(
                    "Atención: las cadenas no coinciden (R-hat > 1,1); no use este resultado, corra más iteraciones (--burn-in, --draws).\n",
                    "Warning: the chains disagree (R-hat > 1.1); do not use this result, run more iterations (--burn-in, --draws).\n",
                ));
            }
        }
        out.push_str(&format!(
            "{}: {}\n\n",
            lang.pick("Supuesto", "Assumption"),
            lang.pick(&e.assumption_es, &e.assumption_en)
        ));
    }
    out.trim_end().to_string()
}

/// The answers as rows: `stratum,observed,estimate,lower,upper,method,model,refused`.
fn csv(answers: &[Answer], lang: Lang) -> String {
    let rows: Vec<Vec<String>> = answers
        .iter()
        .map(|a| match &a.result {
            Ok(e) => vec![
                a.stratum.clone(),
                e.observed.to_string(),
                format!("{:.0}", e.estimate),
                format!("{:.0}", e.lower),
                format!("{:.0}", e.upper),
                match e.method {
                    Method::Lcmcr => "lcmcr".into(),
                    Method::Loglinear => "loglinear".into(),
                },
                e.model.clone(),
                String::new(),
            ],
            Err(r) => vec![
                a.stratum.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                r.localize(lang),
            ],
        })
        .collect();
    vigilia_app::counting::csv_table(
        &[
            "stratum", "observed", "estimate", "lower", "upper", "method", "model", "refused",
        ],
        &rows,
    )
}
