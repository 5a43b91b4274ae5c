//! A capture-history table: for each pattern of lists (which of them documented a person), how
//! many people have it. The pattern "on no list" is what estimation is for, so it is never in
//! the table.

use std::io::Read;

use serde::Serialize;

/// The most lists a table may have (the log-linear design and the sampler's tables grow as
/// 2^lists).
pub const MAX_LISTS: usize = 12;

/// The most people a table may count (far beyond any registry; sums stay exact).
pub const MAX_PEOPLE: u64 = 100_000_000;

/// Counts by pattern: bit `j` of a pattern is list `j`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    lists: Vec<String>,
    /// `counts[pattern]`, for every pattern from 0 to 2^lists - 1 (0 is always 0).
    counts: Vec<u64>,
}

/// One list, with how many it documented.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListSize {
    pub name: String,
    pub size: u64,
}

/// How many two lists documented in common.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Overlap {
    pub lists: [String; 2],
    pub both: u64,
}

/// Why a capture-history file cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
    #[error("the header must name the lists, then `count` (found {0:?})")]
    NoCount(String),
    #[error("{found} lists: at most {max}")]
    TooManyLists { found: usize, max: usize },
    #[error("line {line}, column {column:?}: {value:?} is not 0 or 1")]
    NotZeroOne {
        line: u64,
        column: String,
        value: String,
    },
    #[error("line {line}: {value:?} is not a count (a whole number, 0 or more)")]
    BadCount { line: u64, value: String },
    #[error("line {line}: a person on no list cannot be counted (that is what is estimated)")]
    OnNoList { line: u64 },
    #[error("line {line}: the pattern was given on line {first} already")]
    Repeated { line: u64, first: u64 },
    #[error("the list {0:?} is named twice")]
    RepeatedList(String),
    #[error("more than {max} people in the table: not a table of people")]
    TooLarge { max: u64 },
    #[error("line {line}: the row is not UTF-8 text")]
    NotText { line: u64 },
    #[error("line {line}: {found} cells, the header has {expected}")]
    Width {
        line: u64,
        found: usize,
        expected: usize,
    },
}

impl vigilia_core::lang::Localize for TableError {
    fn localize(&self, lang: vigilia_core::lang::Lang) -> String {
        use vigilia_core::lang::Lang;
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (TableError::Unreadable(e), Lang::Es) => format!("El archivo no se puede leer: {e}"),
            (TableError::NotText { line }, Lang::Es) => {
                format!("Línea {line}: la fila no es texto UTF-8")
            }
            (TableError::NoCount(h), Lang::Es) => {
                format!("La cabecera debe nombrar las listas y después `count` (dice {h:?})")
            }
            (TableError::TooManyLists { found, max }, Lang::Es) => {
                format!("{found} listas: como mucho {max}")
            }
            (
                TableError::NotZeroOne {
                    line,
                    column,
                    value,
                },
                Lang::Es,
            ) => format!("Línea {line}, columna {column:?}: {value:?} no es 0 ni 1"),
            (TableError::BadCount { line, value }, Lang::Es) => {
                format!("Línea {line}: {value:?} no es un número de personas (entero, 0 o más)")
            }
            (TableError::OnNoList { line }, Lang::Es) => format!(
                "Línea {line}: no se puede contar a quien no está en ninguna lista (es lo que se estima)"
            ),
            (TableError::Repeated { line, first }, Lang::Es) => {
                format!("Línea {line}: esa combinación ya se dio en la línea {first}")
            }
            (TableError::RepeatedList(name), Lang::Es) => {
                format!("La lista {name:?} aparece dos veces")
            }
            (TableError::TooLarge { max }, Lang::Es) => {
                format!("Más de {max} personas en la tabla: no es una tabla de personas")
            }
            (
                TableError::Width {
                    line,
                    found,
                    expected,
                },
                Lang::Es,
            ) => format!("Línea {line}: {found} celdas; la cabecera tiene {expected}"),
        }
    }
}

