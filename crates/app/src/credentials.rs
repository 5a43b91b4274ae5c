//! Credentials: passwords (Argon2id), second-factor codes (TOTP), and the random tokens of
//! invitations, sessions and the API, kept only as their SHA-256.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// Argon2id with OWASP's parameters, written out: 19 MiB, two passes, one lane. A stored
/// hash carries its own parameters, so changing these later still verifies old hashes.
fn argon2() -> Argon2<'static> {
    match argon2::Params::new(19 * 1024, 2, 1, None) {
        Ok(params) => Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params),
        Err(_) => Argon2::default(),
    }
}

/// The stored form of a password. Slow on purpose: call it off any lock.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Credential(e.to_string()))
}

/// Whether `password` is the one `hash` was made from. Slow on purpose: call it off any lock.
pub fn password_matches(password: &str, hash: &str) -> bool {
    argon2().verify_password(password.as_bytes(), hash).is_ok()
}

/// A new TOTP secret, base32.
pub fn new_second_factor() -> String {
    totp_rs::Secret::generate().to_base32()
}

/// A second factor's key made from `seed` (160 bits of it): the same each time the same
/// invitation's page is shown, so a key scanned on one visit still matches after a reload.
pub fn second_factor_from(seed: &[u8]) -> String {
    let bytes: Vec<u8> = seed.iter().copied().take(20).collect();
    totp_rs::Secret::from(bytes).to_base32()
}

fn totp(secret: &str) -> Option<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret).ok()?;
    totp_rs::Builder::new().with_secret(secret).build().ok()
}

/// Whether `code` is the TOTP code of `secret` at `now` (one step either side).
pub fn code_matches(secret: &str, code: &str, now: Timestamp) -> bool {
    code_step(secret, code, now).is_some()
}

/// The time step `code` belongs to, if it is a code of `secret` at `now` (one step either side).
pub fn code_step(secret: &str, code: &str, now: Timestamp) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    totp(secret).and_then(|t| t.check(&code, now.as_second().max(0) as u64))
}

/// The current code of a secret (for the demo's terminal and for tests).
pub fn current_code(secret: &str, now: Timestamp) -> Option<String> {
    totp(secret).map(|t| t.generate(now.as_second().max(0) as u64).to_string())
}

/// The `otpauth://` URI an authenticator app reads.
pub fn otpauth_uri(name: &str, secret: &str) -> String {
    format!("otpauth://totp/Vigilia:{name}?secret={secret}&issuer=Vigilia")
}

/// `N` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], AppError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| AppError::Credential(e.to_string()))?;
    Ok(out)
}

/// A random token (hex) and the SHA-256 (hex) it is stored as.
pub fn new_token() -> Result<(String, String), AppError> {
    let token = hex::encode(random_bytes::<32>()?);
    let hash = sha256(&token);
    Ok((token, hash))
}

/// SHA-256 of a text, as hex.
/// Whether two secrets (tokens, signatures) are the same, in a time that does not depend on
/// where they first differ: comparing with `==` stops at the first different byte, and the time
/// it takes tells an attacker how much of a guess was right.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let differ = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    a.len() == b.len() && differ == 0
}

pub fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Leading zero bits the public form's proof of work asks for: 65,536 hashes on average, a
/// second or two on a cheap phone while the family types, one hash for the server to check.
pub const WORK_BITS: u32 = 16;

/// Whether `nonce` proves the work for `challenge`: the SHA-256 of `challenge:nonce` begins with
/// `bits` zero bits.
pub fn work_done(challenge: &str, nonce: &str, bits: u32) -> bool {
    if nonce.is_empty() || nonce.len() > 32 {
        return false;
    }
    let hash = Sha256::digest(format!("{challenge}:{nonce}").as_bytes());
    let mut zeros = 0;
    for byte in hash {
        zeros += byte.leading_zeros();
        if byte != 0 {
            break;
        }
    }
    zeros >= bits
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_are_the_same_only_when_every_byte_is() {
        assert!(same_secret("a1b2c3", "a1b2c3"));
        assert!(!same_secret("a1b2c3", "a1b2c4"));
        assert!(!same_secret("a1b2c3", "a1b2c"));
        assert!(!same_secret("", "x"));
        assert!(same_secret("", ""));
    }
}
