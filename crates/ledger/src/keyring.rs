//! Sealing confidential fields (a reporter's contact, a detention's notes) record by record.
//!
//! Each record gets a random 256-bit data key the first time one of its fields is encrypted. The
//! field is encrypted with XChaCha20-Poly1305 under that key, with the record and the field as
//! associated data, and the fact carries only the [`Encrypted`] result. The data key itself is
//! kept in the `keyring` table — outside the chain — wrapped (encrypted) by the
//! key-encryption key, which is derived from the registry's key and never stored. So:
//! - a copy of the facts (an export of the chain, a dump, a replica) does not carry contacts;
//! - a new registry key re-wraps the data keys, and the facts do not change;
//! - erasing a record's data key erases its encrypted fields for good, and the chain still
//!   verifies, since it vouches for the ciphertext.
//!
//! Formats are versioned: a wrapped key starts with its version byte, an encrypted value says its
//! version in `encrypted`.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use sha2::Sha256;
use vigilia_core::confidential::{Encrypted, Field};
use vigilia_core::ids::Subject;
use zeroize::Zeroize;

use crate::{LedgerError, Secret};

/// The version of wrapped keys and encrypted values this code writes.
const VERSION: u8 = 1;
const NONCE: usize = 24;

/// The keyring's row that tells a wrong key: a random key wrapped at creation.
pub(crate) const CHECK: &str = "check";
/// The keyring's row with the salt the key-encryption key is derived with.
pub(crate) const SALT: &str = "salt";
/// The keyring's row with the key that names the servers' shared state (see
/// [`Key::pseudonym`]).
pub(crate) const STATE_NAMES: &str = "state-names";

/// A 256-bit key: the key-encryption key, or a record's data key. Zeroed when dropped.
pub(crate) struct Key([u8; 32]);

impl Drop for Key {
    fn drop(&mut self) {
        // zeroize's writes are volatile: the optimiser cannot drop them as dead stores.
        self.0.zeroize();
    }
}

impl Key {
    pub(crate) fn random() -> Result<Key, LedgerError> {
        Ok(Key(random()?))
    }

    pub(crate) fn from_bytes(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }

    pub(crate) fn bytes(&self) -> [u8; 32] {
        self.0
    }

    /// A name for `text` that only this key gives (HKDF-SHA256-Expand, a keyed PRF, 128 bits in
    /// hex): the servers' shared state is kept under such names, so a copy of the database
    /// without the registry's key does not say which addresses sent reports or which accounts
    /// were being guessed (an IPv4 address cannot be found again by trying them all).
    pub(crate) fn pseudonym(&self, text: &str) -> Result<String, LedgerError> {
        let mut out = [0u8; 16];
        self.expand(text, &mut out)?;
        Ok(hex::encode(out))
    }

    /// A 256-bit secret for `purpose`, derived from this key (HKDF-SHA256-Expand).
    pub(crate) fn secret_for(&self, purpose: &str) -> Result<[u8; 32], LedgerError> {
        let mut out = [0u8; 32];
        self.expand(&format!("secret:{purpose}"), &mut out)?;
        Ok(out)
    }

    fn expand(&self, info: &str, out: &mut [u8]) -> Result<(), LedgerError> {
        let prf = hkdf::Hkdf::<Sha256>::from_prk(&self.0)
            .map_err(|_| LedgerError::Crypto("pseudonym key".into()))?;
        prf.expand(info.as_bytes(), out)
            .map_err(|_| LedgerError::Crypto("pseudonym length".into()))
    }

    /// The key-encryption key: HKDF-SHA256 of the registry's key (a passphrase is first
    /// stretched with Argon2id), salted with the registry's own salt.
    pub(crate) fn derive(secret: &Secret, salt: &[u8]) -> Result<Key, LedgerError> {
        let mut ikm = [0u8; 32];
        match secret {
            Secret::Key(bytes) => ikm = *bytes,
            Secret::Passphrase(p) => {
                let params = argon2::Params::new(19 * 1024, 2, 1, Some(32))
                    .map_err(|e| LedgerError::Crypto(e.to_string()))?;
                argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
                    .hash_password_into(p.as_bytes(), salt, &mut ikm)
                    .map_err(|e| LedgerError::Crypto(e.to_string()))?;
            }
        }
        let mut out = [0u8; 32];
        hkdf::Hkdf::<Sha256>::new(Some(salt), &ikm)
            .expand(b"vigilia keyring v1", &mut out)
            .map_err(|e| LedgerError::Crypto(e.to_string()))?;
        ikm.zeroize();
        Ok(Key(out))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }

    /// A data key wrapped by this key-encryption key, bound to the keyring row's name.
    pub(crate) fn wrap(&self, name: &str, key: &Key) -> Result<Vec<u8>, LedgerError> {
        let nonce: [u8; NONCE] = random()?;
        let data = encrypt(&self.cipher(), &nonce, &key.0, &wrap_ad(name))?;
        let mut out = Vec::with_capacity(1 + NONCE + data.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&data);
        Ok(out)
    }

