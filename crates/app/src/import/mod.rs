//! Imports: the tables organisations already keep, read row by row (CSV, gzip-compressed CSV,
//! spreadsheets, or another organisation's table through a mapping) and stored as facts. Every
//! good row is stored, every bad row is reported with its line, column and reason, and a file
//! imported again adds nothing. The command line reads the options, shows the progress and
//! renders the outcome; everything else is here.

pub mod detentions;
pub mod events;
pub mod list;
pub mod mapped;
pub mod rows;

use std::path::{Path, PathBuf};

use vigilia_core::exchange::HeaderError;

/// A stored record's reference put in a map by its normal form (`value` for it): the first
/// record under that form stays there. A second one, whose reference reads alike (two stored
/// before references were folded, `Р-1` in Cyrillic and `P-1`), is answered with the form and
/// both numbers, for a row naming it to be refused rather than given to either.
pub(crate) fn learn_reference<V>(
    by_reference: &mut rustc_hash::FxHashMap<String, V>,
    normal: String,
    id: u64,
    value: impl FnOnce() -> V,
    id_of: impl Fn(&V) -> u64,
) -> Option<(String, (u64, u64))> {
    use std::collections::hash_map::Entry;
    match by_reference.entry(normal) {
        Entry::Vacant(slot) => {
            slot.insert(value());
            None
        }
        Entry::Occupied(first) => {
            let first_id = id_of(first.get());
            (first_id != id).then(|| (first.key().clone(), (first_id, id)))
        }
    }
}

/// Where a long import tells how far it is, in its source's units (bytes of a file, rows).
pub trait Progress {
    /// `rows` rows read, `position` of the source's total.
    fn read(&mut self, position: u64, rows: u64);
    /// The first `rows` rows are durable (a batch was committed).
    fn stored(&mut self, position: u64, rows: u64);
    fn finish(&mut self);
}

/// Progress nobody watches.
#[derive(Debug)]
pub struct Quiet;

impl Progress for Quiet {
    fn read(&mut self, _: u64, _: u64) {}
    fn stored(&mut self, _: u64, _: u64) {}
    fn finish(&mut self) {}
}

/// A mapping file of version 1, read: `version_of` says which version it declares.
pub(crate) fn mapping_file<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    version_of: impl Fn(&T) -> u32,
) -> Result<T, crate::error::AppError> {
    let bad = |problem| InputError::Mapping {
        path: path.to_path_buf(),
        problem,
    };
    let text = read_text(path)?;
    let m: T = toml::from_str(&text).map_err(|e| bad(MappingProblem::Invalid(e.to_string())))?;
    match version_of(&m) {
        1 => Ok(m),
        v => Err(bad(MappingProblem::UnknownVersion(v)).into()),
    }
}

/// What is wrong with a file handed to an import (before any of its rows is used).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("there is no file {}", .0.display())]
    NoFile(PathBuf),
    #[error("{}: {detail}", path.display())]
    Unreadable { path: PathBuf, detail: String },
    #[error("{}: not a valid gzip file (its name ends in .gz): {detail}", path.display())]
    NotGzip { path: PathBuf, detail: String },
    #[error("{}: a gzip-compressed spreadsheet is not read; decompress it first (gunzip)", .0.display())]
    GzippedSheet(PathBuf),
    #[error("{}: line 1 (the header) cannot be read: {detail}", path.display())]
    Header { path: PathBuf, detail: String },
    #[error("{}: the spreadsheet cannot be read: {detail}", path.display())]
    Sheet { path: PathBuf, detail: String },
    #[error("{}: {}", path.display(), vigilia_core::lang::Localize::localize(limit, vigilia_core::lang::Lang::En))]
    SheetTooBig { path: PathBuf, limit: SheetLimit },
    #[error("{}: Vigilia reads .xlsx spreadsheets and .csv files; save this one as .xlsx or .csv (File › Save as)", .0.display())]
    SheetFormat(PathBuf),
    #[error("{label}: {error}")]
    Columns { label: String, error: HeaderError },
    #[error("{}: {problem:?}", path.display())]
    Mapping {
        path: PathBuf,
        problem: MappingProblem,
    },
}

/// What made a spreadsheet too big to read: checked before, or while, its cells are read, so
/// that a small file cannot take the machine's memory (one cell far away made a dense table of
/// every cell before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetLimit {
    /// Its parts unpack to more than this many megabytes.
    Unpacked(u64),
    /// A cell beyond the last column read (row and column, from 1).
    Column { row: u64, column: u64 },
    /// More than this many cells, counting the empty ones before the last of each row.
    Cells(u64),
    /// More than this many megabytes of text in its cells.
    Text(u64),
}

/// What is wrong with a mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingProblem {
    /// Not TOML of the mapping's shape.
    Invalid(String),
    UnknownVersion(u32),
    /// A column the mapping names is not on line 1 of the table: the column, and what for.
    MissingColumn {
        column: String,
        for_what: String,
    },
    /// A key that is not a column of the detentions CSV.
    NotAColumn(String),
    DateFormat(String),
    StateColumnOrValue,
    /// `recorded_on` on or before the last day figures were made public (that day ended).
    RecordedBeforePublished {
        recorded_on: vigilia_core::date::Day,
        published: vigilia_core::date::Day,
    },
}

/// A text file given on the command line (a mapping, a profile, an anchor, a key), whole.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| InputError::Unreadable {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}
