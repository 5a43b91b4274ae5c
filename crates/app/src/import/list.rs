//! Another organisation's list of detained people (a press tally, a second NGO's list, a UN
//! annex), imported by name as a list of its own: each row becomes a report of that list, and a
//! row the registry surely already holds is matched to its detention at once. The others wait
//! in triage, like any report, with their candidates. Estimating the undocumented then counts
//! the list as one more list, beside the registry's own channels: what makes the estimate
//! stronger is exactly a list made apart from ours.
//!
//! The file is a reports CSV (`docs/formats/reports-csv.md`). Every line is checked before
//! anything is written: a wrong cell fails the import with every wrong line named, and nothing
//! of the file is stored. A list is imported once: its name is its identity in the estimate.

use std::path::Path;

use vigilia_core::date::PartialDate;
use vigilia_core::fact::{Change, Draft};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{DetentionId, Kind, PersonId, ReportId};
use vigilia_core::model::{Channel, Disclosure, Reported, Role, Sex};
use vigilia_core::profile::Profile;
use vigilia_core::text::non_empty;
use vigilia_ledger::Tx;
use vigilia_matching::index::Index;
use vigilia_matching::report::{Columns, Report as Comparable, Stopped, read};

use crate::actor::{Actor, acting_as};
use crate::error::AppError;
use crate::fields::{FieldErrors, Problem};
use crate::import::rows;
use crate::places::LineErrors;
use crate::triage::{AttachTo, attach};

/// The longest name a list may have.
pub const NAME_CHARS: usize = 60;

/// A row of the list, read and checked.
#[derive(Clone, Debug)]
pub struct Row {
    pub line: u64,
    details: Reported,
    /// The row as written, kept as the report's text.
    text: String,
    comparable: Comparable,
}

/// A list read from its file, every row good.
#[derive(Clone, Debug)]
pub struct List {
    pub rows: Vec<Row>,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Rows stored, one report each.
    pub rows: usize,
    /// Rows matched at once to a detention the registry holds.
    pub matched: usize,
    /// Rows left in triage: a person to decide whether the registry holds them.
    pub waiting: usize,
}

/// Reads a list file (CSV or sheet) whole; `today` reads its dates. Every wrong cell is named
/// ([`AppError::BadLines`]); a file with one stores nothing.
pub fn read_file(
    path: &Path,
    profile: &Profile,
    today: vigilia_core::date::Day,
) -> Result<List, AppError> {
    let mut src = rows::open(path)?;
    let header: Vec<String> = src
        .header()
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let columns = Columns::parse(&header).map_err(|error| AppError::Reports {
        path: path.to_path_buf(),
        error,
    })?;
    let at = |name: &str| header.iter().position(|h| h == name);
    let mut raw = Vec::new();
    while let Some(next) = src.next_row() {
        let (line, record) = next.map_err(|row| AppError::BadRow {
            path: path.to_path_buf(),
            row: Box::new(row),
        })?;
        raw.push((line, record.iter().map(str::to_string).collect::<Vec<_>>()));
    }
    let all = raw
        .iter()
        .map(|(line, cells)| Ok::<_, std::convert::Infallible>((*line, cells)));
    let comparable =
        read(&columns, all, today.year(), profile).map_err(|stopped| match stopped {
            Stopped::Report(error) => AppError::Reports {
                path: path.to_path_buf(),
                error,
            },
            Stopped::Source(never) => match never {},
        })?;
    let mut bad = Vec::new();
    let mut rows = Vec::new();
    for ((line, cells), comparable) in raw.into_iter().zip(comparable) {
        let cell = |name: &str| {
            at(name)
                .and_then(|i| cells.get(i))
                .map(String::as_str)
                .unwrap_or("")
        };
        let mut e = FieldErrors::default();
        if cells.len() != header.len() {
            let (expected, found) = (header.len(), cells.len());
            e.add("*", Problem::Width { expected, found });
            bad.push(LineErrors { line, errors: e });
            continue;
        }
        let national_id = e.national_id("cedula", cell("cedula"));
        let sex = match (non_empty(cell("sex")), comparable.sex) {
            (None, _) => None,
            (Some(_), Some('F')) => Some(Sex::F),
            (Some(_), Some('M')) => Some(Sex::M),
            (Some(_), _) => {
                e.add("sex", Problem::ChooseAnOption);
                None
            }
        };
        let state = vigilia_core::text::known(cell("state")).and_then(|s| match profile.state(s) {
            Some(n) => n.code.clone(),
            None => {
                e.add("state", Problem::NotAState(s.to_string()));
                None
            }
        });
        let date = |e: &mut FieldErrors, field: &'static str, read: Option<PartialDate>| {
            let written = non_empty(cell(field))?;
            match read {
                Some(d) if d.first_day() > today => {
                    e.add(field, Problem::DateAfterToday { date: d, today });
                    None
                }
                Some(d) => Some(d),
                // As people type them, when the reports' day-first reading does not apply.
                None => e.date(field, written, today),
            }
        };
        let birth_date = date(&mut e, "birth_date", comparable.birth);
        let arrest_date = date(&mut e, "arrest_date", comparable.arrest);
        let details = Reported {
            given_names: e.name("given_names", cell("given_names")),
            paternal_surname: e.name("surnames", cell("surnames")),
            national_id,
            sex,
            birth_date,
            arrest_date,
            state,
            facility: e.line("facility", cell("facility")),
            ..Reported::default()
        };
        if details.given_names.is_none()
            && details.paternal_surname.is_none()
            && details.national_id.is_none()
        {
            e.add("given_names", Problem::NoOneNamed);
        }
        // Kept in the report's text as they show (no character that is not text or shows
        // nothing), as every other cell is.
        let number = e.line("report_id", cell("report_id")).unwrap_or_default();
        let age = e.line("age", cell("age"));
        if e.is_empty() {
            // Where the row is in its list, and what the details cannot hold (an age).
            let mut text = format!("Fila {line} de la lista; su número en esa lista: {number}");
            if let Some(age) = age {
                text.push_str(&format!("; edad: {age}"));
            }
            rows.push(Row {
                line,
                details,
                text,
                comparable,
            });
        } else {
            bad.push(LineErrors { line, errors: e });
        }
    }
    if !bad.is_empty() {
        return Err(AppError::BadLines(bad));
    }
    Ok(List { rows })
}

