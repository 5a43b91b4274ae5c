//! The detentions CSV (or a table mapped to it): every good row is stored, every bad row is
//! reported with its line, column and reason, or with `all_or_nothing` nothing is stored unless
//! every row is good. Rows are committed in batches: when the progress says a batch is stored,
//! its facts are durable. Importing the same file again adds nothing.
//!
//! A person's rows in one file are one statement about the person: the first row that gives a
//! person column (sex, civilian/military, names, …) states it, and a later row of the same
//! person that gives another value is reported with both lines and changes nothing
//! (`exchange::Row::settle_person`), so that rows that disagree do not overwrite each other on
//! every import.

use rustc_hash::FxHashMap;
use std::path::PathBuf;

use vigilia_core::confidential::{Confidential, Field};
use vigilia_core::date::Day;
use vigilia_core::exchange::{self, Context, Header, Reason, Row, RowError, Stated};
use vigilia_core::fact::Draft;
use vigilia_core::fold::Record;
use vigilia_core::ids::{DetentionId, Kind, PersonId, Subject};
use vigilia_core::lang::{Lang, Localize};

use vigilia_core::model::RecognitionStatus;
use vigilia_ledger::{Ledger, Tx};

use super::rows::{self, RowSource};
use super::{InputError, Progress};
use crate::error::AppError;

/// Rows per transaction.
const BATCH: u64 = 20_000;

#[derive(Debug)]
pub struct Options {
    pub recognition: RecognitionStatus,
    pub all_or_nothing: bool,
    pub rejects: Option<PathBuf>,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub rows: u64,
    /// Rows that added at least one fact.
    pub changed: u64,
    /// Rows the registry already held exactly.
    pub unchanged: u64,
    pub facts: u64,
    /// Each rejected row.
    pub rejected: Vec<Rejected>,
    /// Each person cell that contradicts an earlier row of the same person (the row was stored
    /// without it), with both lines.
    pub conflicts: Vec<RowError>,
    /// The header of the file read (the rejects file puts the three reject columns first).
    pub header: Vec<String>,
    /// False when `--all-or-nothing` refused the file.
    pub stored: bool,
    /// A revision of a list of events: how many of the earlier list's events of its days it
    /// does not bring were left as they were, and why (it is not known to be the whole list).
    pub not_retracted: Option<(u64, super::events::Partial)>,
}

/// A row that was not stored: where, why, and its cells as read (for the rejects file).
#[derive(Debug)]
pub struct Rejected {
    pub line: u64,
    pub column: String,
    pub problem: RowProblem,
    /// The row's cells as read (the rejects file pads a short row to the header).
    pub cells: Vec<String>,
}

/// Why a row was not stored.
#[derive(Debug)]
pub enum RowProblem {
    /// A cell is wrong (or the row contradicts the registry).
    Row(RowError),
    /// The row could not even be split into cells.
    Unreadable(rows::Unreadable),
    /// An event of a list of events is wrong.
    Event {
        line: u64,
        column: String,
        problem: super::events::EventProblem,
    },
}

impl Localize for RowProblem {
    fn localize(&self, lang: Lang) -> String {
        match self {
            RowProblem::Row(e) => e.localize(lang),
            RowProblem::Unreadable(u) => lang.pick(&u.es, &u.en).to_string(),
            RowProblem::Event {
                line,
                column,
                problem,
            } => match lang {
                Lang::Es => format!("línea {line}, columna {column}: {}", problem.localize(lang)),
                Lang::En => format!("line {line}, column {column}: {}", problem.localize(lang)),
            },
        }
    }
}

/// Rows handed from the reading thread to the writing one, with how far the source is read.
struct Chunk {
    rows: Vec<Parsed>,
    position: u64,
}

enum Parsed {
    Row {
        cells: csv::StringRecord,
        row: Box<Result<Row, RowError>>,
    },
    Unreadable(rows::Unreadable),
}

const CHUNK: usize = 1000;

