//! The detentions CSV, version 2 (`docs/formats/detentions-csv.md`): one row per detention.
//! Version 1 files are version 2 files without the case's and contacts' columns, and import
//! as they always did.
//!
//! This module is the format and nothing else: reading a header, turning a row's cells into a
//! checked [`Row`] (or a [`RowError`] naming line, column and reason), working out which facts a
//! row adds to what the registry already holds, and writing a detention back as a row. Reading
//! files and storing facts happen elsewhere.

use crate::case::{Case, Jurisdiction, Measure};
use crate::confidential::Confidential;
use crate::date::{Day, PartialDate};
use crate::fact::Change;
use crate::ids::PersonId;
use crate::lang::{Lang, Localize};
use crate::model::{
    Arrest, ContactWith, Custody, Dated, Detention, Disclosure, End, EndType, Identity, Person,
    Recognition, RecognitionStatus, Service, Sex, Step,
};
use crate::national_id::{NationalId, NationalIdError};
use crate::profile::Profile;
use crate::text::non_empty;

macro_rules! columns {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// The columns of the format, in the order an export writes them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Column { $($variant),* }

        impl Column {
            pub const ALL: &'static [Column] = &[$(Column::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Column::$variant => $name),* }
            }

            /// A column of codes (`end_type`, `nationality`, references): each word is a
            /// value, `SD` (Sudan) or `unknown` (an end of a kind not known) too.
            pub fn is_code(self) -> bool {
                matches!(
                    self,
                    Column::DetentionRef
                        | Column::PersonRef
                        | Column::Minor
                        | Column::CivilianMilitary
                        | Column::Nationality
                        | Column::EndType
                        | Column::Recognition
                        | Column::Category
                        | Column::Disclosure
                        | Column::Jurisdiction
                )
            }
        }
    };
}

columns! {
    DetentionRef = "detention_ref",
    PersonRef = "person_ref",
    GivenNames = "given_names",
    PaternalSurname = "paternal_surname",
    MaternalSurname = "maternal_surname",
    NationalId = "national_id",
    Sex = "sex",
    BirthDate = "birth_date",
    Minor = "minor",
    CivilianMilitary = "civilian_military",
    Nationality = "nationality",
    ArrestDate = "arrest_date",
    ArrestState = "arrest_state",
    ArrestMunicipality = "arrest_municipality",
    Agency = "agency",
    Facility = "facility",
    Charges = "charges",
    Context = "context",
    WhereaboutsUnknownSince = "whereabouts_unknown_since",
    WhereaboutsKnownSince = "whereabouts_known_since",
    HouseArrestSince = "house_arrest_since",
    ConvictedOn = "convicted_on",
    EndDate = "end_date",
    EndType = "end_type",
    Recognition = "recognition",
    Category = "category",
    RecordedOn = "recorded_on",
    EndRecordedOn = "end_recorded_on",
    Disclosure = "disclosure",
    Notes = "notes",
    // Version 2: the case and contact.
    PresentedOn = "presented_on",
    Court = "court",
    Jurisdiction = "jurisdiction",
    CaseNumber = "case_number",
    Measures = "measures",
    LastFamilyContact = "last_family_contact",
    LastLawyerContact = "last_lawyer_contact",
}

/// Whether a spreadsheet would take a cell for a formula (it begins with `=`, `+`, `-`, `@`, a
/// tab or a carriage return), or the cell is such a one already guarded (an apostrophe before it).
fn needs_guard(cell: &str) -> bool {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => true,
        Some(b'\'') => needs_guard(&cell[1..]),
        _ => false,
    }
}

/// A cell as written to a CSV that a spreadsheet may open: what it would run as a formula
/// (`=HYPERLINK(…)` sent on the public form) is written after an apostrophe, which spreadsheets
/// show as text. [`from_spreadsheet`] reads it back exactly: a value that itself begins with an
/// apostrophe before such a character gets one more.
pub fn for_spreadsheet(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A cell as [`for_spreadsheet`] wrote it, read back to its value.
pub fn from_spreadsheet(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

/// Columns a rejects file adds; an import passes over them, so a corrected rejects file imports as it is.
pub const REJECT_COLUMNS: [&str; 3] = ["reject_line", "reject_column", "reject_reason"];

const REQUIRED: [Column; 3] = [Column::DetentionRef, Column::PersonRef, Column::ArrestDate];

/// A row of a file with another number of cells than its header, said the same by every
/// import: a comma too many or too few moves every cell after it into another column.
pub fn cells_moved(lang: Lang, found: usize, expected: usize) -> String {
    match lang {
        Lang::Es => format!(
            "la fila tiene {found} celdas y el encabezado {expected}: una coma de más o de menos \
             corre las celdas de columna"
        ),
        Lang::En => format!(
            "the row has {found} cells and the header {expected}: a comma too many or too few \
             moves the cells into other columns"
        ),
    }
}

/// Where each column stands in a file.
#[derive(Clone, Debug)]
pub struct Header {
    positions: Vec<Option<usize>>,
    width: usize,
    /// Where a rejects file's `reject_line` stands (the first of them, when it holds two).
    reject_line: Option<usize>,
}

/// A header that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("line 1: unknown column {0:?} (the detentions CSV has: {known})", known = known_columns())]
    Unknown(String),
    #[error("line 1: column {0:?} appears twice")]
    Duplicate(String),
    #[error("line 1: required column {0:?} is missing")]
    Missing(&'static str),
}

fn known_columns() -> String {
    Column::ALL
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Localize for HeaderError {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Unknown(c), Lang::Es) => format!(
                "línea 1: columna desconocida {c:?} (el CSV de detenciones tiene: {})",
                known_columns()
            ),
            (Self::Duplicate(c), Lang::Es) => {
                format!("línea 1: la columna {c:?} aparece dos veces")
            }
            (Self::Missing(c), Lang::Es) => format!("línea 1: falta la columna obligatoria {c:?}"),
            (_, Lang::En) => self.to_string(),
        }
    }
}

impl Header {
    /// Reads the header row. Columns may come in any order; unknown ones are an error.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Header, HeaderError> {
        let mut positions = vec![None; Column::ALL.len()];
        let mut reject_line = None;
        for (i, raw) in names.iter().enumerate() {
            let name = raw.as_ref().trim_start_matches('\u{feff}').trim();
            if REJECT_COLUMNS.contains(&name) {
                if name == "reject_line" && reject_line.is_none() {
                    reject_line = Some(i);
                }
                continue;
            }
            let Some(col) = Column::ALL.iter().position(|c| c.name() == name) else {
                return Err(HeaderError::Unknown(name.to_string()));
            };
            let slot = positions
                .get_mut(col)
                .ok_or(HeaderError::Unknown(name.to_string()))?;
            if slot.is_some() {
                return Err(HeaderError::Duplicate(name.to_string()));
            }
            *slot = Some(i);
        }
        for req in REQUIRED {
            if positions.get(req as usize).copied().flatten().is_none() {
                return Err(HeaderError::Missing(req.name()));
            }
        }
        Ok(Header {
            positions,
            width: names.len(),
            reject_line,
        })
    }

    /// How many cells a row of this file has.
    pub fn width(&self) -> usize {
        self.width
    }

    fn cell<'a, S: AsRef<str>>(&self, cells: &'a [S], col: Column) -> &'a str {
        self.positions
            .get(col as usize)
            .copied()
            .flatten()
            .and_then(|i| cells.get(i))
            .map(|s| s.as_ref())
            .unwrap_or("")
    }
}

