//! The certified list for international bodies (the OAS, the OHCHR): the political prisoners of
//! a day, each with what the recipient needs and consent allows, as CSV and XLSX; what changed
//! since the previous certified list (who entered, who left and how); a manifest with each
//! file's SHA-256 and the ledger head the list came from; and an ed25519 signature over the
//! manifest.
//!
//! Versions are numbered. Each is a fact of the registry that keeps its files (in the ledger's
//! file store, by their SHA-256, which the fact carries): `reproduce` gives the same bytes
//! whatever was corrected since, and checks them against the hashes the chain vouches for.

use vigilia_core::date::Day;
use vigilia_core::fact::{Change, SignedFiles};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{DetentionId, Subject};
use vigilia_core::model::{Custody, Detention, Disclosure, Service, Sex};
use vigilia_count::Index;
use vigilia_count::list::{Figure, Selector, behind};
use vigilia_ledger::Ledger;

use crate::actor::Actor;
use crate::error::AppError;

/// The columns of the certified list.
pub const COLUMNS: [&str; 15] = [
    "reference",
    "consent",
    "name",
    "national_id",
    "sex",
    "civilian_military",
    "age",
    "arrest_date",
    "arrest_state",
    "place_of_detention",
    "jurisdiction",
    "charges",
    "status",
    "last_verified",
    "person_reference",
];

pub use crate::signed::Files;

/// One row of the list.
struct Row {
    /// Who, when shown by name or initials.
    person: Option<vigilia_core::ids::PersonId>,
    reference: String,
    consent: Disclosure,
    cells: Vec<String>,
}

fn sex(s: Option<Sex>) -> &'static str {
    match s {
        Some(Sex::F) => "F",
        Some(Sex::M) => "M",
        Some(Sex::X) => "X",
        None => "",
    }
}

/// What the list says of a person held: held, at home, in hospital, whereabouts unknown.
fn status(d: &Detention, as_of: Day) -> &'static str {
    match d.custody_on(as_of) {
        Some(Custody::WhereaboutsUnknown) => "whereabouts_unknown",
        Some(Custody::HouseArrest) => "house_arrest",
        Some(Custody::Hospital { .. }) => "hospital",
        _ => "held",
    }
}

/// The rows of the political prisoners of `as_of`, as known now, as consent allows.
fn rows(ledger: &mut Ledger, index: &Index, as_of: Day) -> Result<Vec<Row>, AppError> {
    let ids = behind(
        index,
        as_of,
        KnownOn::NOW,
        &Selector {
            figure: Figure::PoliticalPrisoners,
            dim: None,
        },
    );
    let profile = ledger.profile()?.clone();
    let register = crate::places::Register::load(ledger)?;
    let mut out = Vec::new();
    for id in ids {
        let subject: Subject = DetentionId(id).into();
        let Some(Record::Detention(d)) = ledger.get(subject)? else {
            continue;
        };
        let Some(p) = crate::public::published_person(ledger, d.person)? else {
            continue;
        };
        let reference = d
            .reference
            .clone()
            .unwrap_or_else(|| format!("d{}", d.id.0));
        let consent = p.disclosure;
        if consent == Disclosure::CountOnly {
            // Counted, and nothing else: not even the reference, which an earlier version may
            // have given with a name since withdrawn.
            out.push(Row {
                person: None,
                reference: String::new(),
                consent,
                cells: COLUMNS
                    .iter()
                    .map(|c| match *c {
                        "consent" => consent.name().to_string(),
                        _ => String::new(),
                    })
                    .collect(),
            });
            continue;
        }
        let named = consent == Disclosure::Named;
        let case = vigilia_core::case::Case::of(&d, as_of);
        let place =
            crate::places::held_at(&d, as_of).map(|written| match register.resolve(written) {
                crate::places::Resolution::Place(id) => register
                    .get(id)
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| written.to_string()),
                _ => written.to_string(),
            });
        let last_verified = ledger
            .changes(subject)?
            .iter()
            .map(|f| f.recorded_on)
            .max()
            .map(|d| d.to_string())
            .unwrap_or_default();
        let age = match d.minor(p.identity.legacy_minor) {
            Some(true) => "adolescent",
            Some(false) => "adult",
            None => "",
        };
        let cells = COLUMNS
            .iter()
            .map(|c| match *c {
                "reference" => reference.clone(),
                "consent" => consent.name().to_string(),
                "name" if named => p.identity.full_name(),
                "name" => crate::public::initials(&p.identity),
                "national_id" if named => p
                    .identity
                    .national_id
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                "sex" => sex(p.identity.sex).to_string(),
                "civilian_military" => match p.identity.service {
                    Some(Service::Military) => "military".to_string(),
                    Some(Service::Civilian) => "civilian".to_string(),
                    None => String::new(),
                },
                "age" => age.to_string(),
                "arrest_date" => d.arrest.date.to_string(),
                "arrest_state" => d
                    .arrest
                    .state
                    .as_deref()
                    .map(|s| profile.state_name(s).unwrap_or(s).to_string())
                    .unwrap_or_default(),
                "place_of_detention" => place.clone().unwrap_or_default(),
                "jurisdiction" => case
                    .court
                    .jurisdiction
                    .map(|j| j.name().to_string())
                    .unwrap_or_default(),
                "charges" => case.charges.join("; "),
                "status" => status(&d, as_of).to_string(),
                "last_verified" => last_verified.clone(),
                "person_reference" if named => p.reference.clone().unwrap_or_default(),
                _ => String::new(),
            })
            .collect();
        out.push(Row {
            person: Some(p.id),
            reference,
            consent,
            cells,
        });
    }
    // The listed by reference, the counted only after them.
    out.sort_by(|a, b| {
        (a.reference.is_empty(), &a.reference).cmp(&(b.reference.is_empty(), &b.reference))
    });
    Ok(out)
}

