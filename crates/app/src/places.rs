//! The register of places of detention: each place with its names, type, authority, state,
//! capacity and population; dated observations of its conditions; the people held there; and
//! how the free text people write ("Boleíta", "Zona 7 PNB Boleita") resolves to one place.
//!
//! Places are records of the ledger like detentions (a correction is a new fact). A detention
//! keeps the place as it was written; it is resolved when read, so that an alias added today
//! places every old record written that way, and a text that fits no place, or two, is listed
//! for a coordinator instead of being guessed.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};
use vigilia_core::date::Day;
use vigilia_core::fact::Change;
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{FacilityId, Kind, Subject};
use vigilia_core::model::{
    Custody, Detention, EndType, Facility, FacilityDetails, FacilityType, Observation, Population,
    Role, Step,
};
use vigilia_core::profile::Profile;
use vigilia_core::text::fold;
use vigilia_ledger::{Ledger, Tx};

use crate::actor::{Actor, acting_as, sees_now};
use crate::error::AppError;
use crate::fields::{FieldErrors, Problem};
use crate::records::record;

/// Words that say nothing about which place is meant: articles, and what every place is
/// ("calabozos de", "centro penitenciario de").
const FILLER: [&str; 22] = [
    "a",
    "de",
    "del",
    "la",
    "el",
    "los",
    "las",
    "en",
    "y",
    "sede",
    "centro",
    "carcel",
    "reten",
    "calabozo",
    "calabozos",
    "celda",
    "celdas",
    "penitenciario",
    "penitenciaria",
    "internado",
    "judicial",
    "instituto",
];

/// How a written place resolves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    Place(FacilityId),
    /// Not one place for sure, but these may be meant (`Rodeo`: Rodeo I or Rodeo II; `Lara`:
    /// the prison of that state?): a coordinator decides.
    Suggested(Vec<FacilityId>),
    Unknown,
}

/// The register as it stands, ready to resolve names.
#[derive(Clone, Debug, Default)]
pub struct Register {
    pub places: Vec<Facility>,
    /// Each name and alias, folded, with the places it names.
    exact: HashMap<String, Vec<usize>>,
    /// Each place's words: of its names, its authority, its state (and the state's other
    /// names: Maturín is Monagas), sorted.
    words: Vec<Vec<String>>,
    /// Each name's own words, per place: without the words of any state or of its authority
    /// (`Fénix Lara` is `fénix`): what says which place it is.
    names: Vec<Vec<Vec<String>>>,
}

fn words_of(text: &str) -> Vec<String> {
    fold(text)
        .split(' ')
        .filter(|w| !w.is_empty() && !FILLER.contains(w))
        .map(str::to_string)
        .collect()
}

impl Register {
    pub fn new(mut places: Vec<Facility>, profile: &Profile) -> Register {
        places.sort_by_key(|p| p.id);
        // Every word of every state's names: a place named after its state is not told by it.
        let mut state_words: Vec<String> = profile
            .states
            .entries()
            .iter()
            .flat_map(|s| std::iter::once(&s.name).chain(&s.aliases))
            .flat_map(|n| words_of(n))
            .collect();
        state_words.sort();
        state_words.dedup();
        let mut exact: HashMap<String, Vec<usize>> = HashMap::new();
        let mut words = Vec::new();
        let mut names = Vec::new();
        for (i, p) in places.iter().enumerate() {
            let authority: Vec<String> = p.authority.iter().flat_map(|a| words_of(a)).collect();
            let mut all: Vec<String> = authority.clone();
            let mut mine = Vec::new();
            for n in p.names() {
                let slot = exact.entry(fold(n)).or_default();
                if !slot.contains(&i) {
                    slot.push(i);
                }
                let w = words_of(n);
                all.extend(w.iter().cloned());
                mine.push(
                    w.into_iter()
                        .filter(|w| state_words.binary_search(w).is_err() && !authority.contains(w))
                        .collect::<Vec<_>>(),
                );
            }
            if let Some(s) = p.state.as_deref().and_then(|code| {
                profile
                    .states
                    .entries()
                    .iter()
                    .find(|n| n.code.as_deref() == Some(code))
            }) {
                for n in std::iter::once(&s.name).chain(&s.aliases) {
                    all.extend(words_of(n));
                }
            }
            all.sort();
            all.dedup();
            words.push(all);
            names.push(mine);
        }
        Register {
            places,
            exact,
            words,
            names,
        }
    }

    /// The register as committed (names are resolved by the register as it stands now: an
    /// alias given today places the records written that way before it).
    pub fn load(ledger: &mut Ledger) -> Result<Register, AppError> {
        let mut places = Vec::new();
        ledger.fold_all(Kind::Facility, KnownOn::NOW, &mut |r| {
            if let Record::Facility(f) = r {
                places.push(f);
            }
        })?;
        let profile = ledger.profile()?.clone();
        Ok(Register::new(places, &profile))
    }

