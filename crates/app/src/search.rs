//! Finding a person by name or cédula without reading every person: the words of every name and
//! alias (folded: accents and case aside), each with the persons named so; how each word sounds;
//! and the cédula numbers. A search reads the index for the persons who may match and then reads
//! only those, checking each against the search as the person now stands (`records::search`).
//!
//! The index may say more than is true, never less: when a person changes, their new words are
//! added and their old ones are left (the check on reading drops a person who no longer
//! matches). So it is kept current by adding the persons changed since it was built.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{Kind, Subject};
use vigilia_core::model::{Identity, Person};
use vigilia_core::text::fold;
use vigilia_ledger::{Ledger, LedgerError};

/// A word as searched: folded, and as it sounds (`j` and `y` alike: Yusleidy, Jusleidy).
pub fn by_ear(word: &str) -> String {
    vigilia_matching::phonetic::key(word).replace('j', "y")
}

/// The shortest word searched by how it sounds.
pub const BY_EAR_FROM: usize = 4;

/// The fewest digits searched as a cédula.
pub const CEDULA_FROM: usize = 5;

/// The words of a person's name and aliases, folded.
pub fn name_words(identity: &Identity) -> Vec<String> {
    fold(&format!(
        "{} {}",
        identity.full_name(),
        identity.aliases.join(" ")
    ))
    .split_whitespace()
    .map(str::to_string)
    .collect()
}

/// The persons by the words of their names, how those sound, and their cédulas.
#[derive(Clone, Debug, Default)]
pub struct SearchIndex {
    /// Each word, with the persons whose name or alias has it (ascending, each once).
    words: BTreeMap<Box<str>, Vec<u64>>,
    /// How a word sounds, with the words that sound so.
    ears: HashMap<Box<str>, BTreeSet<Box<str>>>,
    /// Cédula numbers with their persons.
    cedulas: HashMap<String, Vec<u64>>,
    /// The persons merged into each.
    merged: HashMap<u64, Vec<u64>>,
    persons: usize,
}

impl SearchIndex {
    /// The index of every person of the registry as it stands.
    pub fn of(ledger: &mut Ledger) -> Result<SearchIndex, LedgerError> {
        let mut index = SearchIndex::default();
        ledger.fold_all(Kind::Person, KnownOn::NOW, &mut |r| {
            if let Record::Person(p) = r {
                index.add_person(&p);
            }
        })?;
        Ok(index)
    }

    /// Adds the persons among `touched` as they now stand (the index of persons changed since
    /// it was built).
    pub fn update(&mut self, ledger: &mut Ledger, touched: &[Subject]) -> Result<(), LedgerError> {
        for s in touched.iter().filter(|s| s.kind == Kind::Person) {
            if let Some(Record::Person(p)) = ledger.get(*s)? {
                self.add_person(&p);
            }
        }
        Ok(())
    }

    fn add_person(&mut self, p: &Person) {
        self.add(p.id.0, &p.identity);
        if let Some(into) = p.merged_into {
            insert_sorted(self.merged.entry(into.0).or_default(), p.id.0);
        }
    }