/// Reads and checks rows on this thread and sends them on in chunks: parsing uses one core while
/// the ledger writes on the other.
fn read_rows(
    source: &mut dyn RowSource,
    header: &Header,
    ctx: &Context<'_>,
    to: std::sync::mpsc::SyncSender<Chunk>,
) {
    let mut rows = Vec::with_capacity(CHUNK);
    while let Some(next) = source.next_row() {
        rows.push(match next {
            Ok((line, cells)) => {
                let fields: Vec<&str> = cells.iter().collect();
                let row = Box::new(Row::parse(header, &fields, line, ctx));
                Parsed::Row { cells, row }
            }
            Err(u) => Parsed::Unreadable(u),
        });
        if rows.len() == CHUNK {
            let chunk = Chunk {
                rows: std::mem::replace(&mut rows, Vec::with_capacity(CHUNK)),
                position: source.position().0,
            };
            if to.send(chunk).is_err() {
                return;
            }
        }
    }
    let _ = to.send(Chunk {
        rows,
        position: source.position().0,
    });
}

/// Imports every row of `source` into the ledger, as `actor`; `label` names the source in
/// errors.
pub fn detentions(
    ledger: &mut Ledger,
    actor: &str,
    source: &mut dyn RowSource,
    options: &Options,
    label: &str,
    progress: &mut dyn Progress,
) -> Result<Outcome, AppError> {
    let header = Header::parse(source.header()).map_err(|error| InputError::Columns {
        label: label.to_string(),
        error,
    })?;
    let profile = ledger.profile()?.clone();
    let today = ledger.today()?;
    let ctx = Context {
        profile: &profile,
        today,
    };
    // Looked up in their normal form, as the file's are read: a reference stored before
    // references were normalised (`D–1`, `Pen\u{303}a`) is found by the same file read again.
    let normal = vigilia_core::text::normal_reference;
    // Read before the references: what is stored in between is read again by `catch_up`.
    let known = (
        ledger.last_id(Kind::Person)?,
        ledger.last_id(Kind::Detention)?,
    );
    let mut refs = Refs {
        persons: FxHashMap::default(),
        detentions: FxHashMap::default(),
        ambiguous: FxHashMap::default(),
        stated: FxHashMap::default(),
        known,
    };
    for kind in [Kind::Person, Kind::Detention] {
        for (reference, id) in ledger.references(kind)? {
            refs.learn(kind, normal(&reference), id);
        }
    }
    let header_read = source.header().to_vec();
    let mut import = Import {
        refs,
        outcome: Outcome {
            stored: true,
            header: header_read,
            ..Outcome::default()
        },
        recognition: options.recognition,
        today,
        published: None,
        actor,
    };
    // Alone on the registry, a batch is committed without waiting while the next is built;
    // else each waits, so that a server writing meanwhile is never refused.
    let alone = ledger.bulk(true)?;
    let result = std::thread::scope(|scope| {
        let (to, from) = std::sync::mpsc::sync_channel::<Chunk>(16);
        let (header, ctx) = (&header, &ctx);
        std::thread::Builder::new()
            .name("vigilia-read".into())
            .spawn_scoped(scope, move || read_rows(source, header, ctx, to))
            .map_err(|e| AppError::Ledger(vigilia_ledger::LedgerError::Stopped(e.to_string())))?;
        let mut in_batch = 0u64;
        // A batch is committed without waiting while the next is built, and said stored once
        // the engine answers that it is durable; one batch at most is in flight.
        let mut committing: Option<(vigilia_ledger::Committed, u64, u64)> = None;
        let mut tx = ledger.begin()?;
        import.refs.catch_up(&mut tx)?;
        // What a row does not date is recorded on its batch's day (an import that runs past
        // midnight records its later batches on the next day, as their facts are dated).
        import.today = tx.today()?;
        import.published = crate::publication::last_public_day(&mut tx)?;
        for chunk in from {
            tx.preload(&import.refs.stored(&chunk.rows))?;
            for parsed in chunk.rows {
                import.row(&mut tx, parsed)?;
                in_batch += 1;
                if in_batch >= BATCH && !options.all_or_nothing {
                    import.refs.known = (tx.last_id(Kind::Person), tx.last_id(Kind::Detention));
                    confirm(committing.take(), progress)?;
                    if alone {
                        let (_, answer) = tx.commit_later()?;
                        committing = Some((answer, chunk.position, import.outcome.rows));
                    } else {
                        tx.commit()?;
                        progress.stored(chunk.position, import.outcome.rows);
                    }
                    in_batch = 0;
                    tx = ledger.begin()?;
                    import.refs.catch_up(&mut tx)?;
                    import.today = tx.today()?;
                    // Alone, the next batch continues the chain where this one left it, and
                    // fails if anyone wrote in between (a publication too): what was public
                    // stays as read. Reading it here would wait for this batch to be written,
                    // and the import would build and write by turns (a million rows into
                    // PostgreSQL took 72 s instead of 47).
                    if !alone {
                        import.published = crate::publication::last_public_day(&mut tx)?;
                    }
                }
            }
            progress.read(chunk.position, import.outcome.rows);
        }
        if options.all_or_nothing && !import.outcome.rejected.is_empty() {
            drop(tx);
            confirm(committing.take(), progress)?;
            import.outcome.stored = false;
        } else {
            // Waits for the batch before it too: if that one failed, this one fails.
            let last = tx.commit();
            confirm(committing.take(), progress)?;
            last?;
        }
        progress.finish();
        Ok(())
    });
    ledger.bulk(false)?;
    result.map(|()| import.outcome)
}

