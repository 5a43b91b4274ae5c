//! Names as Venezuelans write them, read into parts that can be compared.
//!
//! `María de los Ángeles`, `Ma. de los Angeles`, `MAFE`; `José G.`; `Goyo` for Gregorio;
//! `De Freitas`, `De La Cruz`; `García Flores de Martínez` (born García Flores, married to a
//! Martínez); the whole name in one field.

use vigilia_core::text::fold;

/// A name in comparable parts, every word folded (no accents, lower case).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Name {
    /// Given names, nicknames and abbreviations written out (`goyo` → `gregorio`).
    pub given: Vec<String>,
    /// Initials given instead of a name (`José G.` → `g`).
    pub initials: Vec<char>,
    /// Surnames in order (paternal, maternal), particles kept with them (`de la cruz`).
    pub surnames: Vec<String>,
    /// A married woman's `de <husband>`.
    pub married: Option<String>,
}

/// Words that join the word after them inside a name.
const PARTICLES: &[&str] = &[
    "de", "del", "la", "las", "los", "da", "das", "do", "dos", "di", "van", "von", "y",
];

/// Nicknames and the given names they stand for.
const NICKNAMES: &[(&str, &str)] = &[
    ("goyo", "gregorio"),
    ("chucho", "jesus"),
    ("chuy", "jesus"),
    ("pancho", "francisco"),
    ("paco", "francisco"),
    ("pepe", "jose"),
    ("chepe", "jose"),
    ("majo", "maria jose"),
    ("mafe", "maria fernanda"),
    ("male", "maria alejandra"),
    ("mariale", "maria alejandra"),
    ("maru", "maria eugenia"),
    ("lupe", "guadalupe"),
    ("nacho", "ignacio"),
    ("tono", "antonio"),
    ("beto", "alberto"),
    ("quique", "enrique"),
    ("kike", "enrique"),
    ("lucho", "luis"),
    ("memo", "guillermo"),
    ("chela", "graciela"),
    ("charo", "rosario"),
    ("concha", "concepcion"),
    ("lola", "dolores"),
    ("pili", "pilar"),
    ("rafa", "rafael"),
    ("juancho", "juan"),
    ("nando", "fernando"),
    ("tere", "teresa"),
    ("chente", "vicente"),
    ("fran", "francisco"),
    ("alex", "alejandro"),
    ("manolo", "manuel"),
    ("lalo", "eduardo"),
    ("richard", "ricardo"),
    ("cheo", "jose"),
    ("moncho", "ramon"),
    ("chicho", "narciso"),
    ("nene", "jose"),
    ("tony", "antonio"),
    ("javi", "javier"),
    ("dani", "daniel"),
    ("migue", "miguel"),
    ("gaby", "gabriela"),
    ("gabi", "gabriela"),
    ("ale", "alejandra"),
    ("mila", "milagros"),
    ("rosita", "rosa"),
    ("carmencita", "carmen"),
    ("caro", "carolina"),
    ("yoli", "yolanda"),
    ("lisbe", "lisbeth"),
    ("bea", "beatriz"),
];

/// Abbreviations of given names.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("ma", "maria"),
    ("mª", "maria"),
    ("m", "maria"),
    ("jm", "jose manuel"),
    ("fco", "francisco"),
    ("jse", "jose"),
];

/// Splits into words, keeping a trailing `.` on abbreviations and `ª`.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let abbreviated = w.ends_with('.') || w.contains('ª');
            let f = fold(&w.replace('ª', "a"));
            if abbreviated { format!("{f}.") } else { f }
        })
        // A word with no letter or digit (`-`, `?`, an emoji) says nothing: an unknown name.
        .filter(|w| !w.is_empty() && w != ".")
        .collect()
}

/// Joins particles to the word after them: `de la cruz` is one unit.
fn units(words: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for w in words {
        let bare = w.trim_end_matches('.');
        if PARTICLES.contains(&bare) {
            if !pending.is_empty() {
                pending.push(' ');
            }
            pending.push_str(bare);
            continue;
        }
        if pending.is_empty() {
            out.push(w.clone());
        } else {
            out.push(format!("{pending} {w}"));
            pending.clear();
        }
    }
    if !pending.is_empty() {
        out.push(pending);
    }
    out
}

