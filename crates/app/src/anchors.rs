//! Anchors kept outside the database, against which `verify` checks the chain: signed
//! checkpoints and the ledger heads that published balances carry.
//!
//! Whoever holds the database key can change a fact and recompute every hash after it: the
//! chain then verifies on its own. It no longer matches what was handed out before: a
//! checkpoint printed or given to a partner says "after N facts the head was H", signed with a
//! key the organisation keeps apart from the registry, and a published balance says the same.

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use vigilia_core::fact::ChainError;
use vigilia_ledger::{Head, Ledger, LedgerError};

use crate::error::AppError;

const FORMAT: &str = "vigilia-checkpoint-1";
const KEY_FORMAT: &str = "vigilia-signing-key-1";

/// What an anchor says: after `facts` facts the head was `head`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub facts: u64,
    pub head: String,
    /// The registry's first fact (a checkpoint names the registry it is about).
    pub registry: Option<String>,
    /// Where it comes from, for messages: a checkpoint's date and key, or a publication.
    pub what: String,
    /// The public key (hex) that signed it, for a checkpoint.
    pub signer: Option<String>,
}

/// Why a file is not an anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorProblem {
    NoSignature,
    UnreadableKey,
    UnreadableSignature,
    /// The signature does not match the checkpoint's text.
    Altered,
    NoFactCount,
    /// Neither a checkpoint nor JSON.
    NotAnAnchor,
    /// A published balance without `ledger_seq` and `ledger_head`.
    NoLedgerHead,
    /// Signed by a key that is not one of those trusted (whoever holds the registry's key can
    /// sign a checkpoint of a rewritten chain with a key of their own): its fingerprint.
    UntrustedKey(String),
}

/// A public key's fingerprint as people compare it: its first 16 hex digits, in groups of 4.
pub fn fingerprint(public_hex: &str) -> String {
    let digits: Vec<String> = (public_hex.as_bytes().chunks(4).take(4))
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    digits.join(" ")
}

/// A checkpoint written: the head it vouches for, and the public key of the signing key when
/// that key was made for it.
#[derive(Debug)]
pub struct Checkpoint {
    pub head: Head,
    pub new_key: Option<String>,
}

/// Writes to `out` a signed checkpoint of the registry's head at `now`, with the signing key
/// at `signing_key` (made first if that file does not exist yet, readable by its owner only).
pub fn checkpoint(
    ledger: &mut Ledger,
    signing_key: &Path,
    out: &Path,
    now: jiff::Timestamp,
) -> Result<Checkpoint, AppError> {
    let (key, new_key) = signing(signing_key)?;
    let head = ledger.head()?;
    let first = ledger
        .fact_hash(1)?
        .map(|h| h.to_string())
        .unwrap_or_default();
    let body = format!(
        "{FORMAT}\nregistry: {first}\nfacts: {}\nhead: {}\ndate: {now}\nkey: {}\n",
        head.facts,
        head.hash,
        hex::encode(key.verifying_key().as_bytes())
    );
    let signature = key.sign(body.as_bytes());
    let text = format!("{body}signature: {}\n", hex::encode(signature.to_bytes()));
    let mut file = crate::export::Output::create(out)?;
    file.writer()
        .write_all(text.as_bytes())
        .map_err(|e| crate::export::output(out, &e))?;
    file.finish()?;
    let new_key = new_key.then(|| hex::encode(key.verifying_key().as_bytes()));
    Ok(Checkpoint { head, new_key })
}

/// The signing key at `path`, and whether it was made now.
pub fn signing(path: &Path) -> Result<(SigningKey, bool), AppError> {
    if !path.exists() {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| AppError::Credential(e.to_string()))?;
        crate::backup::write_private(path, &format!("{KEY_FORMAT} {}", hex::encode(seed)))?;
        return Ok((SigningKey::from_bytes(&seed), true));
    }
    let text = crate::import::read_text(path)?;
    let seed = text
        .trim()
        .strip_prefix(KEY_FORMAT)
        .and_then(|h| hex::decode(h.trim()).ok())
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| AppError::NotASigningKey(path.to_path_buf()))?;
    Ok((SigningKey::from_bytes(&seed), false))
}

