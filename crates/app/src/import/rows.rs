//! Where rows come from: a CSV file (gzip-compressed when its name ends in `.gz`), the first
//! sheet of a spreadsheet (.xlsx, .xls, .ods), or the demo generator. Each gives a header and then
//! rows with their line in the file.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use calamine::{Data, Reader};
use flate2::read::MultiGzDecoder;
use vigilia_core::csv_lines::{Lines, line_of};

use super::{InputError, SheetLimit};
use crate::error::AppError;

/// A row that could not even be split into cells (bad UTF-8, an Excel error cell).
#[derive(Debug)]
pub struct Unreadable {
    pub line: u64,
    pub column: String,
    /// Its cells as far as they were read (for the rejects file, to be mended there): a row
    /// that swallowed others holds them in the cell where the quote opened; a spreadsheet's
    /// error cell is written as the sheet shows it. Empty when the row could not be split.
    pub cells: Vec<String>,
    pub es: String,
    pub en: String,
}

/// Rows of a table, after its header.
pub trait RowSource: Send {
    fn header(&self) -> &[String];
    /// The next row: its line (the header is line 1) and cells.
    fn next_row(&mut self) -> Option<Result<(u64, csv::StringRecord), Unreadable>>;
    /// How far through the source this is, in its own units (bytes, rows): (done, total).
    fn position(&self) -> (u64, u64);
}

/// Opens a file by its extension: spreadsheets by calamine, everything else as CSV (through
/// [`open_input`], so `table.csv.gz` is read as `table.csv` would be).
pub fn open(path: &Path) -> Result<Box<dyn RowSource>, AppError> {
    if !path.exists() {
        return Err(InputError::NoFile(path.to_path_buf()).into());
    }
    let ext = extension(path);
    if is_sheet(&ext) {
        return Ok(Box::new(Sheet::open(path)?));
    }
    if matches!(ext.as_str(), "xls" | "ods") {
        return Err(InputError::SheetFormat(path.to_path_buf()).into());
    }
    // A spreadsheet is compressed already; calamine reads only the file itself.
    if ext == "gz" && is_sheet(&extension(Path::new(path.file_stem().unwrap_or_default()))) {
        return Err(InputError::GzippedSheet(path.to_path_buf()).into());
    }
    Ok(Box::new(Csv::open(path)?))
}

/// A file name's extension, lower case ("" if none).
fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

fn is_sheet(extension: &str) -> bool {
    matches!(extension, "xlsx" | "xlsm")
}

/// The most a spreadsheet's parts may unpack to, in megabytes.
pub const MAX_UNPACKED_MB: u64 = 256;
/// The last column read (a registry's tables have tens of columns).
pub const MAX_COLUMNS: u64 = 1024;
/// The most cells read, counting the empty ones before the last cell of each row (a cell is
/// about 32 bytes besides its text).
pub const MAX_CELLS: u64 = 5_000_000;
/// The most text read from a sheet's cells, in megabytes: a text shared by many cells is
/// stored once in the file but read once per cell (a 5 kB file of one 1 MB text in 1,000
/// cells took 3.8 GB).
pub const MAX_TEXT_MB: u64 = 128;

/// An input file as it is read: as it is, or, when its name ends in `.gz`, decompressed from
/// gzip as it streams (never whole in memory).
#[derive(Debug)]
pub struct Input {
    stream: Stream,
    /// Bytes of the file on disk.
    size: u64,
}

#[derive(Debug)]
enum Stream {
    Plain(Counted<File>),
    Gzip(Box<MultiGzDecoder<Counted<File>>>),
}

impl Input {
    /// How far through the file on disk this is, in bytes: (read, total). For a gzip file
    /// these are compressed bytes, so progress is measured against the file's own size.
    pub fn progress(&self) -> (u64, u64) {
        let counted = match &self.stream {
            Stream::Plain(c) => c,
            Stream::Gzip(d) => d.get_ref(),
        };
        (counted.read, self.size)
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.stream {
            Stream::Plain(r) => r.read(buf),
            Stream::Gzip(r) => r.read(buf),
        }
    }
}

