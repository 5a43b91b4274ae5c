//! Counting as a person asks for it: the balance at a date, the detentions behind a figure,
//! who entered and left between two dates, the series over a period, and reproducing a
//! published balance from the ledger as it was. The counting itself is `vigilia_count`'s;
//! this module reads the dates asked, keeps the audit of listed names, and lays figures out as
//! CSV tables.

use std::collections::BTreeSet;

use vigilia_core::date::Day;
use vigilia_core::fact::Audit;
use vigilia_core::fold::{KnownOn, PublishedBalance, Record};
use vigilia_core::ids::{Kind, PublicationId, Subject};
use vigilia_core::model::{EndType, RecognitionStatus};
use vigilia_count::balance::prisoner;
use vigilia_count::index::{Case, day_no};
use vigilia_count::series::Step;
use vigilia_count::stored::{build_index, current_index};
use vigilia_count::when::day_option;
use vigilia_count::{Balance, Dim};
use vigilia_ledger::Ledger;

use crate::actor::Actor;
use crate::error::AppError;
use crate::records::{Behind, behind};

/// `from` and `to` as typed: days not after today, `from` before `to` (or the same day, when
/// `same_day` is allowed).
pub fn from_to(today: Day, from: &str, to: &str, same_day: bool) -> Result<(Day, Day), AppError> {
    let from = day_option("from", Some(from), today)?.unwrap_or(today);
    let to = day_option("to", Some(to), today)?.unwrap_or(today);
    if from > to || (from == to && !same_day) {
        return Err(AppError::FromNotBeforeTo { from, to });
    }
    Ok((from, to))
}

/// The dimensions named in `by` (comma-separated).
pub fn dimensions(by: &str) -> Result<Vec<Dim>, AppError> {
    by.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| Dim::from_name(name).ok_or_else(|| AppError::NotADimension(name.into())))
        .collect()
}

/// The published balances, newest first.
pub fn publications(ledger: &mut Ledger) -> Result<Vec<PublishedBalance>, AppError> {
    let mut out = Vec::new();
    ledger.fold_all(Kind::Publication, KnownOn::NOW, &mut |r| {
        if let Record::Publication(p) = r {
            out.push(p);
        }
    })?;
    out.reverse();
    Ok(out)
}

/// A published balance counted again from the ledger up to the fact it was computed at.
#[derive(Debug)]
pub struct Reproduction {
    pub published: PublishedBalance,
    pub again: Balance,
    /// Whether the figures counted again are, byte for byte, those published.
    pub identical: bool,
}

/// Counts published balance `id` again from the ledger as it was when it was published.
pub fn reproduce(ledger: &mut Ledger, id: u64) -> Result<Reproduction, AppError> {
    let subject = Subject::from(PublicationId(id));
    let Some(Record::Publication(published)) = ledger.get(subject)? else {
        return Err(AppError::NotFound(subject));
    };
    let pb = &published.publication;
    let index = build_index(ledger, Some(pb.ledger_seq))?;
    let mut again = vigilia_count::balance(&index, pb.as_of, KnownOn(pb.known_on), pb.since);
    again.ledger_head = ledger
        .fact_hash(pb.ledger_seq)?
        .map(|h| h.to_string())
        .unwrap_or_default();
    let identical = again.to_json() == pb.figures;
    Ok(Reproduction {
        published,
        again,
        identical,
    })
}

/// The balance published as `p`, counted with what is known today.
pub fn as_known_now(ledger: &mut Ledger, p: &PublishedBalance) -> Result<Balance, AppError> {
    let index = current_index(ledger)?;
    let pb = &p.publication;
    Ok(vigilia_count::balance(
        &index,
        pb.as_of,
        KnownOn::NOW,
        pb.since,
    ))
}

/// How a detention's count changed between two dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// It became a political prisoner's.
    Entered,
    /// The detention ended this way.
    Left(EndType),
    /// It is no longer counted (its recognition changed).
    NoLongerCounted,
}

