//! `vigilia dedupe FILE --out clusters.csv [--pairs pairs.csv]`: which reports of a reports CSV
//! (`docs/formats/reports-csv.md`) are the same person. Needs no registry. Nothing is written
//! unless the whole file could be read.

use std::path::Path;

use vigilia_core::profile::Profile;
use vigilia_matching::compare::{Comparison, FIELD_NAMES};
use vigilia_matching::dedupe::dedupe;
use vigilia_matching::model::Model;
use vigilia_matching::report::{Columns, Report, read};

use crate::Env;
use crate::failure::Failure;
use vigilia_app::import::rows;

/// Pairs at least this likely are the same person.
pub const SURE: f64 = 0.95;
/// Pairs at least this likely are written to `--pairs` for a person to review.
pub const REVIEW: f64 = 0.5;

/// Reads a reports CSV (or sheet) whole; nothing is done with a file that has a bad row.
/// `profile` reads its places; the year two-digit years are read against is the organisation's.
pub fn read_reports(env: &Env, file: &Path, profile: &Profile) -> Result<Vec<Report>, Failure> {
    let mut src = rows::open(file)?;
    let bad = |e: &dyn std::fmt::Display| {
        Failure::bad(
            format!("{}: {e}", file.display()),
            format!("{}: {e}", file.display()),
        )
    };
    let columns = Columns::parse(src.header()).map_err(|e| bad(&e))?;
    let mut rows = Vec::new();
    while let Some(next) = src.next_row() {
        match next {
            Ok((line, record)) => rows.push((
                line,
                record.iter().map(str::to_string).collect::<Vec<String>>(),
            )),
            Err(u) => return Err(Failure::bad(u.es, u.en)),
        }
    }
    let this_year = profile.day_at(env.clock.now()).year();
    read(&columns, rows, this_year, profile).map_err(|e| bad(&e))
}

pub fn run(env: &Env, file: &Path, out: &Path, pairs: Option<&Path>) -> Result<(), Failure> {
    let profile = Profile::venezuela().map_err(|e| Failure::bad(e.to_string(), e.to_string()))?;
    let reports = read_reports(env, file, &profile)?;
    let ids: Vec<String> = reports.iter().map(|r| r.id.clone()).collect();
    let outcome = dedupe(reports, SURE, REVIEW);
    let id = |i: usize| ids.get(i).map(String::as_str).unwrap_or("");
    let cluster_rows = outcome
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| vec![id(i).to_string(), id(*c).to_string()])
        .collect();
    if let Some(p) = pairs {
        let pair_rows = outcome
            .pairs
            .iter()
            .map(|p| {
                let status = if p.probability >= SURE {
                    "match"
                } else {
                    "review"
                };
                vec![
                    id(p.left).to_string(),
                    id(p.right).to_string(),
                    format!("{:.4}", p.probability),
                    status.to_string(),
                    evidence(&outcome.model, &p.comparison),
                ]
            })
            .collect();
        write_csv(
            p,
            &[
                "report_id_left",
                "report_id_right",
                "probability",
                "status",
                "evidence",
            ],
            pair_rows,
        )?;
    }
    write_csv(out, &["report_id", "cluster_id"], cluster_rows)?;
    let clusters: std::collections::HashSet<usize> = outcome.clusters.iter().copied().collect();
    let review = outcome
        .pairs
        .iter()
        .filter(|p| p.probability < SURE)
        .count();
    let n = |x: usize| env.lang.number(x as u64);
    crate::say!(
        "{}",
        env.lang.pick(
            &format!(
                "{} reportes: {} personas; {} pares para revisar ({} pares comparados)",
                n(ids.len()),
                n(clusters.len()),
                n(review),
                n(outcome.compared)
            ),
            &format!(
                "{} reports: {} persons; {} pairs to review ({} pairs compared)",
                n(ids.len()),
                n(clusters.len()),
                n(review),
                n(outcome.compared)
            ),
        )
    );
    Ok(())
}

/// What each known field added to a pair's weight, for the person reviewing it:
/// `cedula +14.2 surnames +9.1 birth -3.0` (log2 of the Bayes factor, field by field).
pub fn evidence(model: &Model, c: &Comparison) -> String {
    FIELD_NAMES
        .iter()
        .enumerate()
        .filter(|(f, _)| c.levels.get(*f).is_some_and(|l| *l > 0))
        .map(|(f, name)| format!("{name} {:+.1}", model.field_weight(c, f)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes a CSV whole or not at all: to a `.partial` file first, renamed when complete.
pub fn write_csv(path: &Path, header: &[&str], rows: Vec<Vec<String>>) -> Result<(), Failure> {
    let partial = path.with_extension("partial");
    let mut w = csv::Writer::from_path(&partial).map_err(|e| Failure::io(&partial, &e))?;
    w.write_record(header)
        .map_err(|e| Failure::io(&partial, &e))?;
    for r in rows {
        w.write_record(&r).map_err(|e| Failure::io(&partial, &e))?;
    }
    w.flush().map_err(|e| Failure::io(&partial, &e))?;
    std::fs::rename(&partial, path).map_err(|e| Failure::io(path, &e))
}