impl Table {
    /// An empty table of `lists`.
    pub fn new(lists: Vec<String>) -> Result<Table, TableError> {
        if lists.len() > MAX_LISTS {
            return Err(TableError::TooManyLists {
                found: lists.len(),
                max: MAX_LISTS,
            });
        }
        let cells = 1usize << lists.len();
        Ok(Table {
            lists,
            counts: vec![0; cells],
        })
    }

    /// Adds `n` people documented by the lists of `pattern` (ignored for the empty pattern).
    pub fn add(&mut self, pattern: usize, n: u64) {
        if pattern == 0 {
            return;
        }
        if let Some(c) = self.counts.get_mut(pattern) {
            *c += n;
        }
    }

    /// Reads the CSV form: one 0/1 column per list, then `count`; one row per pattern.
    pub fn from_csv(input: impl Read) -> Result<Table, TableError> {
        use vigilia_core::csv_lines::{Lines, line_of};
        // Flexible: a row of another width is said by its line (`TableError::Width`), not by
        // the csv crate's count of lines.
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(Lines::new(input));
        let headers = reader
            .headers()
            .map_err(|e| TableError::Unreadable(e.to_string()))?
            .clone();
        let names: Vec<String> = headers.iter().map(str::to_string).collect();
        let Some((last, lists)) = names.split_last() else {
            return Err(TableError::NoCount(String::new()));
        };
        if !last.eq_ignore_ascii_case("count") || lists.is_empty() {
            return Err(TableError::NoCount(names.join(",")));
        }
        // One name, one list: names compared as people read them (case and accents aside).
        let mut seen_names: Vec<String> = Vec::new();
        for name in lists {
            let key = vigilia_core::text::fold(name.trim());
            if seen_names.contains(&key) {
                return Err(TableError::RepeatedList(name.clone()));
            }
            seen_names.push(key);
        }
        let mut table = Table::new(lists.to_vec())?;
        let mut total: u64 = 0;
        let mut seen: Vec<Option<u64>> = vec![None; table.counts.len()];
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = line_of(&mut reader, e.position());
                    return Err(match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => TableError::NotText { line },
                        _ => TableError::Unreadable(e.to_string()),
                    });
                }
            }
            let line = line_of(&mut reader, record.position());
            if record.len() != names.len() {
                return Err(TableError::Width {
                    line,
                    found: record.len(),
                    expected: names.len(),
                });
            }
            let mut pattern = 0usize;
            for (j, (value, column)) in record.iter().zip(lists).enumerate() {
                match value {
                    "1" => pattern |= 1 << j,
                    "0" => {}
                    other => {
                        return Err(TableError::NotZeroOne {
                            line,
                            column: column.clone(),
                            value: other.to_string(),
                        });
                    }
                }
            }
            let raw = record.get(lists.len()).unwrap_or_default();
            let n: u64 = raw.parse().map_err(|_| TableError::BadCount {
                line,
                value: raw.to_string(),
            })?;
            if pattern == 0 {
                if n == 0 {
                    continue;
                }
                return Err(TableError::OnNoList { line });
            }
            total = total.saturating_add(n);
            if total > MAX_PEOPLE {
                return Err(TableError::TooLarge { max: MAX_PEOPLE });
            }
            match seen.get_mut(pattern) {
                Some(Some(first)) => {
                    return Err(TableError::Repeated {
                        line,
                        first: *first,
                    });
                }
                Some(slot) => *slot = Some(line),
                None => {}
            }
            table.add(pattern, n);
        }
        Ok(table)
    }

    /// The table as CSV (the form `from_csv` reads), every pattern but the empty one.
    pub fn to_csv(&self) -> String {
        let mut out = self.lists.join(",");
        out.push_str(",count\n");
        for (pattern, n) in self.cells() {
            for j in 0..self.lists.len() {
                out.push_str(if pattern & (1 << j) != 0 { "1," } else { "0," });
            }
            out.push_str(&format!("{n}\n"));
        }
        out
    }

    pub fn lists(&self) -> &[String] {
        &self.lists
    }

    /// How many lists.
    pub fn width(&self) -> usize {
        self.lists.len()
    }

    /// Each observable pattern (1 to 2^lists - 1) with its count.
    pub fn cells(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.counts.iter().copied().enumerate().skip(1)
    }

    /// The count of `pattern`.
    pub fn count(&self, pattern: usize) -> u64 {
        self.counts.get(pattern).copied().unwrap_or(0)
    }

    /// Everyone documented by at least one list.
    pub fn observed(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// How many each list documented.
    pub fn sizes(&self) -> Vec<ListSize> {
        self.lists
            .iter()
            .enumerate()
            .map(|(j, name)| ListSize {
                name: name.clone(),
                size: self
                    .cells()
                    .filter(|(p, _)| p & (1 << j) != 0)
                    .map(|(_, n)| n)
                    .sum(),
            })
            .collect()
    }

    /// How many each pair of lists documented in common.
    pub fn overlaps(&self) -> Vec<Overlap> {
        let mut out = Vec::new();
        for a in 0..self.lists.len() {
            for b in a + 1..self.lists.len() {
                let both = self
                    .cells()
                    .filter(|(p, _)| p & (1 << a) != 0 && p & (1 << b) != 0)
                    .map(|(_, n)| n)
                    .sum();
                out.push(Overlap {
                    lists: [
                        self.lists.get(a).cloned().unwrap_or_default(),
                        self.lists.get(b).cloned().unwrap_or_default(),
                    ],
                    both,
                });
            }
        }
        out
    }

    /// The same table with its lists called `names` (as many as it has; the rest kept).
    pub fn named(mut self, names: &[String]) -> Table {
        for (list, name) in self.lists.iter_mut().zip(names) {
            *list = name.clone();
        }
        self
    }

    /// The table of the lists `keep` only (by position), people on none of them left out.
    pub fn only(&self, keep: &[usize]) -> Table {
        let lists = keep
            .iter()
            .filter_map(|&j| self.lists.get(j).cloned())
            .collect();
        let mut out = Table {
            lists,
            counts: vec![0; 1 << keep.len()],
        };
        for (pattern, n) in self.cells() {
            let mut p = 0;
            for (to, &from) in keep.iter().enumerate() {
                if pattern & (1 << from) != 0 {
                    p |= 1 << to;
                }
            }
            out.add(p, n);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_reads_back_what_it_writes_and_says_which_line_is_wrong() {
        let csv = "A,B,C,count\n1,0,0,10\n0,1,0,7\n1,1,0,3\n0,0,1,4\n1,1,1,1\n";
        let t = Table::from_csv(csv.as_bytes()).unwrap();
        assert_eq!(t.observed(), 25);
        assert_eq!(
            t.sizes().iter().map(|s| s.size).collect::<Vec<_>>(),
            [14, 11, 5]
        );
        assert_eq!(t.overlaps().first().map(|o| o.both), Some(4));
        let again = Table::from_csv(t.to_csv().as_bytes()).unwrap();
        assert_eq!(again, t);
        let only = t.only(&[0, 2]);
        assert_eq!(only.observed(), 10 + 3 + 4 + 1);
        for (bad, want) in [
            ("A,B,count\n1,2,3\n", "line 2, column \"B\""),
            ("A,B,count\n1,0,x\n", "line 2: \"x\" is not a count"),
            ("A,B,count\n0,0,3\n", "line 2: a person on no list"),
            (
                "A,B,count\n1,0,3\n1,0,2\n",
                "line 3: the pattern was given on line 2",
            ),
            ("A,B\n1,0\n", "the header must name the lists"),
            // Saved on Windows, with a blank line: the line as an editor shows it.
            (
                "A,B,count\r\n1,0,3\r\n\r\n0,1\r\n",
                "line 4: 2 cells, the header has 3",
            ),
        ] {
            let e = Table::from_csv(bad.as_bytes()).err().map(|e| e.to_string());
            assert!(
                e.as_deref().is_some_and(|e| e.contains(want)),
                "{bad}: {e:?}"
            );
        }
        let e = Table::from_csv(&b"A,B,count\r1,0,3\r0,1,\xff\r"[..]).err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("line 3: the row is not UTF-8 text")
        );
    }
}
