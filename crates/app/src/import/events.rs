//! `vigilia import events FILE --mapping M.toml`: lists of events at which people were detained
//! together (OVD-Info's, a rally's count), each stored as a group detention. A mapping file says
//! which column holds the event's id, date, number of people, place, and which columns become
//! context tags (`examples/ovdinfo/`). Importing the same list again adds nothing; a changed
//! number is recorded as a correction.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use vigilia_core::date::{Day, PartialDate};
use vigilia_core::fact::{Change, Draft};
use vigilia_core::fold::Record;
use vigilia_core::ids::{GroupId, Kind, Subject};
use vigilia_core::model::Arrest;
use vigilia_core::text::{fold, non_empty};
use vigilia_ledger::{Ledger, Tx};

use super::detentions::{Outcome, Rejected, RowProblem};
use super::rows::{RowSource, Unreadable};
use super::{InputError, MappingProblem};
use crate::error::AppError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    version: u32,
    #[serde(default)]
    filter: Option<Filter>,
    state: Field,
    reference: Reference,
    date: DateField,
    count: Column,
    #[serde(default)]
    place: Option<Column>,
    #[serde(default)]
    context: BTreeMap<String, String>,
    #[serde(default)]
    recorded_on: Option<String>,
    #[serde(default)]
    revision: Option<Revision>,
}

/// This list is a later version of one loaded before under other references: its rows are
/// matched to the earlier events on the same date (same place first, then the closest number),
/// and earlier events it no longer has are corrected to nobody.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Revision {
    replaces_prefix: String,
    #[serde(default)]
    retract_unmatched: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Filter {
    column: String,
    equals: String,
}

/// A value from a column, or the same value for every row.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Field {
    #[serde(default)]
    column: Option<String>,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Reference {
    column: String,
    #[serde(default)]
    prefix: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DateField {
    column: String,
    /// `DD.MM.YYYY`, `DD/MM/YYYY` or `YYYY-MM-DD`.
    format: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Column {
    column: String,
}

fn read_mapping(path: &Path) -> Result<Mapping, AppError> {
    let bad = |problem| {
        AppError::from(InputError::Mapping {
            path: path.to_path_buf(),
            problem,
        })
    };
    let m: Mapping = super::mapping_file(path, |m: &Mapping| m.version)?;
    if !["DD.MM.YYYY", "DD/MM/YYYY", "YYYY-MM-DD"].contains(&m.date.format.as_str()) {
        return Err(bad(MappingProblem::DateFormat(m.date.format.clone())));
    }
    if m.state.column.is_none() == m.state.value.is_none() {
        return Err(bad(MappingProblem::StateColumnOrValue));
    }
    Ok(m)
}

/// What is wrong with one event of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventProblem {
    /// The event's id is empty.
    NoReference,
    NotADate {
        value: String,
        format: String,
    },
    NotACount(String),
    NotAState(String),
    /// An id, or a cell that is stored (its place, a context), that no registry stores alike on
    /// every engine (see `vigilia_core::text::reference_fault`).
    Unstorable(vigilia_core::text::ReferenceFault),
    /// Two stored group detentions have ids that read alike (written in different scripts
    /// before ids were folded): which one the row means is not known.
    Ambiguous {
        first: u64,
        second: u64,
    },
    /// Another number of cells than the header's: a comma too many or too few moves every
    /// cell after it into the next column.
    Width {
        expected: usize,
        found: usize,
    },
    /// A stack of marks over a letter, or a letter struck through
    /// (`vigilia_core::text::marks_fit`).
    Marks,
}

/// Why a revision set none of the earlier list's events to 0: the file is not known to be the
/// whole list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partial {
    /// The person importing did not say it is (`--whole-list`).
    NotSaidWhole,
    /// A row was rejected.
    RowsRejected,
    /// The file is a rejects file (its rows are the ones a list's import refused).
    RejectsFile,
    /// The mapping's filter leaves rows out.
    Filtered,
}