    /// The register as it stands in a write.
    pub fn load_tx(tx: &mut Tx<'_>) -> Result<Register, AppError> {
        let mut places = Vec::new();
        tx.fold_all(Kind::Facility, KnownOn::NOW, &mut |r| {
            if let Record::Facility(f) = r {
                places.push(f);
            }
        })?;
        let profile = tx.profile()?.clone();
        Ok(Register::new(places, &profile))
    }

    pub fn get(&self, id: FacilityId) -> Option<&Facility> {
        self.places.iter().find(|p| p.id == id)
    }

    /// The places at these positions of the register.
    fn ids(&self, at: &[usize]) -> Vec<FacilityId> {
        at.iter()
            .filter_map(|&i| self.places.get(i).map(|p| p.id))
            .collect()
    }

    /// One place at this position, or several suggested.
    fn one_or_suggested(&self, at: &[usize]) -> Resolution {
        match self.ids(at).as_slice() {
            [] => Resolution::Unknown,
            [one] => Resolution::Place(*one),
            many => Resolution::Suggested(many.to_vec()),
        }
    }

    /// The place whose name or alias is exactly `text` (accents, capitals and punctuation
    /// aside), if one place has it.
    pub fn named(&self, text: &str) -> Option<FacilityId> {
        match self
            .exact
            .get(&fold(text))
            .map(|at| self.ids(at))
            .as_deref()
        {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// Which place `text` names: one of its names or aliases (accents, capitals and
    /// punctuation aside); else the one place one of whose names is written whole in it, with
    /// nothing written that is not a word of that place (its names, its authority, its state:
    /// `Zona 7 PNB Boleita`, `calabozos de Zona 7`, `La Pica, Maturín`). A name counts by the
    /// words that tell the place (`Fénix` of `Fénix Lara`: `Lara` alone is the state). Else the
    /// places whose words hold every word written are suggested (`Rodeo`: Rodeo I or II), never
    /// taken.
    pub fn resolve(&self, text: &str) -> Resolution {
        let key = fold(text);
        if key.is_empty() {
            return Resolution::Unknown;
        }
        if let Some(found) = self.exact.get(&key) {
            return self.one_or_suggested(found);
        }
        let written = words_of(text);
        if written.is_empty() {
            return Resolution::Unknown;
        }
        let covers = |i: usize| {
            self.words
                .get(i)
                .is_some_and(|words| written.iter().all(|w| words.binary_search(w).is_ok()))
        };
        let mut found: Vec<(usize, &Vec<String>)> = Vec::new();
        for (i, names) in self.names.iter().enumerate() {
            let longest = names
                .iter()
                .filter(|n| !n.is_empty() && n.iter().all(|w| written.contains(w)))
                .max_by_key(|n| n.len());
            if let Some(n) = longest
                && covers(i)
            {
                found.push((i, n));
            }
        }
        // A name held in another's (`Yare` in `Yare III`) is not that other place.
        let kept: Vec<usize> = found
            .iter()
            .filter(|(i, n)| {
                !found
                    .iter()
                    .any(|(j, m)| j != i && m.len() > n.len() && n.iter().all(|w| m.contains(w)))
            })
            .map(|(i, _)| *i)
            .collect();
        if kept.is_empty() {
            let maybe: Vec<usize> = (0..self.places.len()).filter(|&i| covers(i)).collect();
            return match self.ids(&maybe).as_slice() {
                [] => Resolution::Unknown,
                some => Resolution::Suggested(some.to_vec()),
            };
        }
        self.one_or_suggested(&kept)
    }
}

/// A place's entry as typed in a form or a file (aliases separated by `;` or new lines).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlaceForm {
    pub name: String,
    pub aliases: String,
    /// prison, police_cell, intelligence, military, other.
    #[serde(rename = "type")]
    pub kind: String,
    pub authority: String,
    /// A state of the profile, by code, name or alias.
    pub state: String,
    pub capacity: String,
}

fn number(e: &mut FieldErrors, field: &'static str, text: &str) -> Option<u32> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            e.add(field, Problem::NotANumber);
            None
        }
    }
}

impl PlaceForm {
    /// The details it states, checked against the profile.
    fn details(&self, e: &mut FieldErrors, profile: &Profile) -> FacilityDetails {
        let kind = match self.kind.trim() {
            "" => None,
            k => {
                let t = FacilityType::from_name(k);
                if t.is_none() {
                    let names = FacilityType::ALL.map(FacilityType::name).to_vec();
                    e.add("type", Problem::OneOf(names));
                }
                t
            }
        };
        let state = e.line("state", &self.state).and_then(|s| {
            let found = profile.state(&s).and_then(|n| n.code.clone());
            if found.is_none() {
                e.add("state", Problem::NotAState(s));
            }
            found
        });
        let mut aliases = Vec::new();
        for a in self.aliases.split([';', '\n']) {
            if let Some(a) = e.line("aliases", a)
                && !aliases.contains(&a)
            {
                aliases.push(a);
            }
        }
        FacilityDetails {
            state,
            aliases,
            kind,
            authority: e.line("authority", &self.authority),
            capacity: number(e, "capacity", &self.capacity),
        }
    }
}