/// One detention as a row states it. Empty cells are `None`: unknown, not "none".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub detention_ref: String,
    pub person_ref: String,
    pub identity: Identity,
    pub disclosure: Option<Disclosure>,
    pub arrest: Arrest,
    pub facility: Option<String>,
    pub charges: Vec<String>,
    pub whereabouts_unknown_since: Option<PartialDate>,
    pub whereabouts_known_since: Option<PartialDate>,
    pub house_arrest_since: Option<PartialDate>,
    pub convicted_on: Option<PartialDate>,
    pub end: Option<End>,
    pub recognition: Option<RecognitionStatus>,
    pub category: Option<u8>,
    pub recorded_on: Option<Day>,
    pub end_recorded_on: Option<Day>,
    pub notes: Option<String>,
    /// Version 2: the first presentation before a judge, the court that has the case, the
    /// measures in force, the last contacts.
    pub presented_on: Option<PartialDate>,
    pub court: Option<String>,
    pub jurisdiction: Option<Jurisdiction>,
    pub case_number: Option<String>,
    pub measures: Vec<Measure>,
    pub last_family_contact: Option<PartialDate>,
    pub last_lawyer_contact: Option<PartialDate>,
}

/// What is wrong with a cell (or with how two cells of a row fit together).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    Required,
    Date(crate::date::DateError),
    NationalId(NationalIdError),
    Sex,
    Bool,
    CivilianMilitary,
    Nationality,
    UnknownState,
    EndBeforeArrest {
        arrest: String,
    },
    StepBeforeArrest {
        arrest: String,
    },
    EndWithoutType,
    TypeWithoutEnd,
    EndType,
    Recognition,
    Category,
    Jurisdiction,
    RecordedAfterToday {
        today: Day,
    },
    /// A change dated before the last day figures were made public: what the registry knew
    /// then is public.
    RecordedBeforePublished {
        published: Day,
    },
    EndRecordedBeforeRecorded {
        recorded_on: Day,
    },
    Disclosure,
    Width {
        expected: usize,
        found: usize,
    },
    /// A character that is not text (a NUL byte, an escape) in any cell, or a reference that
    /// no registry stores alike on every engine.
    Unstorable(crate::text::ReferenceFault),
    /// More marks over one letter than accents make, or a letter struck through
    /// ([`crate::text::marks_fit`]).
    Marks,
    /// A rejects file's `reject_line` that holds no line number: the row's cells moved.
    RejectLineMoved,
    /// Two stored records (of the kind of this column) have references that are one in their
    /// normal form, written with letters of different scripts before references were folded:
    /// which one the row means is not known.
    AmbiguousRef {
        first: u64,
        second: u64,
    },
    DuplicateRef {
        first_line: u64,
    },
    OtherPerson {
        person_ref: String,
    },
    /// A person column that an earlier row of the same person in the file gave another value.
    PersonConflict {
        person_ref: String,
        kept: String,
        kept_line: u64,
    },
}

/// A row that cannot be read: its line in the file (the header is line 1), column and reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: &'static str,
    pub value: String,
    pub reason: Reason,
}

impl Localize for RowError {
    fn localize(&self, lang: Lang) -> String {
        let v = &self.value;
        let es = lang == Lang::Es;
        let what = match &self.reason {
            Reason::Required => lang.pick("está vacía y es obligatoria", "is empty and required").to_string(),
            Reason::Date(e) => e.localize(lang),
            Reason::NationalId(e) => e.localize(lang),
            Reason::Sex => if es { format!("{v:?} no es un sexo (F, M, X, Mujer, Hombre)") } else { format!("{v:?} is not a sex (F, M, X, Mujer, Hombre)") },
            Reason::Bool => if es { format!("{v:?} no es true ni false") } else { format!("{v:?} is neither true nor false") },
            Reason::CivilianMilitary => if es { format!("{v:?} no es civilian ni military") } else { format!("{v:?} is neither civilian nor military") },
            Reason::Nationality => if es { format!("{v:?} no es una lista de códigos ISO de dos letras separados por ';' (VE;CO)") } else { format!("{v:?} is not a list of two-letter ISO codes separated by ';' (VE;CO)") },
            Reason::UnknownState => if es { format!("{v:?} no es un estado del perfil de país (nombre o código ISO 3166-2)") } else { format!("{v:?} is not a state of the country profile (name or ISO 3166-2 code)") },
            Reason::EndBeforeArrest { arrest } => if es { format!("el fin {v} es anterior a la detención {arrest}") } else { format!("the end {v} is before the arrest {arrest}") },
            Reason::StepBeforeArrest { arrest } => if es { format!("{v} es anterior a la detención {arrest}") } else { format!("{v} is before the arrest {arrest}") },
            Reason::EndWithoutType => lang.pick("hay fecha de fin sin end_type (released, released_under_measures, deported, died_in_custody, escaped, unknown)", "there is an end date without end_type (released, released_under_measures, deported, died_in_custody, escaped, unknown)").to_string(),
            Reason::TypeWithoutEnd => if es { format!("end_type {v:?} sin end_date") } else { format!("end_type {v:?} without end_date") },
            Reason::EndType => if es { format!("{v:?} no es un tipo de fin (released, released_under_measures, deported, died_in_custody, escaped, unknown)") } else { format!("{v:?} is not an end type (released, released_under_measures, deported, died_in_custody, escaped, unknown)") },
            Reason::Recognition => if es { format!("{v:?} no es recognised, under_study ni not_recognised") } else { format!("{v:?} is not recognised, under_study or not_recognised") },
            Reason::Jurisdiction => if es { format!("{v:?} no es civilian ni military (civil, militar)") } else { format!("{v:?} is neither civilian nor military") },
            Reason::Category => if es { format!("{v:?} no es una categoría (1, 2 o 3)") } else { format!("{v:?} is not a category (1, 2 or 3)") },
            Reason::RecordedAfterToday { today } => if es { format!("{v} es posterior a hoy ({today})") } else { format!("{v} is after today ({today})") },
            Reason::RecordedBeforePublished { published } => if es { format!("{v} no es posterior al {published}, último día en que se publicaron cifras: lo que el registro sabía entonces ya es público y no cambia (deje la celda vacía y se registra hoy)") } else { format!("{v} is not after {published}, the last day figures were made public: what the registry knew then is public and does not change (leave the cell empty and it is recorded today)") },
            Reason::EndRecordedBeforeRecorded { recorded_on } => if es { format!("{v} es anterior a recorded_on ({recorded_on})") } else { format!("{v} is before recorded_on ({recorded_on})") },
            Reason::Disclosure => if es { format!("{v:?} no es named, initials ni count_only") } else { format!("{v:?} is not named, initials or count_only") },
            Reason::Width { expected, found } => cells_moved(lang, *found, *expected),
            Reason::Unstorable(fault) => fault.localize(lang),
            Reason::RejectLineMoved => if es { format!("{v:?} no es un número de línea: las celdas de esta fila se corrieron de columna (dos celdas unidas o una borrada antes de las columnas reject_*); vuelva a ponerlas cada una bajo su columna") } else { format!("{v:?} is not a line number: the cells of this row moved into other columns (two cells joined, or one deleted, before the reject_* columns); put each back under its column") },
            Reason::Marks => lang.pick("tiene más de cuatro acentos o marcas sobre una letra, o una letra tachada: se vería encima de las líneas de al lado", "has more than four accents or marks over one letter, or a letter struck through: it would show over the lines beside it").to_string(),
            Reason::AmbiguousRef { first, second } => if es { format!("{v:?} es la referencia de dos registros (números {first} y {second}) cuyas referencias se leen igual, escritas con letras de alfabetos distintos: corrija o fusione uno de los dos antes de importar esta fila") } else { format!("{v:?} is the reference of two records (numbers {first} and {second}) whose references read alike, written in letters of different scripts: correct or merge one of them before importing this row") },
            Reason::DuplicateRef { first_line } => if es { format!("{v:?} ya aparece en la línea {first_line}") } else { format!("{v:?} already appears on line {first_line}") },
            Reason::OtherPerson { person_ref } => if es { format!("la detención {v:?} pertenece a la persona {person_ref:?} en el registro") } else { format!("detention {v:?} belongs to person {person_ref:?} in the registry") },
            Reason::PersonConflict { person_ref, kept, kept_line } => if es { format!("{v:?} contradice {kept:?} de la línea {kept_line} para la persona {person_ref:?}; queda {kept:?}") } else { format!("{v:?} contradicts {kept:?} on line {kept_line} for person {person_ref:?}; {kept:?} is kept") },
        };
        if es {
            format!("línea {}, columna {}: {what}", self.line, self.column)
        } else {
            format!("line {}, column {}: {what}", self.line, self.column)
        }
    }
}

