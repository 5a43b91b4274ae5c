//! Signed files: what the organisation gives those who do not trust it (the certified list, the
//! open-data release).
//!
//! Each output is a set of files and a manifest that names every file with its SHA-256, the day
//! the figures are of and the ledger head they came from, and the counts the files must agree
//! with; an ed25519 signature over the manifest lets anyone check it with the organisation's
//! public key. The registry keeps every file in its file store, by its SHA-256, under a fact
//! that carries the hashes: an output is given again byte for byte, whatever was corrected
//! since, and a kept file that changed is an error, never served.
//!
//! [`verify`] is what the recipient runs on a folder: the signature, each file's fingerprint,
//! no file added, and the counts recomputed from the files.

use std::collections::BTreeMap;
use std::path::Path;

pub use ed25519_dalek::SigningKey;
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigilia_core::fact::{KeptFile, SignedFiles};
use vigilia_ledger::{Ledger, Tx};

use crate::error::AppError;

/// One output's files: name and bytes, in the order the manifest lists them, the manifest and
/// its signature last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Files {
    pub version: u64,
    pub files: Vec<(String, Vec<u8>)>,
    /// The hex public key that verifies the manifest's signature.
    pub public_key: String,
}

/// A file as the manifest names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub name: String,
    pub sha256: String,
    pub bytes: usize,
}

/// The fingerprints of `files`, for a manifest.
pub fn fingerprints(files: &[(String, Vec<u8>)]) -> Vec<ManifestFile> {
    files
        .iter()
        .map(|(name, bytes)| ManifestFile {
            name: name.clone(),
            sha256: sha256(bytes),
            bytes: bytes.len(),
        })
        .collect()
}

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hex public key of `key`.
pub fn public_key(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().as_bytes())
}

/// Adds the manifest (`name`, pretty JSON) and its signature (`name.sig`, hex) to `files`.
pub fn sign(
    files: &mut Vec<(String, Vec<u8>)>,
    name: &str,
    manifest: &impl Serialize,
    key: &SigningKey,
) -> Result<(), AppError> {
    let mut bytes = serde_json::to_vec_pretty(manifest).map_err(|e| AppError::Output {
        path: name.into(),
        detail: e.to_string(),
    })?;
    bytes.push(b'\n');
    let signature = format!("{}\n", hex::encode(key.sign(&bytes).to_bytes()));
    files.push((name.to_string(), bytes));
    files.push((format!("{name}.sig"), signature.into_bytes()));
    Ok(())
}

/// One key signs every output, so that a recipient checks each against the first: another key
/// (a typo in its path makes a new one) only when the organisation says it changed it.
pub fn same_key(ledger: &mut Ledger, public_key: &str, new_key: bool) -> Result<(), AppError> {
    let (certified, released) = made(ledger)?;
    let last = certified
        .iter()
        .chain(released.iter())
        .max_by_key(|s| s.ledger_seq);
    match last {
        Some(last) if last.public_key != public_key && !new_key => {
            Err(AppError::OtherSigningKey(last.public_key.clone()))
        }
        _ => Ok(()),
    }
}

/// Refuses to make a new signing key at `path` (a mistyped path would) once outputs were signed,
/// unless the organisation says it changed its key: checked before the key file is written.
pub fn new_key_allowed(ledger: &mut Ledger, path: &Path, new_key: bool) -> Result<(), AppError> {
    if path.exists() || new_key {
        return Ok(());
    }
    let (certified, released) = made(ledger)?;
    match certified
        .iter()
        .chain(released.iter())
        .max_by_key(|s| s.ledger_seq)
    {
        Some(last) => Err(AppError::OtherSigningKey(last.public_key.clone())),
        None => Ok(()),
    }
}

/// The certified lists and the releases made so far, each in order.
pub fn made(ledger: &mut Ledger) -> Result<(Vec<SignedFiles>, Vec<SignedFiles>), AppError> {
    Ok(match ledger.get(vigilia_core::ids::Subject::REGISTRY)? {
        Some(vigilia_core::fold::Record::Registry(r)) => (r.certified, r.released),
        _ => (Vec::new(), Vec::new()),
    })
}

/// Keeps `files` in the ledger's file store; what the fact records of them.
pub fn keep(tx: &mut Tx<'_>, files: &[(String, Vec<u8>)]) -> Result<Vec<KeptFile>, AppError> {
    let mut kept = Vec::new();
    for (name, bytes) in files {
        let media = match name.rsplit('.').next() {
            Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Some("json") => "application/json",
            Some("csv") => "text/csv",
            Some("md") => "text/markdown",
            _ => "text/plain",
        };
        let a = tx.keep_file(media, bytes.clone())?;
        kept.push(KeptFile {
            name: name.clone(),
            sha256: a.sha256,
        });
    }
    Ok(kept)
}

