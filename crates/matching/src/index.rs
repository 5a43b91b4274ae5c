//! Online matching: each new report gets its ranked candidate persons at once. The index holds
//! every person's blocking keys (the rules of [`crate::dedupe`]), so a report is compared only
//! with the persons sharing a key with it; it is kept current as facts arrive (a person stated
//! or corrected is [`Index::put`] again, a person merged away is [`Index::remove`]d). The model
//! takes `u` and the names' shares from the persons; `m` is the stated prior (a registry has no
//! duplicates to learn it from), and the chance before comparing (`lambda`) for a new report
//! is one half over the persons.

use std::collections::HashMap;

use crate::compare::{Comparison, Features, Frequencies, compare};
use crate::dedupe::{BLOCK_LIMIT, RULES, Rule, fingerprints, keys, learn};
use crate::model::Model;
use crate::report::Report;

/// One candidate person for a report.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub person: u64,
    pub probability: f64,
    pub comparison: Comparison,
}

/// The persons, by their blocking keys.
#[derive(Clone, Debug)]
pub struct Index {
    features: Vec<Option<Features>>,
    persons: Vec<u64>,
    slots: HashMap<u64, u32>,
    blocks: HashMap<u64, Vec<u32>>,
    freq: Frequencies,
    model: Model,
}

impl Index {
    /// Indexes `persons` (each with its id, as a report) and learns the model from them.
    pub fn build(persons: Vec<(u64, Report)>) -> Index {
        let mut freq = Frequencies::default();
        let (ids, features): (Vec<u64>, Vec<Features>) =
            persons.into_iter().map(|(id, r)| (id, freq.add(r))).unzip();
        // u and the names' shares are learned from the persons; m is not: a registry holds each
        // person once (merges take the others out), so its pairs have no matches to learn from,
        // and EM on them would learn the shape of namesakes. m stays the stated prior.
        let mut model = learn(&features, &freq, &[], &fingerprints(&features, &freq));
        // A new report is as likely as not about someone already registered, and then about any
        // one of them: that is the chance it is about a given person before its values are seen.
        model.lambda = 0.5 / features.len().max(1) as f64;
        let mut index = Index {
            features: Vec::with_capacity(features.len()),
            persons: Vec::with_capacity(features.len()),
            slots: HashMap::with_capacity(features.len()),
            blocks: HashMap::new(),
            freq,
            model,
        };
        for (id, f) in ids.into_iter().zip(features) {
            index.insert(id, f);
        }
        index
    }

    /// The model the index scores with.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// How many persons are indexed.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn insert(&mut self, id: u64, f: Features) {
        let slot = self.features.len() as u32;
        for (_, k) in keys(&f) {
            self.blocks.entry(k).or_default().push(slot);
        }
        self.features.push(Some(f));
        self.persons.push(id);
        self.slots.insert(id, slot);
    }

    /// Adds a person, or replaces what the index knew of them.
    pub fn put(&mut self, id: u64, report: Report) {
        self.remove(id);
        let f = self.freq.add(report);
        self.insert(id, f);
    }

    /// Takes a person out (merged into another, or deleted).
    pub fn remove(&mut self, id: u64) {
        let Some(slot) = self.slots.remove(&id) else {
            return;
        };
        if let Some(old) = self.features.get_mut(slot as usize).and_then(Option::take) {
            for (_, k) in keys(&old) {
                if let Some(b) = self.blocks.get_mut(&k) {
                    b.retain(|s| *s != slot);
                }
            }
            self.freq.remove(&old);
        }
    }

    /// The persons most likely to be the one a report is about, best first, at most `limit`
    /// and none below `at_least`.
    pub fn candidates(&self, report: Report, limit: usize, at_least: f64) -> Vec<Candidate> {
        let query = self.freq.look_up(report);
        let mut seen: Vec<u32> = Vec::new();
        for (r, k) in keys(&query) {
            let limit = RULES.get(r).map_or(BLOCK_LIMIT, Rule::limit);
            if let Some(block) = self.blocks.get(&k).filter(|b| b.len() <= limit) {
                seen.extend(block);
            }
        }
        seen.sort_unstable();
        seen.dedup();
        let weight = self.model.weigher();
        let mut out: Vec<Candidate> = seen
            .into_iter()
            .filter_map(|slot| {
                let person = self.features.get(slot as usize)?.as_ref()?;
                let comparison = compare(person, &query, &self.freq);
                let probability = self.model.probability_of_weight(weight(&comparison));
                (probability >= at_least).then(|| Candidate {
                    person: self.persons.get(slot as usize).copied().unwrap_or(0),
                    probability,
                    comparison,
                })
            })
            .collect();
        out.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        out.truncate(limit);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::parse;
    use vigilia_core::date::PartialDate;
    use vigilia_core::national_id::NationalId;

    fn person(given: &str, surnames: &str, cedula: Option<&str>, birth: Option<&str>) -> Report {
        Report {
            name: parse(given, surnames),
            cedula: cedula.map(|c| NationalId::parse(c).unwrap()),
            birth: birth.map(|b| PartialDate::parse(b).unwrap()),
            ..Report::default()
        }
    }

    #[test]
    fn a_report_finds_its_person_and_the_index_follows_merges_and_corrections() {
        let mut persons = vec![
            (
                1,
                person(
                    "José Gregorio",
                    "Pérez Rodríguez",
                    Some("V-12345678"),
                    Some("1985-03-15"),
                ),
            ),
            (
                2,
                person("José", "Pérez Gómez", Some("V-9876543"), Some("1970-01-01")),
            ),
            (3, person("María", "González", None, Some("1990-01-01"))),
        ];
        for i in 0..200u64 {
            persons.push((100 + i, person("Luis", &format!("Apellido{i}"), None, None)));
        }
        let mut index = Index::build(persons);
        let found = index.candidates(
            person("Goyo", "PEREZ", Some("C.I. 12.345.678"), None),
            5,
            0.0,
        );
        assert_eq!(found.first().map(|c| c.person), Some(1), "{found:?}");
        assert!(found.iter().all(|c| c.person != 3));

        // A correction replaces what was known; a merge takes the person out.
        index.put(
            3,
            person("María Fernanda", "Gonzales", Some("V-20111222"), None),
        );
        let found = index.candidates(person("Mafe", "González", Some("20111222"), None), 5, 0.5);
        assert_eq!(found.first().map(|c| c.person), Some(3), "{found:?}");
        index.remove(1);
        let found = index.candidates(person("José G.", "Pérez", Some("V-12345678"), None), 5, 0.0);
        assert!(found.iter().all(|c| c.person != 1), "{found:?}");
        assert_eq!(index.len(), 202);
    }
}