/// A list's name, checked: not empty, not too long, not one of the registry's channels; letters,
/// digits, spaces and `.-_()/'º°` only, starting with a letter or digit (it is a column of the
/// capture-history CSV, an option's comma-separated value, and a spreadsheet's cell, where a
/// leading `=` would be a formula).
pub fn check_name(name: &str) -> Result<String, AppError> {
    // Spaces as one: "ONG  Justicia" is "ONG Justicia" (a line break or a tab is no space).
    let control = name.chars().any(char::is_control);
    // Compatibility forms folded (full-width, mathematical letters): `Ｐrensa` is `Prensa`.
    let name = vigilia_core::text::compatible(name);
    let name = &name
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    // Nor a channel by its words (`Prensa`, `abogado o abogada`): a list would pass for one.
    let folded = vigilia_core::text::fold(name);
    let channel = crate::estimates::CHANNELS.iter().any(|(c, n)| {
        let (es, en) = c.words();
        [*n, es, en]
            .iter()
            .any(|w| vigilia_core::text::fold(w) == folded)
    }) || name.eq_ignore_ascii_case("count")
        // Nor what a published text calls another organisation's list («otra organización A»).
        || {
            // Read as a person reads it: a zero for an `o`, the words run together.
            let read: String = (folded.chars())
                .filter(|c| *c != ' ')
                .map(|c| if c == '0' { 'o' } else { c })
                .collect();
            ["otraorganizacion", "anotherorganisation", "anotherorganization"]
                .iter()
                .any(|p| read.starts_with(p))
        };
    // Nor letters of two alphabets that look alike (`prеnsa` with a Cyrillic `е`): a list would
    // pass for another, or for a channel.
    // Latin letters are Latin's blocks; any other letter counts by its block (Greek, Cyrillic,
    // Armenian, the phonetic small capitals, …), so a name is of one alphabet.
    let alphabet = |c: char| match c as u32 {
        _ if !c.is_alphabetic() => None,
        0..=0x24F | 0x1E00..=0x1EFF => Some(0),
        0x400..=0x52F => Some(0x400),
        code => Some(code >> 7),
    };
    let mut alphabets = name.chars().filter_map(alphabet);
    let first = alphabets.next();
    let mixed = alphabets.any(|a| Some(a) != first);
    let allowed = |c: char| c.is_alphanumeric() || " .-_()/'º°".contains(c);
    let starts = name.chars().next().is_some_and(char::is_alphanumeric);
    if control
        || !starts
        || name.chars().count() > NAME_CHARS
        || !name.chars().all(allowed)
        || channel
        || mixed
    {
        return Err(AppError::ListName(name.to_string()));
    }
    Ok(name.to_string())
}