/// Waits for a batch committed without waiting, and says it stored; a batch that failed fails
/// the import.
fn confirm(
    committing: Option<(vigilia_ledger::Committed, u64, u64)>,
    progress: &mut dyn Progress,
) -> Result<(), AppError> {
    let Some((answer, position, rows)) = committing else {
        return Ok(());
    };
    // No answer at all: the engine stopped before it committed.
    answer.recv().map_err(|_| {
        vigilia_ledger::LedgerError::Stopped("the registry stopped writing".into())
    })??;
    progress.stored(position, rows);
    Ok(())
}

/// An import of detentions under way, on the writing thread.
struct Import<'a> {
    refs: Refs,
    outcome: Outcome,
    recognition: RecognitionStatus,
    today: Day,
    /// The last day figures were made public, if any (read in the first batch's transaction,
    /// and in each when the import is not alone): a change the file dates before it is
    /// refused, for what the registry knew on the days before is public (a balance "as known
    /// on" one of them would change). A row restating what is stored dates nothing.
    published: Option<Day>,
    actor: &'a str,
}

impl Import<'_> {
    /// Stores one row read, or rejects it with its reason; a failure of the registry stops the
    /// import.
    fn row(&mut self, tx: &mut Tx<'_>, parsed: Parsed) -> Result<(), AppError> {
        self.outcome.rows += 1;
        let (cells, row) = match parsed {
            Parsed::Row { cells, row } => (cells, row),
            Parsed::Unreadable(mut u) => {
                let (line, column, cells) =
                    (u.line, u.column.clone(), std::mem::take(&mut u.cells));
                self.reject(line, &column, RowProblem::Unreadable(u), cells);
                return Ok(());
            }
        };
        let mut conflicts = Vec::new();
        let applied = row
            .map_err(Refused::Row)
            .and_then(|mut row| self.apply(tx, &mut row, &mut conflicts));
        self.outcome.conflicts.extend(conflicts);
        match applied {
            Ok(0) => self.outcome.unchanged += 1,
            Ok(facts) => {
                self.outcome.changed += 1;
                self.outcome.facts += facts as u64;
            }
            Err(Refused::Row(e)) => {
                let cells = cells.iter().map(str::to_string).collect();
                let (line, column) = (e.line, e.column);
                self.reject(line, column, RowProblem::Row(e), cells);
            }
            Err(Refused::Fatal(f)) => return Err(f),
        }
        Ok(())
    }

    fn reject(&mut self, line: u64, column: &str, problem: RowProblem, cells: Vec<String>) {
        self.outcome.rejected.push(Rejected {
            line,
            column: column.to_string(),
            problem,
            cells,
        });
    }
}