fn csv_bytes(headings: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| AppError::Output {
        path: "CSV".into(),
        detail: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(headings).map_err(fail)?;
    for r in rows {
        w.write_record(
            r.iter()
                .map(|c| vigilia_core::exchange::for_spreadsheet(c).into_owned()),
        )
        .map_err(fail)?;
    }
    w.into_inner().map_err(|e| AppError::Output {
        path: "CSV".into(),
        detail: e.to_string(),
    })
}

/// Who entered the list since the previous version, and who left it and how (their
/// detention's end, or no longer counted as a political prisoner).
fn changes(
    ledger: &mut Ledger,
    previous: &[(String, String)],
    now: &[Row],
    as_of: Day,
) -> Result<Vec<Vec<String>>, AppError> {
    let mut out = Vec::new();
    for r in now.iter().filter(|r| !r.reference.is_empty()) {
        if !previous
            .iter()
            .any(|(reference, _)| *reference == r.reference)
        {
            out.push(vec!["entered".into(), r.reference.clone(), String::new()]);
        }
    }
    for (reference, id) in previous {
        if now.iter().any(|r| r.reference == *reference) {
            continue;
        }
        let how = match id.parse::<u64>().ok() {
            Some(id) => match ledger.get(DetentionId(id).into())? {
                Some(Record::Detention(d)) => match &d.end {
                    Some(e) if e.date.first_day() <= as_of => e.kind.name().to_string(),
                    _ => "no_longer_listed".to_string(),
                },
                _ => "no_longer_listed".to_string(),
            },
            None => "no_longer_listed".to_string(),
        };
        out.push(vec!["left".into(), reference.clone(), how]);
    }
    Ok(out)
}

/// The references of a version's list, with their detention's number (from its stored CSV).
fn references(ledger: &mut Ledger, c: &SignedFiles) -> Result<Vec<(String, String)>, AppError> {
    let Some(file) = c
        .files
        .iter()
        .find(|f| f.name.ends_with(".csv") && f.name.starts_with("list"))
    else {
        return Ok(Vec::new());
    };
    let bytes = crate::signed::kept(ledger, file)?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let mut out = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| AppError::BadFile(e.to_string()))?;
        let reference =
            vigilia_core::exchange::from_spreadsheet(r.get(0).unwrap_or_default()).to_string();
        if !reference.is_empty() {
            out.push((reference, String::new()));
        }
    }
    // The detention behind each reference, to say how it left.
    for (reference, id) in &mut out {
        if let Some(Record::Detention(d)) =
            ledger.by_reference(vigilia_core::ids::Kind::Detention, reference)?
        {
            *id = d.id.0.to_string();
        } else if let Some(n) = reference.strip_prefix('d') {
            *id = n.to_string();
        }
    }
    Ok(out)
}

/// Version `version`, as its fact says.
fn certification(ledger: &mut Ledger, version: u64) -> Result<SignedFiles, AppError> {
    certifications(ledger)?
        .into_iter()
        .find(|c| c.version == version)
        .ok_or(AppError::NoCertifiedList(version))
}

