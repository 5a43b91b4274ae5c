//! What each fuzz target runs: the code that reads untrusted bytes, end to end short of the
//! database. Each function must return (an error is fine) for any input; a panic, a hang or
//! an out-of-memory is a bug. `tests/corpus.rs` replays the kept corpora through the same
//! functions on every test run; `cargo fuzz run TARGET` searches for new inputs.

use std::io::Cursor;
use std::sync::OnceLock;

use vigilia_core::date::{Day, PartialDate, parse_day};
use vigilia_core::exchange::{Context, Header, Row, detention_changes, person_changes};
use vigilia_core::ids::PersonId;
use vigilia_core::model::RecognitionStatus;
use vigilia_core::national_id::NationalId;
use vigilia_core::profile::Profile;

fn profile() -> &'static Profile {
    static P: OnceLock<Option<Profile>> = OnceLock::new();
    match P.get_or_init(|| Profile::venezuela().ok()) {
        Some(p) => p,
        None => unreachable!("the built-in profile reads"),
    }
}

fn today() -> Day {
    jiff::civil::date(2026, 11, 20)
}

/// Rows of a detentions file: the header, then each row read and turned into facts, as the
/// importer does before it touches the ledger.
fn detention_rows(rows: impl Iterator<Item = Vec<String>>) {
    let mut rows = rows;
    let Some(names) = rows.next() else { return };
    let Ok(header) = Header::parse(&names) else {
        return;
    };
    let ctx = Context {
        profile: profile(),
        today: today(),
    };
    for (i, cells) in rows.enumerate().take(10_000) {
        if let Ok(row) = Row::parse(&header, &cells, i as u64 + 2, &ctx) {
            let _ = person_changes(&row, None, ctx.today);
            let _ = detention_changes(
                &row,
                PersonId(1),
                None,
                RecognitionStatus::UnderStudy,
                ctx.today,
            );
        }
    }
}

fn csv_rows(data: &[u8]) -> impl Iterator<Item = Vec<String>> + '_ {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data)
        .into_records()
        .map_while(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
}

/// The detentions CSV importer.
pub fn detentions_csv(data: &[u8]) {
    detention_rows(csv_rows(data));
}

/// The detentions spreadsheet importer: the first sheet of an XLSX file.
pub fn detentions_xlsx(data: &[u8]) {
    use calamine::Reader;
    // As the importer does: a panic inside calamine is a damaged file (calamine 0.38 overflows
    // on some cell references when overflow checks are on).
    let read = std::panic::catch_unwind(|| {
        calamine::Xlsx::new(Cursor::new(data))
            .ok()
            .and_then(|mut book| book.worksheet_range_at(0))
            .and_then(Result::ok)
    });
    let Ok(Some(sheet)) = read else {
        return;
    };
    detention_rows(
        sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect()),
    );
}

/// The reports CSV reader (`dedupe`, `candidates`).
pub fn reports_csv(data: &[u8]) {
    let mut rows = csv_rows(data);
    let Some(names) = rows.next() else { return };
    let Ok(columns) = vigilia_matching::report::Columns::parse(&names) else {
        return;
    };
    let numbered = rows
        .enumerate()
        .take(10_000)
        .map(|(i, r)| Ok::<_, std::convert::Infallible>((i as u64 + 2, r)));
    let _ = vigilia_matching::report::read(&columns, numbered, 2026, profile());
}

/// The date parsers: ISO dates with any precision, and day-first dates as people write them.
pub fn dates(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = PartialDate::parse(text) {
        // What parses prints back to what parses to the same date.
        assert_eq!(PartialDate::parse(&d.to_string()).ok(), Some(d), "{text:?}");
        let _ = (d.first_day(), d.last_day());
    }
    let _ = parse_day(text);
    let _ = vigilia_matching::report::day_first(text, 2026);
}

/// The cédula parser.
pub fn cedulas(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(n) = NationalId::parse(text) {
        assert_eq!(NationalId::parse(&n.to_string()).ok(), Some(n), "{text:?}");
    }
}

/// The family intake form: the body as the browser sends it, read and checked as the handler
/// does before anything is stored.
pub fn intake_form(data: &[u8]) {
    if let Ok(form) = serde_urlencoded::from_bytes::<vigilia_app::ReportForm>(data) {
        let _ = form.check(profile(), today(), false);
        let _ = form.check(profile(), today(), true);
    }
}