/// Records signed `files` as the fact `change` makes of `made` (its files and the day it was made
/// filled in here), keeping them in the ledger's file store. Coordinators; refused when anything
/// was written since `head`, the position the files were made from.
pub fn record(
    ledger: &mut Ledger,
    actor: &crate::actor::Actor,
    head: vigilia_ledger::Head,
    made: SignedFiles,
    files: Vec<(String, Vec<u8>)>,
    change: fn(SignedFiles) -> vigilia_core::fact::Change,
) -> Result<Files, AppError> {
    let stored = files.clone();
    let (version, public_key) = (made.version, made.public_key.clone());
    crate::write(ledger, |tx| {
        let actor = crate::actor::acting_as(tx, actor, &[vigilia_core::model::Role::Coordinator])?;
        // Nothing written between the count and now: the files are of the ledger head named.
        if tx.content()?.hash != head.hash {
            return Err(AppError::CountedBeforeAChange);
        }
        let files = keep(tx, &stored)?;
        let recorded_on = tx.today()?;
        tx.append(vigilia_core::fact::Draft {
            recorded_on,
            actor: actor.name.clone(),
            subject: vigilia_core::ids::Subject::REGISTRY,
            change: change(SignedFiles {
                made_on: Some(recorded_on),
                files,
                ..made
            }),
            sources: Vec::new(),
        })?;
        Ok(())
    })?;
    Ok(Files {
        version,
        files,
        public_key,
    })
}

/// A kept file's bytes, checked against their hash by the ledger.
pub fn kept(ledger: &mut Ledger, f: &KeptFile) -> Result<Vec<u8>, AppError> {
    match ledger.file(&f.sha256)? {
        Some((_, bytes)) => Ok(bytes),
        None => Err(AppError::Output {
            path: f.name.clone(),
            detail: "missing from the registry's files".into(),
        }),
    }
}

/// How many of the persons `signed` shows have since withdrawn their consent (now stricter
/// than what the files show), or were merged into a person whose consent is.
pub fn withdrawn(ledger: &mut Ledger, signed: &SignedFiles) -> Result<usize, AppError> {
    use vigilia_core::model::Disclosure;
    let mut n = 0;
    for s in &signed.shown {
        let now = crate::public::published_person(ledger, s.person)?.map(|p| p.disclosure);
        let allowed = match now {
            Some(Disclosure::Named) => true,
            Some(Disclosure::Initials) => !s.named,
            _ => false,
        };
        if !allowed {
            n += 1;
        }
    }
    Ok(n)
}

/// Refused when someone `signed` shows has since withdrawn their consent.
pub fn still_consented(ledger: &mut Ledger, signed: &SignedFiles) -> Result<(), AppError> {
    match withdrawn(ledger, signed)? {
        0 => Ok(()),
        people => Err(AppError::ConsentWithdrawn {
            version: signed.version,
            people,
        }),
    }
}

/// The files of `signed`, byte for byte as made; refused once someone it shows has withdrawn
/// their consent (a withdrawal applies to every output after it).
pub fn reproduce(ledger: &mut Ledger, signed: &SignedFiles) -> Result<Files, AppError> {
    still_consented(ledger, signed)?;
    let mut files = Vec::new();
    for f in &signed.files {
        files.push((f.name.clone(), kept(ledger, f)?));
    }
    Ok(Files {
        version: signed.version,
        files,
        public_key: signed.public_key.clone(),
    })
}

// --- verifying a folder, as its recipient does

/// A manifest, as signed outputs write it and `verify` reads it: what the files are of, the
/// ledger position they came from, the counts they must agree with, and each file's
/// fingerprint. The counts a kind of output does not have are left out.
#[derive(Debug, Serialize, Deserialize, Default)]
pub struct Manifest {
    pub format: String,
    #[serde(default)]
    pub version: u64,
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub known_on: String,
    #[serde(default)]
    pub ledger_seq: u64,
    #[serde(default)]
    pub ledger_head: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub political_prisoners: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_name: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_initials: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted_only: Option<u64>,
    /// Certified lists: who entered and who left since the version before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<u64>,
    /// Releases: the smallest group named, and the weeks of the series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld_below: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weeks: Option<u64>,
    pub files: Vec<ManifestFile>,
    pub public_key: String,
}

/// What a folder that verified is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub manifest: String,
    pub version: u64,
    /// The day the figures are of, and as known on (as the manifest writes them, ISO).
    pub as_of: String,
    pub known_on: String,
    pub format: String,
    pub files: usize,
    pub public_key: String,
    /// Whether the key was the one the recipient trusts (none given: not checked).
    pub trusted: Option<bool>,
    /// The counts recomputed from the files, by name, each equal to the manifest's.
    pub counts: BTreeMap<&'static str, u64>,
}

