//! Anchors kept outside the database, against which `verify` checks the chain: signed
//! checkpoints (`vigilia checkpoint`) and the ledger heads that published balances carry.
//!
//! Whoever holds the database key can change a fact and recompute every hash after it: the
//! chain then verifies on its own. It no longer matches what was handed out before: a
//! checkpoint printed or given to a partner says "after N facts the head was H", signed with a
//! key the organisation keeps apart from the registry, and a published balance says the same.

use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use vigilia_core::fact::ChainError;
use vigilia_ledger::Ledger;

use crate::Env;
use crate::failure::Failure;

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
}

/// Writes a signed checkpoint of the registry's head; makes the signing key first if the file
/// does not exist yet.
pub fn checkpoint(env: &Env, signing_key: &Path, out: &Path) -> Result<(), Failure> {
    let key = signing(env, signing_key)?;
    let mut ledger = env.open()?;
    let head = ledger.head()?;
    let first = ledger
        .fact_hash(1)?
        .map(|h| h.to_string())
        .unwrap_or_default();
    let body = format!(
        "{FORMAT}\nregistry: {first}\nfacts: {}\nhead: {}\ndate: {}\nkey: {}\n",
        head.facts,
        head.hash,
        env.clock.now(),
        hex::encode(key.verifying_key().as_bytes())
    );
    let signature = key.sign(body.as_bytes());
    let text = format!("{body}signature: {}\n", hex::encode(signature.to_bytes()));
    std::fs::write(out, text).map_err(|e| Failure::io(out, &e))?;
    crate::say!(
        "{}",
        env.lang.pick(
            &format!(
                "Punto de control en {}: {} hechos, cabeza {}. Entréguelo a un aliado o imprímalo.",
                out.display(),
                env.lang.number(head.facts),
                head.hash
            ),
            &format!(
                "Checkpoint in {}: {} facts, head {}. Hand it to a partner or print it.",
                out.display(),
                env.lang.number(head.facts),
                head.hash
            )
        )
    );
    Ok(())
}

fn signing(env: &Env, path: &Path) -> Result<SigningKey, Failure> {
    if !path.exists() {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| Failure::bad(e.to_string(), e.to_string()))?;
        crate::backup::write_private(path, &format!("{KEY_FORMAT} {}", hex::encode(seed)))?;
        let key = SigningKey::from_bytes(&seed);
        crate::say!(
            "{}",
            env.lang.pick(
                &format!(
                    "Nueva clave de firma en {}: guárdela lejos del registro. Su clave pública: {}",
                    path.display(),
                    hex::encode(key.verifying_key().as_bytes())
                ),
                &format!(
                    "New signing key in {}: keep it away from the registry. Its public key: {}",
                    path.display(),
                    hex::encode(key.verifying_key().as_bytes())
                )
            )
        );
        return Ok(key);
    }
    let text = std::fs::read_to_string(path).map_err(|e| Failure::io(path, &e))?;
    let seed = text
        .trim()
        .strip_prefix(KEY_FORMAT)
        .and_then(|h| hex::decode(h.trim()).ok())
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| {
            Failure::bad(
                format!("{}: no es una clave de firma de Vigilia", path.display()),
                format!("{}: not a Vigilia signing key", path.display()),
            )
        })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads an anchor: a signed checkpoint (its signature checked), or a published balance as
/// JSON (one, or the list `/api/publications` gives), which carries `ledger_seq` and
/// `ledger_head`.
pub fn read(path: &Path) -> Result<Vec<Anchor>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Failure::io(path, &e))?;
    let bad = |es: &str, en: &str| {
        Failure::bad(
            format!("{}: {es}", path.display()),
            format!("{}: {en}", path.display()),
        )
    };
    if text.starts_with(FORMAT) {
        let (body, signature) = text.rsplit_once("signature: ").ok_or_else(|| {
            bad(
                "punto de control sin firma",
                "checkpoint without a signature",
            )
        })?;
        let field = |name: &str| {
            body.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .map(str::to_string)
        };
        let key = field("key")
            .and_then(|k| hex::decode(k).ok())
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .and_then(|b| VerifyingKey::from_bytes(&b).ok())
            .ok_or_else(|| bad("clave pública ilegible", "unreadable public key"))?;
        let signature = hex::decode(signature.trim())
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .map(|b| Signature::from_bytes(&b))
            .ok_or_else(|| bad("firma ilegible", "unreadable signature"))?;
        key.verify(body.as_bytes(), &signature).map_err(|_| {
            bad(
                "la firma no corresponde: el punto de control fue alterado",
                "the signature does not match: the checkpoint was altered",
            )
        })?;
        let facts = field("facts")
            .and_then(|f| f.parse().ok())
            .ok_or_else(|| bad("sin número de hechos", "no number of facts"))?;
        return Ok(vec![Anchor {
            facts,
            head: field("head").unwrap_or_default(),
            registry: field("registry"),
            what: format!(
                "checkpoint of {} (key {})",
                field("date").unwrap_or_default(),
                field("key")
                    .unwrap_or_default()
                    .get(..16)
                    .unwrap_or_default()
            ),
        }]);
    }
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
        bad(
            "no es un punto de control ni un balance publicado (JSON)",
            "neither a checkpoint nor a published balance (JSON)",
        )
    })?;
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
            return Err(bad(
                "un balance publicado sin ledger_seq y ledger_head",
                "a published balance without ledger_seq and ledger_head",
            ));
        };
        out.push(Anchor {
            facts,
            head: head.to_string(),
            registry: None,
            what: format!(
                "balance published as of {}",
                p.get("as_of").and_then(|v| v.as_str()).unwrap_or("?")
            ),
        });
    }
    Ok(out)
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
        Some(_) => {
            // Where the rewrite began is not known from one anchor; its own position is where
            // the ledger is seen to differ.
            Err(fail(format!(
                "not the fact {} vouches for: the ledger was rewritten at or before it",
                anchor.what
            )))
        }
    }
}