/// The organisation's references known so far: persons by id, detentions by id with the line
/// of this file they appeared on (0 when not in this file yet); and for each person with rows in
/// this file, the lines that stated its columns.
struct Refs {
    persons: FxHashMap<String, u64>,
    detentions: FxHashMap<String, (u64, u64)>,
    /// References that two stored records of a kind share in their normal form (stored before
    /// references were folded, `Р-1` in Cyrillic and `P-1`): a row naming one is refused, not
    /// given to whichever was read last.
    ambiguous: FxHashMap<(Kind, String), (u64, u64)>,
    stated: FxHashMap<u64, Stated>,
    /// The highest person and detention numbers whose references are in the maps above (or
    /// that have none).
    known: (u64, u64),
}

impl Refs {
    /// A stored record's reference, in its normal form ([`super::learn_reference`]).
    fn learn(&mut self, kind: Kind, reference: String, id: u64) {
        use super::learn_reference as learn;
        let second = match kind {
            Kind::Person => learn(&mut self.persons, reference, id, || id, |&id| id),
            _ => learn(
                &mut self.detentions,
                reference,
                id,
                || (id, 0),
                |&(id, _)| id,
            ),
        };
        if let Some((reference, ids)) = second {
            self.ambiguous.insert((kind, reference), ids);
        }
    }

    /// Learns the references that other writers stored since these were read (a second import
    /// of the same file, a report made meanwhile), in the batch's transaction: it holds the
    /// writer's lock, so that a row names the person and the detention they made instead of
    /// making others under the same references (which the registry refuses, stopping the
    /// import). Records this import made are known already and not read again.
    fn catch_up(&mut self, tx: &mut Tx<'_>) -> Result<(), AppError> {
        let normal = vigilia_core::text::normal_reference;
        for kind in [Kind::Person, Kind::Detention] {
            let (known, stored) = match kind {
                Kind::Person => (self.known.0, tx.last_id(kind)),
                _ => (self.known.1, tx.last_id(kind)),
            };
            let mut after = known;
            while after < stored {
                let page = tx.page(kind, after, 5_000)?;
                let Some(last) = page.last() else { break };
                after = last.subject().id;
                for record in &page {
                    let (Some(reference), id) = (record.reference(), record.subject().id) else {
                        continue;
                    };
                    self.learn(kind, normal(reference), id);
                }
            }
            match kind {
                Kind::Person => self.known.0 = stored.max(known),
                _ => self.known.1 = stored.max(known),
            }
        }
        Ok(())
    }

    /// The stored persons and detentions that these rows name by reference (read together
    /// before the rows are applied).
    fn stored(&self, rows: &[Parsed]) -> Vec<Subject> {
        let mut subjects = Vec::new();
        for parsed in rows {
            let Parsed::Row { row, .. } = parsed else {
                continue;
            };
            let Ok(row) = row.as_ref() else { continue };
            if let Some(&id) = self.persons.get(&row.person_ref) {
                subjects.push(PersonId(id).into());
            }
            if let Some(&(id, _)) = self.detentions.get(&row.detention_ref) {
                subjects.push(DetentionId(id).into());
            }
        }
        subjects
    }
}

/// Why a row was not applied: its own fault, or the registry's (which stops the import).
enum Refused {
    Row(RowError),
    Fatal(AppError),
}

impl From<vigilia_ledger::LedgerError> for Refused {
    fn from(e: vigilia_ledger::LedgerError) -> Refused {
        Refused::Fatal(e.into())
    }
}

