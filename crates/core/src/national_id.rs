//! The Venezuelan cédula de identidad, as people write it.
//!
//! `V-12.345.678`, `12345678`, `C.I. 12.345.678`, `v-12345678` and `E-81234567` are all read into
//! one normal form, `V-12345678` or `E-81234567`. A number written without a letter is a `V`
//! (Venezuelan) cédula, as on every form in the country.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::lang::{Lang, Localize};

/// `V` for Venezuelan citizens, `E` for foreign residents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    V,
    E,
}

/// A cédula in normal form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NationalId {
    pub kind: IdKind,
    pub number: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NationalIdError {
    #[error("{0:?} is not a cédula: it has letters or signs where digits go")]
    NotDigits(String),
    #[error("{0:?} is not a cédula: it has no digits")]
    Empty(String),
    #[error("{0:?} is not a cédula: a cédula has at most 9 digits")]
    TooLong(String),
}

impl Localize for NationalIdError {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::NotDigits(s), Lang::Es) => {
                format!("{s:?} no es una cédula: tiene letras o signos donde van dígitos")
            }
            (Self::Empty(s), Lang::Es) => format!("{s:?} no es una cédula: no tiene dígitos"),
            (Self::TooLong(s), Lang::Es) => {
                format!("{s:?} no es una cédula: una cédula tiene como máximo 9 dígitos")
            }
            (_, Lang::En) => self.to_string(),
        }
    }
}

impl NationalId {
    /// Reads a cédula in any of its usual forms.
    pub fn parse(text: &str) -> Result<Self, NationalIdError> {
        let original = text.trim();
        let mut s = original.to_uppercase();
        for prefix in ["C.I.", "C. I.", "C.I", "CI:", "CI "] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.trim_start().to_string();
                break;
            }
        }
        let (kind, rest) = match s.chars().next() {
            Some('V') => (IdKind::V, &s[1..]),
            Some('E') => (IdKind::E, &s[1..]),
            _ => (IdKind::V, s.as_str()),
        };
        let rest = rest.trim_start_matches(['-', ' ', '.', ':']);
        let mut digits = String::new();
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '.' | ',' | ' ' => {}
                _ => return Err(NationalIdError::NotDigits(original.to_string())),
            }
        }
        let digits = digits.trim_start_matches('0');
        if digits.is_empty() {
            return Err(NationalIdError::Empty(original.to_string()));
        }
        if digits.len() > 9 {
            return Err(NationalIdError::TooLong(original.to_string()));
        }
        let number = digits
            .parse()
            .map_err(|_| NationalIdError::NotDigits(original.to_string()))?;
        Ok(Self { kind, number })
    }
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letter = match self.kind {
            IdKind::V => 'V',
            IdKind::E => 'E',
        };
        write!(f, "{letter}-{}", self.number)
    }
}

impl Serialize for NationalId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for NationalId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NationalId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_forms_into_one() {
        for form in [
            "V-12.345.678",
            "12345678",
            "C.I. 12.345.678",
            "v-12345678",
            "V12345678",
            " 12 345 678 ",
        ] {
            assert_eq!(
                NationalId::parse(form).unwrap().to_string(),
                "V-12345678",
                "{form}"
            );
        }
        assert_eq!(
            NationalId::parse("E-81234567").unwrap().to_string(),
            "E-81234567"
        );
    }

    #[test]
    fn refuses_letters_and_empty() {
        assert!(matches!(
            NationalId::parse("V-12A45678"),
            Err(NationalIdError::NotDigits(_))
        ));
        assert!(matches!(
            NationalId::parse("V-"),
            Err(NationalIdError::Empty(_))
        ));
        assert!(matches!(
            NationalId::parse("1234567890"),
            Err(NationalIdError::TooLong(_))
        ));
    }
}