    /// The data key a keyring row holds; `None` when this key did not wrap it (or the row was
    /// changed).
    pub(crate) fn unwrap(&self, name: &str, wrapped: &[u8]) -> Option<Key> {
        let (&version, rest) = wrapped.split_first()?;
        if version != VERSION || rest.len() < NONCE {
            return None;
        }
        let (nonce, data) = rest.split_at(NONCE);
        let plain = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: data,
                    aad: &wrap_ad(name),
                },
            )
            .ok()?;
        <[u8; 32]>::try_from(plain.as_slice()).ok().map(Key)
    }

    /// `text` encrypted with this record's data key.
    pub(crate) fn encrypt_field(
        &self,
        subject: Subject,
        field: Field,
        text: &str,
    ) -> Result<Encrypted, LedgerError> {
        let nonce: [u8; NONCE] = random()?;
        let data = encrypt(
            &self.cipher(),
            &nonce,
            text.as_bytes(),
            &field_ad(subject, field),
        )?;
        Ok(Encrypted {
            encrypted: VERSION,
            nonce: hex::encode(nonce),
            data: hex::encode(data),
        })
    }

    /// An encrypted value opened with this record's data key.
    pub(crate) fn decrypt_field(
        &self,
        subject: Subject,
        field: Field,
        encrypted: &Encrypted,
    ) -> Result<String, LedgerError> {
        let unreadable = || unreadable(subject, field);
        if encrypted.encrypted != VERSION {
            return Err(unreadable());
        }
        let nonce = hex::decode(&encrypted.nonce).map_err(|_| unreadable())?;
        let data = hex::decode(&encrypted.data).map_err(|_| unreadable())?;
        if nonce.len() != NONCE {
            return Err(unreadable());
        }
        let plain = self
            .cipher()
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &data,
                    aad: &field_ad(subject, field),
                },
            )
            .map_err(|_| unreadable())?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }
}

/// The error for a field that cannot be decrypted.
pub(crate) fn unreadable(subject: Subject, field: Field) -> LedgerError {
    LedgerError::Unreadable {
        subject: subject.to_string(),
        field: field.name(),
    }
}

/// A record's row in the keyring.
pub(crate) fn name_of(subject: Subject) -> String {
    subject.to_string()
}

fn wrap_ad(name: &str) -> Vec<u8> {
    format!("vigilia key v1|{name}").into_bytes()
}

fn field_ad(subject: Subject, field: Field) -> Vec<u8> {
    format!("vigilia field v1|{subject}|{}", field.name()).into_bytes()
}

fn encrypt(
    cipher: &XChaCha20Poly1305,
    nonce: &[u8; NONCE],
    msg: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, LedgerError> {
    cipher
        .encrypt(XNonce::from_slice(nonce), Payload { msg, aad })
        .map_err(|_| LedgerError::Crypto("XChaCha20-Poly1305".into()))
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N], LedgerError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| LedgerError::Crypto(format!("no randomness for a key: {e}")))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigilia_core::ids::Kind;

    #[test]
    fn an_encrypted_value_opens_only_for_its_record_and_field() {
        let key = Key::random().unwrap();
        let report = Subject {
            kind: Kind::Report,
            id: 7,
        };
        let other = Subject {
            kind: Kind::Report,
            id: 8,
        };
        let encrypted = key
            .encrypt_field(report, Field::Contact, "0414-5550101")
            .unwrap();
        assert!(!encrypted.data.contains(&hex::encode("0414")));
        assert_eq!(
            key.decrypt_field(report, Field::Contact, &encrypted)
                .unwrap(),
            "0414-5550101"
        );
        assert!(
            key.decrypt_field(other, Field::Contact, &encrypted)
                .is_err()
        );
        assert!(key.decrypt_field(report, Field::Notes, &encrypted).is_err());
        assert!(
            Key::random()
                .unwrap()
                .decrypt_field(report, Field::Contact, &encrypted)
                .is_err()
        );
        let mut bytes = hex::decode(&encrypted.data).unwrap();
        bytes[0] ^= 1;
        let changed = Encrypted {
            data: hex::encode(bytes),
            ..encrypted
        };
        assert!(key.decrypt_field(report, Field::Contact, &changed).is_err());
    }

    #[test]
    fn a_wrapped_key_unwraps_only_with_its_kek_under_its_name() {
        let kek = Key::derive(&Secret::Key([7; 32]), b"sixteen byte slt").unwrap();
        let data = Key::random().unwrap();
        let wrapped = kek.wrap("report:1", &data).unwrap();
        assert_eq!(kek.unwrap("report:1", &wrapped).unwrap().0, data.0);
        assert!(kek.unwrap("report:2", &wrapped).is_none());
        let other = Key::derive(&Secret::Key([7; 32]), b"another 16 bytes").unwrap();
        assert!(other.unwrap("report:1", &wrapped).is_none());
        let phrase =
            Key::derive(&Secret::Passphrase("una frase".into()), b"sixteen byte slt").unwrap();
        let again =
            Key::derive(&Secret::Passphrase("una frase".into()), b"sixteen byte slt").unwrap();
        assert_eq!(phrase.0, again.0);
        assert_ne!(phrase.0, kek.0);
    }
}