impl Import<'_> {
    /// Appends the facts one row adds; returns how many. Person cells that contradict an
    /// earlier row of the same person are left out and added to `conflicts`.
    fn apply(
        &mut self,
        tx: &mut Tx<'_>,
        row: &mut Row,
        conflicts: &mut Vec<RowError>,
    ) -> Result<usize, Refused> {
        let refs = &mut self.refs;
        // Almost always none: no key is made for the rows of a registry without them.
        let ambiguous = if refs.ambiguous.is_empty() {
            Vec::new()
        } else {
            vec![
                (Kind::Detention, "detention_ref", &row.detention_ref),
                (Kind::Person, "person_ref", &row.person_ref),
            ]
        };
        for (kind, column, reference) in ambiguous {
            if let Some(&(first, second)) = refs.ambiguous.get(&(kind, reference.clone())) {
                return Err(Refused::Row(RowError {
                    line: row.line,
                    column,
                    value: reference.clone(),
                    reason: Reason::AmbiguousRef { first, second },
                }));
            }
        }
        let known = refs.detentions.get(&row.detention_ref).copied();
        if let Some((_, first_line)) = known.filter(|(_, line)| *line > 0) {
            return Err(Refused::Row(RowError {
                line: row.line,
                column: "detention_ref",
                value: row.detention_ref.clone(),
                reason: Reason::DuplicateRef { first_line },
            }));
        }
        let person_id = refs.persons.get(&row.person_ref).map(|&id| PersonId(id));
        let detention_id = known.map(|(id, _)| DetentionId(id));
        let existing_detention = match detention_id {
            None => None,
            Some(id) => stored_detention(tx, id)?,
        };
        if let Some(d) = &existing_detention
            && Some(d.person) != person_id
        {
            return Err(Refused::Row(RowError {
                line: row.line,
                column: "person_ref",
                value: row.detention_ref.clone(),
                reason: Reason::OtherPerson {
                    person_ref: person_ref(tx, d.person)?,
                },
            }));
        }
        let existing_person = match person_id {
            None => None,
            Some(id) => match tx.get(id.into())? {
                Some(Record::Person(p)) => Some(p.clone()),
                _ => None,
            },
        };
        let person = person_id.unwrap_or_else(|| PersonId(tx.new_id(Kind::Person)));
        let detention = detention_id.unwrap_or_else(|| DetentionId(tx.new_id(Kind::Detention)));
        let stated = refs.stated.entry(person.0).or_default();
        conflicts.extend(row.settle_person(existing_person.as_ref(), stated));
        let row: &Row = row;
        let today = self.today;
        let planned = exchange::person_changes(row, existing_person.as_ref(), today)
            .into_iter()
            .map(|p| (Subject::from(person), p))
            .chain(
                exchange::detention_changes(
                    row,
                    person,
                    existing_detention.as_ref(),
                    self.recognition,
                    today,
                )
                .into_iter()
                .map(|p| (Subject::from(detention), p)),
            );
        let planned: Vec<_> = planned.collect();
        let early = (planned.iter().map(|(_, p)| p.recorded_on))
            .filter(|d| {
                (self.published)
                    .is_some_and(|p| crate::publication::recorded_too_early(*d, p, self.today))
            })
            .min();
        if let (Some(day), Some(published)) = (early, self.published) {
            let column = if row.end_recorded_on == Some(day) {
                "end_recorded_on"
            } else {
                "recorded_on"
            };
            return Err(Refused::Row(RowError {
                line: row.line,
                column,
                value: day.to_string(),
                reason: Reason::RecordedBeforePublished { published },
            }));
        }
        let mut count = 0;
        for (subject, p) in planned {
            tx.append(Draft {
                recorded_on: p.recorded_on,
                actor: self.actor.to_string(),
                subject,
                change: p.change,
                sources: Vec::new(),
            })?;
            count += 1;
        }
        if person_id.is_none() {
            refs.persons.insert(row.person_ref.clone(), person.0);
        }
        refs.detentions
            .insert(row.detention_ref.clone(), (detention.0, row.line));
        Ok(count)
    }
}

