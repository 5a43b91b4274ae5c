//! `vigilia import detentions FILE --mapping M.toml`: another organisation's table read as the
//! detentions CSV. The mapping says, for each column of the detentions CSV, where its value
//! comes from — a column (with a prefix, a date format, a table of values, a separator to split
//! on), another column of the result, or a constant — and when. Each row is turned into a
//! detentions-CSV row and then read, checked and stored exactly as one (see `examples/cecc/`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use vigilia_core::exchange::Column;

use super::rows::{RowSource, Unreadable};
use super::{InputError, MappingProblem};
use crate::error::AppError;
use vigilia_core::exchange::cells_moved;
use vigilia_core::lang::Lang;

/// Where one column of the detentions CSV comes from.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    /// A column of the source.
    #[serde(default)]
    column: Option<String>,
    /// The same value on every row.
    #[serde(default)]
    value: Option<String>,
    /// The value of another column of the result (one earlier in the detentions CSV's order).
    #[serde(default)]
    copy: Option<String>,
    #[serde(default)]
    prefix: Option<String>,
    /// The source's date format: `YYYY/MM/DD` (with `mm`/`dd` standing for an unknown month
    /// or day), `DD.MM.YYYY`, `DD/MM/YYYY`.
    #[serde(default)]
    date: Option<String>,
    /// Source values to values of the detentions CSV; `REL*` matches any value starting `REL`.
    /// A value not in the table is kept as it is (and checked as any other).
    #[serde(default)]
    values: Option<BTreeMap<String, String>>,
    /// Split the source value on this and join with `;` (for multi-valued columns).
    #[serde(default)]
    split: Option<String>,
    /// Only when this source column matches one of the patterns.
    #[serde(default)]
    when: Option<When>,
    /// When the result is empty: `range:FROM:TO` makes a range from two other columns of the
    /// result (a release known only to fall between the arrest and the day it was recorded).
    #[serde(default)]
    when_empty: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct When {
    column: String,
    matches: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    version: u32,
    columns: BTreeMap<String, Spec>,
}

fn matches(pattern: &str, value: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => value == pattern,
    }
}

/// A date in the source's format as the detentions CSV writes it, keeping its precision.
fn convert_date(text: &str, format: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        return String::new();
    }
    let (y, m, d) = match format {
        "YYYY/MM/DD" => {
            let mut p = t.split('/');
            (
                p.next().unwrap_or(""),
                p.next().unwrap_or(""),
                p.next().unwrap_or(""),
            )
        }
        "DD.MM.YYYY" | "DD/MM/YYYY" => {
            let sep = if format.contains('.') { '.' } else { '/' };
            let mut p = t.split(sep);
            let (d, m, y) = (
                p.next().unwrap_or(""),
                p.next().unwrap_or(""),
                p.next().unwrap_or(""),
            );
            (y, m, d)
        }
        _ => return t.to_string(),
    };
    let known = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match (known(y), known(m), known(d)) {
        (true, true, true) => format!("{y}-{m:0>2}-{d:0>2}"),
        (true, true, false) => format!("{y}-{m:0>2}"),
        (true, false, _) => y.to_string(),
        // An unreadable date is passed on as written, to be reported as one.
        _ => t.to_string(),
    }
}

/// A source whose rows come out as detentions-CSV rows.
pub struct Mapped {
    inner: Box<dyn RowSource>,
    header: Vec<String>,
    specs: Vec<(Column, Spec)>,
    source_index: BTreeMap<String, usize>,
}

impl std::fmt::Debug for Mapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mapped({} columns)", self.specs.len())
    }
}

