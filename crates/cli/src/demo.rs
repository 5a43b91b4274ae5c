//! `vigilia demo` and `vigilia demo-reports`: the seeded generators of `vigilia-demo`, written to
//! a new registry or to the files given on the command line.

use std::path::{Path, PathBuf};
use vigilia_app::export::Output;

use vigilia_app::import::detentions::{self, Options};
use vigilia_app::import::rows::RowSource;
use vigilia_core::model::RecognitionStatus;
use vigilia_demo::{Error, Generator, LAST_DAY, Reports};

use crate::Env;
use crate::failure::Failure;
use crate::registry::tell;

/// What `vigilia demo` is asked.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Seed of the generator: the same seed gives the same registry.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many detentions to generate.
    #[arg(long, default_value_t = 12_000)]
    detentions: u64,
    /// Only write the generated detentions CSV to this file; no registry is made.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Delete the SQLite registry at --database first, if there is one.
    #[arg(long)]
    replace: bool,
}

/// A new registry with the detentions generated, and its summary; with `--csv`, only the rows,
/// written to that file.
pub fn run(env: &Env, args: &DemoArgs) -> Result<(), Failure> {
    if args.replace && args.csv.is_none() {
        env.keys.remove_demo()?;
    }
    generate(env, args.seed, args.detentions, args.csv.as_deref())
}

/// A new registry with `detentions` generated from `seed` (`serve --demo`'s), or the rows only.
pub fn generate(env: &Env, seed: u64, detentions: u64, csv: Option<&Path>) -> Result<(), Failure> {
    let mut generator = Generator::new(seed, detentions);
    if let Some(path) = csv {
        let mut file = Output::create(env.keys.output(path)?)?;
        (generator.write_csv(file.writer())).map_err(|e| Failure::io(path, e.csv()))?;
        file.finish()?;
        let p = path.display();
        tell(
            env,
            format!("{detentions} detenciones generadas en {p}"),
            format!("{detentions} detentions generated in {p}"),
        );
        return Ok(());
    }
    let mut ledger = crate::registry::create(env, None)?;
    if ledger.today()? < LAST_DAY {
        return Err(Failure::bad(
            format!("los datos de demostración llegan hasta {LAST_DAY}, posterior a hoy"),
            format!("the demo data runs to {LAST_DAY}, which is after today"),
        ));
    }
    let options = Options {
        recognition: RecognitionStatus::UnderStudy,
        all_or_nothing: false,
        rejects: None,
    };
    let mut progress = crate::progress::Rows::new(env.lang, generator.position().1);
    let outcome = detentions::detentions(
        &mut ledger,
        &env.actor,
        &mut generator,
        &options,
        "demo",
        &mut progress,
    )?;
    crate::import::report(env.lang, &outcome, &options)?;
    // The places' populations and observations of their conditions (made up, like the rest).
    let actor = vigilia_app::Actor::operator(&env.actor);
    vigilia_app::write(&mut ledger, |tx| {
        vigilia_app::places::import_places(
            tx,
            &actor,
            std::path::Path::new("demo"),
            vigilia_demo::places::places_csv(seed).as_bytes(),
        )?;
        vigilia_app::places::import_observations(
            tx,
            &actor,
            std::path::Path::new("demo"),
            vigilia_demo::places::observations_csv(seed).as_bytes(),
        )
    })?;
    hearings(&mut ledger, &actor)?;
    channel_reports(&mut ledger, &env.actor, seed)?;
    crate::registry::print_summary(env, &mut ledger, Some(&LAST_DAY.to_string()), None)
}

