//! `vigilia import detentions FILE`: every good row is stored, every bad row is reported with its
//! line, column and reason (and written to `--rejects`), or with `--all-or-nothing` nothing is
//! stored unless every row is good. Rows are committed in batches: when a batch's progress line
//! is printed, its facts are durable. Importing the same file again adds nothing.
//!
//! A person's rows in one file are one statement about the person: the first row that gives a
//! person column (sex, civilian/military, names, …) states it, and a later row of the same
//! person that gives another value is reported with both lines and changes nothing
//! (`exchange::Row::settle_person`), so that rows that disagree do not overwrite each other on
//! every import.

use std::path::Path;

pub use vigilia_app::import::detentions::Options;
use vigilia_app::import::detentions::{self, Outcome};
use vigilia_app::import::events;
use vigilia_app::import::{mapped::Mapped, rows};
use vigilia_core::lang::{Lang, Localize};

use crate::Env;
use crate::failure::Failure;
use crate::progress::Rows;

/// `vigilia import detentions FILE [--mapping M.toml]`.
pub fn detentions_file(
    env: &Env,
    path: &Path,
    mapping: Option<&Path>,
    options: &Options,
) -> Result<(), Failure> {
    let mut source = rows::open(path)?;
    if let Some(mapping) = mapping {
        source = Box::new(Mapped::open(source, mapping)?);
    }
    let mut ledger = env.open()?;
    let mut progress = Rows::new(env.lang, source.position().1);
    let outcome = detentions::detentions(
        &mut ledger,
        &env.actor,
        source.as_mut(),
        options,
        &path.display().to_string(),
        &mut progress,
    )?;
    report(env.lang, &outcome, options)
}

/// `vigilia import events FILE --mapping M.toml`: a list of events as group detentions.
pub fn events_file(
    env: &Env,
    path: &Path,
    mapping: &Path,
    rejects: Option<&Path>,
) -> Result<(), Failure> {
    let mut source = rows::open(path)?;
    let mut ledger = env.open()?;
    let outcome = events::events(&mut ledger, &env.actor, source.as_mut(), path, mapping)?;
    let options = Options {
        recognition: vigilia_core::model::RecognitionStatus::Recognised,
        all_or_nothing: false,
        rejects: rejects.map(Path::to_path_buf),
    };
    report(env.lang, &outcome, &options)
}

/// Prints what an import did, writes the rejects file, and fails (exit code 2) if rows were rejected.
pub fn report(lang: Lang, o: &Outcome, options: &Options) -> Result<(), Failure> {
    for r in &o.rejected {
        eprintln!("{}", r.problem.localize(lang));
    }
    for c in &o.conflicts {
        eprintln!("{}", c.localize(lang));
    }
    let n = Lang::number;
    if o.stored {
        let (rows, changed, facts) = (n(lang, o.rows), n(lang, o.changed), n(lang, o.facts));
        let (unchanged, rejected) = (n(lang, o.unchanged), n(lang, o.rejected.len() as u64));
        let conflicts = match (o.conflicts.len() as u64, lang) {
            (0, _) => String::new(),
            (c, Lang::Es) => format!(
                ", {} datos de persona en conflicto con una fila anterior (queda el de la primera)",
                n(lang, c)
            ),
            (c, Lang::En) => format!(
                ", {} person cells in conflict with an earlier row (the first row's value is kept)",
                n(lang, c)
            ),
        };
        crate::say!(
            "{}",
            match lang {
                Lang::Es => format!(
                    "{rows} filas leídas: {changed} guardadas ({facts} hechos nuevos), {unchanged} sin cambios, {rejected} rechazadas{conflicts}"
                ),
                Lang::En => format!(
                    "{rows} rows read: {changed} stored ({facts} new facts), {unchanged} unchanged, {rejected} rejected{conflicts}"
                ),
            }
        );
    }
    if o.rejected.is_empty() {
        return Ok(());
    }
    let written = match &options.rejects {
        Some(path) => {
            write_rejects(path, o, lang)?;
            format!(" → {}", path.display())
        }
        None => String::new(),
    };
    let count = n(lang, o.rejected.len() as u64);
    Err(if o.stored {
        Failure::bad(
            format!("{count} filas rechazadas{written}; las demás quedaron guardadas"),
            format!("{count} rows rejected{written}; the others were stored"),
        )
    } else {
        Failure::bad(
            format!("{count} filas rechazadas{written}; con --all-or-nothing no se guardó nada"),
            format!("{count} rows rejected{written}; with --all-or-nothing nothing was stored"),
        )
    })
}

/// The rejects file: the file's own header plus `reject_line`, `reject_column`, `reject_reason`.
/// Corrected, it imports as it is (those three columns are passed over).
fn write_rejects(path: &Path, o: &Outcome, lang: Lang) -> Result<(), Failure> {
    let mut w = csv::Writer::from_path(path).map_err(|e| Failure::io(path, &e))?;
    let write = |w: &mut csv::Writer<std::fs::File>, cells: &[String]| {
        w.write_record(cells).map_err(|e| Failure::io(path, &e))
    };
    write(&mut w, &o.rejects_header)?;
    for r in &o.rejected {
        let mut cells = r.cells.clone();
        cells.extend([
            r.line.to_string(),
            r.column.clone(),
            r.problem.localize(lang),
        ]);
        write(&mut w, &cells)?;
    }
    w.flush().map_err(|e| Failure::io(path, &e))
}