/// Refuses a name or alias that is already another place's, beside the field it was typed
/// in.
fn taken(
    register: &Register,
    e: &mut FieldErrors,
    me: Option<FacilityId>,
    name: Option<&String>,
    aliases: &[String],
) {
    let others = |n: &String| {
        register
            .exact
            .get(&fold(n))
            .is_some_and(|found| register.ids(found).iter().any(|id| Some(*id) != me))
    };
    if let Some(n) = name.filter(|n| others(n)) {
        e.add("name", Problem::PlaceExists(n.clone()));
    }
    for n in aliases.iter().filter(|n| others(n)) {
        e.add("aliases", Problem::PlaceExists(n.clone()));
    }
}

/// Adds a place to the register (coordinators).
pub fn add_place(tx: &mut Tx<'_>, actor: &Actor, f: &PlaceForm) -> Result<FacilityId, AppError> {
    let actor = acting_as(tx, actor, &[Role::Coordinator])?;
    let profile = tx.profile()?.clone();
    let register = Register::load_tx(tx)?;
    let mut e = FieldErrors::default();
    let name = e.line("name", &f.name);
    if name.is_none() {
        e.add("name", Problem::NothingToRecord);
    }
    let details = f.details(&mut e, &profile);
    taken(&register, &mut e, None, name.as_ref(), &details.aliases);
    let Some(name) = name else {
        return Err(e.into());
    };
    e.check()?;
    let id = FacilityId(tx.new_id(Kind::Facility));
    record(tx, &actor, id, Change::FacilityRecorded { name, details })?;
    Ok(id)
}

/// Corrects a place's entry or adds to it: a new name (the old one stays an alias), aliases,
/// type, authority, state, capacity (coordinators).
pub fn edit_place(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: FacilityId,
    f: &PlaceForm,
) -> Result<(), AppError> {
    let actor = acting_as(tx, actor, &[Role::Coordinator])?;
    let profile = tx.profile()?.clone();
    let register = Register::load_tx(tx)?;
    if register.get(id).is_none() {
        return Err(AppError::NotFound(id.into()));
    }
    let mut e = FieldErrors::default();
    let name = e.line("name", &f.name);
    let details = f.details(&mut e, &profile);
    taken(&register, &mut e, Some(id), name.as_ref(), &details.aliases);
    if name.is_none() && details == FacilityDetails::default() {
        e.add("name", Problem::NothingToRecord);
    }
    e.check()?;
    record(tx, &actor, id, Change::FacilityStated { name, details })
}

/// Adds `text`, exactly as written (one name, whatever it holds), as another name of place
/// `id` (coordinators): what the list of places the register cannot place does.
pub fn add_alias(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: FacilityId,
    text: &str,
) -> Result<(), AppError> {
    let actor = acting_as(tx, actor, &[Role::Coordinator])?;
    let register = Register::load_tx(tx)?;
    if register.get(id).is_none() {
        return Err(AppError::NotFound(id.into()));
    }
    let mut e = FieldErrors::default();
    let Some(alias) = e.line("aliases", text) else {
        e.add("aliases", Problem::NothingToRecord);
        return Err(e.into());
    };
    taken(
        &register,
        &mut e,
        Some(id),
        None,
        std::slice::from_ref(&alias),
    );
    e.check()?;
    let details = FacilityDetails {
        aliases: vec![alias],
        ..FacilityDetails::default()
    };
    record(
        tx,
        &actor,
        id,
        Change::FacilityStated {
            name: None,
            details,
        },
    )
}

/// Who records on place `id` (a coordinator or a lawyer, as their account stands in this
/// write), refused when there is no such place; and today.
fn on_place(tx: &mut Tx<'_>, actor: &Actor, id: FacilityId) -> Result<(Actor, Day), AppError> {
    let actor = acting_as(tx, actor, &[Role::Coordinator, Role::Lawyer])?;
    if !matches!(tx.get(id.into())?, Some(Record::Facility(_))) {
        return Err(AppError::NotFound(id.into()));
    }
    Ok((actor, tx.today()?))
}

/// A population count as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CountForm {
    pub date: String,
    pub count: String,
}

/// Records how many people a place held on a day (coordinators and lawyers).
pub fn count(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: FacilityId,
    f: &CountForm,
) -> Result<(), AppError> {
    let (actor, today) = on_place(tx, actor, id)?;
    let mut e = FieldErrors::default();
    let on = e.required_date("date", &f.date, today);
    let count = number(&mut e, "count", &f.count);
    if count.is_none() && !e.has("count") {
        e.add("count", Problem::NotANumber);
    }
    let (Some(on), Some(count)) = (on, count) else {
        return Err(e.into());
    };
    e.check()?;
    record(
        tx,
        &actor,
        id,
        Change::FacilityCounted(Population { on, count }),
    )
}