/// Reads an anchor: a signed checkpoint (its signature checked, by one of the `trusted` public
/// keys, hex), or a published balance as JSON (one, or the list `/api/publications` gives),
/// which carries `ledger_seq` and `ledger_head`.
pub fn read(path: &Path, trusted: &[String]) -> Result<Vec<Anchor>, AppError> {
    let text = crate::import::read_text(path)?;
    let bad = |problem| AppError::BadAnchor {
        path: path.to_path_buf(),
        problem,
    };
    if text.starts_with(FORMAT) {
        let anchor = read_checkpoint(&text).map_err(bad)?;
        let signer = anchor.signer.clone().unwrap_or_default();
        if !trusted
            .iter()
            .any(|t| t.trim().eq_ignore_ascii_case(&signer))
        {
            return Err(bad(AnchorProblem::UntrustedKey(fingerprint(&signer))));
        }
        return Ok(vec![anchor]);
    }
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|_| bad(AnchorProblem::NotAnAnchor))?;
    let list = match json {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    let mut out = Vec::new();
    for p in list {
        let (Some(facts), Some(head)) = (
            p.get("ledger_seq").and_then(|v| v.as_u64()),
            p.get("ledger_head").and_then(|v| v.as_str()),
        ) else {
            return Err(bad(AnchorProblem::NoLedgerHead));
        };
        let as_of = p.get("as_of").and_then(|v| v.as_str()).unwrap_or("?");
        out.push(Anchor {
            facts,
            head: head.to_string(),
            registry: None,
            what: format!("balance published as of {as_of}"),
            signer: None,
        });
    }
    Ok(out)
}

fn read_checkpoint(text: &str) -> Result<Anchor, AnchorProblem> {
    let (body, signature) = text
        .rsplit_once("signature: ")
        .ok_or(AnchorProblem::NoSignature)?;
    let field = |name: &str| {
        body.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::to_string)
    };
    let key = field("key")
        .and_then(|k| hex::decode(k).ok())
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or(AnchorProblem::UnreadableKey)?;
    let signature = hex::decode(signature.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or(AnchorProblem::UnreadableSignature)?;
    key.verify(body.as_bytes(), &signature)
        .map_err(|_| AnchorProblem::Altered)?;
    let facts = field("facts")
        .and_then(|f| f.parse().ok())
        .ok_or(AnchorProblem::NoFactCount)?;
    let key = field("key").unwrap_or_default();
    Ok(Anchor {
        facts,
        head: field("head").unwrap_or_default(),
        registry: field("registry"),
        what: format!(
            "checkpoint of {} (key {})",
            field("date").unwrap_or_default(),
            key.get(..16).unwrap_or_default()
        ),
        signer: Some(key),
    })
}

/// Walks the whole chain (`progress` hears how many facts were checked), then checks it
/// against each anchor; the error names the first broken fact, or where ledger and anchor part.
pub fn verify(
    ledger: &mut Ledger,
    anchors: &[Anchor],
    progress: &mut dyn FnMut(u64),
) -> Result<Head, LedgerError> {
    let head = ledger.verify(progress)?;
    for anchor in anchors {
        check(ledger, anchor)?;
    }
    Ok(head)
}

/// Checks the ledger against an anchor; the error says where they part.
pub fn check(ledger: &mut Ledger, anchor: &Anchor) -> Result<(), ChainError> {
    let fail = |why: String| ChainError::Anchor {
        seq: anchor.facts,
        why,
    };
    if let Some(first) = &anchor.registry {
        let ours = ledger.fact_hash(1).map_err(|e| fail(e.to_string()))?;
        if ours.map(|h| h.to_string()).as_deref() != Some(first.as_str()) {
            return Err(fail(format!(
                "{}: it is about another registry",
                anchor.what
            )));
        }
    }
    let ours = ledger
        .fact_hash(anchor.facts)
        .map_err(|e| fail(e.to_string()))?;
    match ours {
        None => Err(fail(format!(
            "{} vouches for {} facts; the ledger has fewer: facts were removed",
            anchor.what, anchor.facts
        ))),
        Some(h) if h.to_string() == anchor.head => Ok(()),
        // Where the rewrite began is not known from one anchor; its own position is where the
        // ledger is seen to differ.
        Some(_) => Err(fail(format!(
            "not the fact {} vouches for: the ledger was rewritten at or before it",
            anchor.what
        ))),
    }
}

/// The anchors in these files; checkpoints must be signed by one of the `trusted` keys.
pub fn read_all(paths: &[PathBuf], trusted: &[String]) -> Result<Vec<Anchor>, AppError> {
    let mut all = Vec::new();
    for path in paths {
        all.extend(read(path, trusted)?);
    }
    Ok(all)
}