/// What a row is read against.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub profile: &'a Profile,
    /// The day of the import: recorded dates may not be after it.
    pub today: Day,
}

impl Row {
    /// Reads one row's cells. `line` is the row's line in the file (the header is line 1).
    /// The cells are read in a fixed order and the first mistake found is the one named:
    /// the references, the person, the arrest, the steps after it, the end, the recognition,
    /// the days recorded, the disclosure.
    pub fn parse<S: AsRef<str>>(
        header: &Header,
        cells: &[S],
        line: u64,
        ctx: &Context<'_>,
    ) -> Result<Row, RowError> {
        let row = Cells::new(header, cells, line)?;
        // In their normal form, as `Cells::new` checked them: `Peña` or `D–1` is one reference
        // however a program wrote it.
        let detention_ref = crate::text::normal_reference(&row.required(Column::DetentionRef)?);
        let person_ref = crate::text::normal_reference(&row.required(Column::PersonRef)?);
        let (identity, minor) = row.identity()?;
        let arrest = row.arrest(ctx, minor)?;
        let whereabouts_unknown_since =
            row.after_arrest(Column::WhereaboutsUnknownSince, &arrest.date)?;
        let whereabouts_known_since =
            row.after_arrest(Column::WhereaboutsKnownSince, &arrest.date)?;
        let house_arrest_since = row.after_arrest(Column::HouseArrestSince, &arrest.date)?;
        let convicted_on = row.after_arrest(Column::ConvictedOn, &arrest.date)?;
        let end = row.end(&arrest.date)?;
        let recognition = row.read(
            Column::Recognition,
            RecognitionStatus::from_name,
            Reason::Recognition,
        )?;
        let category = row.read(Column::Category, parse_category, Reason::Category)?;
        let (recorded_on, end_recorded_on) = row.recorded(ctx.today)?;
        let disclosure = row.read(
            Column::Disclosure,
            Disclosure::from_name,
            Reason::Disclosure,
        )?;
        let presented_on = row.after_arrest(Column::PresentedOn, &arrest.date)?;
        let jurisdiction = row.read(
            Column::Jurisdiction,
            Jurisdiction::from_name,
            Reason::Jurisdiction,
        )?;
        let last_family_contact = row.after_arrest(Column::LastFamilyContact, &arrest.date)?;
        let last_lawyer_contact = row.after_arrest(Column::LastLawyerContact, &arrest.date)?;

        Ok(Row {
            line,
            detention_ref,
            person_ref,
            identity,
            disclosure,
            arrest,
            facility: row
                .cell(Column::Facility)
                .map(|v| Profile::canonical(&ctx.profile.facilities, v)),
            charges: row
                .list(Column::Charges)
                .iter()
                .map(|c| Profile::canonical(&ctx.profile.charges, c))
                .collect(),
            whereabouts_unknown_since,
            whereabouts_known_since,
            house_arrest_since,
            convicted_on,
            end,
            recognition,
            category,
            recorded_on,
            end_recorded_on,
            notes: row.text(Column::Notes),
            presented_on,
            court: row.text(Column::Court),
            jurisdiction,
            case_number: row.text(Column::CaseNumber),
            measures: row
                .cell(Column::Measures)
                .map(Measure::parse_list)
                .unwrap_or_default(),
            last_family_contact,
            last_lawyer_contact,
        })
    }
}

/// One row's cells where the header places them, with the row's line: what [`Row::parse`]
/// reads each column from, and names a mistaken cell by.
struct Cells<'a, S> {
    header: &'a Header,
    cells: &'a [S],
    line: u64,
}

impl<'a, S: AsRef<str>> Cells<'a, S> {
    /// A row's cells, which must be as many as the header's columns.
    fn new(header: &'a Header, cells: &'a [S], line: u64) -> Result<Self, RowError> {
        if cells.len() != header.width() {
            return Err(RowError {
                line,
                column: "*",
                value: String::new(),
                reason: Reason::Width {
                    expected: header.width(),
                    found: cells.len(),
                },
            });
        }
        // A rejects file's row mended by joining two of its cells, when the reject columns
        // came after the row's own (as rejects files did before): every cell after the join
        // moved one column left, and the line number stood in the last of the row's own.
        if let Some(at) = header.reject_line {
            let cell = cells.get(at).map(|c| c.as_ref().trim()).unwrap_or("");
            if !cell.chars().all(|c| c.is_ascii_digit()) {
                return Err(RowError {
                    line,
                    column: "reject_line",
                    value: cell.to_string(),
                    reason: Reason::RejectLineMoved,
                });
            }
        }
        use crate::text::{ReferenceFault, not_text, reorders};
        for column in Column::ALL {
            let cell = header.cell(cells, *column);
            let reference = matches!(column, Column::DetentionRef | Column::PersonRef);
            // A direction override would show a page or a spreadsheet something else than
            // what is stored (`El Helicoide` for the text stored backwards); a character that
            // shows nothing would make two names or places that read alike differ (the notes,
            // free text, may hold one: an emoji's joiner).
            let hidden = |c: char| *column != Column::Notes && crate::text::invisible(c);
            let fault = match cell
                .chars()
                .find(|&c| not_text(c) || reorders(c) || hidden(c))
            {
                Some(c) => Some(ReferenceFault::NotText(c as u32)),
                None if reference => crate::text::reference(cell).err(),
                None => None,
            };
            let reason = match fault {
                Some(fault) => Reason::Unstorable(fault),
                None if !crate::text::marks_fit(cell) => Reason::Marks,
                None => continue,
            };
            return Err(RowError {
                line,
                column: column.name(),
                value: cell.to_string(),
                reason,
            });
        }
        Ok(Cells {
            header,
            cells,
            line,
        })
    }

    /// What is wrong with a cell of this row: its line, column, value and reason.
    fn err(&self, column: Column, value: &str, reason: Reason) -> RowError {
        RowError {
            line: self.line,
            column: column.name(),
            value: value.to_string(),
            reason,
        }
    }

