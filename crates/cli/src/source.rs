//! Where rows come from: a CSV file, the first sheet of a spreadsheet (.xlsx, .xls, .ods), or the
//! demo generator. Each gives a header and then rows with their line in the file.

use std::fs::File;
use std::path::Path;

use calamine::{Data, Reader};

use crate::failure::Failure;

/// A row that could not even be split into cells (bad UTF-8, an Excel error cell).
#[derive(Debug)]
pub struct Unreadable {
    pub line: u64,
    pub column: String,
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

/// Opens a file by its extension: spreadsheets by calamine, everything else as CSV.
pub fn open(path: &Path) -> Result<Box<dyn RowSource>, Failure> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !path.exists() {
        return Err(Failure::bad(
            format!("no existe el archivo {}", path.display()),
            format!("there is no file {}", path.display()),
        ));
    }
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => Ok(Box::new(Sheet::open(path)?)),
        _ => Ok(Box::new(Csv::open(path)?)),
    }
}

struct Csv {
    reader: csv::Reader<File>,
    header: Vec<String>,
    record: csv::StringRecord,
    size: u64,
}

impl Csv {
    fn open(path: &Path) -> Result<Csv, Failure> {
        let file = File::open(path).map_err(|e| Failure::io(path, &e))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let header = reader
            .headers()
            .map_err(|e| {
                Failure::bad(
                    format!(
                        "{}: la línea 1 (encabezado) no se puede leer: {e}",
                        path.display()
                    ),
                    format!(
                        "{}: line 1 (the header) cannot be read: {e}",
                        path.display()
                    ),
                )
            })?
            .iter()
            .map(str::to_string)
            .collect();
        Ok(Csv {
            reader,
            header,
            record: csv::StringRecord::new(),
            size,
        })
    }
}

impl RowSource for Csv {
    fn header(&self) -> &[String] {
        &self.header
    }

    fn next_row(&mut self) -> Option<Result<(u64, csv::StringRecord), Unreadable>> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map(|p| p.line()).unwrap_or(0);
                let next = csv::StringRecord::with_capacity(
                    self.record.as_slice().len(),
                    self.record.len(),
                );
                Some(Ok((line, std::mem::replace(&mut self.record, next))))
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                let detail = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        ("no es texto UTF-8 válido", "is not valid UTF-8 text")
                    }
                    _ => ("no se puede leer como CSV", "cannot be read as CSV"),
                };
                Some(Err(Unreadable {
                    line,
                    column: "*".into(),
                    es: format!("línea {line}: la fila {} ({e})", detail.0),
                    en: format!("line {line}: the row {} ({e})", detail.1),
                }))
            }
        }
    }

    fn position(&self) -> (u64, u64) {
        (self.reader.position().byte(), self.size)
    }
}

/// The first sheet of a spreadsheet, read whole (spreadsheets are read whole by calamine anyway).
struct Sheet {
    header: Vec<String>,
    rows: std::vec::IntoIter<(u64, Vec<Data>)>,
    total: u64,
    done: u64,
}

impl Sheet {
    fn open(path: &Path) -> Result<Sheet, Failure> {
        let bad = |e: &dyn std::fmt::Display| {
            Failure::bad(
                format!(
                    "{}: no se puede leer la hoja de cálculo: {e}",
                    path.display()
                ),
                format!("{}: the spreadsheet cannot be read: {e}", path.display()),
            )
        };
        // calamine can panic on a damaged file (fuzzing found an arithmetic overflow in its
        // cell references): that is a damaged spreadsheet too, not a crash.
        let read = std::panic::catch_unwind(|| {
            let mut book = calamine::open_workbook_auto(path).map_err(|e| bad(&e))?;
            book.worksheet_range_at(0)
                .ok_or_else(|| bad(&"no sheets"))?
                .map_err(|e| bad(&e))
        });
        let range = read.map_err(|_| bad(&"it is damaged"))??;
        let first_row = range.start().map(|(r, _)| u64::from(r)).unwrap_or(0);
        let mut rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| (first_row + i as u64 + 1, cells.to_vec()));
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
