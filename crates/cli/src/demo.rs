//! `vigilia demo` and `vigilia demo-reports`: the seeded generators of `vigilia-demo`, written to
//! a new registry or to the files given on the command line.

use std::fs::File;
use std::path::Path;

use vigilia_app::import::detentions::{self, Options};
use vigilia_app::import::rows::RowSource;
use vigilia_core::model::RecognitionStatus;
use vigilia_demo::{Error, Generator, LAST_DAY, Reports};

use crate::Env;
use crate::failure::Failure;

/// A new registry with `detentions` generated from `seed`, and its summary; with `csv`, only the
/// rows, written to that file.
pub fn run(env: &Env, seed: u64, detentions: u64, csv: Option<&Path>) -> Result<(), Failure> {
    let mut generator = Generator::new(seed, detentions);
    if let Some(path) = csv {
        let file = File::create(path).map_err(|e| Failure::io(path, &e))?;
        generator
            .write_csv(file)
            .map_err(|e| Failure::io(path, e.csv()))?;
        eprintln!(
            "{}",
            env.lang.pick(
                &format!("{detentions} detenciones generadas en {}", path.display()),
                &format!("{detentions} detentions generated in {}", path.display())
            )
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

/// `count` reports generated from `seed` to `out`, and who each is about to `truth`.
pub fn reports(
    env: &Env,
    seed: u64,
    count: usize,
    out: &Path,
    truth: &Path,
) -> Result<(), Failure> {
    let out_file = File::create(out).map_err(|e| Failure::io(out, &e))?;
    let truth_file = File::create(truth).map_err(|e| Failure::io(truth, &e))?;
    let written = Reports::new(seed, count)
        .write_csv(out_file, truth_file)
        .map_err(|e| match e {
            Error::Truth(_) => Failure::io(truth, e.csv()),
            _ => Failure::io(out, e.csv()),
        })?;
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
