//! What the public may know of who is held: consent to publish, and the public list.
//!
//! A person's consent to publish (`named`, `initials`, `count_only`) is a dated decision with
//! who recorded it (the fact's actor) and who gave it (the family, the person, their lawyer).
//! A lower level is a withdrawal. Every output made after a decision follows it, whatever day
//! the output is about: a list of last year made today leaves out a name withdrawn yesterday.
//!
//! The public list of a day is the balance's political prisoners of that day: the full name
//! and state of those `named`, the initials and state of those `initials`, and only the number
//! of those `count_only`. The listed and the counted-only add up to the figure.

use serde::{Deserialize, Serialize};
use vigilia_core::date::{Day, PartialDate};
use vigilia_core::fact::Change;
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{DetentionId, PersonId};
use vigilia_core::model::{ConsentGiver, Disclosure, Identity, Role};
use vigilia_count::Index;
use vigilia_count::list::{Figure, Selector, behind};
use vigilia_ledger::{Ledger, Tx};

use crate::actor::Actor;
use crate::error::AppError;
use crate::fields::{FieldErrors, Problem};
use crate::records::record;

/// A consent as typed: the level, and who gave it.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ConsentForm {
    /// named, initials or count_only.
    pub level: String,
    /// family, person or lawyer.
    pub given_by: String,
}

/// Records a consent to publish (or its withdrawal) for a person, by a coordinator or a lawyer
/// who sees one of the person's detentions.
pub fn set_consent(
    tx: &mut Tx<'_>,
    actor: &Actor,
    person: PersonId,
    f: &ConsentForm,
) -> Result<(), AppError> {
    let (actor, p) = crate::identity::person_to_change(tx, actor, person)?;
    let mut e = FieldErrors::default();
    let level = Disclosure::from_name(f.level.trim());
    if level.is_none() {
        e.add("level", Problem::ChooseConsent);
    }
    let given_by = ConsentGiver::from_name(f.given_by.trim());
    if given_by.is_none() {
        e.add("given_by", Problem::ChooseAnOption);
    }
    let (Some(level), Some(given_by)) = (level, given_by) else {
        return Err(e.into());
    };
    if p.disclosure == level && p.consent_by == Some(given_by) {
        return Ok(());
    }
    // A withdrawal holds at once, whoever records it. Publishing more (a name where there were
    // initials or a count) shows on pages already published, so it takes a coordinator: one
    // lawyer's account alone cannot name anyone.
    if level != p.disclosure
        && stricter(level, p.disclosure) == p.disclosure
        && actor.role != Role::Coordinator
    {
        let mut e = FieldErrors::default();
        e.add("level", Problem::RaiseByCoordinator);
        return Err(e.into());
    }
    record(
        tx,
        &actor,
        person,
        Change::DisclosureSet {
            level,
            given_by: Some(given_by),
        },
    )
}

/// One person on the public list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicRow {
    /// The full name, or the initials (`J. G. P. R.`).
    pub name: String,
    /// Whether `name` is the full name (consent `named`) or initials.
    pub named: bool,
    /// The state of the arrest, by name.
    pub state: Option<String>,
    /// The arrest's date, for those named only.
    pub arrested: Option<PartialDate>,
    /// Who it is (never published: what a withdrawal of consent is checked against).
    #[serde(skip)]
    pub person: vigilia_core::ids::PersonId,
}

/// The public list of a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicList {
    pub as_of: Day,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_on: Option<Day>,
    /// The figure the list stands for: political prisoners that day.
    pub political_prisoners: usize,
    /// Named or by initials, in the order of their surnames.
    pub listed: Vec<PublicRow>,
    /// Counted, never named.
    pub counted_only: usize,
}

/// The public list as CSV: `name,listed_as,state,arrest_date`, one row per person listed (the
/// counted only are a count, never a row).
pub fn list_csv(list: &PublicList) -> String {
    let rows: Vec<[String; 4]> = list
        .listed
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                if r.named { "named" } else { "initials" }.to_string(),
                r.state.clone().unwrap_or_default(),
                r.arrested.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    crate::counting::csv_table(&["name", "listed_as", "state", "arrest_date"], &rows)
}

