//! Country profiles: the administrative map, agencies, facilities and charges of one country,
//! as data. Venezuela's is built in (`profiles/ve.toml`); another is a TOML file of the same shape,
//! given to `vigilia init --profile FILE` and stored in the registry's first fact.

use std::collections::HashMap;

use serde::Deserialize;

use crate::text::fold;

/// The Venezuelan profile, the default.
pub const VENEZUELA_TOML: &str = include_str!("../../../profiles/ve.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    version: u32,
    code: String,
    name: String,
    utc_offset: String,
    #[serde(default)]
    national_id: Option<String>,
    #[serde(default)]
    state_prefixes: Vec<String>,
    #[serde(default)]
    states: Vec<Named>,
    #[serde(default)]
    agencies: Vec<Named>,
    #[serde(default)]
    facilities: Vec<Named>,
    #[serde(default)]
    charges: Vec<Named>,
    #[serde(default)]
    deadlines: Vec<Deadline>,
}

/// What a legal deadline is about: the clock it keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// From the arrest until the person is brought before a judge.
    Presentation,
    /// From the day family and lawyers stop knowing where the person is held until it is
    /// known again: after this long, the registry escalates (habeas corpus, the UN).
    Whereabouts,
    /// Since the last contact of family or lawyer with a person held (or the arrest): after
    /// this long without one, the person is held incommunicado.
    Contact,
    /// Between two presentations to a court under a measure, when the order does not say.
    Measure,
    /// How far ahead the hearings set are shown, and how far back the deferred ones.
    Hearing,
    /// How old a place's last report of its conditions may be while people are held there.
    Conditions,
}

/// A legal deadline as a country's profile states it: how long, what starts and stops it, the
/// law it comes from, and whether a lawyer of the organisation checked that citation.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub hours: u32,
    /// What starts it and what stops it, in words (the country's language), and in English.
    pub starts: String,
    pub stops: String,
    #[serde(default)]
    pub starts_en: Option<String>,
    #[serde(default)]
    pub stops_en: Option<String>,
    /// The rule it comes from, as a lawyer would cite it.
    pub citation: String,
    /// A lawyer of the organisation checked the citation against the law's text.
    #[serde(default)]
    pub verified: bool,
}

/// One entry of a profile list: a canonical name, its code where it has one, and other names.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    #[serde(default)]
    pub code: Option<String>,
    pub name: String,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub agency: Option<String>,
    #[serde(default)]
    pub law: Option<String>,
    /// A place of detention's type: prison, police_cell, intelligence, military, other.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// For a charge: a lawyer of the organisation checked `law` against the law's text.
    #[serde(default)]
    pub verified: bool,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A list of names looked up by any of the ways people write them.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    entries: Vec<Named>,
    by_key: HashMap<String, usize>,
}

impl Vocabulary {
    fn new(entries: Vec<Named>, what: &str, prefixes: &[String]) -> Result<Self, ProfileError> {
        let mut by_key = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let names = e
                .code
                .iter()
                .chain([&e.name])
                .chain(e.full_name.iter())
                .chain(&e.aliases);
            for n in names {
                let key = strip_prefixes(&fold(n), prefixes);
                if let Some(&other) = by_key.get(&key)
                    && other != i
                {
                    return Err(ProfileError::Ambiguous {
                        what: what.to_string(),
                        name: n.clone(),
                    });
                }
                by_key.insert(key, i);
            }
        }
        Ok(Self { entries, by_key })
    }

    /// Finds the entry written as `text` (any alias, accents and case ignored).
    pub fn find(&self, text: &str, prefixes: &[String]) -> Option<&Named> {
        let key = strip_prefixes(&fold(text), prefixes);
        self.by_key.get(&key).and_then(|&i| self.entries.get(i))
    }

    pub fn entries(&self) -> &[Named] {
        &self.entries
    }
}

/// Drops a leading prefix (`estado`, `edo`) from a folded key; `prefixes` are folded too.
fn strip_prefixes(key: &str, prefixes: &[String]) -> String {
    for p in prefixes {
        if let Some(rest) = key.strip_prefix(p.as_str())
            && let Some(rest) = rest.strip_prefix(' ')
        {
            return rest.to_string();
        }
    }
    key.to_string()
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("the country profile is not valid TOML of the expected shape: {0}")]
    Syntax(String),
    #[error("the country profile has version {0}; this Vigilia reads version 1")]
    Version(u32),
    #[error("the country profile's utc_offset {0:?} is not like \"-04:00\"")]
    Offset(String),
    #[error("the country profile names {name:?} for two different {what}")]
    Ambiguous { what: String, name: String },
    #[error("the country profile has a {what} without a code: {name:?}")]
    MissingCode { what: String, name: String },
}

/// A loaded country profile.
#[derive(Clone, Debug)]
pub struct Profile {
    pub code: String,
    pub name: String,
    /// The organisation's time zone offset, which decides what "today" is.
    pub utc_offset: jiff::tz::Offset,
    /// Whether national ids are Venezuelan cédulas (`cedula_ve`) or free text (`none`).
    pub cedula: bool,
    prefixes: Vec<String>,
    pub states: Vocabulary,
    pub agencies: Vocabulary,
    pub facilities: Vocabulary,
    pub charges: Vocabulary,
    /// The legal deadlines whose clocks the registry keeps (none: no such alerts).
    pub deadlines: Vec<Deadline>,
    /// The TOML it was read from, kept so the registry stores exactly what it was made with.
    pub source: String,
}