/// A reader that counts the bytes read through it.
#[derive(Debug)]
struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Opens a file a user hands in to be read (every CSV the command reads comes through here).
/// The name decides, as it does for spreadsheets: a name ending in `.gz` is gzip (several
/// members, as `cat a.gz b.gz` makes, are read one after the other, as `gunzip` does) and
/// anything else is read as it is. A `.gz` file is first read through once to the end, checking
/// its checksums, so that a damaged one is refused, naming it, before a single row is used:
/// an import never stores the rows before the damage and then stops.
pub fn open_input(path: &Path) -> Result<Input, AppError> {
    let open = || -> Result<(Counted<File>, u64), AppError> {
        let file = File::open(path).map_err(|e| InputError::Unreadable {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok((
            Counted {
                inner: file,
                read: 0,
            },
            size,
        ))
    };
    let (file, size) = open()?;
    if extension(path) != "gz" {
        return Ok(Input {
            stream: Stream::Plain(file),
            size,
        });
    }
    io::copy(&mut MultiGzDecoder::new(file), &mut io::sink()).map_err(|e| InputError::NotGzip {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    let (file, size) = open()?;
    Ok(Input {
        stream: Stream::Gzip(Box::new(MultiGzDecoder::new(file))),
        size,
    })
}

/// A CSV's rows, each with the line a person finds it on, a row that swallowed others (a quote
/// left open) refused with the lines it took.
#[derive(Debug)]
pub struct Csv<R> {
    reader: csv::Reader<Lines<R>>,
    header: Vec<String>,
    record: csv::StringRecord,
}

impl Csv<Input> {
    fn open(path: &Path) -> Result<Csv<Input>, AppError> {
        Csv::new(open_input(path)?).map_err(|e| {
            AppError::from(InputError::Header {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })
        })
    }
}

impl<R: Read> Csv<R> {
    /// The rows of a CSV read from `input` (a file, or one held in memory), after its header.
    pub fn new(input: R) -> Result<Csv<R>, csv::Error> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(Lines::new(input));
        let header = reader.headers()?.iter().map(str::to_string).collect();
        Ok(Csv {
            reader,
            header,
            record: csv::StringRecord::new(),
        })
    }

    /// Its header's cells.
    pub fn header(&self) -> &[String] {
        &self.header
    }
}

/// A row as Vigilia's own CSVs wrote it for spreadsheets, read back to its values (see
/// `exchange::for_spreadsheet`): only rows with a cell that begins with an apostrophe change.
fn from_spreadsheet(record: csv::StringRecord) -> csv::StringRecord {
    if !record.iter().any(|c| c.starts_with('\'')) {
        return record;
    }
    record
        .iter()
        .map(vigilia_core::exchange::from_spreadsheet)
        .collect()
}

/// A row that holds the rows after it: a cell that begins with a quote never closed (`"Ana`
/// for `Ana`) is read, by CSV's rules, up to the next quote in the file, rows and all. Such a row
/// is refused with the lines it took, so that the rows it swallowed are not lost without a word.
/// A cell with line breaks is ordinary (notes); it is taken for swallowed rows when the row then
/// has another number of cells than the header (the rest of a swallowed row spilt into it), or
/// when a line in it holds as many separators as there are cells before it (the start of a
/// swallowed row, `D5,P5,…,`, up to the cell where the next quote closed it), or as a whole row.
/// A note of a narrow file with a line of as many commas is refused too: its row then says why.
/// Line breaks are `\n`, `\r\n` or, from old Macs, a lone `\r`.
fn swallowed_rows(record: &csv::StringRecord, header: &[String], line: u64) -> Option<Unreadable> {
    let width = header.len();
    let broken = |cell: &str| cell.contains(['\n', '\r']);
    let at = (record.iter()).position(broken)?;
    if width < 2 {
        return None;
    }
    // The cell of a quote left open holds the rest of its own row on its first line (a
    // separator for each cell after it); each line after holds the start of a swallowed row,
    // which begins as this row does (`D-0000005` after `D-0000004`) and has a separator for
    // each cell before the one whose quote closed it: the same cell as this one's, else the
    // row's cells would not add up.
    let commas = |l: &str| l.matches(',').count();
    let first = record.get(0).unwrap_or("");
    let starts_a_row = |l: &str| shape(l.split(',').next().unwrap_or("")) == shape(first);
    let spilt = record.len() != width;
    // The rest of its own row ends the first line: its last cells are shaped as the cells
    // after this one (which came from the row that closed the quote), where prose with commas
    // is not (`a worker at the factory` where a date is).
    let holds_its_row = |i: usize, own: &str| {
        let after = width - 1 - i.min(width - 1);
        let pieces: Vec<&str> = own.rsplit(',').take(after).collect();
        let alike = (pieces.iter().rev().enumerate())
            .filter(|(k, piece)| shape(piece) == shape(record.get(i + 1 + k).unwrap_or("")))
            .count();
        after >= 3 && pieces.len() == after && commas(own) >= after && alike * 3 >= after * 2
    };
    let cells_with_rows = (record.iter().enumerate()).position(|(i, cell)| {
        let mut lines = cell.split(['\n', '\r']);
        holds_its_row(i, lines.next().unwrap_or(""))
            || lines.any(|l| commas(l) >= i.max(1).min(width - 1) && starts_a_row(l))
    });
    let at = if spilt { at } else { cells_with_rows? };
    let column = header
        .get(at)
        .cloned()
        .unwrap_or_else(|| (at + 1).to_string());
    let breaks: usize = record
        .iter()
        .map(|c| c.matches('\n').count() + c.matches('\r').count() - c.matches("\r\n").count())
        .sum();
    let last = line + breaks as u64;
    // The cells after the one where the quote opened are the last swallowed row's: given
    // back, a row mended in that cell alone would be stored with another person's data.
    let cells = (record.iter().enumerate())
        .map(|(i, c)| {
            if i <= at {
                c.to_string()
            } else {
                String::new()
            }
        })
        .collect();
    Some(Unreadable {
        line,
        cells,
        es: format!(
            "las líneas {line} a {last} se leyeron como una sola fila: la celda de «{column}» \
             empieza con comillas que no se cierran hasta la línea {last}, y las filas de en \
             medio quedaron dentro de ella. Quite esa comilla (o ciérrela) y vuelva a importar \
             el archivo"
        ),
        en: format!(
            "lines {line} to {last} were read as one row: the cell of \"{column}\" begins with a \
             quote that is not closed until line {last}, and the rows in between ended up inside \
             it. Remove that quote (or close it) and import the file again"
        ),
        column,
    })
}

/// The shape of a cell, to tell the first cell of a row from prose: each run of digits a `9`,
/// each run of letters an `a`, anything else as it is (`D-0000004` and `D-12` are `a-9`).
fn shape(cell: &str) -> String {
    let mut out = String::new();
    for c in cell.trim().chars() {
        let k = if c.is_numeric() {
            '9'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        };
        if !(matches!(k, '9' | 'a') && out.ends_with(k)) {
            out.push(k);
        }
    }
    out
}

impl RowSource for Csv<Input> {
    fn header(&self) -> &[String] {
        &self.header
    }

    fn next_row(&mut self) -> Option<Result<(u64, csv::StringRecord), Unreadable>> {
        self.read_row()
    }

    fn position(&self) -> (u64, u64) {
        self.reader.get_ref().get_ref().progress()
    }
}

impl<R: Read> Csv<R> {
    /// The next row and its line, or why it cannot be read; `None` at the end.
    pub fn read_row(&mut self) -> Option<Result<(u64, csv::StringRecord), Unreadable>> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.line(self.record.position().cloned());
                let next = csv::StringRecord::with_capacity(
                    self.record.as_slice().len(),
                    self.record.len(),
                );
                if let Some(swallowed) = swallowed_rows(&self.record, &self.header, line) {
                    return Some(Err(swallowed));
                }
                let record = std::mem::replace(&mut self.record, next);
                Some(Ok((line, from_spreadsheet(record))))
            }
            Err(e) => {
                let line = self.line(e.position().cloned());
                // The csv crate's own words would name its own count of lines.
                let (es, en) = match e.kind() {
                    csv::ErrorKind::Utf8 { err, .. } => {
                        let cell = err.field() + 1;
                        (
                            format!("la celda {cell} no es texto UTF-8 válido"),
                            format!("cell {cell} is not valid UTF-8 text"),
                        )
                    }
                    csv::ErrorKind::Io(err) => (
                        format!("no se pudo leer ({err})"),
                        format!("could not be read ({err})"),
                    ),
                    _ => (
                        format!("no se puede leer como CSV ({e})"),
                        format!("cannot be read as CSV ({e})"),
                    ),
                };
                Some(Err(Unreadable {
                    line,
                    column: "*".into(),
                    cells: Vec::new(),
                    es: format!("línea {line}: {es}"),
                    en: format!("line {line}: {en}"),
                }))
            }
        }
    }

    fn line(&mut self, position: Option<csv::Position>) -> u64 {
        line_of(&mut self.reader, position.as_ref())
    }
}

