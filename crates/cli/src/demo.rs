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
    crate::registry::print_summary(env, &mut ledger, Some(&LAST_DAY.to_string()), None)
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
    let mut out_file = Output::create(env.keys.output(out)?)?;
    let mut truth_file = Output::create(env.keys.output(truth)?)?;
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
