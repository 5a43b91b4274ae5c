//! Confidential fields: a reporter's contact and a detention's internal notes. In the ledger
//! they are encrypted with a key of their own record, which lives outside the chain
//! (`vigilia-ledger`'s keyring) — so that a copy of the facts, a dump of the database or an
//! export of the chain does not carry them, and erasing a record's key erases them for good.
//! What the fold keeps is the encrypted form; a page opens it only for a role that may read it.

use serde::{Deserialize, Serialize};

/// A confidential text: as typed (before the ledger encrypts it, or in a registry without a key),
/// or encrypted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Confidential {
    Encrypted(Encrypted),
    Plain(String),
}

/// An encrypted text: the format (`encrypted`, so the algorithm can change), a random nonce and the
/// ciphertext with its tag, both hexadecimal. The associated data is the record and the field,
/// so an encrypted value moved to another record or field does not open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encrypted {
    /// 1: XChaCha20-Poly1305 under the record's data key.
    pub encrypted: u8,
    pub nonce: String,
    pub data: String,
}

impl Confidential {
    /// The text as typed, where it is not encrypted.
    pub fn plain(&self) -> Option<&str> {
        match self {
            Confidential::Plain(s) => Some(s),
            Confidential::Encrypted(_) => None,
        }
    }
}

impl From<String> for Confidential {
    fn from(s: String) -> Self {
        Confidential::Plain(s)
    }
}

impl From<&str> for Confidential {
    fn from(s: &str) -> Self {
        Confidential::Plain(s.to_string())
    }
}

/// Never shows the text, even decrypted: a log line or a panic message must not carry it.
impl std::fmt::Debug for Confidential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Confidential::Plain(_) => f.write_str("Plain(…)"),
            Confidential::Encrypted(s) => write!(f, "Encrypted(v{})", s.encrypted),
        }
    }
}

/// Which confidential field of a record: part of what an encrypted value is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Contact,
    Notes,
    /// What an account searched for (in an audit fact of the registry).
    Query,
    /// An account's password hash.
    Password,
    /// An account's second-factor secret.
    SecondFactor,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Contact => "contact",
            Field::Notes => "notes",
            Field::Query => "query",
            Field::Password => "password",
            Field::SecondFactor => "second_factor",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_text_is_a_json_string_and_a_encrypted_one_an_object() {
        let plain: Confidential = serde_json::from_str("\"0414-555\"").unwrap();
        assert_eq!(plain.plain(), Some("0414-555"));
        let encrypted: Confidential =
            serde_json::from_str(r#"{"encrypted":1,"nonce":"00","data":"ff"}"#).unwrap();
        assert_eq!(encrypted.plain(), None);
        assert_eq!(format!("{plain:?} {encrypted:?}"), "Plain(…) Encrypted(v1)");
    }
}
