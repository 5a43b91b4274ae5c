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

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

use vigilia_core::confidential::{Confidential, Field};
use vigilia_core::date::Day;
use vigilia_core::exchange::{self, Context, Header, Reason, Row, RowError, Stated};
use vigilia_core::fact::Draft;
use vigilia_core::fold::Record;
use vigilia_core::ids::{DetentionId, Kind, PersonId, Subject};
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::RecognitionStatus;
use vigilia_ledger::{Ledger, Tx};

use crate::Env;
use crate::failure::Failure;
use crate::progress::Progress;
use crate::source::{self, RowSource};

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
    /// Each rejected row: its message, and its cells followed by line, column and reason.
    pub rejected: Vec<(String, Vec<String>)>,
    /// Each person cell that contradicts an earlier row of the same person (the row was stored
    /// without it): its message, with both lines.
    pub conflicts: Vec<String>,
    /// The header of the rejects file: the source's own, then the three reject columns.
    pub rejects_header: Vec<String>,
    /// False when `--all-or-nothing` refused the file.
    pub stored: bool,
}

pub fn detentions_file(
    env: &Env,
    path: &Path,
    mapping: Option<&Path>,
    options: &Options,
) -> Result<(), Failure> {
    let mut source = source::open(path)?;
    if let Some(mapping) = mapping {
        source = Box::new(crate::mapped::Mapped::open(source, mapping)?);
    }
    let mut ledger = env.open()?;
    let outcome = detentions(
        &mut ledger,
        env,
        source.as_mut(),
        options,
        &path.display().to_string(),
    )?;
    report(env.lang, &outcome, options)
}

