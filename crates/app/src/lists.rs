//! A list of detentions as people work through it: narrowed by filters (state, place of
//! detention, situation, recognition, arrest dates), sorted, read a page at a time with its
//! total, and taken away as CSV or XLSX. The list behind a figure and a lawyer's cases are
//! lists of this kind; what may be listed, and whether with names, is decided before (by
//! [`crate::records::behind`]).

use vigilia_core::date::{Day, PartialDate};
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::{EndType, RecognitionStatus};
use vigilia_core::profile::Profile;
use vigilia_core::text::fold;

use crate::error::AppError;
use crate::fields::{FieldErrors, Problem, non_empty};
use crate::records::Behind;

/// Rows on one page of a list.
pub const PAGE_SIZE: usize = 50;

/// A list's filters, sort and page as typed in its form (every field may be empty).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct Typed {
    pub state: String,
    pub facility: String,
    pub situation: String,
    pub recognition: String,
    pub from: String,
    pub to: String,
    pub sort: String,
    pub page: String,
}

/// Where a detention stands on the list's day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Situation {
    Held,
    Ended(EndType),
}

impl Situation {
    /// The situation's code in a form.
    pub fn code(self) -> &'static str {
        match self {
            Situation::Held => "held",
            Situation::Ended(t) => t.name(),
        }
    }

    /// Every situation, in the order a form offers them.
    pub fn all() -> impl Iterator<Item = Situation> {
        std::iter::once(Situation::Held).chain(EndType::ALL.into_iter().map(Situation::Ended))
    }
}

impl Localize for Situation {
    fn localize(&self, lang: Lang) -> String {
        match self {
            Situation::Held => lang.pick("bajo custodia", "in custody").to_string(),
            Situation::Ended(t) => t.localize(lang),
        }
    }
}

/// How a list is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Most recent arrest first.
    #[default]
    Newest,
    Oldest,
    /// By surname and name (rows without a name shown last, by number).
    Name,
    /// By state's name, then most recent first.
    State,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Newest, Sort::Oldest, Sort::Name, Sort::State];

    pub fn code(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Name => "name",
            Sort::State => "state",
        }
    }
}

impl Localize for Sort {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            Sort::Newest => ("Detención más reciente primero", "Most recent arrest first"),
            Sort::Oldest => ("Detención más antigua primero", "Oldest arrest first"),
            Sort::Name => ("Apellido", "Surname"),
            Sort::State => ("Estado", "State"),
        };
        lang.pick(es, en).to_string()
    }
}

/// A list's filters, read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// A state's code in the profile.
    pub state: Option<String>,
    /// Words the place of detention contains (accents and case aside).
    pub facility: Option<String>,
    pub situation: Option<Situation>,
    pub recognition: Option<RecognitionStatus>,
    /// Arrested on or after this day.
    pub from: Option<Day>,
    /// Arrested on or before this day.
    pub to: Option<Day>,
}

impl Filters {
    /// Whether any filter narrows the list.
    pub fn narrows(&self) -> bool {
        *self != Filters::default()
    }
}

/// What a list was asked for, read: its filters, its sort, and the page (from 1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Asked {
    pub filters: Filters,
    pub sort: Sort,
    pub page: usize,
}

impl Typed {
    /// Reads the list's form: a date as people type them, a state of the profile, a situation,
    /// recognition and sort among those offered. Each mistake is said beside its field.
    pub fn read(&self, profile: &Profile, today: Day) -> Result<Asked, AppError> {
        let mut errors = FieldErrors::default();
        let state = non_empty(&self.state).map(str::to_string);
        if let Some(s) = &state
            && profile.state_name(s).is_none()
        {
            errors.add("state", Problem::NotAState(s.clone()));
        }
        let facility = non_empty(&self.facility).map(fold);
        let situation = non_empty(&self.situation).and_then(|s| {
            let found = Situation::all().find(|x| x.code() == s);
            if found.is_none() {
                errors.add("situation", Problem::ChooseAnOption);
            }
            found
        });
        let recognition = non_empty(&self.recognition).and_then(|s| {
            let found = RecognitionStatus::from_name(s);
            if found.is_none() {
                errors.add("recognition", Problem::ChooseAnOption);
            }
            found
        });
        let from = errors
            .date("from", &self.from, today)
            .map(|d| d.first_day());
        let to = errors.date("to", &self.to, today).map(|d| d.last_day());
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            errors.add("to", Problem::RangeReversed);
        }
        let sort = match non_empty(&self.sort) {
            None => Sort::default(),
            Some(s) => Sort::ALL
                .into_iter()
                .find(|x| x.code() == s)
                .unwrap_or_else(|| {
                    errors.add("sort", Problem::ChooseAnOption);
                    Sort::default()
                }),
        };
        let page = non_empty(&self.page)
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        errors.check().map_err(AppError::Invalid)?;
        Ok(Asked {
            filters: Filters {
                state,
                facility,
                situation,
                recognition,
                from,
                to,
            },
            sort,
            page,
        })
    }
}