/// An observation of conditions as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ObservationForm {
    pub date: String,
    /// One of [`Observation::ASPECTS`].
    pub aspect: String,
    pub note: String,
    pub cost: String,
    pub reported_by: String,
    /// yes, no, or empty (not asked).
    pub may_pass_on: String,
    pub follow_up: String,
}

/// The longest note of an observation.
const NOTE: usize = 4000;

impl ObservationForm {
    fn check(&self, e: &mut FieldErrors, today: Day) -> Option<Observation> {
        let date = e.required_date("date", &self.date, today);
        let aspect = self.aspect.trim().to_string();
        if !Observation::ASPECTS.contains(&aspect.as_str()) {
            e.add("aspect", Problem::OneOf(Observation::ASPECTS.to_vec()));
        }
        let note = self.note.trim().to_string();
        if note.is_empty() {
            e.add("note", Problem::WriteObservation);
        } else if note.chars().count() > NOTE {
            e.add("note", Problem::TooLong { max: NOTE });
        }
        let may_pass_on = match fold(&self.may_pass_on).as_str() {
            "" => None,
            "yes" | "si" | "true" | "1" => Some(true),
            "no" | "false" | "0" => Some(false),
            _ => {
                e.add("may_pass_on", Problem::OneOf(vec!["yes", "no"]));
                None
            }
        };
        Some(Observation {
            date: date?,
            aspect,
            note,
            cost: e.line("cost", &self.cost),
            reported_by: e.line("reported_by", &self.reported_by).map(Into::into),
            may_pass_on,
            follow_up: e.line("follow_up", &self.follow_up),
        })
    }
}

/// Records an observation of a place's conditions (coordinators and lawyers).
pub fn observe(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: FacilityId,
    f: &ObservationForm,
) -> Result<(), AppError> {
    let (actor, today) = on_place(tx, actor, id)?;
    let mut e = FieldErrors::default();
    let observed = f.check(&mut e, today);
    let Some(o) = observed.filter(|_| e.is_empty()) else {
        return Err(e.into());
    };
    record(tx, &actor, id, Change::FacilityObserved(o))
}

/// Puts the profile's places in a register that has none of them yet (a new registry's start):
/// the places the country's organisations already name, with their aliases, state and
/// authority. Returns how many were added.
pub fn seed(tx: &mut Tx<'_>, actor: &Actor) -> Result<usize, AppError> {
    let actor = acting_as(tx, actor, &[Role::Coordinator])?;
    let profile = tx.profile()?.clone();
    let register = Register::load_tx(tx)?;
    let mut added = 0;
    for n in profile.facilities.entries() {
        if register.exact.contains_key(&fold(&n.name)) {
            continue;
        }
        let id = FacilityId(tx.new_id(Kind::Facility));
        let details = FacilityDetails {
            state: n.state.clone(),
            aliases: n.aliases.clone(),
            kind: n.kind.as_deref().and_then(FacilityType::from_name),
            authority: n.agency.clone(),
            capacity: None,
        };
        record(
            tx,
            &actor,
            id,
            Change::FacilityRecorded {
                name: n.name.clone(),
                details,
            },
        )?;
        added += 1;
    }
    Ok(added)
}

/// Where a detention held the person on `as_of`, as written: the last custody step with a
/// place dated by then (undated ones count: the registry cannot place them).
pub fn held_at(d: &Detention, as_of: Day) -> Option<&str> {
    match d.custody_on(as_of)? {
        Custody::Held { facility } | Custody::Hospital { facility } => facility.as_deref(),
        _ => None,
    }
}

/// Every place a detention was written as held at by `as_of` (undated steps count).
fn every_place(d: &Detention, as_of: Day) -> impl Iterator<Item = &str> {
    d.steps
        .iter()
        .filter(move |s| s.date.is_none_or(|x| x.first_day() <= as_of))
        .filter_map(|s| match &s.what {
            Step::Custody(Custody::Held { facility } | Custody::Hospital { facility }) => {
                facility.as_deref()
            }
            _ => None,
        })
}

/// A place as it stood on `as_of` as known on `known_on`: its entry as the register has it
/// now (names are the register's), with the counts and observations dated by `as_of` among
/// those recorded by `known_on`.
fn as_then(
    ledger: &mut Ledger,
    place: &Facility,
    as_of: Day,
    known_on: KnownOn,
) -> Result<Facility, AppError> {
    let mut then = place.clone();
    if known_on != KnownOn::NOW {
        let (populations, observations) = match ledger.as_known_on(place.id.into(), known_on)? {
            Some(Record::Facility(f)) => (f.populations, f.observations),
            _ => (Vec::new(), Vec::new()),
        };
        then.populations = populations;
        then.observations = observations;
    }
    then.populations.retain(|p| p.on.first_day() <= as_of);
    then.observations.retain(|o| o.date.first_day() <= as_of);
    Ok(then)
}