    /// The persons that may have been merged into `id` (a superset, to be checked).
    pub fn merged_into(&self, id: u64) -> &[u64] {
        self.merged.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The index of `persons`.
    pub fn build<'a>(persons: impl IntoIterator<Item = (u64, &'a Identity)>) -> SearchIndex {
        let mut index = SearchIndex::default();
        for (id, identity) in persons {
            index.add(id, identity);
        }
        index
    }

    /// Adds a person as they now stand (what they were named before stays: see the module).
    pub fn add(&mut self, id: u64, identity: &Identity) {
        self.persons += 1;
        for w in name_words(identity) {
            // Every word of a name by how it sounds (a searched word of four letters or more
            // finds a shorter one that sounds the same: Jhon finds Yon).
            let sounds = self.ears.entry(by_ear(&w).into()).or_default();
            if !sounds.contains(w.as_str()) {
                sounds.insert(w.clone().into());
            }
            let ids = self.words.entry(w.into()).or_default();
            insert_sorted(ids, id);
        }
        if let Some(n) = identity.national_id {
            insert_sorted(self.cedulas.entry(n.number.to_string()).or_default(), id);
        }
    }

    /// How many persons were added (a person changed counts again).
    pub fn len(&self) -> usize {
        self.persons
    }

    pub fn is_empty(&self) -> bool {
        self.persons == 0
    }

    /// The persons whose cédula is `n`'s number, ascending.
    pub fn with_national_id(&self, n: &vigilia_core::national_id::NationalId) -> &[u64] {
        self.cedulas
            .get(&n.number.to_string())
            .map_or(&[], Vec::as_slice)
    }

    /// The persons who may match `q` (every word of it begins a word of their name, or sounds
    /// like one; or its digits are their cédula), ascending: a superset, to be checked.
    pub fn candidates(&self, q: &str) -> Vec<u64> {
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let mut out: Option<Vec<u64>> = None;
        for w in fold(q).split_whitespace() {
            let mut these: Vec<u64> = Vec::new();
            for (_, ids) in self
                .words
                .range::<str, _>((std::ops::Bound::Included(w), std::ops::Bound::Unbounded))
                .take_while(|(word, _)| word.starts_with(w))
            {
                these.extend_from_slice(ids);
            }
            if w.chars().count() >= BY_EAR_FROM
                && let Some(sounds) = self.ears.get(by_ear(w).as_str())
            {
                for word in sounds {
                    if let Some(ids) = self.words.get(word) {
                        these.extend_from_slice(ids);
                    }
                }
            }
            these.sort_unstable();
            these.dedup();
            out = Some(match out {
                None => these,
                Some(before) => intersect(&before, &these),
            });
        }
        let mut out = out.unwrap_or_default();
        if digits.len() >= CEDULA_FROM
            && let Some(ids) = self.cedulas.get(&digits)
        {
            out.extend_from_slice(ids);
            out.sort_unstable();
            out.dedup();
        }
        out
    }
}

fn insert_sorted(ids: &mut Vec<u64>, id: u64) {
    if let Err(at) = ids.binary_search(&id) {
        ids.insert(at, id);
    }
}

/// What two ascending lists share.
fn intersect(a: &[u64], b: &[u64]) -> Vec<u64> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(*x);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigilia_core::national_id::NationalId;

    fn named(given: &str, paternal: &str, maternal: &str, cedula: Option<&str>) -> Identity {
        Identity {
            given_names: Some(given.into()),
            paternal_surname: Some(paternal.into()),
            maternal_surname: Some(maternal.into()),
            national_id: cedula.map(|c| NationalId::parse(c).unwrap()),
            ..Identity::default()
        }
    }

    #[test]
    fn a_person_is_found_by_the_start_of_each_word_by_ear_or_by_cedula() {
        let people = [
            (
                1,
                named("José Gregorio", "González", "Pérez", Some("V-12.345.678")),
            ),
            (2, named("Yusleidy", "Rodríguez", "Díaz", None)),
            (3, named("María", "González", "Ramírez", Some("V-9876543"))),
            (4, named("Yon", "Quevedo", "", None)),
        ];
        let index = SearchIndex::build(people.iter().map(|(id, i)| (*id, i)));
        assert_eq!(index.candidates("gonz"), vec![1, 3]);
        assert_eq!(index.candidates("GONZALEZ perez"), vec![1]);
        // As it sounds: Gonzales, Jusleidy.
        assert_eq!(index.candidates("Gonzales"), vec![1, 3]);
        assert_eq!(index.candidates("jusleidy"), vec![2]);
        // A short name, found by a longer spelling that sounds the same.
        assert_eq!(index.candidates("Jhon Quevedo"), vec![4]);
        assert_eq!(index.candidates("12.345.678"), vec![1]);
        assert_eq!(index.candidates("V-9876543"), vec![3]);
        assert!(
            index.candidates("1234").is_empty(),
            "four digits are no cédula"
        );
        assert!(index.candidates("pedro").is_empty());
        assert!(index.candidates("").is_empty());
    }

    #[test]
    fn a_person_renamed_is_found_by_the_new_name_and_the_old_is_left_to_the_check() {
        let mut index = SearchIndex::default();
        index.add(7, &named("Ana", "Pérez", "", None));
        index.add(7, &named("Ana", "Mendoza", "", None));
        assert_eq!(index.candidates("mendoza"), vec![7]);
        // Still offered under the old name: the search reads the person and drops them.
        assert_eq!(index.candidates("perez"), vec![7]);
        assert_eq!(index.len(), 2);
    }
}
