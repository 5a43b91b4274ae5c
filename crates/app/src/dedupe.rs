//! Who may be the same person: the reports of a reports CSV grouped into persons (no registry
//! needed), pairs of the registry's persons to review before a merge, and for each new report
//! the registered persons it may be about. Each pair carries its evidence, field by field, for
//! the person who reviews it.

use std::path::Path;
use std::time::{Duration, Instant};

use vigilia_core::profile::Profile;
use vigilia_ledger::Ledger;
use vigilia_matching::compare::{Comparison, FIELD_NAMES};
use vigilia_matching::dedupe::{Outcome, dedupe};
use vigilia_matching::index::Index;
use vigilia_matching::model::Model;
use vigilia_matching::report::{Cells, Columns, Report, Stopped, read};

use crate::error::AppError;
use crate::import::rows;

/// Pairs at least this likely are the same person.
pub const SURE: f64 = 0.95;
/// Pairs at least this likely are shown for a person to review.
pub const REVIEW: f64 = 0.5;

/// Reads a reports CSV (or sheet) whole; nothing is done with a file that has a bad row.
/// `profile` reads its places; two-digit years are read against `this_year`.
pub fn read_reports(
    path: &Path,
    profile: &Profile,
    this_year: i16,
) -> Result<Vec<Report>, AppError> {
    let mut src = rows::open(path)?;
    let bad = |error| AppError::Reports {
        path: path.to_path_buf(),
        error,
    };
    let columns = Columns::parse(src.header()).map_err(bad)?;
    let rows = std::iter::from_fn(|| src.next_row()).map(|row| row.map(|(l, r)| (l, Row(r))));
    read(&columns, rows, this_year, profile).map_err(|stopped| match stopped {
        Stopped::Source(row) => AppError::BadRow {
            path: path.to_path_buf(),
            row,
        },
        Stopped::Report(error) => bad(error),
    })
}

/// A row as the CSV reader gives it: its cells in one buffer (a million rows of eleven cells
/// each in their own string took hundreds of megabytes more).
struct Row(csv::StringRecord);

impl Cells for Row {
    fn cell(&self, i: usize) -> Option<&str> {
        self.0.get(i)
    }
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

/// Reports grouped into persons.
#[derive(Debug)]
pub struct Grouped {
    /// The reports' ids, in the order they were read.
    ids: Vec<String>,
    outcome: Outcome,
    pub persons: usize,
    pub to_review: usize,
    pub compared: u64,
}

impl Grouped {
    /// How many reports were grouped.
    pub fn reports(&self) -> usize {
        self.ids.len()
    }

    fn id(&self, i: usize) -> String {
        self.ids.get(i).cloned().unwrap_or_default()
    }

    /// Each report's id with the id of the first report of its group.
    pub fn clusters(&self) -> Vec<[String; 2]> {
        (self.outcome.clusters.iter().enumerate())
            .map(|(i, c)| [self.id(i), self.id(*c)])
            .collect()
    }

    /// Pairs likely to be one person: both ids, probability, "match" or "review", evidence.
    /// Written only when asked for: at a million reports they are a million and a half.
    pub fn pairs(&self) -> Vec<[String; 5]> {
        self.outcome
            .pairs
            .iter()
            .map(|p| {
                let status = if p.merged { "match" } else { "review" };
                [
                    self.id(p.left),
                    self.id(p.right),
                    format!("{:.4}", p.probability),
                    status.to_string(),
                    evidence(&self.outcome.model, &p.comparison),
                ]
            })
            .collect()
    }
}

/// Groups `reports` into persons.
pub fn group(mut reports: Vec<Report>) -> Grouped {
    let ids: Vec<String> = reports
        .iter_mut()
        .map(|r| std::mem::take(&mut r.id))
        .collect();
    let outcome: Outcome = dedupe(reports, SURE, REVIEW);
    // Each cluster is named by its first report, which is its own cluster.
    let persons = (outcome.clusters.iter().enumerate())
        .filter(|(i, c)| i == *c)
        .count();
    Grouped {
        ids,
        persons,
        to_review: outcome.pairs.iter().filter(|p| !p.merged).count(),
        compared: outcome.compared as u64,
        outcome,
    }
}

/// Pairs of the registry's persons who may be the same: each person's id and name, the
/// other's, the probability and the evidence. Returns them with how many persons were compared.
pub fn proposals(ledger: &mut Ledger) -> Result<(Vec<[String; 6]>, usize), AppError> {
    let persons = crate::persons::registered(ledger)?;
    let ids: Vec<(u64, String)> = persons.iter().map(|(id, _, n)| (*id, n.clone())).collect();
    let outcome = dedupe(
        persons.into_iter().map(|(_, r, _)| r).collect(),
        SURE,
        REVIEW,
    );
    let person = |i: usize| ids.get(i).cloned().unwrap_or_default();
    let rows = (outcome.pairs.iter())
        .map(|p| {
            let ((a, an), (b, bn)) = (person(p.left), person(p.right));
            [
                a.to_string(),
                an,
                b.to_string(),
                bn,
                format!("{:.4}", p.probability),
                evidence(&outcome.model, &p.comparison),
            ]
        })
        .collect();
    Ok((rows, ids.len()))
}

/// For each report, the registered persons it may be about, best first.
#[derive(Debug)]
pub struct Candidates {
    /// The report's id, the rank, the person's id and name, probability, evidence.
    pub rows: Vec<[String; 6]>,
    pub persons: usize,
    /// How long each report's search took (the index is built once, before).
    pub searches: Vec<Duration>,
}

/// At most `limit` candidates for each of `reports` among the registry's persons.
pub fn candidates(
    ledger: &mut Ledger,
    reports: Vec<Report>,
    limit: usize,
) -> Result<Candidates, AppError> {
    let persons = crate::persons::registered(ledger)?;
    let names: std::collections::HashMap<u64, String> =
        persons.iter().map(|(id, _, n)| (*id, n.clone())).collect();
    let index = Index::build(persons.into_iter().map(|(id, r, _)| (id, r)).collect());
    let mut searches = Vec::with_capacity(reports.len());
    let mut rows = Vec::new();
    for r in reports {
        let id = r.id.clone();
        let started = Instant::now();
        let found = index.candidates(r, limit, REVIEW);
        searches.push(started.elapsed());
        for (rank, c) in found.iter().enumerate() {
            rows.push([
                id.clone(),
                (rank + 1).to_string(),
                c.person.to_string(),
                names.get(&c.person).cloned().unwrap_or_default(),
                format!("{:.4}", c.probability),
                evidence(index.model(), &c.comparison),
            ]);
        }
    }
    Ok(Candidates {
        rows,
        persons: index.len(),
        searches,
    })
}