impl Mapped {
    pub fn open(inner: Box<dyn RowSource>, mapping: &Path) -> Result<Mapped, AppError> {
        let bad = |problem: MappingProblem| {
            AppError::from(InputError::Mapping {
                path: mapping.to_path_buf(),
                problem,
            })
        };
        let m: Mapping = super::mapping_file(mapping, |m: &Mapping| m.version)?;
        let source_index: BTreeMap<String, usize> = inner
            .header()
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim_start_matches('\u{feff}').to_string(), i))
            .collect();
        let mut specs = Vec::new();
        let mut columns = m.columns;
        for col in Column::ALL {
            if let Some(spec) = columns.remove(col.name()) {
                for name in spec
                    .column
                    .iter()
                    .chain(spec.when.as_ref().map(|w| &w.column))
                {
                    if !source_index.contains_key(name) {
                        return Err(bad(MappingProblem::MissingColumn {
                            column: name.clone(),
                            for_what: col.name().to_string(),
                        }));
                    }
                }
                specs.push((*col, spec));
            }
        }
        if let Some(unknown) = columns.keys().next() {
            return Err(bad(MappingProblem::NotAColumn(unknown.clone())));
        }
        Ok(Mapped {
            header: Column::ALL.iter().map(|c| c.name().to_string()).collect(),
            inner,
            specs,
            source_index,
        })
    }

    fn convert(&self, cells: &csv::StringRecord) -> csv::StringRecord {
        let source = |name: &str| {
            self.source_index
                .get(name)
                .and_then(|i| cells.get(*i))
                .unwrap_or("")
                .trim()
        };
        let mut out: Vec<String> = vec![String::new(); Column::ALL.len()];
        let value_of = |out: &[String], name: &str| {
            Column::ALL
                .iter()
                .position(|c| c.name() == name)
                .and_then(|i| out.get(i))
                .cloned()
                .unwrap_or_default()
        };
        for pass in [false, true] {
            for (col, spec) in &self.specs {
                if spec.when_empty.is_some() != pass {
                    continue;
                }
                if spec
                    .when
                    .as_ref()
                    .is_some_and(|w| !w.matches.iter().any(|p| matches(p, source(&w.column))))
                {
                    continue;
                }
                let mut v = if let Some(c) = &spec.value {
                    c.clone()
                } else if let Some(other) = &spec.copy {
                    value_of(&out, other)
                } else {
                    spec.column.as_deref().map(source).unwrap_or("").to_string()
                };
                if let Some(table) = &spec.values
                    && let Some((_, to)) = table.iter().find(|(from, _)| matches(from, &v))
                {
                    v = to.clone();
                }
                if let Some(sep) = &spec.split {
                    v = v
                        .split(sep.as_str())
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(";");
                }
                if let Some(format) = &spec.date {
                    v = convert_date(&v, format);
                }
                if let Some(prefix) = &spec.prefix
                    && !v.is_empty()
                {
                    v = format!("{prefix}{v}");
                }
                if v.is_empty()
                    && let Some(rule) = &spec.when_empty
                    && let Some(("range", rest)) = rule.split_once(':')
                    && let Some((from, to)) = rest.split_once(':')
                {
                    let (a, b) = (value_of(&out, from), value_of(&out, to));
                    if !a.is_empty() && !b.is_empty() {
                        v = format!("{a}/{b}");
                    }
                }
                if let Some(slot) = out.get_mut(*col as usize) {
                    *slot = v;
                }
            }
        }
        csv::StringRecord::from(out)
    }
}

impl RowSource for Mapped {
    fn header(&self) -> &[String] {
        &self.header
    }

    fn next_row(&mut self) -> Option<Result<(u64, csv::StringRecord), Unreadable>> {
        let next = self.inner.next_row()?;
        let width = self.inner.header().len();
        Some(match next {
            // The file's own cells moved (a comma too many in a name): refused by the source's
            // width, which the converted row, always as wide as the detentions' columns, hides.
            Ok((line, cells)) if cells.len() != width => Err(Unreadable {
                line,
                column: "*".into(),
                es: format!(
                    "línea {line}: {}",
                    cells_moved(Lang::Es, cells.len(), width)
                ),
                en: format!("line {line}: {}", cells_moved(Lang::En, cells.len(), width)),
                // Nothing converted from cells that moved: a value read from the wrong column
                // (a sentence's end read as a release) would be given back to be imported.
                cells: Vec::new(),
            }),
            Ok((line, cells)) => Ok((line, self.convert(&cells))),
            Err(mut u) => {
                if !u.cells.is_empty() {
                    let read = csv::StringRecord::from(std::mem::take(&mut u.cells));
                    u.cells = self.convert(&read).iter().map(str::to_string).collect();
                }
                Err(u)
            }
        })
    }

    fn position(&self) -> (u64, u64) {
        self.inner.position()
    }
}