/// A stored detention, with its notes as text so that a row with the same notes adds nothing.
fn stored_detention(
    tx: &mut Tx<'_>,
    id: DetentionId,
) -> Result<Option<vigilia_core::model::Detention>, Refused> {
    let Some(Record::Detention(d)) = tx.get(id.into())? else {
        return Ok(None);
    };
    let mut d = d.clone();
    if let Some(notes) = &d.notes {
        let text = tx.reveal(id.into(), Field::Notes, notes)?;
        d.notes = Some(Confidential::Plain(text));
    }
    Ok(Some(d))
}

/// A person's reference as the organisation writes it (`p12` when it has none).
fn person_ref(tx: &mut Tx<'_>, id: PersonId) -> Result<String, Refused> {
    Ok(match tx.get(id.into())? {
        Some(Record::Person(p)) => p
            .reference
            .clone()
            .unwrap_or_else(|| format!("p{}", p.id.0)),
        _ => format!("p{}", id.0),
    })
}

/// Writes the rejects file: the file's own header plus `reject_line`, `reject_column`,
/// `reject_reason` (in `lang`). Corrected, it imports as it is (those three columns are passed
/// over).
pub fn write_rejects(
    path: &std::path::Path,
    o: &Outcome,
    lang: vigilia_core::lang::Lang,
) -> Result<(), AppError> {
    use crate::export::{Output, output, write_row};
    use vigilia_core::lang::Localize;
    // The reject columns come first, where mending a row (a name's two cells joined again)
    // cannot move them into the row's own columns; those of a rejects file read again are not
    // repeated.
    let kept: Vec<(usize, &String)> = (o.header.iter().enumerate())
        .filter(|(_, name)| !exchange::REJECT_COLUMNS.contains(&name.as_str()))
        .collect();
    let header = (exchange::REJECT_COLUMNS.iter().map(|c| c.to_string()))
        .chain(kept.iter().map(|(_, name)| name.to_string()));
    let header: Vec<String> = header.collect();
    let mut out = Output::create(path)?;
    let fail = |e: &dyn std::fmt::Display| output(path, e);
    // Flexible: a row with more cells than the header (a comma too many) keeps them all, those
    // beyond the header's at the end, so that nothing of it is lost.
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(out.writer());
    write_row(&mut w, &header).map_err(|e| fail(&e))?;
    for r in &o.rejected {
        // As many cells as the row had: a short row (a comma missing) padded here would put
        // its last cell under another column once imported again.
        let mut cells = vec![
            r.line.to_string(),
            r.column.clone(),
            r.problem.localize(lang),
        ];
        cells.extend((kept.iter()).filter_map(|&(i, _)| r.cells.get(i).cloned()));
        cells.extend(r.cells.iter().skip(o.header.len()).cloned());
        write_row(&mut w, &cells).map_err(|e| fail(&e))?;
    }
    w.flush().map_err(|e| fail(&e))?;
    drop(w);
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two stored persons whose references are one in the normal form (`Р-1` in Cyrillic and
    /// `P-1`, stored before references were folded) make that reference ambiguous, whichever
    /// order they are read in; a reference of one record is not.
    #[test]
    fn a_reference_two_stored_records_share_is_ambiguous() {
        let mut refs = Refs {
            persons: FxHashMap::default(),
            detentions: FxHashMap::default(),
            ambiguous: FxHashMap::default(),
            stated: FxHashMap::default(),
            known: (0, 0),
        };
        let normal = vigilia_core::text::normal_reference;
        refs.learn(Kind::Person, normal("Р-1"), 1);
        refs.learn(Kind::Person, normal("P-1"), 2);
        refs.learn(Kind::Person, normal("P-2"), 3);
        refs.learn(Kind::Detention, normal("P-1"), 4);
        assert_eq!(
            refs.ambiguous.get(&(Kind::Person, "P-1".to_string())),
            Some(&(1, 2))
        );
        assert_eq!(refs.ambiguous.len(), 1, "{:?}", refs.ambiguous);
    }
}