/// Why a folder did not verify: the first file that differs, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Differs {
    Missing,
    /// A link, a device or a pipe where a file should be.
    NotAFile,
    /// More bytes than the manifest says.
    Larger {
        limit: u64,
    },
    Changed {
        stated: String,
        found: String,
    },
    NotListed,
    Unreadable(String),
    BadSignature,
    OtherKey {
        signed_by: String,
        trusted: String,
    },
    Count {
        what: &'static str,
        stated: u64,
        found: u64,
    },
}

/// Checks the folder `dir` as someone who does not trust the organisation would: the manifest's
/// signature (by `trusted`, the hex public key they hold, when given), every file's SHA-256,
/// that no file was added, and the counts recomputed from the files against the manifest's.
pub fn verify(dir: &Path, trusted: Option<&str>) -> Result<Verified, AppError> {
    let differs = |file: &str, how: Differs| AppError::Differs {
        file: file.to_string(),
        how,
    };
    let manifest = find_manifest(dir)?;
    let manifest_bytes =
        read_regular(&dir.join(&manifest), MANIFEST_MAX).map_err(|how| differs(&manifest, how))?;
    let stated: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| differs(&manifest, Differs::Unreadable(e.to_string())))?;
    // The signature first: nothing the manifest says counts before it is known to be signed.
    let sig_name = format!("{manifest}.sig");
    let sig_text = read_regular(&dir.join(&sig_name), 1_024)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|how| differs(&sig_name, how))?;
    let key = hex::decode(&stated.public_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| differs(&manifest, Differs::BadSignature))?;
    let signature = hex::decode(sig_text.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or_else(|| differs(&sig_name, Differs::BadSignature))?;
    if key.verify(&manifest_bytes, &signature).is_err() {
        return Err(differs(&manifest, Differs::BadSignature));
    }
    if let Some(t) = trusted
        && !t.trim().eq_ignore_ascii_case(&stated.public_key)
    {
        return Err(differs(
            &sig_name,
            Differs::OtherKey {
                signed_by: stated.public_key.clone(),
                trusted: t.trim().to_string(),
            },
        ));
    }
    let mut contents = BTreeMap::new();
    for f in &stated.files {
        // A name is a file in this folder, never a path out of it.
        if f.name.contains(['/', '\\']) || f.name.starts_with('.') {
            return Err(differs(
                &f.name,
                Differs::Unreadable("not a file name".into()),
            ));
        }
        // No more than the manifest says the file has: a file grown (or a device that never
        // ends) differs without being read whole.
        let bytes = read_regular(&dir.join(&f.name), f.bytes as u64)
            .map_err(|how| differs(&f.name, how))?;
        let found = sha256(&bytes);
        if !found.eq_ignore_ascii_case(&f.sha256) {
            return Err(differs(
                &f.name,
                Differs::Changed {
                    stated: f.sha256.clone(),
                    found,
                },
            ));
        }
        contents.insert(f.name.clone(), bytes);
    }
    let mut present: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| differs(".", Differs::Unreadable(e.to_string())))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    if let Some(extra) = present
        .iter()
        .find(|n| **n != manifest && **n != sig_name && !contents.contains_key(*n))
    {
        return Err(differs(extra, Differs::NotListed));
    }
    let counts = recount(&stated, &contents)?;
    Ok(Verified {
        manifest,
        version: stated.version,
        as_of: stated.as_of,
        known_on: stated.known_on,
        format: stated.format,
        files: stated.files.len(),
        public_key: stated.public_key,
        trusted: trusted.map(|_| true),
        counts,
    })
}

/// The largest manifest read.
const MANIFEST_MAX: u64 = 1 << 20;