/// One detention as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub detention: u64,
    /// The person's name and cédula, when the account sees the case.
    pub name: Option<String>,
    pub national_id: Option<String>,
    /// Surnames first, folded, to sort by ([`surname_key`]).
    sort_name: Option<String>,
    /// The name written surnames first ("Pérez Rojas, Ana"), as a list sorted by surname
    /// shows it.
    pub by_surname: Option<String>,
    pub state: Option<String>,
    pub facility: Option<String>,
    pub arrested: PartialDate,
    pub situation: Situation,
    pub recognition: Option<RecognitionStatus>,
}

impl Row {
    /// A detention as the list of day `on` shows it: held, or how it had ended by then.
    pub fn of(b: &Behind, on: Day) -> Row {
        let d = &b.detention;
        let situation = match &d.end {
            Some(e) if e.date.first_day() <= on => Situation::Ended(e.kind),
            _ => Situation::Held,
        };
        Row {
            detention: d.id.0,
            name: b.person.as_ref().map(|p| p.identity.full_name()),
            national_id: b
                .person
                .as_ref()
                .and_then(|p| p.identity.national_id.map(|n| n.to_string())),
            sort_name: b.person.as_ref().map(|p| surname_key(&p.identity)),
            by_surname: b.person.as_ref().map(|p| {
                let i = &p.identity;
                match i.given_names.as_deref() {
                    Some(g) if !i.surnames().is_empty() => format!("{}, {g}", i.surnames()),
                    _ => i.full_name(),
                }
            }),
            state: d.arrest.state.clone(),
            facility: d.last_facility().map(str::to_string),
            arrested: d.arrest.date,
            situation,
            recognition: d.recognition.as_ref().map(|r| r.status),
        }
    }

    fn passes(&self, f: &Filters) -> bool {
        f.state.as_ref().is_none_or(|s| self.state.as_ref() == Some(s))
            && f.facility
                .as_ref()
                .is_none_or(|w| self.facility.as_ref().is_some_and(|x| fold(x).contains(w)))
            && f.situation.is_none_or(|s| s == self.situation)
            && f.recognition.is_none_or(|r| self.recognition == Some(r))
            // An imprecise date passes when the days it may be overlap the range asked.
            && f.from.is_none_or(|from| self.arrested.last_day() >= from)
            && f.to.is_none_or(|to| self.arrested.first_day() <= to)
    }
}

/// The key a person sorts by in a list by surname: first surname, second surname (none
/// before any), given names, accents and case aside.
pub fn surname_key(i: &vigilia_core::model::Identity) -> String {
    let part = |x: &Option<String>| fold(x.as_deref().unwrap_or_default());
    format!(
        "{}\u{0}{}\u{0}{}",
        part(&i.paternal_surname),
        part(&i.maternal_surname),
        part(&i.given_names)
    )
}

/// A page of a list: its rows, how many rows the list has after its filters (`total`) and
/// before them (`all`), the page shown and how many there are.
#[derive(Clone, Debug)]
pub struct Page {
    pub rows: Vec<Row>,
    pub total: usize,
    pub all: usize,
    pub page: usize,
    pub pages: usize,
}

/// The rows that pass the filters, sorted as asked (every row, for a download).
pub fn narrowed<'a>(rows: &'a [Row], asked: &Asked, profile: &Profile) -> Vec<&'a Row> {
    let mut rows: Vec<&Row> = rows.iter().filter(|r| r.passes(&asked.filters)).collect();
    let state_name = |r: &Row| {
        r.state
            .as_deref()
            .map(|s| fold(profile.state_name(s).unwrap_or(s)))
    };
    match asked.sort {
        Sort::Newest => rows.sort_by(|a, b| {
            (b.arrested.first_day(), b.detention).cmp(&(a.arrested.first_day(), a.detention))
        }),
        Sort::Oldest => rows.sort_by_key(|r| (r.arrested.first_day(), r.detention)),
        Sort::Name => rows.sort_by(|a, b| {
            (a.sort_name.is_none(), a.sort_name.as_deref(), a.detention).cmp(&(
                b.sort_name.is_none(),
                b.sort_name.as_deref(),
                b.detention,
            ))
        }),
        Sort::State => rows.sort_by_cached_key(|r| {
            let name = state_name(r);
            (
                name.is_none(),
                name,
                std::cmp::Reverse(r.arrested.first_day()),
            )
        }),
    }
    rows
}

/// The page asked of the rows that pass the filters, sorted.
pub fn page(rows: &[Row], asked: &Asked, profile: &Profile) -> Page {
    let all = rows.len();
    let rows = narrowed(rows, asked, profile);
    let total = rows.len();
    let (rows, page, pages) = paged(rows, asked.page);
    let rows = rows.into_iter().cloned().collect();
    Page {
        rows,
        total,
        all,
        page,
        pages,
    }
}