/// The first sheet of a spreadsheet, its rows read whole, within bounds checked before and while
/// its cells are read: what its parts unpack to ([`MAX_UNPACKED_MB`]), the last column
/// ([`MAX_COLUMNS`]) and the cells kept ([`MAX_CELLS`]). Cells are read one by one, so rows
/// left empty cost nothing (calamine's table of a sheet is dense: a 3 MB file with a cell far
/// away took 1.7 GB).
struct Sheet {
    header: Vec<String>,
    rows: std::vec::IntoIter<(u64, Vec<Data>)>,
    total: u64,
    done: u64,
}

impl Sheet {
    fn open(path: &Path) -> Result<Sheet, AppError> {
        let bad = |e: &dyn std::fmt::Display| {
            AppError::from(InputError::Sheet {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })
        };
        let too_big = |limit| {
            AppError::from(InputError::SheetTooBig {
                path: path.to_path_buf(),
                limit,
            })
        };
        // What its parts unpack to, as the archive's directory declares it (unzipping stops
        // there, even for a part that says its size again after its data).
        let file = std::fs::File::open(path).map_err(|e| bad(&e))?;
        let mut archive =
            zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| bad(&e))?;
        let mut unpacked = 0u64;
        for i in 0..archive.len() {
            let part = archive.by_index_raw(i).map_err(|e| bad(&e))?;
            unpacked = unpacked.saturating_add(part.size());
        }
        if unpacked > MAX_UNPACKED_MB << 20 {
            return Err(too_big(SheetLimit::Unpacked(MAX_UNPACKED_MB)));
        }
        drop(archive);
        // calamine can panic on a damaged file (fuzzing found an arithmetic overflow in its
        // cell references): that is a damaged spreadsheet too, not a crash.
        let read = std::panic::catch_unwind(|| -> Result<Vec<(u64, Vec<Data>)>, AppError> {
            let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).map_err(|e| bad(&e))?;
            let first = book
                .sheet_names()
                .first()
                .cloned()
                .ok_or_else(|| bad(&"no sheets"))?;
            let mut cells = book.worksheet_cells_reader(&first).map_err(|e| bad(&e))?;
            let mut rows: Vec<(u64, Vec<Data>)> = Vec::new();
            let (mut kept, mut text) = (0u64, 0u64);
            while let Some(cell) = cells.next_cell().map_err(|e| bad(&e))? {
                let (row, column) = cell.get_position();
                let (row, column) = (u64::from(row) + 1, u64::from(column));
                if column >= MAX_COLUMNS {
                    let column = column + 1;
                    return Err(too_big(SheetLimit::Column { row, column }));
                }
                let value = Data::from(cell.get_value().clone());
                if value == Data::Empty {
                    continue;
                }
                text += match &value {
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.len() as u64,
                    _ => 8,
                };
                if text > MAX_TEXT_MB << 20 {
                    return Err(too_big(SheetLimit::Text(MAX_TEXT_MB)));
                }
                if rows.last().is_none_or(|(r, _)| *r != row) {
                    rows.push((row, Vec::new()));
                }
                let Some((_, cells_of_row)) = rows.last_mut() else {
                    continue;
                };
                let width = column as usize + 1;
                if cells_of_row.len() < width {
                    kept += (width - cells_of_row.len()) as u64;
                    if kept > MAX_CELLS {
                        return Err(too_big(SheetLimit::Cells(MAX_CELLS)));
                    }
                    cells_of_row.resize(width, Data::Empty);
                }
                if let Some(slot) = cells_of_row.get_mut(column as usize) {
                    *slot = value;
                }
            }
            Ok(rows)
        });
        let mut rows = read.map_err(|_| bad(&"it is damaged"))??.into_iter();
        let header = match rows.next() {
            Some((_, cells)) => cells
                .iter()
                .map(|c| cell_text(c).unwrap_or_default())
                .collect(),
            None => Vec::new(),
        };
        let rows: Vec<(u64, Vec<Data>)> = rows.collect();
        Ok(Sheet {
            header,
            total: rows.len() as u64,
            rows: rows.into_iter(),
            done: 0,
        })
    }
}