/// A file's bytes, when it is a regular file (not a link, a device or a pipe) of at most
/// `limit` bytes.
fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, Differs> {
    use std::io::Read;
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Differs::Missing),
        Err(e) => return Err(Differs::Unreadable(e.to_string())),
    };
    if !meta.file_type().is_file() {
        return Err(Differs::NotAFile);
    }
    let file = std::fs::File::open(path).map_err(|e| Differs::Unreadable(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Differs::Unreadable(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(Differs::Larger { limit });
    }
    Ok(bytes)
}

/// The manifest of the folder: `manifest.json`, or the one `manifest-N.json` of a certified
/// list. A folder with a signature but not its manifest lost it (it differs); one with neither,
/// or with several manifests, is not a signed output at all.
fn find_manifest(dir: &Path) -> Result<String, AppError> {
    let not_one = |why: &str| AppError::NotSignedFiles {
        dir: dir.to_path_buf(),
        why: why.to_string(),
    };
    let names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| not_one(&e.to_string()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let manifest = |n: &str| {
        n == "manifest.json"
            || n.strip_prefix("manifest-")
                .and_then(|r| r.strip_suffix(".json"))
                .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
    };
    let found: Vec<&String> = names.iter().filter(|n| manifest(n)).collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => match names
            .iter()
            .find_map(|n| n.strip_suffix(".sig").filter(|m| manifest(m)))
        {
            Some(lost) => Err(AppError::Differs {
                file: lost.to_string(),
                how: Differs::Missing,
            }),
            None => Err(not_one("no manifest")),
        },
        _ => Err(not_one("several manifests")),
    }
}

/// The counts the files give, each checked against the manifest's.
fn recount(
    stated: &Manifest,
    contents: &BTreeMap<String, Vec<u8>>,
) -> Result<BTreeMap<&'static str, u64>, AppError> {
    let mut counts = BTreeMap::new();
    let mut check = |file: &str, what: &'static str, stated: Option<u64>, found: u64| {
        if let Some(stated) = stated
            && stated != found
        {
            return Err(AppError::Differs {
                file: file.to_string(),
                how: Differs::Count {
                    what,
                    stated,
                    found,
                },
            });
        }
        counts.insert(what, found);
        Ok(())
    };
    // The list of people (certified: `list-N.csv`; release: `public-list.csv`), by how each is
    // shown; the certified list has a row for each, the release a count for those not shown.
    let list = contents
        .iter()
        .find(|(n, _)| (n.starts_with("list-") || *n == "public-list.csv") && n.ends_with(".csv"));
    if let Some((name, bytes)) = list {
        let rows = csv_rows(name, bytes)?;
        let shown = |how: &str| {
            rows.iter()
                .filter(|r| {
                    r.get("consent").or(r.get("listed_as")).map(String::as_str) == Some(how)
                })
                .count() as u64
        };
        let (named, initials) = (shown("named"), shown("initials"));
        check(name, "by_name", stated.by_name, named)?;
        check(name, "by_initials", stated.by_initials, initials)?;
        if name.starts_with("list-") {
            check(
                name,
                "counted_only",
                stated.counted_only,
                shown("count_only"),
            )?;
            check(
                name,
                "political_prisoners",
                stated.political_prisoners,
                rows.len() as u64,
            )?;
        } else {
            let counted = stated.counted_only.unwrap_or(0);
            check(
                name,
                "political_prisoners",
                stated.political_prisoners,
                named + initials + counted,
            )?;
        }
    }
    // The release's balance gives the same figure; its series the weeks stated.
    if let Some(bytes) = contents.get("balance.csv") {
        let rows = csv_rows("balance.csv", bytes)?;
        let total = rows
            .iter()
            .find(|r| {
                r.get("figure").map(String::as_str) == Some("political_prisoners")
                    && r.get("dimension").map(String::as_str) == Some("total")
            })
            .and_then(|r| r.get("count")?.parse().ok())
            .unwrap_or(0);
        check(
            "balance.csv",
            "political_prisoners",
            stated.political_prisoners,
            total,
        )?;
    }
    if let Some(bytes) = contents.get("series.csv") {
        let rows = csv_rows("series.csv", bytes)?;
        check("series.csv", "weeks", stated.weeks, rows.len() as u64)?;
    }
    // The data package names each file with the same fingerprint as the manifest.
    if let Some(bytes) = contents.get("datapackage.json") {
        let package: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| AppError::Differs {
                file: "datapackage.json".into(),
                how: Differs::Unreadable(e.to_string()),
            })?;
        let resources = package.get("resources").and_then(|r| r.as_array());
        for r in resources.into_iter().flatten() {
            let text = |key: &str| r.get(key).and_then(|v| v.as_str());
            let (Some(path), Some(hash)) = (text("path"), text("hash")) else {
                continue;
            };
            let listed = stated.files.iter().find(|f| f.name == path);
            let hash = hash.strip_prefix("sha256:").unwrap_or(hash);
            if listed.is_none_or(|f| !f.sha256.eq_ignore_ascii_case(hash)) {
                return Err(AppError::Differs {
                    file: "datapackage.json".into(),
                    how: Differs::Changed {
                        stated: listed.map(|f| f.sha256.clone()).unwrap_or_default(),
                        found: hash.to_string(),
                    },
                });
            }
        }
    }
    Ok(counts)
}

/// A CSV file's rows, by column name.
fn csv_rows(name: &str, bytes: &[u8]) -> Result<Vec<BTreeMap<String, String>>, AppError> {
    let unreadable = |e: csv::Error| AppError::Differs {
        file: name.to_string(),
        how: Differs::Unreadable(e.to_string()),
    };
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers().map_err(unreadable)?.clone();
    let mut out = Vec::new();
    for r in reader.records() {
        let r = r.map_err(unreadable)?;
        out.push(
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect(),
        );
    }
    Ok(out)
}