/// Who became a political prisoner between `from` and `to`, and who stopped being one.
pub fn diff(
    ledger: &mut Ledger,
    from: Day,
    to: Day,
    known_on: KnownOn,
) -> Result<Vec<(u64, Movement)>, AppError> {
    let index = current_index(ledger)?;
    let (d1, d2) = (day_no(from), day_no(to));
    let is_prisoner =
        |c: &Case, d| c.status == Some(RecognitionStatus::Recognised) && prisoner(c, d).0;
    let before: BTreeSet<u64> = index
        .cases(known_on)
        .filter(|c| is_prisoner(c, d1))
        .map(|c| c.detention)
        .collect();
    let mut out = Vec::new();
    for c in index.cases(known_on) {
        match (before.contains(&c.detention), is_prisoner(c, d2)) {
            (false, true) => out.push((c.detention, Movement::Entered)),
            (true, false) => out.push((
                c.detention,
                match &c.end {
                    Some((end, kind)) if end.last <= d2 => Movement::Left(*kind),
                    _ => Movement::NoLongerCounted,
                },
            )),
            _ => {}
        }
    }
    Ok(out)
}

/// The detentions of `ids` as `actor` may list them ([`behind`]); when names are listed, who
/// saw such a list is recorded first.
pub fn listed(ledger: &mut Ledger, actor: &Actor, ids: &[u64]) -> Result<Vec<Behind>, AppError> {
    let found = behind(ledger, actor, ids, vigilia_core::fold::KnownOn::NOW)?;
    if crate::records::lists_names(&found) {
        let shown: Vec<Subject> = found.iter().map(|b| b.detention.id.into()).collect();
        crate::registry::write(ledger, |tx| {
            let shown = shown.clone();
            crate::records::audit_read(
                tx,
                &actor.name,
                Audit::Listed,
                Subject::REGISTRY,
                shown,
                None,
            )
        })?;
    }
    Ok(found)
}

/// The columns of a list of detentions ([`listing_row`]).
pub const LISTING: [&str; 9] = [
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

/// A listed detention as the cells of [`LISTING`]; `state` names a state code.
pub fn listing_row(b: &Behind, note: &str, state: &dyn Fn(&str) -> String) -> [String; 9] {
    let (d, person) = (&b.detention, b.person.as_ref());
    let identity = person.map(|p| &p.identity);
    let end = d.end.as_ref();
    [
        d.reference
            .clone()
            .unwrap_or_else(|| format!("d{}", d.id.0)),
        person.and_then(|p| p.reference.clone()).unwrap_or_default(),
        identity.map(|i| i.full_name()).unwrap_or_default(),
        identity
            .and_then(|i| i.national_id)
            .map(|n| n.to_string())
            .unwrap_or_default(),
        d.arrest.date.to_string(),
        d.arrest.state.as_deref().map(state).unwrap_or_default(),
        end.map(|e| e.date.to_string()).unwrap_or_default(),
        end.map(|e| e.kind.name().to_string()).unwrap_or_default(),
        note.to_string(),
    ]
}

/// A CSV table from its header and rows (the writer is in memory: nothing fails).
pub fn csv_table<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = crate::export::write_row(&mut w, r.as_ref());
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes)
        .unwrap_or_default()
        .trim_end()
        .to_string()
}

/// The balance as rows `figure,dimension,value,count`.
pub fn balance_csv(b: &Balance) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |f: &str, d: &str, v: &str, n: u64| {
        rows.push(vec![f.into(), d.into(), v.into(), n.to_string()]);
    };
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
    let u = &p.upper;
    for (name, n, upper) in [
        (
            "political_detentions",
            p.political_detentions,
            u.political_detentions,
        ),
        ("new_prisoners", p.new_prisoners, u.new_prisoners),
        ("releases", p.releases, u.releases),
        (
            "prisoner_releases",
            p.prisoner_releases,
            u.prisoner_releases,
        ),
        ("deaths", p.deaths, u.deaths),
    ] {
        row("period", name, "", n);
        row("period", name, "upper", upper);
    }
    for (kind, n) in &p.ends_by_type {
        row("period", "ends_by_type", kind, *n);
    }
    let c = &b.cumulative;
    row(
        "cumulative",
        "political_detentions",
        "",
        c.political_detentions,
    );
    row(
        "cumulative",
        "political_detentions",
        "upper",
        c.political_detentions_upper,
    );
    row("under_study", "total", "", b.under_study.total);
    row("under_study", "upper", "", b.under_study.upper);
    csv_table(&["figure", "dimension", "value", "count"], &rows)
}

/// The series as a CSV table: the step's date, a column per dimension, then the figures.
pub fn series_csv(rows: &[Step], dims: &[Dim]) -> String {
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
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
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
            cells
        })
        .collect();
    csv_table(&header, &table)
}