fn given_names(text: &str, name: &mut Name) {
    for unit in units(&words(text)) {
        let bare = unit.trim_end_matches('.');
        let abbreviated = unit.ends_with('.');
        if let Some((_, full)) = ABBREVIATIONS
            .iter()
            .find(|(a, _)| *a == bare)
            .filter(|_| abbreviated || bare == "ma")
        {
            name.given.extend(full.split(' ').map(str::to_string));
        } else if bare.chars().count() == 1 {
            name.initials.extend(bare.chars());
        } else if let Some((_, full)) = NICKNAMES.iter().find(|(n, _)| *n == bare) {
            name.given.extend(full.split(' ').map(str::to_string));
        } else {
            name.given.push(bare.to_string());
        }
    }
}

fn surnames(text: &str, name: &mut Name) {
    let words = words(text);
    // A plain "de" before a last single word, after at least one surname: a married name.
    if words.len() >= 3
        && words.get(words.len() - 2).is_some_and(|w| w == "de")
        && words
            .last()
            .is_some_and(|w| !PARTICLES.contains(&w.as_str()))
    {
        let (own, married) = words.split_at(words.len() - 2);
        name.surnames = units(own)
            .iter()
            .map(|u| u.trim_end_matches('.').to_string())
            .collect();
        name.married = married.last().cloned();
        return;
    }
    name.surnames = units(&words)
        .iter()
        .map(|u| u.trim_end_matches('.').to_string())
        .collect();
}

/// Reads given names and surnames from their own fields, each apart from the other (a reader
/// may keep what each field gave).
pub fn parse(given: &str, surname: &str) -> Name {
    let mut name = Name::default();
    given_names(given, &mut name);
    surnames(surname, &mut name);
    name
}

/// Reads a whole name written in one field: the last two units are the surnames (the last one,
/// when there are only two units), the rest the given names.
pub fn parse_whole(whole: &str) -> Name {
    let all = units(&words(whole));
    let split = match all.len() {
        0 | 1 => 0,
        2 => 1,
        n => n - 2,
    };
    let (given, surname) = all.split_at(split);
    parse(&given.join(" "), &surname.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn compound_given_names_abbreviations_and_nicknames() {
        assert_eq!(
            parse("María de los Ángeles", "").given,
            s(&["maria", "de los angeles"])
        );
        assert_eq!(
            parse("Ma. de los Angeles", "").given,
            s(&["maria", "de los angeles"])
        );
        assert_eq!(parse("Mª José", "").given, s(&["maria", "jose"]));
        assert_eq!(parse("MAJO", "").given, s(&["maria", "jose"]));
        assert_eq!(parse("Goyo", "").given, s(&["gregorio"]));
        let jg = parse("José G.", "");
        assert_eq!((jg.given, jg.initials), (s(&["jose"]), vec!['g']));
    }

    #[test]
    fn surnames_with_particles_and_married_names() {
        assert_eq!(parse("", "De La Cruz").surnames, s(&["de la cruz"]));
        assert_eq!(
            parse("", "De Freitas Gómez").surnames,
            s(&["de freitas", "gomez"])
        );
        let married = parse("", "García Flores de Martínez");
        assert_eq!(married.surnames, s(&["garcia", "flores"]));
        assert_eq!(married.married.as_deref(), Some("martinez"));
        assert_eq!(parse("", "PÉREZ").surnames, s(&["perez"]));
    }

    #[test]
    fn a_whole_name_in_one_field() {
        let n = parse_whole("José Gregorio Pérez Rodríguez");
        assert_eq!(
            (n.given, n.surnames),
            (s(&["jose", "gregorio"]), s(&["perez", "rodriguez"]))
        );
        let n = parse_whole("Ana De La Cruz");
        assert_eq!((n.given, n.surnames), (s(&["ana"]), s(&["de la cruz"])));
    }
}
