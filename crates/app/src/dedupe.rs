//! Who may be the same person: the reports of a reports CSV grouped into persons (no registry
//! needed), pairs of the registry's persons to review before a merge, and for each new report
//! the registered persons it may be about. Each pair carries its evidence, field by field, for
//! the person who reviews it.

use std::borrow::Cow;
use std::fmt::Write;
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
            row: Box::new(row),
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
    let mut text = String::with_capacity(100);
    for (f, name) in FIELD_NAMES.iter().enumerate() {
        if c.levels.get(f).is_some_and(|l| *l > 0) {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(name);
            text.push(' ');
            fixed(&mut text, model.field_weight(c, f), 1, true);
        }
    }
    text
}

/// `x` with `decimals` decimals (and its sign, with `plus`), exactly as `{:.N}` (`{:+.N}`) writes
/// it, by integer arithmetic: the standard library's exact path took a third of the time of
/// writing a million and a half pairs. Near a tie, where the product by 10^N could round
/// either way, and for very large or non-finite numbers, the standard library writes it.
fn fixed(out: &mut String, x: f64, decimals: u32, plus: bool) {
    let scale = 10u64.pow(decimals.min(8));
    let scaled = x.abs() * scale as f64;
    if decimals > 8 || !scaled.is_finite() || scaled >= 1e9 || (scaled.fract() - 0.5).abs() < 1e-6 {
        let d = decimals as usize;
        let _ = if plus {
            write!(out, "{x:+.d$}")
        } else {
            write!(out, "{x:.d$}")
        };
        return;
    }
    let n = scaled.round() as u64;
    if x.is_sign_negative() {
        out.push('-');
    } else if plus {
        out.push('+');
    }
    let _ = write!(out, "{}", n / scale);
    if decimals > 0 {
        let _ = write!(out, ".{:0w$}", n % scale, w = decimals as usize);
    }
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

    fn id(&self, i: usize) -> Cow<'_, str> {
        Cow::Borrowed(self.ids.get(i).map_or("", String::as_str))
    }

    /// Report `i`'s id with the id of the first report of its group.
    pub fn cluster(&self, i: usize) -> [Cow<'_, str>; 2] {
        let first = self.outcome.clusters.get(i).copied().unwrap_or(i);
        [self.id(i), self.id(first)]
    }

    /// How many pairs are likely to be one person.
    pub fn pairs(&self) -> usize {
        self.outcome.pairs.len()
    }

    /// Pair `i` of those likely to be one person, best first: both ids, probability, "match" or
    /// "review", evidence.
    pub fn pair(&self, i: usize) -> [Cow<'_, str>; 5] {
        let Some(p) = self.outcome.pairs.get(i) else {
            return Default::default();
        };
        let status = if p.merged { "match" } else { "review" };
        [
            self.id(p.left),
            self.id(p.right),
            Cow::Owned({
                let mut text = String::with_capacity(6);
                fixed(&mut text, p.probability, 4, false);
                text
            }),
            Cow::Borrowed(status),
            Cow::Owned(evidence(&self.outcome.model, &p.comparison)),
        ]
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

#[cfg(test)]
mod tests {
    use super::fixed;

    #[test]
    fn numbers_are_written_as_the_standard_library_writes_them() {
        // Ties in decimal that are not ties in binary, values that round up a digit, signs
        // (a negative weight that rounds to zero keeps its sign), and a spread of others.
        let mut values = vec![
            0.05,
            0.15,
            0.25,
            0.35,
            1.45,
            2.5,
            -0.04,
            -0.05,
            -0.0,
            0.0,
            0.99995,
            0.999949999,
            0.5,
            9.95,
            -9.95,
            14.049999999,
            1e9,
            1e12,
            -1e12,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            123_456.789_49,
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = (x >> 11) as f64 / (1u64 << 53) as f64;
            values.extend([v, v * 60.0 - 30.0, (v * 100_000.0).round() / 10_000.0]);
        }
        for v in values {
            for (decimals, plus) in [(1, true), (4, false), (0, false), (2, true)] {
                let mut ours = String::new();
                fixed(&mut ours, v, decimals, plus);
                let d = decimals as usize;
                let theirs = if plus {
                    format!("{v:+.d$}")
                } else {
                    format!("{v:.d$}")
                };
                assert_eq!(ours, theirs, "{v:e} to {decimals} decimals");
            }
        }
    }
}