/// Reports by channel for every detention (see
/// `vigilia_demo::channels`), each matched to its detention.
fn channel_reports(
    ledger: &mut vigilia_ledger::Ledger,
    actor: &str,
    seed: u64,
) -> Result<(), Failure> {
    use vigilia_core::fact::{Change, Draft};
    use vigilia_core::fold::{KnownOn, Record};
    use vigilia_core::ids::{Kind, ReportId};
    let today = ledger.today()?;
    let mut recent = Vec::new();
    ledger.fold_all(Kind::Detention, KnownOn::NOW, &mut |r| {
        if let Record::Detention(d) = r {
            recent.push((d.id, d.arrest.date.last_day()));
        }
    })?;
    recent.sort();
    let drawn = vigilia_demo::channels::reported_by(seed, recent.len());
    let mut reports = Vec::new();
    for ((id, arrested), channels) in recent.into_iter().zip(drawn) {
        for channel in channels {
            reports.push((id, channel, arrested.min(today)));
        }
    }
    for chunk in reports.chunks(2_000) {
        vigilia_app::write(ledger, |tx| {
            for (detention, channel, on) in chunk {
                let report = ReportId(tx.new_id(Kind::Report));
                tx.append(Draft {
                    recorded_on: *on,
                    actor: actor.to_string(),
                    subject: report.into(),
                    change: Change::ReportReceived {
                        channel: *channel,
                        text: "(demostración)".into(),
                        contact: None,
                        consent: vigilia_core::model::Disclosure::CountOnly,
                        details: None,
                        reporter: None,
                        receipt: None,
                        list: None,
                    },
                    sources: Vec::new(),
                })?;
                tx.append(Draft {
                    recorded_on: *on,
                    actor: actor.to_string(),
                    subject: report.into(),
                    change: Change::ReportMatched {
                        detention: *detention,
                    },
                    sources: Vec::new(),
                })?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Why the demo's hearings were deferred: the reasons lawyers report most.
const DEFERRED: [&str; 4] = [
    "no hubo traslado desde el centro de reclusión",
    "el tribunal no despachó",
    "no compareció el fiscal del Ministerio Público",
    "la defensa privada no fue juramentada a tiempo",
];

/// Hearings for the first people still held with a court (none are in the detentions file):
/// some set for the coming days, some deferred in the last ones (with a new date weeks
/// later), so that "Para hoy" shows both. Days are counted from the registry's today.
fn hearings(
    ledger: &mut vigilia_ledger::Ledger,
    actor: &vigilia_app::Actor,
) -> Result<(), Failure> {
    use vigilia_core::fold::{KnownOn, Record};
    use vigilia_core::model::Step;
    let today = ledger.today()?;
    let mut held = Vec::new();
    ledger.fold_all(vigilia_core::ids::Kind::Detention, KnownOn::NOW, &mut |r| {
        if let Record::Detention(d) = r
            && d.end.is_none()
            && d.steps
                .iter()
                .any(|s| matches!(s.what, Step::CourtAssigned { .. }))
        {
            held.push(d.id);
        }
    })?;
    held.sort();
    let day = |n: i64| {
        today
            .checked_add(jiff::Span::new().days(n))
            .unwrap_or(today)
            .strftime("%d/%m/%Y")
            .to_string()
    };
    let reason = |i: i64| {
        DEFERRED
            .get(i.unsigned_abs() as usize % DEFERRED.len())
            .copied()
            .unwrap_or_default()
    };
    vigilia_app::write(ledger, |tx| {
        for (i, id) in held.iter().take(24).enumerate() {
            let i = i as i64;
            let mut step = |date: String, outcome: &str, reason: &str| {
                let form = vigilia_app::records::StepForm {
                    kind: "hearing".into(),
                    date,
                    outcome: outcome.into(),
                    reason: reason.into(),
                    ..Default::default()
                };
                vigilia_app::records::record_step(tx, actor, *id, &form)
            };
            if i % 3 == 0 {
                // Deferred once or twice, the last time in the last days; a new date later.
                if i % 2 == 0 {
                    step(day(-40 - i), "deferred", reason(i + 1))?;
                }
                step(day(-(i % 6) - 1), "deferred", reason(i))?;
                step(day(20 + i), "scheduled", "")?;
            } else {
                step(day(i % 7), "scheduled", "")?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// What `vigilia demo-reports` is asked.
#[derive(Debug, clap::Args)]
pub struct ReportsArgs {
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many reports.
    #[arg(long, default_value_t = 10_000)]
    count: usize,
    /// The reports CSV written.
    #[arg(long)]
    out: PathBuf,
    /// Where `report_id,person` is written: which person each report is about.
    #[arg(long)]
    truth: PathBuf,
}

/// `count` reports generated from `seed` to `out`, and who each is about to `truth`.
pub fn reports(env: &Env, args: &ReportsArgs) -> Result<(), Failure> {
    let ReportsArgs {
        seed,
        count,
        out,
        truth,
    } = args;
    let (seed, count) = (*seed, *count);
    env.keys.outputs(&[], &[out, truth])?;
    let mut out_file = Output::create(out)?;
    let mut truth_file = Output::create(truth)?;
    let written = Reports::new(seed, count)
        .write_csv(out_file.writer(), truth_file.writer())
        .map_err(|e| match e {
            Error::Truth(_) => Failure::io(truth, e.csv()),
            _ => Failure::io(out, e.csv()),
        })?;
    out_file.finish()?;
    truth_file.finish()?;
    let (n, persons) = (written.reports, written.persons);
    crate::say!(
        "{}",
        env.lang.pick(
            &format!("{n} reportes de {persons} personas en {}", out.display()),
            &format!("{n} reports of {persons} persons in {}", out.display())
        )
    );
    Ok(())
}