/// Prints what an import did, writes the rejects file, and fails (exit code 2) if rows were rejected.
pub fn report(lang: Lang, o: &Outcome, options: &Options) -> Result<(), Failure> {
    for message in o.rejected.iter().map(|(m, _)| m).chain(&o.conflicts) {
        eprintln!("{message}");
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
            write_rejects(path, o)?;
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
fn write_rejects(path: &Path, o: &Outcome) -> Result<(), Failure> {
    let mut w = csv::Writer::from_path(path).map_err(|e| Failure::io(path, &e))?;
    let write = |w: &mut csv::Writer<std::fs::File>, cells: &[String]| {
        w.write_record(cells).map_err(|e| Failure::io(path, &e))
    };
    write(&mut w, &o.rejects_header)?;
    for (_, cells) in &o.rejected {
        write(&mut w, cells)?;
    }
    w.flush().map_err(|e| Failure::io(path, &e))
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
    Unreadable(source::Unreadable),
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

/// Imports every row of `source` into the ledger.
pub fn detentions(
    ledger: &mut Ledger,
    env: &Env,
    source: &mut dyn RowSource,
    options: &Options,
    label: &str,
) -> Result<Outcome, Failure> {
    let lang = env.lang;
    let header = Header::parse(source.header()).map_err(|e| Failure::BadInput {
        es: format!("{label}: {}", e.localize(Lang::Es)),
        en: format!("{label}: {}", e.localize(Lang::En)),
    })?;
    let profile = ledger.profile()?.clone();
    let today = ledger.today()?;
    let ctx = Context {
        profile: &profile,
        today,
    };
    let mut refs = Refs {
        persons: ledger.references(Kind::Person)?.into_iter().collect(),
        detentions: ledger
            .references(Kind::Detention)?
            .into_iter()
            .map(|(r, id)| (r, (id, 0)))
            .collect(),
        stated: FxHashMap::default(),
    };
    let reject_header: Vec<String> = source
        .header()
        .iter()
        .cloned()
        .chain(exchange::REJECT_COLUMNS.iter().map(|c| c.to_string()))
        .collect();
    let total = source.position().1;
    let mut outcome = Outcome {
        stored: true,
        rejects_header: reject_header,
        ..Outcome::default()
    };
    let width = header.width();
    let reject = |outcome: &mut Outcome,
                  line: u64,
                  column: &str,
                  message: String,
                  mut cells: Vec<String>| {
        cells.resize(width, String::new());
        cells.extend([line.to_string(), column.to_string(), message.clone()]);
        outcome.rejected.push((message, cells));
    };
    let mut progress = Progress::new(lang.pick("importando", "importing"), total);
    ledger.bulk(true)?;
    let result = std::thread::scope(|scope| {
        let (to, from) = std::sync::mpsc::sync_channel::<Chunk>(16);
        let (header, ctx) = (&header, &ctx);
        std::thread::Builder::new()
            .name("vigilia-read".into())
            .spawn_scoped(scope, move || read_rows(source, header, ctx, to))
            .map_err(|e| Failure::io(Path::new(label), &e))?;
        let mut in_batch = 0u64;
        let mut tx = ledger.begin()?;
        for chunk in from {
            for parsed in chunk.rows {
                outcome.rows += 1;
                let (cells, row) = match parsed {
                    Parsed::Row { cells, row } => (cells, row),
                    Parsed::Unreadable(u) => {
                        let message = lang.pick(&u.es, &u.en).to_string();
                        reject(&mut outcome, u.line, &u.column, message, Vec::new());
                        continue;
                    }
                };
                let mut conflicts = Vec::new();
                let applied = row.map_err(Rejected::Row).and_then(|mut row| {
                    apply(
                        &mut tx,
                        &mut refs,
                        &mut row,
                        options.recognition,
                        today,
                        &env.actor,
                        &mut conflicts,
                    )
                });
                outcome
                    .conflicts
                    .extend(conflicts.iter().map(|c| c.localize(lang)));
                match applied {
                    Ok(0) => outcome.unchanged += 1,
                    Ok(facts) => {
                        outcome.changed += 1;
                        outcome.facts += facts as u64;
                    }
                    Err(Rejected::Row(e)) => {
                        let message = e.localize(lang);
                        let cells = cells.iter().map(str::to_string).collect();
                        reject(&mut outcome, e.line, e.column, message, cells);
                    }
                    Err(Rejected::Fatal(f)) => return Err(f),
                }
                in_batch += 1;
                if in_batch >= BATCH && !options.all_or_nothing {
                    tx.commit()?;
                    in_batch = 0;
                    let stored = format!(
                        "{} {} ({})",
                        lang.number(outcome.rows),
                        lang.pick("filas", "rows"),
                        lang.pick("guardadas", "stored")
                    );
                    progress.line(chunk.position, &stored);
                    tx = ledger.begin()?;
                }
            }
            let message = format!(
                "{} {}",
                lang.number(outcome.rows),
                lang.pick("filas", "rows")
            );
            progress.set(chunk.position, &message);
        }
        progress.finish();
        if options.all_or_nothing && !outcome.rejected.is_empty() {
            drop(tx);
            outcome.stored = false;
        } else {
            tx.commit()?;
        }
        Ok(outcome)
    });
    ledger.bulk(false)?;
    result
}

/// The organisation's references known so far: persons by id, detentions by id with the line
/// of this file they appeared on (0 when not in this file yet); and for each person with rows in
/// this file, the lines that stated its columns.
struct Refs {
    persons: FxHashMap<String, u64>,
    detentions: FxHashMap<String, (u64, u64)>,
    stated: FxHashMap<u64, Stated>,
}

enum Rejected {
    Row(RowError),
    Fatal(Failure),
}

impl From<vigilia_ledger::LedgerError> for Rejected {
    fn from(e: vigilia_ledger::LedgerError) -> Rejected {
        Rejected::Fatal(e.into())
    }
}

/// Appends the facts one row adds; returns how many. Person cells that contradict an earlier
/// row of the same person are left out and added to `conflicts`.
#[allow(clippy::too_many_arguments)]
fn apply(
    tx: &mut Tx<'_>,
    refs: &mut Refs,
    row: &mut Row,
    recognition: RecognitionStatus,
    today: Day,
    actor: &str,
    conflicts: &mut Vec<RowError>,
) -> Result<usize, Rejected> {
    let known = refs.detentions.get(&row.detention_ref).copied();
    if let Some((_, first_line)) = known.filter(|(_, line)| *line > 0) {
        return Err(Rejected::Row(RowError {
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
        Some(id) => match tx.get(id.into())? {
            Some(Record::Detention(d)) => {
                let mut d = d.clone();
                // Its notes as text, so that a row with the same notes adds nothing.
                if let Some(notes) = &d.notes {
                    d.notes = Some(Confidential::Plain(tx.reveal(
                        id.into(),
                        Field::Notes,
                        notes,
                    )?));
                }
                Some(d)
            }
            _ => None,
        },
    };
    if let Some(d) = &existing_detention
        && Some(d.person) != person_id
    {
        let owner = match tx.get(d.person.into())? {
            Some(Record::Person(p)) => p
                .reference
                .clone()
                .unwrap_or_else(|| format!("p{}", p.id.0)),
            _ => format!("p{}", d.person.0),
        };
        return Err(Rejected::Row(RowError {
            line: row.line,
            column: "person_ref",
            value: row.detention_ref.clone(),
            reason: Reason::OtherPerson { person_ref: owner },
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
    let planned = exchange::person_changes(row, existing_person.as_ref(), today)
        .into_iter()
        .map(|p| (Subject::from(person), p))
        .chain(
            exchange::detention_changes(
                row,
                person,
                existing_detention.as_ref(),
                recognition,
                today,
            )
            .into_iter()
            .map(|p| (Subject::from(detention), p)),
        );
    let mut count = 0;
    for (subject, p) in planned {
        tx.append(Draft {
            recorded_on: p.recorded_on,
            actor: actor.to_string(),
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