/// Stores `list` as reports of the list `name`, by `channel`, with the consent to publish
/// `consent` (the people on another organisation's list never gave us theirs: counted only,
/// unless that organisation says otherwise). A row is matched at once only when the registry
/// surely holds its person (the matching engine sure of one person and no other likely) and one
/// detention of that person fits the row's arrest date; every other row waits in triage.
pub fn import(
    tx: &mut Tx<'_>,
    actor: &Actor,
    name: &str,
    channel: Channel,
    consent: Disclosure,
    list: List,
) -> Result<Imported, AppError> {
    let actor = acting_as(tx, actor, &[Role::Coordinator])?;
    let name = check_name(name)?;
    // A list is imported once: its name is a list of its own in every estimate.
    let mut taken = None;
    tx.fold_all(Kind::Report, KnownOn::NOW, &mut |r| {
        if let Record::Report(r) = r
            && taken.is_none()
            && r.list
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(&name))
        {
            taken = Some(r.received_on);
        }
    })?;
    if let Some(on) = taken {
        return Err(AppError::ListImported { name, on });
    }
    let mut persons = Vec::new();
    let mut merged: std::collections::HashMap<u64, Vec<u64>> = Default::default();
    tx.fold_all(Kind::Person, KnownOn::NOW, &mut |r| {
        if let Record::Person(p) = r {
            match p.merged_into {
                None => persons.push((p.id.0, Comparable::of_identity(p.id.0, &p.identity))),
                Some(into) => merged.entry(into.0).or_default().push(p.id.0),
            }
        }
    })?;
    let index = Index::build(persons);
    let today = tx.today()?;
    let mut done = Imported::default();
    for row in list.rows {
        let id = ReportId(tx.new_id(Kind::Report));
        tx.append(Draft {
            recorded_on: today,
            actor: actor.name.clone(),
            subject: id.into(),
            change: Change::ReportReceived {
                channel,
                text: row.text.clone(),
                contact: None,
                consent,
                details: Some(row.details.clone()),
                reporter: None,
                receipt: None,
                list: Some(name.clone()),
            },
            sources: vec![],
        })?;
        done.rows += 1;
        match surely_held(tx, &index, &merged, &row)? {
            Some(d) => {
                attach(tx, &actor, id, AttachTo::Detention(d))?;
                done.matched += 1;
            }
            None => done.waiting += 1,
        }
    }
    Ok(done)
}

/// The detention a row surely is: the one person the matching engine is sure of (no other
/// likely), and that person's one detention whose arrest date fits the row's.
fn surely_held(
    tx: &mut Tx<'_>,
    index: &Index,
    merged: &std::collections::HashMap<u64, Vec<u64>>,
    row: &Row,
) -> Result<Option<DetentionId>, AppError> {
    let found = index.candidates(row.comparable.clone(), 2, crate::dedupe::REVIEW);
    let sure = match found.as_slice() {
        [one] => one.probability >= crate::dedupe::SURE,
        [one, two] => {
            one.probability >= crate::dedupe::SURE && two.probability < crate::dedupe::REVIEW
        }
        _ => false,
    };
    let Some(best) = found.first().filter(|_| sure) else {
        return Ok(None);
    };
    // Two cédulas that differ are two people, however alike their names.
    if let (Some(Record::Person(p)), Some(theirs)) = (
        tx.get(PersonId(best.person).into())?,
        row.details.national_id,
    ) && p
        .identity
        .national_id
        .is_some_and(|ours| ours.number != theirs.number)
    {
        return Ok(None);
    }
    // A row dated fits the detentions its date may be; a row without a date only one that has
    // not ended (a list of who is held now), never an old one.
    let fits = |d: &vigilia_core::model::Detention| match row.details.arrest_date {
        Some(a) => {
            a.first_day() <= d.arrest.date.last_day() && d.arrest.date.first_day() <= a.last_day()
        }
        None => d.end.is_none(),
    };
    // The person's detentions, with those of the persons merged into them.
    let mut detentions = Vec::new();
    let whose =
        std::iter::once(best.person).chain(merged.get(&best.person).into_iter().flatten().copied());
    for person in whose {
        for r in tx.children(Kind::Detention, person)? {
            if let Record::Detention(d) = r {
                detentions.push(d);
            }
        }
    }
    let fitting: Vec<DetentionId> = detentions
        .iter()
        .filter(|d| fits(d))
        .map(|d| d.id)
        .collect();
    Ok(match fitting.as_slice() {
        // Undated: the only detention the person has, and it goes on.
        [one] if row.details.arrest_date.is_some() || detentions.len() == 1 => Some(*one),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_named_in_words_never_as_a_formula_a_channel_or_a_column() {
        for good in [
            "ONG Justicia 2024",
            "Lista de Provea (junio)",
            "Prensa Zulia/Falcón",
            "Правозащитный центр",
            "Otra lista de organizaciones",
        ] {
            assert_eq!(check_name(good).ok().as_deref(), Some(good));
        }
        assert_eq!(
            check_name(" ONG  Justicia ").ok().as_deref(),
            Some("ONG Justicia")
        );
        for bad in [
            "",
            "  ",
            "=HYPERLINK(\"x\")",
            "+58 lista",
            "a,b",
            "comillas \"x\"",
            "press",
            "Family",
            "Prensa",
            "Abogado o abogada",
            "voluntariado",
            "count",
            "línea\nnueva",
            // What a published text calls a partner's list, or a channel in another alphabet.
            "otra organización A",
            "Another organisation B",
            "pr\u{435}nsa",
            "Foro Pen\u{430}l",
            "0tra organización A",
            "Otra organizaci0n B",
            "ｏtra organización C",
            "ᴏtra organización D",
            "𝗈tra organización E",
            "otraorganización A",
            "F\u{585}ro Penal",
            "Ｐrensa",
            &"x".repeat(61),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