fn parse_date(text: &str, format: &str) -> Option<PartialDate> {
    let iso = match format {
        "DD.MM.YYYY" | "DD/MM/YYYY" => {
            let sep = if format.contains('.') { '.' } else { '/' };
            let mut parts = text.trim().split(sep);
            let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        _ => text.trim().to_string(),
    };
    PartialDate::parse(&iso).ok().filter(|d| d.is_exact())
}

/// Where each thing an event needs is on the table's line 1.
struct Columns {
    reference: usize,
    date: usize,
    count: usize,
    state: Option<usize>,
    place: Option<usize>,
    /// Only rows whose cell in this column is this value.
    filter: Option<(usize, String)>,
    /// Context tags: their name and column.
    context: Vec<(String, usize)>,
}

impl Columns {
    /// Finds every column the mapping names; an error names the one missing.
    fn find(
        mapping: &Mapping,
        header: &[String],
        table: &Path,
        mapping_path: &Path,
    ) -> Result<Columns, AppError> {
        let col = |name: &str, key: &str| -> Result<usize, AppError> {
            header
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == name)
                .ok_or_else(|| {
                    AppError::from(InputError::Mapping {
                        path: mapping_path.to_path_buf(),
                        problem: MappingProblem::MissingColumn {
                            column: name.to_string(),
                            for_what: format!("{key}, {}", table.display()),
                        },
                    })
                })
        };
        Ok(Columns {
            reference: col(&mapping.reference.column, "reference.column")?,
            date: col(&mapping.date.column, "date.column")?,
            count: col(&mapping.count.column, "count.column")?,
            state: mapping
                .state
                .column
                .as_deref()
                .map(|c| col(c, "state.column"))
                .transpose()?,
            place: mapping
                .place
                .as_ref()
                .map(|p| col(&p.column, "place.column"))
                .transpose()?,
            filter: mapping
                .filter
                .as_ref()
                .map(|f| col(&f.column, "filter.column").map(|i| (i, as_read(&f.equals))))
                .transpose()?,
            context: mapping
                .context
                .iter()
                .map(|(name, c)| col(c, "context").map(|i| (name.clone(), i)))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// An earlier version's events, by date: each group's id, place (as compared) and count.
type Earlier = BTreeMap<String, Vec<(u64, String, u32)>>;

/// The events of the earlier version a revision replaces (those whose reference starts with
/// its prefix).
fn earlier_events(
    ledger: &mut Ledger,
    refs: &FxHashMap<String, u64>,
    mapping: &Mapping,
) -> Result<Earlier, AppError> {
    let mut earlier = Earlier::new();
    let Some(rev) = &mapping.revision else {
        return Ok(earlier);
    };
    let ids: Vec<u64> = refs
        .iter()
        .filter(|(r, _)| r.starts_with(&rev.replaces_prefix))
        .map(|(_, id)| *id)
        .collect();
    for id in ids {
        if let Some(Record::Group(g)) = ledger.get(Subject::from(GroupId(id)))? {
            let place = g.arrest.municipality.clone().unwrap_or_default();
            earlier.entry(g.arrest.date.to_string()).or_default().push((
                id,
                place_key(&place),
                g.count,
            ));
        }
    }
    Ok(earlier)
}

/// One event as read from a row: its reference, arrest and number of people.
struct Event {
    reference: String,
    arrest: Arrest,
    count: u32,
}

/// Reads one row's event, or the column and problem that make it wrong.
fn read_event(
    cells: &[&str],
    columns: &Columns,
    mapping: &Mapping,
    profile: &vigilia_core::profile::Profile,
) -> Result<Event, (String, EventProblem)> {
    let cell = |i: usize| cells.get(i).copied().unwrap_or("");
    // The cells stored as they are, the place and the contexts, hold text only: a NUL or an
    // escape would be stored by one engine and refused by the other, or reach a terminal; a
    // direction override or a zero-width space would show another place than the one stored,
    // and keep a revised list from finding its events by place.
    let place = mapping
        .place
        .as_ref()
        .map(|p| p.column.as_str())
        .zip(columns.place);
    let contexts = (columns.context.iter())
        .filter_map(|(name, i)| Some((mapping.context.get(name)?.as_str(), *i)));
    for (column, i) in place.into_iter().chain(contexts) {
        let unfit = |c: char| vigilia_core::text::not_text(c) || vigilia_core::text::invisible(c);
        if let Some(c) = cell(i).chars().find(|&c| unfit(c)) {
            let fault = vigilia_core::text::ReferenceFault::NotText(c as u32);
            return Err((column.to_string(), EventProblem::Unstorable(fault)));
        }
        if !vigilia_core::text::marks_fit(cell(i)) {
            return Err((column.to_string(), EventProblem::Marks));
        }
    }
    let reference = non_empty(cell(columns.reference))
        .map(|r| format!("{}{r}", mapping.reference.prefix))
        .ok_or_else(|| (mapping.reference.column.clone(), EventProblem::NoReference))?;
    let reference = vigilia_core::text::reference(&reference).map_err(|fault| {
        let problem = EventProblem::Unstorable(fault);
        (mapping.reference.column.clone(), problem)
    })?;
    let date = parse_date(cell(columns.date), &mapping.date.format).ok_or_else(|| {
        let problem = EventProblem::NotADate {
            value: cell(columns.date).to_string(),
            format: mapping.date.format.clone(),
        };
        (mapping.date.column.clone(), problem)
    })?;
    let count = cell(columns.count).trim().parse::<u32>().map_err(|_| {
        let problem = EventProblem::NotACount(cell(columns.count).to_string());
        (mapping.count.column.clone(), problem)
    })?;
    let state_text = match columns.state {
        Some(i) => cell(i).to_string(),
        None => mapping.state.value.clone().unwrap_or_default(),
    };
    let state = profile
        .state(&state_text)
        .and_then(|s| s.code.clone())
        .ok_or_else(|| {
            let column = mapping.state.column.as_deref().unwrap_or("state");
            (
                column.to_string(),
                EventProblem::NotAState(state_text.clone()),
            )
        })?;
    let context = columns
        .context
        .iter()
        .filter_map(|(name, i)| non_empty(cell(*i)).map(|v| format!("{name}={v}")))
        .collect();
    let place = columns
        .place
        .and_then(|i| non_empty(cell(i)))
        .map(str::to_string);
    Ok(Event {
        reference,
        count,
        arrest: Arrest {
            date,
            state: Some(state),
            municipality: place,
            agency: None,
            circumstances: None,
            context,
            minor: None,
        },
    })
}

/// The same event in the earlier list a revision replaces, matched by date, place and number
/// (each earlier event matched once).
fn revised_from(earlier: &mut Earlier, revised: &mut BTreeSet<u64>, e: &Event) -> Option<u64> {
    let candidates = earlier.get_mut(&e.arrest.date.to_string())?;
    let key = place_key(e.arrest.municipality.as_deref().unwrap_or(""));
    let best = candidates
        .iter()
        .enumerate()
        .filter(|(_, (id, _, _))| !revised.contains(id))
        .min_by_key(|(_, (_, p, n))| (prefix(p) != prefix(&key), n.abs_diff(e.count)))
        .map(|(i, _)| i)?;
    let (id, _, _) = candidates.get(best)?;
    revised.insert(*id);
    Some(*id)
}

/// Imports a list of events (`source`, read from `table`) as group detentions, by `actor`, as
/// `mapping_path` says.
pub fn events(
    ledger: &mut Ledger,
    actor: &str,
    source: &mut dyn RowSource,
    table: &Path,
    mapping_path: &Path,
    whole_list: bool,
) -> Result<Outcome, AppError> {
    let mapping = read_mapping(mapping_path)?;
    let header: Vec<String> = source.header().to_vec();
    let columns = Columns::find(&mapping, &header, table, mapping_path)?;
    // In their normal form, as the file's ids are read (see `text::normal_reference`).
    let (mut refs, mut ambiguous) = (FxHashMap::default(), FxHashMap::default());
    for (reference, id) in ledger.references(Kind::Group)? {
        let normal = vigilia_core::text::normal_reference(&reference);
        if let Some((normal, ids)) = super::learn_reference(&mut refs, normal, id, || id, |&id| id)
        {
            ambiguous.insert(normal, ids);
        }
    }
    let earlier = earlier_events(ledger, &refs, &mapping)?;
    let profile = ledger.profile()?.clone();
    let mut tx = ledger.begin()?;
    let today = tx.today()?;
    let published = crate::publication::last_public_day(&mut tx)?;
    let mut import = Import {
        recorded_on: recorded_on(&mapping, mapping_path, today, published)?,
        profile,
        actor,
        mapping: &mapping,
        columns: &columns,
        width: header.len(),
        refs,
        ambiguous,
        earlier,
        revised: BTreeSet::new(),
        dates: None,
        whole_list,
        outcome: Outcome {
            stored: true,
            header: header.to_vec(),
            ..Outcome::default()
        },
    };
    while let Some(next) = source.next_row() {
        import.row(&mut tx, next)?;
    }
    import.retract_unmatched(&mut tx)?;
    tx.commit()?;
    Ok(import.outcome)
}

/// The day the facts are recorded on: the mapping's `recorded_on` (when the list was
/// published), else today; never a day already made public (`published`, see
/// [`crate::publication::recorded_too_early`]).
fn recorded_on(
    mapping: &Mapping,
    mapping_path: &Path,
    today: Day,
    published: Option<Day>,
) -> Result<Day, AppError> {
    let Some(text) = &mapping.recorded_on else {
        return Ok(today);
    };
    let bad = |problem| InputError::Mapping {
        path: mapping_path.to_path_buf(),
        problem,
    };
    let day = vigilia_count::when::day_option("recorded_on", Some(text), today)
        .map_err(|e| bad(MappingProblem::Invalid(e.to_string())))?
        .unwrap_or(today);
    if let Some(published) =
        published.filter(|p| crate::publication::recorded_too_early(day, *p, today))
    {
        return Err(bad(MappingProblem::RecordedBeforePublished {
            recorded_on: day,
            published,
        })
        .into());
    }
    Ok(day)
}

/// An import of a list of events under way.
struct Import<'a> {
    recorded_on: Day,
    profile: vigilia_core::profile::Profile,
    actor: &'a str,
    mapping: &'a Mapping,
    columns: &'a Columns,
    /// Cells in the header (a row with another number is refused).
    width: usize,
    /// Group detentions by reference.
    refs: FxHashMap<String, u64>,
    /// References two stored group detentions share in their normal form, with their numbers:
    /// a row naming one is refused, not given to either.
    ambiguous: FxHashMap<String, (u64, u64)>,
    /// The earlier list's events a revision may replace, and those it did.
    earlier: Earlier,
    revised: BTreeSet<u64>,
    /// The first and last day of the events read.
    dates: Option<(Day, Day)>,
    /// The person importing says the file is the whole list (`--whole-list`).
    whole_list: bool,
    outcome: Outcome,
}

impl Import<'_> {
    /// Reads one row: a filtered-out row is skipped, a bad one rejected, a good one stored.
    fn row(
        &mut self,
        tx: &mut Tx<'_>,
        next: Result<(u64, csv::StringRecord), Unreadable>,
    ) -> Result<(), AppError> {
        let (line, record) = match next {
            Ok(row) => row,
            Err(mut u) => {
                self.outcome.rows += 1;
                let cells = std::mem::take(&mut u.cells);
                self.outcome.rejected.push(Rejected {
                    line: u.line,
                    column: u.column.clone(),
                    cells,
                    problem: RowProblem::Unreadable(u),
                });
                return Ok(());
            }
        };
        let cells: Vec<&str> = record.iter().collect();
        // A row whose cells moved is refused before the filter reads its column (where another
        // cell now stands: a row of the region filtered would be left out without a word).
        let (expected, found) = (self.width, cells.len());
        let moved = found != expected;
        if let Some((i, equals)) = &self.columns.filter
            && !moved
            && as_read(cells.get(*i).copied().unwrap_or("")) != *equals
        {
            return Ok(());
        }
        self.outcome.rows += 1;
        let read = (if moved {
            Err(("*".to_string(), EventProblem::Width { expected, found }))
        } else {
            Ok(())
        })
        .and_then(|()| read_event(&cells, self.columns, self.mapping, &self.profile))
        .and_then(|e| match self.ambiguous.get(&e.reference) {
            Some(&(first, second)) => Err((
                self.mapping.reference.column.clone(),
                EventProblem::Ambiguous { first, second },
            )),
            None => Ok(e),
        });
        match read {
            Ok(event) => self.store(tx, event),
            Err((column, problem)) => {
                let row: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
                self.outcome.rejected.push(Rejected {
                    line,
                    column: column.clone(),
                    cells: row,
                    problem: RowProblem::Event {
                        line,
                        column,
                        problem,
                    },
                });
                Ok(())
            }
        }
    }

    /// Stores an event: a new group detention, a corrected number, or nothing if unchanged.
    fn store(&mut self, tx: &mut Tx<'_>, event: Event) -> Result<(), AppError> {
        let day = event.arrest.date.first_day();
        self.dates = Some(
            self.dates
                .map_or((day, day), |(a, b)| (a.min(day), b.max(day))),
        );
        // A revision: the same event in the earlier list, matched by date, place, number.
        let matched = if self.refs.contains_key(&event.reference) {
            None
        } else {
            revised_from(&mut self.earlier, &mut self.revised, &event)
        };
        let change = match self.refs.get(&event.reference).copied().or(matched) {
            None => {
                let id = tx.new_id(Kind::Group);
                self.refs.insert(event.reference.clone(), id);
                let change = Change::GroupRecorded {
                    reference: Some(event.reference),
                    arrest: event.arrest,
                    count: event.count,
                };
                Some((GroupId(id), change))
            }
            Some(id) => match tx.get(Subject::from(GroupId(id)))? {
                Some(Record::Group(g)) if g.count != event.count => {
                    let change = Change::GroupCountCorrected {
                        count: event.count,
                        reason: None,
                    };
                    Some((GroupId(id), change))
                }
                _ => None,
            },
        };
        match change {
            None => self.outcome.unchanged += 1,
            Some((id, change)) => {
                self.append(tx, id, change)?;
                self.outcome.changed += 1;
            }
        }
        Ok(())
    }

    fn append(&mut self, tx: &mut Tx<'_>, id: GroupId, change: Change) -> Result<(), AppError> {
        tx.append(Draft {
            recorded_on: self.recorded_on,
            actor: self.actor.to_string(),
            subject: id.into(),
            change,
            sources: vec![],
        })?;
        self.outcome.facts += 1;
        Ok(())
    }

    /// Earlier events the revised list no longer has, within its dates: nobody was detained
    /// there (when the mapping's revision says so).
    fn retract_unmatched(&mut self, tx: &mut Tx<'_>) -> Result<(), AppError> {
        let (Some(rev), Some((first, last))) = (&self.mapping.revision, self.dates) else {
            return Ok(());
        };
        if !rev.retract_unmatched {
            return Ok(());
        }
        let mut retracted = Vec::new();
        for (date, events) in &self.earlier {
            let Ok(d) = PartialDate::parse(date) else {
                continue;
            };
            if d.first_day() < first || d.first_day() > last {
                continue;
            }
            retracted.extend(
                (events.iter())
                    .filter(|(id, _, count)| !self.revised.contains(id) && *count > 0)
                    .map(|(id, _, _)| *id),
            );
        }
        // Only the whole list says what it no longer holds, and a file cannot show that it is:
        // a rejects file mended, rows kept in a spreadsheet, a list cut short would set events
        // of its days to 0 that the list still has. The person importing says so, no row is
        // rejected, and no filter leaves rows out.
        let rejects_file = (self.outcome.header.iter())
            .any(|h| vigilia_core::exchange::REJECT_COLUMNS.contains(&h.as_str()));
        let partial = if !self.whole_list {
            Some(Partial::NotSaidWhole)
        } else if rejects_file {
            Some(Partial::RejectsFile)
        } else if !self.outcome.rejected.is_empty() {
            Some(Partial::RowsRejected)
        } else if self.columns.filter.is_some() {
            Some(Partial::Filtered)
        } else {
            None
        };
        if let Some(partial) = partial {
            if !retracted.is_empty() {
                self.outcome.not_retracted = Some((retracted.len() as u64, partial));
            }
            return Ok(());
        }
        for id in retracted {
            let change = Change::GroupCountCorrected {
                count: 0,
                reason: None,
            };
            self.append(tx, GroupId(id), change)?;
        }
        Ok(())
    }
}

/// A filter's value as a person reads it: case, accents and letters of another script drawn
/// alike set aside (`МОСКВА`, `москва`, and `Мocква` typed with a Latin `o` and `c`, are
/// `Москва`). Compared in capitals, where more letters of two scripts are drawn alike.
fn as_read(text: &str) -> String {
    let capitals: String = (text.trim().to_uppercase().chars())
        .map(|c| vigilia_core::text::ascii_lookalike(c).unwrap_or_else(|| c.to_string()))
        .collect();
    fold(&capitals)
}

/// A place as compared between versions of a list: folded, without "square" (площадь).
fn place_key(place: &str) -> String {
    vigilia_core::text::fold(place)
        .replace("площадь", "")
        .trim()
        .to_string()
}

/// The first letters of a place: enough to tell "Пушкинская" from "Красная".
fn prefix(key: &str) -> String {
    key.chars().take(6).collect()
}

#[cfg(test)]
mod tests {
    use super::as_read;

    #[test]
    fn a_filter_reads_a_region_as_people_write_it_and_no_other() {
        let moscow = as_read("Москва");
        for same in ["москва", "МОСКВА", "Мocква", "Moсква", " Москва "] {
            assert_eq!(as_read(same), moscow, "{same}");
        }
        for other in ["Московская область", "Москва-Сити", "Moscow"] {
            assert_ne!(as_read(other), moscow, "{other}");
        }
    }
}