impl Profile {
    /// The built-in Venezuelan profile.
    pub fn venezuela() -> Result<Profile, ProfileError> {
        Profile::from_toml(VENEZUELA_TOML)
    }

    pub fn from_toml(text: &str) -> Result<Profile, ProfileError> {
        let file: ProfileFile =
            toml::from_str(text).map_err(|e| ProfileError::Syntax(e.to_string()))?;
        if file.version != 1 {
            return Err(ProfileError::Version(file.version));
        }
        let utc_offset = parse_offset(&file.utc_offset)
            .ok_or_else(|| ProfileError::Offset(file.utc_offset.clone()))?;
        for s in &file.states {
            if s.code.is_none() {
                return Err(ProfileError::MissingCode {
                    what: "state".into(),
                    name: s.name.clone(),
                });
            }
        }
        let prefixes: Vec<String> = file.state_prefixes.iter().map(|p| fold(p)).collect();
        Ok(Profile {
            code: file.code,
            name: file.name,
            utc_offset,
            cedula: file.national_id.as_deref() == Some("cedula_ve"),
            states: Vocabulary::new(file.states, "states", &prefixes)?,
            agencies: Vocabulary::new(file.agencies, "agencies", &[])?,
            facilities: Vocabulary::new(file.facilities, "facilities", &[])?,
            charges: Vocabulary::new(file.charges, "charges", &[])?,
            deadlines: file.deadlines,
            prefixes,
            source: text.to_string(),
        })
    }

    /// The deadline of a kind, when the profile states one.
    pub fn deadline(&self, kind: DeadlineKind) -> Option<&Deadline> {
        self.deadlines.iter().find(|d| d.kind == kind)
    }

    /// The state written as `text`: its code (`VE-V`), name (`Zulia`) or an alias (`Edo. Zulia`, `Maracaibo`).
    pub fn state(&self, text: &str) -> Option<&Named> {
        self.states.find(text, &self.prefixes)
    }

    /// A state's canonical name from its code.
    pub fn state_name(&self, code: &str) -> Option<&str> {
        self.states
            .entries()
            .iter()
            .find(|s| s.code.as_deref() == Some(code))
            .map(|s| s.name.as_str())
    }

    /// The canonical name of an agency, facility or charge; unknown ones are kept as written.
    pub fn canonical(vocabulary: &Vocabulary, text: &str) -> String {
        vocabulary
            .find(text, &[])
            .map(|n| n.name.clone())
            .unwrap_or_else(|| text.trim().to_string())
    }

    /// The organisation's calendar day at an instant.
    pub fn day_at(&self, at: jiff::Timestamp) -> crate::date::Day {
        self.utc_offset.to_datetime(at).date()
    }
}

fn parse_offset(text: &str) -> Option<jiff::tz::Offset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, text.get(1..)?),
        b'-' => (-1, text.get(1..)?),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if h > 14 || m > 59 {
        return None;
    }
    jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venezuela_knows_how_states_are_written() {
        let ve = Profile::venezuela().unwrap();
        assert_eq!(ve.states.entries().len(), 25);
        for (written, code) in [
            ("Zulia", "VE-V"),
            ("Edo. Zulia", "VE-V"),
            ("Estado Zulia", "VE-V"),
            ("VE-V", "VE-V"),
            ("Caracas", "VE-A"),
            ("DC", "VE-A"),
            ("Vargas", "VE-X"),
            ("TACHIRA", "VE-S"),
            ("Táchira", "VE-S"),
            ("Margarita", "VE-O"),
        ] {
            assert_eq!(
                ve.state(written).and_then(|s| s.code.as_deref()),
                Some(code),
                "{written}"
            );
        }
        assert!(ve.state("Atlantis").is_none());
        assert_eq!(
            Profile::canonical(&ve.facilities, "SEBIN El Helicoide"),
            "El Helicoide"
        );
        assert_eq!(Profile::canonical(&ve.facilities, "Rodeo 1"), "Rodeo I");
        assert_eq!(Profile::canonical(&ve.agencies, "Guardia Nacional"), "GNB");
        assert_eq!(
            Profile::canonical(&ve.agencies, "Policía de Chacao"),
            "Policía de Chacao"
        );
    }

    #[test]
    fn caracas_days_start_four_hours_after_utc() {
        let ve = Profile::venezuela().unwrap();
        let at: jiff::Timestamp = "2024-07-29T02:00:00Z".parse().unwrap();
        assert_eq!(ve.day_at(at).to_string(), "2024-07-28");
    }

    #[test]
    fn a_second_profile_loads_from_its_file() {
        let by = Profile::from_toml(include_str!("../../../profiles/by.toml")).unwrap();
        assert_eq!(by.code, "BY");
        assert_eq!(
            by.state("Minsk").and_then(|s| s.code.as_deref()),
            Some("BY-HM")
        );
        assert!(!by.cedula);
    }

    #[test]
    fn refuses_unknown_keys_and_versions() {
        assert!(matches!(
            Profile::from_toml("version = 2\ncode='X'\nname='X'\nutc_offset='+00:00'"),
            Err(ProfileError::Version(2))
        ));
        assert!(matches!(
            Profile::from_toml(
                "version = 1\ncode='X'\nname='X'\nutc_offset='+00:00'\ncolour='red'"
            ),
            Err(ProfileError::Syntax(_))
        ));
    }
}