/// One file of version `version` by its name (`manifest-3.json`), as [`reproduce`] gives it;
/// none when the version has no such file.
pub fn file(ledger: &mut Ledger, version: u64, name: &str) -> Result<Option<Vec<u8>>, AppError> {
    let c = certification(ledger, version)?;
    match c.files.iter().find(|f| f.name == name) {
        Some(f) => crate::signed::kept(ledger, f).map(Some),
        None => Ok(None),
    }
}

/// The certifications made so far, in order.
pub fn certifications(ledger: &mut Ledger) -> Result<Vec<SignedFiles>, AppError> {
    Ok(crate::signed::made(ledger)?.0)
}

/// Makes the next certified list of the political prisoners of `as_of`, signed with `key`;
/// stores it as a fact with its files; returns them. Coordinators (and the key holder at the
/// command line).
pub fn certify(
    ledger: &mut Ledger,
    actor: &Actor,
    index: &Index,
    head: vigilia_ledger::Head,
    as_of: Day,
    key: &ed25519_dalek::SigningKey,
    new_key: bool,
) -> Result<Files, AppError> {
    let today = ledger.today()?;
    if as_of > today {
        return Err(AppError::AfterToday { day: as_of, today });
    }
    crate::publication::far_enough(ledger, as_of)?;
    let before = certifications(ledger)?;
    let public_key = crate::signed::public_key(key);
    crate::signed::same_key(ledger, &public_key, new_key)?;
    let version = before.last().map_or(1, |c| c.version + 1);
    // What changed is said against the last version of a day not after this one.
    let previous = match before.iter().rev().find(|c| c.as_of <= as_of) {
        Some(c) => references(ledger, c)?,
        None => Vec::new(),
    };
    let rows = rows(ledger, index, as_of)?;
    let changed = changes(ledger, &previous, &rows, as_of)?;
    let cells: Vec<Vec<String>> = rows.iter().map(|r| r.cells.clone()).collect();
    let list_csv = csv_bytes(&COLUMNS, &cells)?;
    let headings: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let list_xlsx = crate::lists::xlsx(&headings, &cells, "lista")?;
    let changes_csv = csv_bytes(&["change", "reference", "how"], &changed)?;
    let files = vec![
        (format!("list-{version}.csv"), list_csv),
        (format!("list-{version}.xlsx"), list_xlsx),
        (format!("changes-{version}.csv"), changes_csv),
    ];
    let count = |d: Disclosure| Some(rows.iter().filter(|r| r.consent == d).count() as u64);
    let changes = |kind: &str| {
        Some(
            changed
                .iter()
                .filter(|c| c.first().is_some_and(|k| k == kind))
                .count() as u64,
        )
    };
    let manifest = crate::signed::Manifest {
        format: "vigilia-certified-list 1".into(),
        version,
        as_of: as_of.to_string(),
        known_on: today.to_string(),
        ledger_seq: head.facts,
        ledger_head: head.hash.to_string(),
        political_prisoners: Some(rows.len() as u64),
        by_name: count(Disclosure::Named),
        by_initials: count(Disclosure::Initials),
        counted_only: count(Disclosure::CountOnly),
        entered: changes("entered"),
        left: changes("left"),
        files: crate::signed::fingerprints(&files),
        public_key: public_key.clone(),
        ..Default::default()
    };
    let mut files = files;
    crate::signed::sign(
        &mut files,
        &format!("manifest-{version}.json"),
        &manifest,
        key,
    )?;
    crate::signed::record(
        ledger,
        actor,
        head,
        SignedFiles {
            version,
            as_of,
            known_on: None,
            made_on: None,
            ledger_seq: head.facts,
            ledger_head: head.hash.to_string(),
            files: Vec::new(),
            public_key,
            shown: rows
                .iter()
                .filter_map(|r| {
                    r.person.map(|person| vigilia_core::fact::Shown {
                        person,
                        named: r.consent == Disclosure::Named,
                    })
                })
                .collect(),
        },
        files,
        Change::ListCertified,
    )
}

/// Version `version` of the certified list, byte for byte as made, each file checked against
/// the SHA-256 its fact carries.
pub fn reproduce(ledger: &mut Ledger, version: u64) -> Result<Files, AppError> {
    let c = certification(ledger, version)?;
    crate::signed::reproduce(ledger, &c)
}