/// A person's name as known on a day.
fn name_of(ledger: &mut Ledger, d: &Detention, known_on: KnownOn) -> Result<String, AppError> {
    let found = if known_on == KnownOn::NOW {
        ledger.get(d.person.into())?
    } else {
        ledger.as_known_on(d.person.into(), known_on)?
    };
    Ok(match found {
        Some(Record::Person(p)) => p.identity.full_name(),
        _ => String::new(),
    })
}

fn held_on(d: &Detention, as_of: Day) -> bool {
    d.arrest.date.first_day() <= as_of && d.end.as_ref().is_none_or(|e| e.date.first_day() > as_of)
}

/// A person on a place's page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub detention: Detention,
    pub name: String,
}

/// A place's page: the place, its people by where they stand (held there now, held there
/// before, died in custody there), and its conditions.
#[derive(Clone, Debug)]
pub struct PlacePage {
    pub place: Facility,
    pub held_now: Vec<Held>,
    pub held_before: Vec<Held>,
    pub died: Vec<Held>,
    /// Observations, newest first, with who reported each opened for a coordinator.
    pub observations: Vec<(Observation, Option<String>)>,
    /// Populations, newest first.
    pub populations: Vec<Population>,
}

fn may_see_places(actor: &Actor) -> Result<(), AppError> {
    if matches!(actor.role, Role::Coordinator | Role::Lawyer) {
        Ok(())
    } else {
        Err(AppError::Forbidden(Subject::REGISTRY))
    }
}

/// A place's page on `as_of`, as known on `known_on`, with the people `actor` sees.
pub fn page(
    ledger: &mut Ledger,
    actor: &Actor,
    id: FacilityId,
    as_of: Day,
    known_on: KnownOn,
) -> Result<PlacePage, AppError> {
    may_see_places(actor)?;
    let register = Register::load(ledger)?;
    let Some(place) = register.get(id).cloned() else {
        return Err(AppError::NotFound(id.into()));
    };
    let place = as_then(ledger, &place, as_of, known_on)?;
    let mut cache: HashMap<String, bool> = HashMap::new();
    let mut is_here = |text: &str| -> bool {
        *cache
            .entry(text.to_string())
            .or_insert_with(|| register.resolve(text) == Resolution::Place(id))
    };
    let (mut now, mut before, mut died) = (Vec::new(), Vec::new(), Vec::new());
    let mut all = Vec::new();
    ledger.fold_all(Kind::Detention, known_on, &mut |r| {
        if let Record::Detention(d) = r
            && d.arrest.date.first_day() <= as_of
        {
            all.push(d);
        }
    })?;
    for d in all {
        let here_now = held_at(&d, as_of).is_some_and(&mut is_here);
        let ever = every_place(&d, as_of).any(&mut is_here);
        // Who may see it is decided on the detention as it stands now, whatever the day.
        if !ever || !sees_now(ledger, actor, d.id)? {
            continue;
        }
        let name = name_of(ledger, &d, known_on)?;
        let ended = d.end.as_ref().filter(|e| e.date.first_day() <= as_of);
        let row = Held {
            detention: d.clone(),
            name,
        };
        if here_now && ended.is_some_and(|e| e.kind == EndType::DiedInCustody) {
            died.push(row);
        } else if here_now && held_on(&d, as_of) {
            now.push(row);
        } else {
            before.push(row);
        }
    }
    // In the alphabet's order, accents aside (Ángel between Alejandro and Beatriz).
    for list in [&mut now, &mut before, &mut died] {
        list.sort_by_cached_key(|h| fold(&h.name));
    }
    let mut observations = Vec::new();
    for o in &place.observations {
        let by = match (&o.reported_by, actor.role) {
            (Some(c), Role::Coordinator) => {
                Some(ledger.reveal(id.into(), vigilia_core::confidential::Field::Contact, c)?)
            }
            _ => None,
        };
        observations.push((o.clone(), by));
    }
    observations.sort_by_key(|(o, _)| std::cmp::Reverse(o.date.first_day()));
    let mut populations: Vec<Population> = place.populations.clone();
    populations.sort_by_key(|p| std::cmp::Reverse(p.on.first_day()));
    Ok(PlacePage {
        place,
        held_now: now,
        held_before: before,
        died,
        observations,
        populations,
    })
}

/// A place in the register's list: how many people the account sees held there on the day,
/// and when its conditions were last observed.
#[derive(Clone, Debug)]
pub struct PlaceRow {
    pub place: Facility,
    pub held: usize,
}