    /// A column's cell, trimmed; `None` when it is empty (unknown) or the file lacks it, and,
    /// in a column of free text, when it only says the value is not known (`N/D`,
    /// `Desconocido`: [`crate::text::known`]).
    fn cell(&self, c: Column) -> Option<&'a str> {
        self.item(c, self.header.cell(self.cells, c))
    }

    /// One value of column `c`, read as [`Cells::cell`] reads a cell.
    fn item(&self, c: Column, text: &'a str) -> Option<&'a str> {
        if c.is_code() {
            non_empty(text)
        } else {
            crate::text::known(text)
        }
    }

    /// A free-text cell.
    fn text(&self, c: Column) -> Option<String> {
        self.cell(c).map(str::to_string)
    }

    /// A cell that may not be empty.
    fn required(&self, c: Column) -> Result<String, RowError> {
        self.text(c)
            .ok_or_else(|| self.err(c, "", Reason::Required))
    }

    /// A cell read by `read`, whose `None` is the mistake `reason`.
    fn read<T>(
        &self,
        c: Column,
        read: impl FnOnce(&str) -> Option<T>,
        reason: Reason,
    ) -> Result<Option<T>, RowError> {
        self.cell(c)
            .map(|v| read(v).ok_or_else(|| self.err(c, v, reason)))
            .transpose()
    }

    /// A date, known to the day, month or year.
    fn date(&self, c: Column) -> Result<Option<PartialDate>, RowError> {
        self.cell(c)
            .map(|v| PartialDate::parse(v).map_err(|e| self.err(c, v, Reason::Date(e))))
            .transpose()
    }

    /// A list separated by `;`, its empty items dropped.
    fn list(&self, c: Column) -> Vec<String> {
        self.cell(c)
            .map(|v| {
                v.split(';')
                    .filter_map(|item| self.item(c, item))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The person as the row states them, and the arrest's `minor` flag, which is read among
    /// the person's cells (after sex, before civilian or military) so that a row with several
    /// mistakes is named by the same first one.
    fn identity(&self) -> Result<(Identity, Option<bool>), RowError> {
        let national_id = self
            .cell(Column::NationalId)
            .map(|v| {
                NationalId::parse(v)
                    .map_err(|e| self.err(Column::NationalId, v, Reason::NationalId(e)))
            })
            .transpose()?;
        let sex = self.read(Column::Sex, parse_sex, Reason::Sex)?;
        let minor = self.read(Column::Minor, parse_bool, Reason::Bool)?;
        let service = self.read(
            Column::CivilianMilitary,
            parse_service,
            Reason::CivilianMilitary,
        )?;
        let nationalities = self.nationalities()?;
        let identity = Identity {
            given_names: self.text(Column::GivenNames),
            paternal_surname: self.text(Column::PaternalSurname),
            maternal_surname: self.text(Column::MaternalSurname),
            national_id,
            sex,
            birth_date: self.date(Column::BirthDate)?,
            nationalities,
            service,
            ..Identity::default()
        };
        Ok((identity, minor))
    }

    /// Nationalities: two-letter ISO codes, written in capitals.
    fn nationalities(&self) -> Result<Vec<String>, RowError> {
        let nationalities = self.list(Column::Nationality);
        if let Some(bad) = nationalities
            .iter()
            .find(|n| n.len() != 2 || !n.bytes().all(|b| b.is_ascii_alphabetic()))
        {
            return Err(self.err(Column::Nationality, bad, Reason::Nationality));
        }
        Ok(nationalities
            .iter()
            .map(|n| n.to_ascii_uppercase())
            .collect())
    }

    /// The arrest: its date (required), its state by the country profile, place, agency (by
    /// the profile's name for it) and context; `minor` as read with the person.
    fn arrest(&self, ctx: &Context<'_>, minor: Option<bool>) -> Result<Arrest, RowError> {
        let date = self
            .date(Column::ArrestDate)?
            .ok_or_else(|| self.err(Column::ArrestDate, "", Reason::Required))?;
        let state = self.read(
            Column::ArrestState,
            |v| ctx.profile.state(v).and_then(|s| s.code.clone()),
            Reason::UnknownState,
        )?;
        Ok(Arrest {
            date,
            state,
            municipality: self.text(Column::ArrestMunicipality),
            agency: self
                .cell(Column::Agency)
                .map(|v| Profile::canonical(&ctx.profile.agencies, v)),
            circumstances: None,
            context: self.list(Column::Context),
            minor,
        })
    }

    /// The date of a step of the detention, which cannot be certainly before the arrest.
    fn after_arrest(
        &self,
        c: Column,
        arrest: &PartialDate,
    ) -> Result<Option<PartialDate>, RowError> {
        let d = self.date(c)?;
        if let Some(d) = d
            && d.certainly_before(arrest)
        {
            return Err(self.err(
                c,
                &d.to_string(),
                Reason::StepBeforeArrest {
                    arrest: arrest.to_string(),
                },
            ));
        }
        Ok(d)
    }

    /// The end: a date and a type, neither without the other, not certainly before the arrest.
    fn end(&self, arrest: &PartialDate) -> Result<Option<End>, RowError> {
        let end_type = self.read(Column::EndType, EndType::from_name, Reason::EndType)?;
        match (self.date(Column::EndDate)?, end_type) {
            (Some(d), Some(kind)) => {
                if d.certainly_before(arrest) {
                    return Err(self.err(
                        Column::EndDate,
                        &d.to_string(),
                        Reason::EndBeforeArrest {
                            arrest: arrest.to_string(),
                        },
                    ));
                }
                Ok(Some(End { date: d, kind }))
            }
            (Some(d), None) => {
                Err(self.err(Column::EndType, &d.to_string(), Reason::EndWithoutType))
            }
            (None, Some(t)) => Err(self.err(Column::EndType, t.name(), Reason::TypeWithoutEnd)),
            (None, None) => Ok(None),
        }
    }

    /// The days the detention and its end were recorded: whole days, not after `today`, and
    /// the end not recorded before the detention (or, without that day, before `today`).
    fn recorded(&self, today: Day) -> Result<(Option<Day>, Option<Day>), RowError> {
        let recorded_on = self.recorded_day(Column::RecordedOn, today)?;
        let end_recorded_on = self.recorded_day(Column::EndRecordedOn, today)?;
        if let Some(e) = end_recorded_on {
            let r = recorded_on.unwrap_or(today);
            if e < r {
                return Err(self.err(
                    Column::EndRecordedOn,
                    &e.to_string(),
                    Reason::EndRecordedBeforeRecorded { recorded_on: r },
                ));
            }
        }
        Ok((recorded_on, end_recorded_on))
    }

    /// A day something was recorded: a whole day, not after `today`.
    fn recorded_day(&self, c: Column, today: Day) -> Result<Option<Day>, RowError> {
        let Some(v) = self.cell(c) else {
            return Ok(None);
        };
        let d = crate::date::parse_day(v).map_err(|e| self.err(c, v, Reason::Date(e)))?;
        if d > today {
            return Err(self.err(c, v, Reason::RecordedAfterToday { today }));
        }
        Ok(Some(d))
    }
}

fn parse_sex(v: &str) -> Option<Sex> {
    match crate::text::fold(v).as_str() {
        "f" | "mujer" | "femenino" => Some(Sex::F),
        "m" | "hombre" | "masculino" => Some(Sex::M),
        "x" => Some(Sex::X),
        _ => None,
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "si" | "sí" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

fn parse_service(v: &str) -> Option<Service> {
    match v.to_ascii_lowercase().as_str() {
        "civilian" | "civil" => Some(Service::Civilian),
        "military" | "militar" => Some(Service::Military),
        _ => None,
    }
}

fn parse_category(v: &str) -> Option<u8> {
    match v {
        "1" => Some(1),
        "2" => Some(2),
        "3" => Some(3),
        _ => None,
    }
}

/// The columns that belong to the person rather than the detention: each row of a person
/// states them again.
pub const PERSON_COLUMNS: [Column; 9] = [
    Column::GivenNames,
    Column::PaternalSurname,
    Column::MaternalSurname,
    Column::NationalId,
    Column::Sex,
    Column::BirthDate,
    Column::CivilianMilitary,
    Column::Nationality,
    Column::Disclosure,
];

/// A person column's value as the format writes it; `None` when unknown (or not a person column).
fn person_cell(id: &Identity, disclosure: Option<Disclosure>, column: Column) -> Option<String> {
    match column {
        Column::GivenNames => id.given_names.clone(),
        Column::PaternalSurname => id.paternal_surname.clone(),
        Column::MaternalSurname => id.maternal_surname.clone(),
        Column::NationalId => id.national_id.map(|n| n.to_string()),
        Column::Sex => id.sex.map(|s| format!("{s:?}")),
        Column::BirthDate => id.birth_date.map(|d| d.to_string()),
        Column::CivilianMilitary => id.service.map(|s| {
            match s {
                Service::Civilian => "civilian",
                Service::Military => "military",
            }
            .to_string()
        }),
        Column::Nationality => (!id.nationalities.is_empty()).then(|| id.nationalities.join(";")),
        Column::Disclosure => disclosure.map(|d| d.name().to_string()),
        _ => None,
    }
}

/// The line on which one file first gave each of one person's [`PERSON_COLUMNS`] (0: not yet).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stated([u32; PERSON_COLUMNS.len()]);

impl Row {
    /// Reads a person's rows in one file as one statement about the person: each person column
    /// is stated by the first row of the person that fills it. A later row that gives it another
    /// value is a conflict, returned to be reported (its line and value, the value kept and the
    /// line it came from), and its cell is dropped, so the row changes nothing of the person and
    /// importing the file again adds nothing. `person` is the person as the registry holds it
    /// after the file's earlier rows; `stated`, the file's lines for that person so far.
    pub fn settle_person(&mut self, person: Option<&Person>, stated: &mut Stated) -> Vec<RowError> {
        let mut conflicts = Vec::new();
        for (column, first) in PERSON_COLUMNS.iter().copied().zip(stated.0.iter_mut()) {
            let Some(value) = person_cell(&self.identity, self.disclosure, column) else {
                continue;
            };
            if *first == 0 {
                *first = u32::try_from(self.line).unwrap_or(u32::MAX);
                continue;
            }
            let kept = person.and_then(|p| person_cell(&p.identity, Some(p.disclosure), column));
            if let Some(kept) = kept.filter(|k| *k != value) {
                conflicts.push(RowError {
                    line: self.line,
                    column: column.name(),
                    value,
                    reason: Reason::PersonConflict {
                        person_ref: self.person_ref.clone(),
                        kept,
                        kept_line: u64::from(*first),
                    },
                });
            }
            let id = &mut self.identity;
            match column {
                Column::GivenNames => id.given_names = None,
                Column::PaternalSurname => id.paternal_surname = None,
                Column::MaternalSurname => id.maternal_surname = None,
                Column::NationalId => id.national_id = None,
                Column::Sex => id.sex = None,
                Column::BirthDate => id.birth_date = None,
                Column::CivilianMilitary => id.service = None,
                Column::Nationality => id.nationalities.clear(),
                Column::Disclosure => self.disclosure = None,
                _ => {}
            }
        }
        conflicts
    }
}

/// A fact a row adds, with the day it counts as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub change: Change,
    pub recorded_on: Day,
}

/// The facts a row adds about its person: all of them for a new person, only what differs for
/// one already in the registry (an empty cell changes nothing). Corrections of what the
/// registry already holds are recorded on `today`, the day the registry learned them.
pub fn person_changes(row: &Row, existing: Option<&Person>, today: Day) -> Vec<Planned> {
    let Some(p) = existing else {
        return vec![Planned {
            change: Change::PersonStated {
                reference: Some(row.person_ref.clone()),
                identity: row.identity.clone(),
                disclosure: row.disclosure.filter(|d| *d != Disclosure::default()),
                cleared: Vec::new(),
                reason: None,
            },
            recorded_on: row.recorded_on.unwrap_or(today),
        }];
    };
    let mut out = Vec::new();
    let stated = identity_changes(&p.identity, &row.identity);
    if stated != Identity::default() {
        out.push(Change::PersonStated {
            reference: None,
            identity: stated,
            disclosure: None,
            cleared: Vec::new(),
            reason: None,
        });
    }
    if let Some(level) = row.disclosure.filter(|level| *level != p.disclosure) {
        out.push(Change::DisclosureSet {
            level,
            given_by: None,
        });
    }
    out.into_iter()
        .map(|change| Planned {
            change,
            recorded_on: today,
        })
        .collect()
}

/// The fields of `stated` that are known and differ from `current`.
fn identity_changes(current: &Identity, stated: &Identity) -> Identity {
    let mut diff = Identity::default();
    macro_rules! differ {
        ($($f:ident),*) => {$(
            if stated.$f.is_some() && stated.$f != current.$f {
                diff.$f.clone_from(&stated.$f);
            }
        )*};
    }
    differ!(
        given_names,
        paternal_surname,
        maternal_surname,
        national_id,
        sex,
        birth_date,
        service
    );
    if !stated.nationalities.is_empty() && stated.nationalities != current.nationalities {
        diff.nationalities.clone_from(&stated.nationalities);
    }
    diff
}

/// The facts a row adds about its detention. A new detention is one fact: the opening with the
/// steps, recognition (`default_recognition` where the row has none) and notes learned with it,
/// then its end if it has one. For a detention already in the registry: only what the row
/// knows and the registry does not, recorded on `today`.
pub fn detention_changes(
    row: &Row,
    person: PersonId,
    existing: Option<&Detention>,
    default_recognition: RecognitionStatus,
    today: Day,
) -> Vec<Planned> {
    let on = match existing {
        None => row.recorded_on.unwrap_or(today),
        Some(_) => today,
    };
    let steps = new_steps(row, existing);
    let recognition = new_recognition(row, existing, default_recognition);
    let notes = new_notes(row, existing);
    let mut changes = Vec::new();
    match existing {
        None => changes.push(Change::DetentionOpened {
            person,
            reference: Some(row.detention_ref.clone()),
            arrest: row.arrest.clone(),
            steps,
            recognition,
            notes,
            group: None,
            previous: None,
        }),
        Some(d) => {
            if let Some(arrest) = corrected_arrest(row, d) {
                changes.push(Change::ArrestCorrected { arrest });
            }
            changes.extend(steps.into_iter().map(Change::StepRecorded));
            changes.extend(recognition.map(Change::RecognitionDecided));
            changes.extend(notes.map(|notes| Change::NotesSet { notes }));
        }
    }
    let mut out: Vec<Planned> = changes
        .into_iter()
        .map(|change| Planned {
            change,
            recorded_on: on,
        })
        .collect();
    out.extend(new_end(row, existing, on));
    // Measures go with the release that imposed them, after it.
    out.extend(new_measures(row, existing).map(|m| Planned {
        change: Change::StepRecorded(m),
        recorded_on: row.end_recorded_on.unwrap_or(on).max(on),
    }));
    out
}

/// A detention's arrest as the row corrects it: the row's date, and every field the row
/// fills; `None` when that is the arrest the registry holds.
fn corrected_arrest(row: &Row, d: &Detention) -> Option<Arrest> {
    let mut arrest = d.arrest.clone();
    arrest.date = row.arrest.date;
    macro_rules! known {
        ($($f:ident),*) => {$( if row.arrest.$f.is_some() { arrest.$f.clone_from(&row.arrest.$f); } )*};
    }
    known!(state, municipality, agency, circumstances, minor);
    if !row.arrest.context.is_empty() {
        arrest.context.clone_from(&row.arrest.context);
    }
    (arrest != d.arrest).then_some(arrest)
}

/// The steps a row adds, in this order: the facility the detainee is held at and the charges
/// the registry does not know yet (undated), then the dated steps (whereabouts unknown and
/// known, house arrest, conviction) the registry does not have on that date.
fn new_steps(row: &Row, existing: Option<&Detention>) -> Vec<Dated<Step>> {
    let mut steps = Vec::new();
    steps.extend(new_facility(row, existing));
    steps.extend(new_charges(row, existing));
    steps.extend(new_court(row, existing));
    let contact = |with| Step::Contact { with };
    let dated_steps: [(Option<PartialDate>, Step); 7] = [
        (
            row.presented_on,
            Step::CourtPresentation {
                court: None,
                military_court: None,
            },
        ),
        (row.last_family_contact, contact(ContactWith::Family)),
        (row.last_lawyer_contact, contact(ContactWith::Lawyer)),
        (
            row.whereabouts_unknown_since,
            Step::Custody(Custody::WhereaboutsUnknown),
        ),
        (
            row.whereabouts_known_since,
            Step::Custody(Custody::WhereaboutsKnown),
        ),
        (row.house_arrest_since, Step::Custody(Custody::HouseArrest)),
        (row.convicted_on, Step::Convicted { sentence: None }),
    ];
    for (date, what) in dated_steps {
        if let Some(date) = date
            && existing.is_none_or(|d| d.last_step_date(|s| same_kind(s, &what)) != Some(date))
        {
            steps.push(Dated {
                date: Some(date),
                what,
            });
        }
    }
    steps
}

/// The court that has the case, as the row states it, unless the registry's case says the
/// same; dated with the presentation, when the row has one.
fn new_court(row: &Row, existing: Option<&Detention>) -> Option<Dated<Step>> {
    if row.court.is_none() && row.jurisdiction.is_none() && row.case_number.is_none() {
        return None;
    }
    if let Some(d) = existing {
        let now = Case::of(d, Day::MAX).court;
        let same =
            |stated: &Option<String>, held: &Option<String>| stated.is_none() || stated == held;
        if same(&row.court, &now.name)
            && same(&row.case_number, &now.case_number)
            && (row.jurisdiction.is_none() || row.jurisdiction == now.jurisdiction)
        {
            return None;
        }
    }
    Some(Dated {
        date: row.presented_on,
        what: Step::CourtAssigned {
            jurisdiction: row.jurisdiction,
            court: row.court.clone(),
            judge: None,
            case_number: row.case_number.clone(),
        },
    })
}

/// The measures the row states, unless they are the ones in force: imposed on the day of a
/// release under measures (when the row has one), else undated.
fn new_measures(row: &Row, existing: Option<&Detention>) -> Option<Dated<Step>> {
    if row.measures.is_empty() {
        return None;
    }
    let key = |m: &Measure| (m.kind, m.every_days, m.court.clone(), m.text.clone());
    if let Some(d) = existing {
        let mut now: Vec<_> = Case::of(d, Day::MAX)
            .measures
            .iter()
            .map(|(_, m)| key(m))
            .collect();
        let mut stated: Vec<_> = row.measures.iter().map(key).collect();
        now.sort();
        stated.sort();
        if now == stated {
            return None;
        }
    }
    let date = row
        .end
        .as_ref()
        .filter(|e| e.kind == EndType::ReleasedUnderMeasures)
        .map(|e| e.date);
    Some(Dated {
        date,
        what: Step::MeasuresImposed {
            measures: row.measures.clone(),
        },
    })
}

/// Held at the row's facility, unless that is where the registry last has the detainee.
fn new_facility(row: &Row, existing: Option<&Detention>) -> Option<Dated<Step>> {
    let f = row.facility.as_ref()?;
    if existing.is_some_and(|d| d.last_facility() == Some(f.as_str())) {
        return None;
    }
    let held = Custody::Held {
        facility: Some(f.clone()),
    };
    Some(Dated {
        date: None,
        what: Step::Custody(held),
    })
}

/// Charged with the row's charges that the registry does not know of; `None` if there are none.
fn new_charges(row: &Row, existing: Option<&Detention>) -> Option<Dated<Step>> {
    let known_charges: Vec<&str> = existing.map(|d| d.charges()).unwrap_or_default();
    let new_charges: Vec<String> = row
        .charges
        .iter()
        .filter(|c| !known_charges.contains(&c.as_str()))
        .cloned()
        .collect();
    (!new_charges.is_empty()).then_some(Dated {
        date: None,
        what: Step::Charged {
            charges: new_charges,
        },
    })
}

/// The recognition decision a row adds: its status (for a new detention without one,
/// `default_recognition`) with its category, or the category already held; `None` when the
/// registry's decision already says that.
fn new_recognition(
    row: &Row,
    existing: Option<&Detention>,
    default_recognition: RecognitionStatus,
) -> Option<Recognition> {
    let current = existing.and_then(|d| d.recognition.as_ref());
    let status = row
        .recognition
        .or(existing.is_none().then_some(default_recognition));
    status.and_then(|status| {
        let category = row.category.or(current.and_then(|r| r.category));
        current
            .is_none_or(|r| r.status != status || r.category != category)
            .then(|| Recognition {
                status,
                category,
                reviewer: None,
                reason: None,
                criteria: Vec::new(),
            })
    })
}

/// The row's notes, unless the registry holds the same notes open.
fn new_notes(row: &Row, existing: Option<&Detention>) -> Option<Confidential> {
    row.notes
        .clone()
        // Sealed notes compare as unknown: the caller opens them first (see `render`).
        .filter(|n| {
            existing.is_none_or(|d| d.notes.as_ref().and_then(Confidential::plain) != Some(n))
        })
        .map(Confidential::Plain)
}

/// The end a row adds, unless the registry has it: recorded on the row's `end_recorded_on`,
/// never before the day `on` the detention's other facts are recorded.
fn new_end(row: &Row, existing: Option<&Detention>, on: Day) -> Option<Planned> {
    let end = row.end.as_ref()?;
    if existing.is_some_and(|d| d.end.as_ref() == Some(end)) {
        return None;
    }
    Some(Planned {
        change: Change::Ended { end: end.clone() },
        recorded_on: row.end_recorded_on.unwrap_or(on).max(on),
    })
}

fn same_kind(a: &Step, b: &Step) -> bool {
    match (a, b) {
        (Step::Custody(x), Step::Custody(y)) => {
            std::mem::discriminant(x) == std::mem::discriminant(y)
        }
        (Step::Contact { with: x }, Step::Contact { with: y }) => x == y,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// Writes a detention (and its person) as a row, cells in [`Column::ALL`] order. Notes are
/// written where they are open: the caller opens sealed ones for those who may read them.
pub fn render(person: &Person, d: &Detention, profile: &Profile) -> Vec<String> {
    let opt = |v: Option<String>| v.unwrap_or_default();
    let date = |v: Option<PartialDate>| v.map(|d| d.to_string()).unwrap_or_default();
    let last = |what: Step| date(d.last_step_date(|s| same_kind(s, &what)));
    let id = &person.identity;
    let case = Case::of(d, Day::MAX);
    Column::ALL
        .iter()
        .map(|&c| match c {
            Column::DetentionRef => d
                .reference
                .clone()
                .unwrap_or_else(|| format!("d{}", d.id.0)),
            Column::PersonRef => person
                .reference
                .clone()
                .unwrap_or_else(|| format!("p{}", person.id.0)),
            Column::GivenNames
            | Column::PaternalSurname
            | Column::MaternalSurname
            | Column::NationalId
            | Column::Sex
            | Column::BirthDate
            | Column::CivilianMilitary
            | Column::Nationality
            | Column::Disclosure => opt(person_cell(id, Some(person.disclosure), c)),
            // What counting uses: the detention's own flag, or an old registry's person-level one.
            Column::Minor => opt(d.minor(id.legacy_minor).map(|m| m.to_string())),
            Column::ArrestDate => d.arrest.date.to_string(),
            Column::ArrestState => opt(d
                .arrest
                .state
                .as_deref()
                .map(|code| profile.state_name(code).unwrap_or(code).to_string())),
            Column::ArrestMunicipality => opt(d.arrest.municipality.clone()),
            Column::Agency => opt(d.arrest.agency.clone()),
            Column::Facility => opt(d.last_facility().map(str::to_string)),
            Column::Charges => d.charges().join(";"),
            Column::Context => d.arrest.context.join(";"),
            Column::WhereaboutsUnknownSince => last(Step::Custody(Custody::WhereaboutsUnknown)),
            Column::WhereaboutsKnownSince => last(Step::Custody(Custody::WhereaboutsKnown)),
            Column::HouseArrestSince => last(Step::Custody(Custody::HouseArrest)),
            Column::ConvictedOn => last(Step::Convicted { sentence: None }),
            Column::EndDate => date(d.end.as_ref().map(|e| e.date)),
            Column::EndType => opt(d.end.as_ref().map(|e| e.kind.name().to_string())),
            Column::Recognition => opt(d.recognition.as_ref().map(|r| r.status.name().to_string())),
            Column::Category => opt(d
                .recognition
                .as_ref()
                .and_then(|r| r.category)
                .map(|c| c.to_string())),
            Column::RecordedOn => d.recorded_on.to_string(),
            Column::EndRecordedOn => opt(d.end_recorded_on.map(|x| x.to_string())),
            Column::Notes => opt(d
                .notes
                .as_ref()
                .and_then(Confidential::plain)
                .map(str::to_string)),
            Column::PresentedOn => date(case.presented_on),
            Column::Court => opt(case.court.name.clone()),
            Column::Jurisdiction => opt(case.court.jurisdiction.map(|j| j.name().to_string())),
            Column::CaseNumber => opt(case.court.case_number.clone()),
            Column::Measures => case
                .measures
                .iter()
                .map(|(_, m)| m.written())
                .collect::<Vec<_>>()
                .join("; "),
            Column::LastFamilyContact => date(case.last_family_contact),
            Column::LastLawyerContact => date(case.last_lawyer_contact),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::{Record, apply};

    fn ctx(profile: &Profile) -> Context<'_> {
        Context {
            profile,
            today: "2026-11-20".parse().unwrap(),
        }
    }

    fn parse(header: &str, row: &str) -> Result<Row, RowError> {
        let profile = Profile::venezuela().unwrap();
        let h: Vec<&str> = header.split(',').collect();
        let cells: Vec<&str> = row.split(',').collect();
        Row::parse(&Header::parse(&h).unwrap(), &cells, 2, &ctx(&profile))
    }

    #[test]
    fn reads_the_values_as_organisations_write_them() {
        let h = "detention_ref,person_ref,sex,minor,civilian_military,nationality,arrest_date,arrest_state,agency,charges";
        let row = parse(
            h,
            " D1 ,P1,Mujer,false,military,ve;CO,2024-08,Vargas,Guardia Nacional,Terrorismo;odio",
        )
        .unwrap();
        assert_eq!(row.detention_ref, "D1");
        assert_eq!(row.identity.sex, Some(Sex::F));
        assert_eq!(row.arrest.minor, Some(false));
        assert_eq!(row.identity.service, Some(Service::Military));
        assert_eq!(row.identity.nationalities, ["VE", "CO"]);
        assert_eq!(row.arrest.date.to_string(), "2024-08");
        assert_eq!(row.arrest.state.as_deref(), Some("VE-X"));
        assert_eq!(row.arrest.agency.as_deref(), Some("GNB"));
        assert_eq!(row.charges, ["terrorismo", "incitación al odio"]);
        assert_eq!(
            parse(h, "D1,P1,Masculino,,,,2024-08-01,,,")
                .unwrap()
                .identity
                .sex,
            Some(Sex::M)
        );
    }

    /// «N/D», «Desconocido», «-» are what a spreadsheet says of a value not known: read as no
    /// value, not as a place or an agency called so, nor as a cédula or a sex that is wrong.
    #[test]
    fn a_cell_that_says_it_is_not_known_is_no_value() {
        let h = "detention_ref,person_ref,national_id,sex,arrest_date,arrest_state,agency,facility";
        let row = parse(h, "D1,P1,N/D,-,2024-08-01,Desconocido,S/I,Desconocido").unwrap();
        assert_eq!(row.identity.national_id, None);
        assert_eq!(row.identity.sex, None);
        assert_eq!(row.arrest.state, None);
        assert_eq!(row.arrest.agency, None);
        assert_eq!(row.facility, None);
        // The arrest's date stays required: «desconocida» is said missing, not malformed.
        let e = parse(h, "D1,P1,,,desconocida,,,").unwrap_err();
        assert_eq!((e.column, e.reason), ("arrest_date", Reason::Required));
    }

    #[test]
    fn names_the_column_and_reason_of_each_mistake() {
        let h = "detention_ref,person_ref,sex,nationality,arrest_date,category,end_date,end_type,recorded_on,end_recorded_on";
        let cases = [
            ("D1,P1,W,,2024-08-01,,,,,", "sex"),
            ("D1,P1,,VEN,2024-08-01,,,,,", "nationality"),
            ("D1,P1,,,2024-08-01,4,,,,", "category"),
            ("D1,P1,,,2024-08-01,,,released,,", "end_type"),
            ("D1,P1,,,2024-08-01,,2024-08-05,freed,,", "end_type"),
            (
                "D1,P1,,,2024-08-01,,2024-08-05,released,2024-08-10,2024-08-09",
                "end_recorded_on",
            ),
            (",P1,,,2024-08-01,,,,,", "detention_ref"),
            ("D1,P1,,,,,,,,", "arrest_date"),
            // What is not text, wherever it is: PostgreSQL would refuse the whole batch.
            ("D\u{0}1,P1,,,2024-08-01,,,,,", "detention_ref"),
            ("D1,P1\u{1b}[31m,,,2024-08-01,,,,,", "person_ref"),
            ("D1,P1,,,2024-08-01,,,released\u{0},,", "end_type"),
            // Invisible in a reference: it would make `D1` a second record.
            ("D1\u{200b},P1,,,2024-08-01,,,,,", "detention_ref"),
            ("D1,\u{feff}P1,,,2024-08-01,,,,,", "person_ref"),
        ];
        for (row, column) in cases {
            let e = parse(h, row).unwrap_err();
            assert_eq!(e.column, column, "{row}: {}", e.localize(Lang::En));
            assert!(
                e.localize(Lang::Es).starts_with("línea 2, columna "),
                "{}",
                e.localize(Lang::Es)
            );
        }
    }

    #[test]
    fn a_stack_of_marks_or_a_struck_letter_is_refused_where_accents_pass() {
        let h = "detention_ref,person_ref,given_names,paternal_surname,arrest_date,notes";
        // Accents, decomposed as a Mac writes them (Nguyễn, Peña); a pointed Hebrew letter
        // with four marks; Burmese names, whose vowel signs stand beside the letter.
        for ok in [
            "D1,P1,Nguye\u{302}\u{303}n,Pen\u{303}a,2024-08-01,Ana\u{301}lisis",
            "D1,P1,\u{5e9}\u{5b8}\u{5bc}\u{5bd}\u{5c1}לום,Kyaw,2024-08-01,",
            "D1,P1,ကျော် ဖြိုး,မျိုး,2024-08-01,",
        ] {
            assert!(parse(h, ok).is_ok(), "{ok}");
        }
        let zalgo = format!("Ana{}", "\u{301}\u{316}\u{35c}".repeat(20));
        // Three marks at a time, parted by joiners, stack on one letter all the same.
        let joined = format!("Ana{}", "\u{301}\u{316}\u{35c}\u{200d}".repeat(5));
        let struck = |mark: char| format!("D1,P1,Ana,P{mark}e{mark}rez,2024-08-01,");
        for (row, column) in [
            (format!("D1,P1,{zalgo},Pérez,2024-08-01,"), "given_names"),
            (struck('\u{336}'), "paternal_surname"),
            (struck('\u{20eb}'), "paternal_surname"),
            (format!("D1,P1,Ana,Pérez,2024-08-01,{zalgo}"), "notes"),
            (format!("D1,P1,Ana,Pérez,2024-08-01,{joined}"), "notes"),
        ] {
            let e = parse(h, &row).unwrap_err();
            assert_eq!(e.column, column, "{row}");
            assert!(
                e.localize(Lang::Es)
                    .contains("más de cuatro acentos o marcas"),
                "{}",
                e.localize(Lang::Es)
            );
        }
    }

    /// A rejects file of the layout before (its reject columns after the row's own), mended by
    /// joining a name's two cells: the line number moved into the notes, and the column's name
    /// into `reject_line`. The row is refused, not stored with «2» for its note.
    #[test]
    fn a_rejects_row_whose_cells_moved_is_refused_by_its_reject_line() {
        let h =
            "detention_ref,person_ref,arrest_date,notes,reject_line,reject_column,reject_reason";
        assert!(parse(h, "D1,P1,2024-08-01,torturada,2,*,la fila tiene 8 celdas").is_ok());
        assert!(parse(h, "D1,P1,2024-08-01,torturada,,,").is_ok());
        let e = parse(h, "D1,P1,2024-08-01,2,*,la fila tiene 8 celdas,torturada").unwrap_err();
        assert_eq!(e.column, "reject_line");
        assert!(
            e.localize(Lang::Es).contains("no es un número de línea"),
            "{e:?}"
        );
    }

    #[test]
    fn a_reference_longer_than_an_index_holds_is_refused_by_its_line() {
        let h = "detention_ref,person_ref,arrest_date";
        let long = format!(
            "{},P1,2024-08-01",
            "Ñ".repeat(crate::text::REFERENCE_CHARS + 1)
        );
        let e = parse(h, &long).unwrap_err();
        assert_eq!(e.column, "detention_ref");
        assert!(
            e.localize(Lang::Es).contains("más de 100 caracteres"),
            "{e:?}"
        );
        let fits = format!("{},P1,2024-08-01", "Ñ".repeat(crate::text::REFERENCE_CHARS));
        assert!(parse(h, &fits).is_ok());
    }

    fn person_and_detention(row: &Row) -> (Person, Detention) {
        let today = "2026-11-20".parse().unwrap();
        let mut records: Vec<Option<Record>> = vec![None, None];
        let mut seq = 0;
        let planned = person_changes(row, None, today)
            .into_iter()
            .map(|p| (0, p))
            .chain(
                detention_changes(row, PersonId(1), None, RecognitionStatus::UnderStudy, today)
                    .into_iter()
                    .map(|p| (1, p)),
            );
        for (i, p) in planned {
            seq += 1;
            let subject = if i == 0 {
                PersonId(1).into()
            } else {
                crate::ids::DetentionId(1).into()
            };
            let draft = crate::fact::Draft {
                recorded_on: p.recorded_on,
                actor: "t".into(),
                subject,
                change: p.change,
                sources: vec![],
            };
            let (_, fact) = crate::fact::FactRow::seal(
                draft,
                seq,
                &crate::fact::AppendedAt::new("2026-11-20T00:00:00Z".parse().unwrap()),
                crate::fact::Hash::GENESIS,
            );
            let slot = records.get_mut(i).unwrap();
            *slot = Some(apply(slot.take(), fact).unwrap());
        }
        match (records.remove(0), records.remove(0)) {
            (Some(Record::Person(p)), Some(Record::Detention(d))) => (p, d),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_row_already_held_adds_nothing_and_an_empty_cell_erases_nothing() {
        let h = "detention_ref,person_ref,given_names,facility,arrest_date,house_arrest_since,recognition,category,end_date,end_type,recorded_on,end_recorded_on";
        let row = parse(h, "D1,P1,Ana,Rodeo 1,2024-08-01,2024-09-01,recognised,2,2024-10-01,released,2024-08-02,2024-10-03").unwrap();
        let (person, detention) = person_and_detention(&row);
        assert_eq!(detention.recorded_on.to_string(), "2024-08-02");
        assert_eq!(
            detention.end_recorded_on.map(|d| d.to_string()).as_deref(),
            Some("2024-10-03")
        );
        let today = "2026-11-20".parse().unwrap();
        assert!(person_changes(&row, Some(&person), today).is_empty());
        assert!(
            detention_changes(
                &row,
                person.id,
                Some(&detention),
                RecognitionStatus::UnderStudy,
                today
            )
            .is_empty()
        );

        let sparse = parse(h, "D1,P1,,,2024-08-01,,,,,,,").unwrap();
        assert!(person_changes(&sparse, Some(&person), today).is_empty());
        assert!(
            detention_changes(
                &sparse,
                person.id,
                Some(&detention),
                RecognitionStatus::UnderStudy,
                today
            )
            .is_empty()
        );

        let moved = parse(h, "D1,P1,Ana,Tocorón,2024-08-01,,,,,,,").unwrap();
        let changes = detention_changes(
            &moved,
            person.id,
            Some(&detention),
            RecognitionStatus::UnderStudy,
            today,
        );
        assert_eq!(changes.len(), 1);
        assert!(
            matches!(&changes[0].change, Change::StepRecorded(Dated { what: Step::Custody(Custody::Held { facility: Some(f) }), .. }) if f == "Tocorón")
        );
        assert_eq!(
            changes[0].recorded_on, today,
            "a correction is recorded on the day it was learned"
        );
    }

    #[test]
    fn a_persons_rows_in_one_file_state_it_once_and_each_conflict_is_named() {
        let h = "detention_ref,person_ref,given_names,sex,civilian_military,arrest_date,minor";
        let today = "2026-11-20".parse().unwrap();
        let rows = || {
            let first = parse(h, "D1,P1,Ana,F,civilian,2019-08-01,true").unwrap();
            let mut second = parse(h, "D2,P1,Ana,M,military,2025-09-01,false").unwrap();
            second.line = 7;
            (first, second)
        };
        let (mut first, mut second) = rows();
        let mut stated = Stated::default();
        assert!(first.settle_person(None, &mut stated).is_empty());
        let (person, _) = person_and_detention(&first);
        let conflicts = second.settle_person(Some(&person), &mut stated);
        let columns: Vec<&str> = conflicts.iter().map(|c| c.column).collect();
        assert_eq!(columns, ["sex", "civilian_military"]);
        assert_eq!(
            conflicts[0].localize(Lang::En),
            r#"line 7, column sex: "M" contradicts "F" on line 2 for person "P1"; "F" is kept"#
        );
        assert_eq!(
            conflicts[1].localize(Lang::Es),
            r#"línea 7, columna civilian_military: "military" contradice "civilian" de la línea 2 para la persona "P1"; queda "civilian""#
        );
        assert!(person_changes(&second, Some(&person), today).is_empty());
        assert_eq!(
            (first.arrest.minor, second.arrest.minor),
            (Some(true), Some(false)),
            "each detention keeps its own flag"
        );

        // The same file again: the first row agrees with the registry, the second conflicts as
        // before and changes nothing.
        let (mut first, mut second) = rows();
        let mut stated = Stated::default();
        assert!(first.settle_person(Some(&person), &mut stated).is_empty());
        assert!(person_changes(&first, Some(&person), today).is_empty());
        assert_eq!(second.settle_person(Some(&person), &mut stated).len(), 2);
        assert!(person_changes(&second, Some(&person), today).is_empty());
    }

    #[test]
    fn render_writes_back_what_parse_read() {
        let h: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        let cells = [
            "D9",
            "P9",
            "María de los Ángeles",
            "De Freitas",
            "Núñez",
            "V-12345678",
            "F",
            "1990-05",
            "false",
            "civilian",
            "VE;CO",
            "2024-07-30",
            "Zulia",
            "Maracaibo",
            "SEBIN",
            "El Helicoide",
            "terrorismo;incitación al odio",
            "post-election 2024",
            "2024-07-31",
            "2024-09-01",
            "2024-10-01",
            "2025-01-15",
            "2025-03-01",
            "released_under_measures",
            "recognised",
            "2",
            "2024-08-01",
            "2025-03-02",
            "initials",
            "llamar a la madre",
            "2024-08-01",
            "Tribunal 2.º de Control, Maracaibo",
            "civilian",
            "2C-00001-2024",
            "presentación cada 15 días ante Tribunal 2.º de Control; prohibición de salida del país; otra medida: no acercarse a la sede del partido",
            "2024-09-10",
            "2024-09-12",
        ];
        let profile = Profile::venezuela().unwrap();
        let row = Row::parse(&Header::parse(&h).unwrap(), &cells, 2, &ctx(&profile)).unwrap();
        let (person, detention) = person_and_detention(&row);
        assert_eq!(render(&person, &detention, &profile), cells);
    }
}