impl RowSource for Sheet {
    fn header(&self) -> &[String] {
        &self.header
    }

    fn next_row(&mut self) -> Option<Result<(u64, csv::StringRecord), Unreadable>> {
        let (line, cells) = self.rows.next()?;
        self.done += 1;
        let mut out = Vec::with_capacity(cells.len());
        for (i, c) in cells.iter().enumerate() {
            match cell_text(c) {
                Ok(t) => out.push(t),
                Err(err) => {
                    let column = self
                        .header
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| format!("#{}", i + 1));
                    return Some(Err(Unreadable {
                        line,
                        cells: (cells.iter())
                            .map(|c| cell_text(c).unwrap_or_else(|e| e))
                            .collect(),
                        es: format!(
                            "línea {line}, columna {column}: la celda tiene un error de la hoja de cálculo ({err})"
                        ),
                        en: format!(
                            "line {line}, column {column}: the cell holds a spreadsheet error ({err})"
                        ),
                        column,
                    }));
                }
            }
        }
        // Trailing empty cells are not cells the header lacks.
        while out.len() > self.header.len() && out.last().is_some_and(String::is_empty) {
            out.pop();
        }
        out.resize(out.len().max(self.header.len()), String::new());
        Some(Ok((line, csv::StringRecord::from(out))))
    }

    fn position(&self) -> (u64, u64) {
        (self.done, self.total)
    }
}