/// Page `page` (from 1) of `items`, [`PAGE_SIZE`] at a time: its items, the page shown (a page
/// past the last shows the last, 0 the first) and how many pages there are.
pub fn paged<T>(items: Vec<T>, page: usize) -> (Vec<T>, usize, usize) {
    let pages = items.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let items = items
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    (items, page, pages)
}

/// A list as a table in words: its headings and each row's cells, in `lang` (what a download
/// holds: names only where the list shows them).
pub fn table(
    rows: &[&Row],
    profile: &Profile,
    lang: Lang,
    sort: Sort,
) -> (Vec<String>, Vec<Vec<String>>) {
    let headings = [
        ("Detención", "Detention"),
        ("Nombre", "Name"),
        ("Cédula", "ID number"),
        ("Estado", "State"),
        ("Lugar de detención", "Place of detention"),
        ("Fecha de la detención", "Date of arrest"),
        ("Situación", "Situation"),
        ("Reconocimiento", "Recognition"),
    ]
    .iter()
    .map(|(es, en)| lang.pick(es, en).to_string())
    .collect();
    let cells = rows
        .iter()
        .map(|r| {
            vec![
                r.detention.to_string(),
                // Sorted by surname, written surnames first, as the page shows it.
                match sort {
                    Sort::Name => r.by_surname.clone(),
                    _ => r.name.clone(),
                }
                .unwrap_or_else(|| lang.pick("(reservado)", "(withheld)").to_string()),
                r.national_id.clone().unwrap_or_default(),
                r.state
                    .as_deref()
                    .map(|s| profile.state_name(s).unwrap_or(s).to_string())
                    .unwrap_or_default(),
                r.facility.clone().unwrap_or_default(),
                r.arrested.short(lang),
                r.situation.localize(lang),
                r.recognition.map(|s| s.localize(lang)).unwrap_or_default(),
            ]
        })
        .collect();
    (headings, cells)
}

/// A cell as a spreadsheet will not run it: text that begins as a formula would (`=`, `+`,
/// `-`, `@`, a tab or a return: a name sent through the public form can be anything) is
/// written after an apostrophe.
fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// A table as CSV (UTF-8 with its byte-order mark, so that a spreadsheet reads the accents).
pub fn csv(headings: &[String], cells: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| AppError::Output {
        path: "CSV".into(),
        detail: e.to_string(),
    };
    // Every field quoted: a spreadsheet that splits on ';' (Excel in Spanish) keeps a name
    // with a ';' in it in one cell, whose start is made inert.
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(headings).map_err(fail)?;
    for row in cells {
        w.write_record(row.iter().map(|c| inert(c))).map_err(fail)?;
    }
    w.into_inner().map_err(|e| AppError::Output {
        path: "CSV".into(),
        detail: e.to_string(),
    })
}

/// A table as an XLSX workbook of one sheet, every cell written as text (never a formula).
pub fn xlsx(headings: &[String], cells: &[Vec<String>], sheet: &str) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Output {
        path: "XLSX".into(),
        detail: e.to_string(),
    };
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(fail)?;
    let bold = Format::new().set_bold();
    for (c, h) in headings.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)
            .map_err(fail)?;
    }
    // The detention's number as a number and exact days as days (a spreadsheet sorts and
    // filters them); every other cell as text, never a formula.
    let day = Format::new().set_num_format("dd/mm/yyyy");
    for (r, row) in cells.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            // The first column is the detention's number; a year alone ("2024") is a date
            // known to the year, kept as text.
            if let (0, Ok(n)) = (c, cell.parse::<u64>())
                && n.to_string() == *cell
            {
                ws.write_number(r, c, n as f64).map_err(fail)?;
            } else if let Some(d) = exact_day(cell) {
                ws.write_datetime_with_format(r, c, &d, &day)
                    .map_err(fail)?;
            } else {
                ws.write_string(r, c, cell).map_err(fail)?;
            }
        }
    }
    ws.autofit();
    book.save_to_buffer().map_err(fail)
}

/// A day written DD/MM/AAAA, as a spreadsheet's date.
fn exact_day(cell: &str) -> Option<rust_xlsxwriter::ExcelDateTime> {
    let b = cell.as_bytes();
    if b.len() != 10 || b.get(2) != Some(&b'/') || b.get(5) != Some(&b'/') {
        return None;
    }
    let part = |r: std::ops::Range<usize>| cell.get(r)?.parse::<u16>().ok();
    let (d, m, y) = (part(0..2)?, part(3..5)?, part(6..10)?);
    rust_xlsxwriter::ExcelDateTime::from_ymd(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_would_be_a_formula_is_written_as_text() {
        let rows = vec![vec![
            "=HYPERLINK(\"http://x\")".into(),
            "-1+2".into(),
            "Ana;=1+1".into(),
        ]];
        let out = csv(&["a".into(), "b".into(), "c".into()], &rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("'=HYPERLINK"), "{text}");
        assert!(text.contains("'-1+2"), "{text}");
        // Quoted: split on ';', the cell still begins with "Ana".
        assert!(text.contains(",\"Ana;=1+1\""), "{text}");
    }
}