/// `J. G. P. R.`: the first letter of each given name and surname.
pub fn initials(identity: &Identity) -> String {
    let words = [
        identity.given_names.as_deref(),
        identity.paternal_surname.as_deref(),
        identity.maternal_surname.as_deref(),
    ];
    words
        .into_iter()
        .flatten()
        .flat_map(str::split_whitespace)
        .filter_map(|w| w.chars().find(|c| c.is_alphabetic()))
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The stricter of two consents (counted only, then initials, then named).
pub(crate) fn stricter(a: Disclosure, b: Disclosure) -> Disclosure {
    let rank = |d: Disclosure| match d {
        Disclosure::CountOnly => 2,
        Disclosure::Initials => 1,
        Disclosure::Named => 0,
    };
    if rank(a) >= rank(b) { a } else { b }
}

/// The person as the public may know them now: the one they were merged into, if they were
/// (whose consent then decides); merges are never chained, and a broken chain stops.
pub fn published_person(
    ledger: &mut Ledger,
    id: PersonId,
) -> Result<Option<vigilia_core::model::Person>, AppError> {
    let mut person = match ledger.get(id.into())? {
        Some(Record::Person(p)) => p,
        _ => return Ok(None),
    };
    // The strictest consent of the records merged: one family's refusal is not overridden by
    // another record's consent.
    let mut strictest = person.disclosure;
    for _ in 0..8 {
        let Some(into) = person.merged_into else {
            person.disclosure = strictest;
            return Ok(Some(person));
        };
        person = match ledger.get(into.into())? {
            Some(Record::Person(p)) => p,
            _ => return Ok(None),
        };
        strictest = stricter(strictest, person.disclosure);
    }
    Ok(None)
}

/// The public list of the political prisoners of `as_of` as known on `known_on` (and, for a
/// published balance, recorded by its ledger position `until_seq`), each shown as their
/// consent in force now allows; no state is given where fewer than `below` people of it are
/// counted only (the smallest group the public figures show).
pub fn public_list(
    ledger: &mut Ledger,
    index: &Index,
    as_of: Day,
    known_on: KnownOn,
    until_seq: Option<u64>,
    below: u64,
) -> Result<PublicList, AppError> {
    let selector = Selector {
        figure: Figure::PoliticalPrisoners,
        dim: None,
    };
    let mut ids = behind(index, as_of, known_on, &selector);
    // A published balance's list: what was in the ledger when it was counted, not what was
    // recorded later the same day.
    if let Some(until) = until_seq {
        let mut kept = Vec::new();
        for id in ids {
            let first = ledger
                .changes(DetentionId(id).into())?
                .first()
                .map(|f| f.seq);
            if first.is_some_and(|seq| seq <= until) {
                kept.push(id);
            }
        }
        ids = kept;
    }
    let profile = ledger.profile()?.clone();
    let mut listed = Vec::new();
    let mut counted_only = 0;
    let mut hidden_by_state: std::collections::HashMap<Option<String>, u64> =
        std::collections::HashMap::new();
    let mut keys = Vec::new();
    for id in &ids {
        // The detention as known then (it is that day's figure); the person, and the
        // consent, as they stand now.
        let found = if known_on == KnownOn::NOW {
            ledger.get(DetentionId(*id).into())?
        } else {
            ledger.as_known_on(DetentionId(*id).into(), known_on)?
        };
        let Some(Record::Detention(d)) = found else {
            counted_only += 1;
            continue;
        };
        let Some(p) = published_person(ledger, d.person)? else {
            counted_only += 1;
            continue;
        };
        let state = d
            .arrest
            .state
            .as_deref()
            .map(|code| profile.state_name(code).unwrap_or(code).to_string());
        let key = vigilia_core::text::fold(&format!(
            "{} {}",
            p.identity.surnames(),
            p.identity.given_names.as_deref().unwrap_or_default()
        ));
        match p.disclosure {
            Disclosure::Named if !p.identity.full_name().trim().is_empty() => {
                keys.push(key);
                listed.push(PublicRow {
                    name: p.identity.full_name(),
                    named: true,
                    state,
                    arrested: Some(d.arrest.date),
                    person: p.id,
                });
            }
            Disclosure::Initials if !initials(&p.identity).is_empty() => {
                keys.push(key);
                listed.push(PublicRow {
                    name: initials(&p.identity),
                    named: false,
                    state,
                    arrested: None,
                    person: p.id,
                });
            }
            _ => {
                counted_only += 1;
                *hidden_by_state.entry(state).or_insert(0u64) += 1;
            }
        }
    }
    // A state's published figure minus the names listed there gives the people counted only
    // there. Where they are fewer than the smallest group shown, the listed of that state are
    // listed without it; and the states left out together must hide at least that many, or
    // the published figures minus the rows left without a state would still count them: more
    // states are left out (those hiding the fewest first), and if that is not enough, none is
    // given.
    let mut small: Vec<(u64, Option<String>)> = hidden_by_state
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(state, n)| (*n, state.clone()))
        .collect();
    small.sort();
    let mut left_out: std::collections::HashSet<Option<String>> = small
        .iter()
        .filter(|(n, _)| *n < below)
        .map(|(_, state)| state.clone())
        .collect();
    let hidden = |out: &std::collections::HashSet<Option<String>>| -> u64 {
        out.iter().filter_map(|s| hidden_by_state.get(s)).sum()
    };
    for (_, state) in &small {
        if left_out.is_empty() || hidden(&left_out) >= below {
            break;
        }
        left_out.insert(state.clone());
    }
    let none = !left_out.is_empty() && hidden(&left_out) < below;
    for row in &mut listed {
        if none || left_out.contains(&row.state) {
            row.state = None;
        }
    }
    // The named by surname, then the initials by their letters alone: where initials would sort
    // among names, the order would tell their surnames.
    let mut order: Vec<usize> = (0..listed.len()).collect();
    order.sort_by_key(|&i| {
        let row = listed.get(i);
        (
            row.is_some_and(|r| !r.named),
            match row {
                Some(r) if !r.named => r.name.clone(),
                _ => keys.get(i).cloned().unwrap_or_default(),
            },
        )
    });
    let listed = order
        .into_iter()
        .filter_map(|i| listed.get(i).cloned())
        .collect();
    Ok(PublicList {
        as_of,
        known_on: known_on.0,
        political_prisoners: ids.len(),
        listed,
        counted_only,
    })
}