/// A place written in records that the register does not resolve, with how often it is
/// written and the places it could be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    pub text: String,
    pub detentions: usize,
    pub reports: usize,
    pub candidates: Vec<(FacilityId, String)>,
}

/// The register's list and, for a coordinator, what it does not resolve.
#[derive(Clone, Debug)]
pub struct Places {
    pub rows: Vec<PlaceRow>,
    pub unresolved: Vec<Unresolved>,
}

/// Every place with how many people `actor` sees held there on `as_of`, and the places
/// written in detentions and reports that the register does not resolve (most written
/// first).
pub fn places(
    ledger: &mut Ledger,
    actor: &Actor,
    as_of: Day,
    known_on: KnownOn,
) -> Result<Places, AppError> {
    register_on(
        ledger,
        actor,
        as_of,
        known_on,
        actor.role == Role::Coordinator,
    )
}

/// The register on a day, with the places written that it does not resolve when `unresolved`
/// (a coordinator's list; "Para hoy" needs only the people held).
fn register_on(
    ledger: &mut Ledger,
    actor: &Actor,
    as_of: Day,
    known_on: KnownOn,
    unresolved: bool,
) -> Result<Places, AppError> {
    may_see_places(actor)?;
    let register = Register::load(ledger)?;
    let mut held: HashMap<FacilityId, usize> = HashMap::new();
    let mut written: BTreeMap<String, (String, usize, usize)> = BTreeMap::new();
    let mut resolved: HashMap<String, Resolution> = HashMap::new();
    let mut all = Vec::new();
    ledger.fold_all(Kind::Detention, known_on, &mut |r| {
        if let Record::Detention(d) = r {
            all.push(d);
        }
    })?;
    for d in all {
        if !sees_now(ledger, actor, d.id)? {
            continue;
        }
        let mut seen_here: Vec<String> = Vec::new();
        for text in every_place(&d, as_of).filter(|_| unresolved) {
            let key = fold(text);
            if seen_here.contains(&key) {
                continue;
            }
            seen_here.push(key.clone());
            let r = resolved
                .entry(key.clone())
                .or_insert_with(|| register.resolve(text));
            if !matches!(r, Resolution::Place(_)) {
                written.entry(key).or_insert((text.to_string(), 0, 0)).1 += 1;
            }
        }
        if held_on(&d, as_of)
            && let Some(text) = held_at(&d, as_of)
            && let Resolution::Place(p) = resolved
                .entry(fold(text))
                .or_insert_with(|| register.resolve(text))
        {
            *held.entry(*p).or_default() += 1;
        }
    }
    if unresolved {
        let mut reports = Vec::new();
        ledger.fold_all(Kind::Report, known_on, &mut |r| {
            if let Record::Report(r) = r
                && let Some(f) = r.details.as_ref().and_then(|d| d.facility.clone())
            {
                reports.push(f);
            }
        })?;
        for text in reports {
            let key = fold(&text);
            let r = resolved
                .entry(key.clone())
                .or_insert_with(|| register.resolve(&text));
            if !matches!(r, Resolution::Place(_)) {
                written.entry(key).or_insert((text.clone(), 0, 0)).2 += 1;
            }
        }
    }
    let mut unresolved: Vec<Unresolved> = if unresolved {
        written
            .into_iter()
            .map(|(key, (text, detentions, reports))| {
                let candidates = match resolved.get(&key) {
                    Some(Resolution::Suggested(ids)) => ids
                        .iter()
                        .filter_map(|i| register.get(*i).map(|p| (*i, p.name.clone())))
                        .collect(),
                    _ => Vec::new(),
                };
                Unresolved {
                    text,
                    detentions,
                    reports,
                    candidates,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    unresolved.sort_by_key(|u| std::cmp::Reverse(u.detentions + u.reports));
    let mut rows = Vec::new();
    for p in &register.places {
        rows.push(PlaceRow {
            place: as_then(ledger, p, as_of, known_on)?,
            held: held.get(&p.id).copied().unwrap_or(0),
        });
    }
    Ok(Places { rows, unresolved })
}

/// A place whose conditions were last observed too long ago, or never, while people `actor`
/// sees are held there: the day its report became due (for one never observed, the day it
/// entered the register, or `as_of`: it is due now), and whether it was ever observed.
pub fn stale(
    ledger: &mut Ledger,
    actor: &Actor,
    as_of: Day,
    known_on: KnownOn,
    days: u32,
) -> Result<Vec<(Facility, Day, bool)>, AppError> {
    let list = register_on(ledger, actor, as_of, known_on, false)?;
    let mut out = Vec::new();
    for row in list.rows {
        if row.held == 0 {
            continue;
        }
        match row.place.last_observed() {
            None => {
                let since = row
                    .place
                    .recorded_on
                    .filter(|d| *d <= as_of)
                    .unwrap_or(as_of);
                out.push((row.place, since, false));
            }
            Some(last) => {
                let Ok(due) = last.checked_add(jiff::Span::new().days(i64::from(days))) else {
                    continue;
                };
                if due < as_of {
                    out.push((row.place, due, true));
                }
            }
        }
    }
    Ok(out)
}

/// What a file of places or observations did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub added: usize,
    pub updated: usize,
    pub observations: usize,
    pub counts: usize,
}

/// A line of a places or observations file that cannot be read: its line number (the header
/// is line 1) and what is wrong, field by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineErrors {
    pub line: u64,
    pub errors: FieldErrors,
}

/// Reads a places CSV (`docs/formats/facilities.md`; `source` names it in messages): `name` and optionally `aliases`,
/// `type`, `authority`, `state`, `capacity`, `population`, `population_on`. A row whose name
/// resolves to a place adds to it; any other is a new place. Every line is checked before
/// anything is written: a wrong line fails the import ([`AppError::BadLines`], every wrong line
/// named), so its transaction writes nothing.
pub fn import_places(
    tx: &mut Tx<'_>,
    actor: &Actor,
    source: &Path,
    csv_text: &[u8],
) -> Result<Imported, AppError> {
    let actor = acting_as(tx, actor, &[Role::Coordinator])?;
    let today = tx.today()?;
    let rows = read_csv(source, csv_text, &["name"])?;
    let mut bad = Vec::new();
    let mut done = Imported::default();
    for (line, row) in rows {
        let get = |k: &str| row.get(k).cloned().unwrap_or_default();
        let form = PlaceForm {
            name: get("name"),
            aliases: get("aliases"),
            kind: get("type"),
            authority: get("authority"),
            state: get("state"),
            capacity: get("capacity"),
        };
        // A row adds to the place that has exactly that name (never to a place it only looks
        // like: "Yare II" is not Yare I).
        let existing = Register::load_tx(tx)?.named(&form.name);
        let outcome = match existing {
            Some(id) => edit_place(
                tx,
                &actor,
                id,
                &PlaceForm {
                    name: String::new(),
                    ..form.clone()
                },
            )
            .map(|()| id)
            .inspect(|_| done.updated += 1),
            None => add_place(tx, &actor, &form).inspect(|_| done.added += 1),
        };
        let id = match outcome {
            Ok(id) => Some(id),
            Err(AppError::Invalid(errors)) => {
                // "Nothing to record" on a place already there with nothing new is fine.
                if existing.is_some() && errors.iter().all(|(_, p)| *p == Problem::NothingToRecord)
                {
                    existing
                } else {
                    bad.push(LineErrors { line, errors });
                    None
                }
            }
            Err(other) => return Err(other),
        };
        let (pop, on) = (get("population"), get("population_on"));
        if let Some(id) = id
            && !(pop.trim().is_empty() && on.trim().is_empty())
        {
            let mut e = FieldErrors::default();
            let on = e.required_date("population_on", &on, today);
            let n = number(&mut e, "population", &pop);
            match (on, n, e.is_empty()) {
                (Some(on), Some(count), true) => {
                    record(
                        tx,
                        &actor,
                        id,
                        Change::FacilityCounted(Population { on, count }),
                    )?;
                    done.counts += 1;
                }
                _ => {
                    if !e.has("population") && n.is_none() {
                        e.add("population", Problem::NotANumber);
                    }
                    bad.push(LineErrors { line, errors: e })
                }
            }
        }
    }
    if bad.is_empty() {
        Ok(done)
    } else {
        Err(AppError::BadLines(bad))
    }
}

/// Reads an observations CSV (`docs/formats/facilities.md`): `place`, `date`, `aspect`,
/// `note` and optionally `cost`, `reported_by`, `may_pass_on`, `follow_up`. The place must
/// resolve to one place of the register. All or nothing, as [`import_places`].
pub fn import_observations(
    tx: &mut Tx<'_>,
    actor: &Actor,
    source: &Path,
    csv_text: &[u8],
) -> Result<Imported, AppError> {
    let actor = acting_as(tx, actor, &[Role::Coordinator, Role::Lawyer])?;
    let today = tx.today()?;
    let rows = read_csv(source, csv_text, &["place", "date", "aspect", "note"])?;
    let register = Register::load_tx(tx)?;
    let mut bad = Vec::new();
    let mut done = Imported::default();
    for (line, row) in rows {
        let get = |k: &str| row.get(k).cloned().unwrap_or_default();
        let mut e = FieldErrors::default();
        let place = get("place");
        let id = match register.resolve(&place) {
            Resolution::Place(id) => Some(id),
            _ => {
                e.add("place", Problem::NotAPlace(place.trim().to_string()));
                None
            }
        };
        let form = ObservationForm {
            date: get("date"),
            aspect: get("aspect"),
            note: get("note"),
            cost: get("cost"),
            reported_by: get("reported_by"),
            may_pass_on: get("may_pass_on"),
            follow_up: get("follow_up"),
        };
        let o = form.check(&mut e, today);
        match (id, o, e.is_empty()) {
            (Some(id), Some(o), true) => {
                record(tx, &actor, id, Change::FacilityObserved(o))?;
                done.observations += 1;
            }
            _ => bad.push(LineErrors { line, errors: e }),
        }
    }
    if bad.is_empty() {
        Ok(done)
    } else {
        Err(AppError::BadLines(bad))
    }
}

/// The rows of a CSV file by column name (header folded: `Name`, ` name ` are `name`), each
/// with its line number; refused when a needed column is missing.
/// A line of a file: its number, and its cells by column name.
type Line = (u64, HashMap<String, String>);

fn read_csv(source: &Path, text: &[u8], needed: &[&'static str]) -> Result<Vec<Line>, AppError> {
    let mut csv =
        crate::import::rows::Csv::new(text).map_err(|e| AppError::BadFile(e.to_string()))?;
    let header: Vec<String> = (csv.header().iter())
        .map(|h| fold(h).replace(' ', "_"))
        .collect();
    for n in needed {
        if !header.iter().any(|h| h == n) {
            return Err(AppError::NoColumn(n));
        }
    }
    let mut out = Vec::new();
    let mut moved = Vec::new();
    while let Some(row) = csv.read_row() {
        let (line, record) = row.map_err(|row| AppError::BadRow {
            path: source.to_path_buf(),
            row: Box::new(row),
        })?;
        // A comma too many or too few moves the cells after it into other columns.
        if record.len() != header.len() {
            let mut errors = FieldErrors::default();
            let (expected, found) = (header.len(), record.len());
            errors.add("*", Problem::Width { expected, found });
            moved.push(LineErrors { line, errors });
        }
        let row = header
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_string))
            .collect();
        out.push((line, row));
    }
    if !moved.is_empty() {
        return Err(AppError::BadLines(moved));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The register a new Venezuelan registry starts with: the profile's places.
    fn register() -> Register {
        let profile = Profile::venezuela().unwrap();
        let places = profile
            .facilities
            .entries()
            .iter()
            .enumerate()
            .map(|(i, n)| Facility {
                id: FacilityId(i as u64 + 1),
                name: n.name.clone(),
                state: n.state.clone(),
                aliases: n.aliases.clone(),
                kind: None,
                authority: n.agency.clone(),
                capacity: None,
                populations: Vec::new(),
                observations: Vec::new(),
                recorded_on: None,
            })
            .collect();
        Register::new(places, &profile)
    }

    fn name(r: &Register, text: &str) -> Option<String> {
        match r.resolve(text) {
            Resolution::Place(id) => r.get(id).map(|p| p.name.clone()),
            _ => None,
        }
    }

    #[test]
    fn the_ways_people_write_a_place_resolve_to_it() {
        let r = register();
        for text in [
            "Boleíta",
            "boleita",
            "Zona 7",
            "Zona 7 PNB Boleita",
            "ZONA 7 (PNB), Boleíta",
            "calabozos de Zona 7",
            "zona 7 de boleíta, Miranda",
        ] {
            assert_eq!(name(&r, text).as_deref(), Some("Zona 7 Boleíta"), "{text}");
        }
        assert_eq!(
            name(&r, "el helicoide sebin").as_deref(),
            Some("El Helicoide")
        );
        assert_eq!(name(&r, "DGCIM Boleita").as_deref(), Some("DGCIM Boleíta"));
        assert_eq!(name(&r, "La Pica, Maturín").as_deref(), Some("La Pica"));
    }

    #[test]
    fn a_place_that_fits_two_or_none_is_not_guessed() {
        let r = register();
        let suggested = |text: &str| match r.resolve(text) {
            Resolution::Suggested(ids) => ids
                .iter()
                .map(|i| r.get(*i).unwrap().name.clone())
                .collect::<Vec<_>>(),
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(suggested("Rodeo"), ["Rodeo I", "Rodeo II"]);
        // A state, an agency, a number or a word of a name alone: a suggestion at most.
        assert_eq!(suggested("Lara"), ["Fénix Lara"]);
        assert_eq!(suggested("Monagas"), ["La Pica"]);
        assert_eq!(suggested("7"), ["Zona 7 Boleíta"]);
        assert_eq!(suggested("Zona"), ["Zona 7 Boleíta"]);
        for text in [
            "Calabozos PNB La Yaguara",
            "   ",
            "de la",
            "Yare II",
            "Boleíta Norte",
        ] {
            assert_eq!(r.resolve(text), Resolution::Unknown, "{text}");
        }
        // Two places both named in the text: neither.
        assert!(!matches!(
            r.resolve("trasladado de Yare III a Tocorón"),
            Resolution::Place(_)
        ));
    }
}