/// A cell as the text a CSV would hold: whole numbers without `.0`, dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            // Excel's day 0 is 1899-12-30 (the 1900 leap-year bug included).
            let days = dt.as_f64().floor() as i64;
            let epoch = jiff::civil::date(1899, 12, 30);
            epoch
                .checked_add(jiff::Span::new().days(days))
                .map(|d| d.to_string())
                .map_err(|e| e.to_string())?
        }
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    /// A reader that hands out one byte at a time, so that a `\r\n` is split between reads.
    struct Dribble<'a>(&'a [u8]);

    impl Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn each_row_is_said_on_the_line_its_text_starts_whatever_ends_the_lines() {
        // Line 3 is blank, line 4's note breaks onto line 5, lines 7 and 8 are blank.
        let file = "id,note\nD1,x\n\nD2,\"dos\nlíneas\"\nD3,y\n\n\nD4,z\n";
        for ending in ["\n", "\r\n", "\r"] {
            let text = file.replace('\n', ending);
            for whole in [true, false] {
                let input: Box<dyn Read> = if whole {
                    Box::new(text.as_bytes())
                } else {
                    Box::new(Dribble(text.as_bytes()))
                };
                let mut csv = Csv {
                    reader: (csv::ReaderBuilder::new().flexible(true))
                        .from_reader(Lines::new(input)),
                    header: header(2),
                    record: csv::StringRecord::new(),
                };
                let mut rows = vec![];
                while let Some(row) = csv.read_row() {
                    let (line, record) = row.expect("a readable row");
                    rows.push((line, record[0].to_string()));
                }
                let rows: Vec<(u64, &str)> = rows.iter().map(|(l, id)| (*l, id.as_str())).collect();
                assert_eq!(
                    rows,
                    [(2, "D1"), (4, "D2"), (6, "D3"), (9, "D4")],
                    "lines ended by {ending:?}"
                );
            }
        }
    }

    #[test]
    fn a_note_that_breaks_its_line_is_not_taken_for_swallowed_rows() {
        let note = "detenido en Caracas, trasladado a Rodeo I,\nsin abogado, sin visitas";
        let record = csv::StringRecord::from(vec!["D1", "P1", "Ana", note, "", ""]);
        assert!(swallowed_rows(&record, &header(6), 2).is_none());
        // Thirty people detained with them, named on the note's second line.
        let names = vec!["Pedro Pérez"; 30].join(", ");
        let note = format!("Detenidos juntos:\n{names}");
        let record = csv::StringRecord::from(vec!["D-0000001", "P-1", "Ana", &note, "", ""]);
        assert!(swallowed_rows(&record, &header(6), 2).is_none());
    }

    #[test]
    fn a_quote_left_open_in_the_first_cell_is_found_by_the_rest_of_its_row() {
        let cell = "Trasladado a Rodeo I,Q-1,Ana,Gómez,,F\nVisto en El Helicoide";
        let record = csv::StringRecord::from(vec![cell, "Q-3", "Luis", "Díaz", "", "M"]);
        let u = swallowed_rows(&record, &header(6), 2).expect("first cell");
        assert_eq!(u.column, "c0");
    }

    #[test]
    fn the_start_of_one_swallowed_row_or_its_spilt_cells_are_found() {
        // A stray quote in the notes (cell 3) closed by the quote of the next row's notes.
        let record = csv::StringRecord::from(vec![
            "D4",
            "P4",
            "Ana",
            "Trasladado a Rodeo I\nD5,P5,Luis,",
            "",
        ]);
        let u = swallowed_rows(&record, &header(5), 5).expect("one row swallowed");
        assert_eq!((u.line, u.column.as_str()), (5, "c3"));
        // Closed by a quote in an earlier cell: the rest of that row spilt over.
        let record = csv::StringRecord::from(vec!["D4", "P4", "Ana\r", "x", "y", "z"]);
        assert!(swallowed_rows(&record, &header(5), 5).is_some());
        // Old Mac line ends (a lone CR) are line breaks too, and counted as lines.
        let record =
            csv::StringRecord::from(vec!["D4", "P4", "Ana\rD5,P5,Luis\rD6,P6,Eva", "", ""]);
        let u = swallowed_rows(&record, &header(5), 2).expect("CR rows");
        assert!(u.es.starts_with("las líneas 2 a 4"), "{}", u.es);
    }

    #[test]
    fn a_cell_holding_whole_rows_names_its_column_and_lines() {
        let cell = "Eva,Gómez,,,F\nD3,P3,Luis,Díaz,,,M\nD4,P4,Rosa,Blanco,,,F\nD5,P5,Juan";
        let record = csv::StringRecord::from(vec!["D2", "P2", cell]);
        let u = swallowed_rows(&record, &header(7), 3).expect("swallowed rows");
        assert_eq!((u.line, u.column.as_str()), (3, "c2"));
        assert!(
            u.es.starts_with("las líneas 3 a 6 se leyeron como una sola fila"),
            "{}",
            u.es
        );
    }
}
