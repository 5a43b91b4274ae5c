//! The ledger's logic, written once for every engine: appending sealed facts and keeping the
//! projection in step in the same transaction, reading records, verifying the hash chain, and
//! rebuilding the projection from the facts.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use vigilia_core::clock::Clock;
use vigilia_core::confidential::{Confidential, Field};
use vigilia_core::date::Day;
use vigilia_core::fact::{AppendedAt, ChainCheck, Change, Draft, Fact, FactRow, Hash};
use vigilia_core::fold::{self, KnownOn, Record};
use vigilia_core::ids::{Kind, Subject};
use vigilia_core::profile::Profile;

use crate::engine::{Engine, RecordRow};
use crate::keyring::{self, Key, unreadable};
use crate::postgres::Postgres;
use crate::sqlite::Sqlite;
use crate::{DatabaseUrl, LedgerError, Secret};

/// Facts read per page while walking the whole ledger.
const PAGE: usize = 20_000;
/// How far behind the registry's last fact a clock may be and still write (see
/// [`Ledger::appended_at`]).
const CLOCK_SLACK: jiff::SignedDuration = jiff::SignedDuration::from_secs(300);

/// Facts a transaction gathers before handing them to the engine.
const STAGE: usize = 4096;

/// How far the ledger reaches: the number of facts and the hash of the last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub facts: u64,
    pub hash: Hash,
}

/// Saved derived data a few facts behind the ledger, with the records changed since.
#[derive(Clone, Debug)]
pub struct Behind {
    pub data: Vec<u8>,
    pub touched: Vec<Subject>,
}

/// What a rebuild did: the projection's digest before and after must be equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rebuilt {
    pub records: u64,
    pub digest_before: String,
    pub digest_after: String,
}

/// A registry: its ledger of facts and the projection derived from it.
pub struct Ledger {
    engine: Box<dyn Engine>,
    clock: Arc<dyn Clock>,
    profile: Option<Profile>,
    /// The last fact (not an audit fact) about each kind of record, as read from the registry
    /// when its head was the one kept with it.
    changes: Option<(Head, LastChanges)>,
    /// The key-encryption key of the keyring, when the registry was opened with its key.
    kek: Option<Key>,
    /// The key that names rows of the servers' shared state, with the registry's key.
    state_names: Option<Key>,
    /// Where the registry is and the key it was opened with, to open more connections to it.
    url: DatabaseUrl,
    key: Option<Secret>,
    /// After a commit made without waiting ([`Tx::commit_later`]), what the next transaction
    /// goes on from without asking the engine.
    after: Option<After>,
}

/// Where a transaction committed without waiting left the registry: the head, the last id of
/// each kind, and the records it wrote (which may not be committed yet, so not yet readable
/// on a reader's connection).
struct After {
    head: Head,
    /// When it began: never before the registry's last fact (see [`Ledger::appended_at`]), so
    /// the next transaction is dated from it.
    appended_at: jiff::Timestamp,
    ids: HashMap<Kind, u64>,
    records: FxHashMap<Subject, Record>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ledger({})", self.engine.name())
    }
}

/// The ledger on the engine the URL names, and whether it holds any fact yet.
fn connect(
    url: &DatabaseUrl,
    key: Option<&Secret>,
    create: bool,
    clock: Arc<dyn Clock>,
) -> Result<(Ledger, bool), LedgerError> {
    let mut engine: Box<dyn Engine> = match url {
        DatabaseUrl::Sqlite(path) => Box::new(Sqlite::open(path, key, create)?),
        DatabaseUrl::Postgres(url) => Box::new(Postgres::open(url, create)?),
    };
    let has_facts = engine.head()?.is_some();
    let kek = match key {
        Some(secret) => Some(open_keyring(engine.as_mut(), secret, url)?),
        None if engine.key_get(keyring::CHECK)?.is_some() => {
            return Err(LedgerError::KeyNeeded(url.to_string()));
        }
        None => None,
    };
    let state_names = match &kek {
        Some(kek) => Some(unwrap_or_make(engine.as_mut(), kek, keyring::STATE_NAMES)?),
        None => None,
    };
    Ok((
        Ledger {
            engine,
            clock,
            profile: None,
            changes: None,
            after: None,
            kek,
            state_names,
            url: url.clone(),
            key: key.cloned(),
        },
        has_facts,
    ))
}

/// The keyring's key-encryption key for `secret`; the first opening with a key makes the
/// keyring's salt and check, later ones refuse a key that does not unwrap the check.
fn open_keyring(
    engine: &mut dyn Engine,
    secret: &Secret,
    url: &DatabaseUrl,
) -> Result<Key, LedgerError> {
    // Written once (a registry already opened with its key is only read: a second process,
    // such as `verify` beside a running server, takes no write lock here).
    if engine.key_get(keyring::SALT)?.is_none() {
        let salt: [u8; 16] = keyring::random()?;
        engine.key_put(vec![(keyring::SALT.into(), salt.to_vec())], false)?;
    }
    let salt = engine
        .key_get(keyring::SALT)?
        .ok_or_else(|| LedgerError::WrongKey(url.to_string()))?;
    let kek = Key::derive(secret, &salt)?;
    if engine.key_get(keyring::CHECK)?.is_none() {
        let check = kek.wrap(keyring::CHECK, &Key::random()?)?;
        engine.key_put(vec![(keyring::CHECK.into(), check)], false)?;
    }
    let stored = engine
        .key_get(keyring::CHECK)?
        .ok_or_else(|| LedgerError::WrongKey(url.to_string()))?;
    match kek.unwrap(keyring::CHECK, &stored) {
        Some(_) => Ok(kek),
        None => Err(LedgerError::WrongKey(url.to_string())),
    }
}

/// A key of the keyring made once, at the first opening with the registry's key (several
/// processes opening at once keep the first one written).
fn unwrap_or_make(engine: &mut dyn Engine, kek: &Key, name: &str) -> Result<Key, LedgerError> {
    if engine.key_get(name)?.is_none() {
        let wrapped = kek.wrap(name, &Key::random()?)?;
        engine.key_put(vec![(name.into(), wrapped)], false)?;
    }
    let stored = engine
        .key_get(name)?
        .ok_or_else(|| LedgerError::WrongKey(format!("keyring row {name}")))?;
    kek.unwrap(name, &stored)
        .ok_or_else(|| LedgerError::WrongKey(format!("keyring row {name}")))
}

impl Ledger {
    /// Opens an existing registry. A missing SQLite file or a database without a ledger is an
    /// error: only [`Ledger::create`] makes a registry.
    /// Without a key: a SQLite file is neither encrypted nor decrypted (tests, benchmarks);
    /// the command line always opens SQLite with [`Ledger::open_with`].
    pub fn open(url: &DatabaseUrl, clock: Arc<dyn Clock>) -> Result<Ledger, LedgerError> {
        Ledger::open_with(url, None, clock)
    }

    /// Opens an existing registry with its key (SQLite: the key it was encrypted with).
    pub fn open_with(
        url: &DatabaseUrl,
        key: Option<&Secret>,
        clock: Arc<dyn Clock>,
    ) -> Result<Ledger, LedgerError> {
        match connect(url, key, false, clock)? {
            (ledger, true) => Ok(ledger),
            (_, false) => Err(LedgerError::NotARegistry(url.to_string())),
        }
    }

    /// Another connection to the same registry, opened with the same key: for readers that
    /// must not wait behind the writer.
    pub fn another(&self) -> Result<Ledger, LedgerError> {
        Ledger::open_with(&self.url, self.key.as_ref(), self.clock.clone())
    }

    /// Creates a registry with its country profile as the first fact (without a key: see
    /// [`Ledger::open`]).
    pub fn create(
        url: &DatabaseUrl,
        clock: Arc<dyn Clock>,
        profile: Profile,
        actor: &str,
    ) -> Result<Ledger, LedgerError> {
        Ledger::create_with(url, None, clock, profile, actor)
    }

    /// Creates a registry encrypted with `key` (SQLite), its profile as the first fact.
    pub fn create_with(
        url: &DatabaseUrl,
        key: Option<&Secret>,
        clock: Arc<dyn Clock>,
        profile: Profile,
        actor: &str,
    ) -> Result<Ledger, LedgerError> {
        let (mut ledger, has_facts) = connect(url, key, true, clock)?;
        if has_facts {
            return Err(LedgerError::AlreadyExists(url.to_string()));
        }
        let today = profile.day_at(ledger.clock.now());
        let mut tx = ledger.begin()?;
        tx.append(Draft {
            recorded_on: today,
            actor: actor.to_string(),
            subject: Subject::REGISTRY,
            change: Change::RegistryCreated {
                profile: profile.source.clone(),
            },
            sources: Vec::new(),
        })?;
        tx.commit()?;
        ledger.profile = Some(profile);
        Ok(ledger)
    }

    /// An empty registry, for a restore to fill: refused where one exists.
    pub(crate) fn create_empty(
        url: &DatabaseUrl,
        key: Option<&Secret>,
        clock: Arc<dyn Clock>,
    ) -> Result<Ledger, LedgerError> {
        match connect(url, key, true, clock)? {
            (_, true) => Err(LedgerError::AlreadyExists(url.to_string())),
            (ledger, false) => Ok(ledger),
        }
    }

    /// Stores facts exactly as they were stored elsewhere (a restore); `verify` checks them.
    pub(crate) fn restore_facts(&mut self, rows: Vec<FactRow>) -> Result<(), LedgerError> {
        let mut changed = LastChanges::default();
        rows.iter().for_each(|r| changed.note_row(r));
        self.engine.begin()?;
        let result = self
            .engine
            .insert_facts(rows)
            .and_then(|()| changed.store(self.engine.as_mut(), false));
        match result {
            Ok(()) => self.engine.commit(),
            Err(e) => {
                let _ = self.engine.rollback();
                Err(e)
            }
        }
    }

    /// Keeps a file from a backup, refusing one whose bytes do not match its name.
    pub(crate) fn restore_file(
        &mut self,
        sha256: &str,
        media_type: &str,
        data: Vec<u8>,
    ) -> Result<(), LedgerError> {
        if hex::encode(Sha256::digest(&data)) != sha256 {
            return Err(LedgerError::FileChanged(sha256.to_string()));
        }
        self.engine.put_file(sha256, media_type, data)
    }

    /// Changes the registry's key: the keyring's data keys are wrapped again under the new
    /// key-encryption key (the facts do not change), then a SQLite file is re-encrypted page
    /// by page. The old key no longer opens it. Should the re-encryption fail, the keyring is
    /// put back as it was.
    pub fn rekey(&mut self, key: &Secret) -> Result<(), LedgerError> {
        let Some(old) = self.kek.take() else {
            return self.engine.rekey(key);
        };
        let result = (|| {
            let salt = self
                .engine
                .key_get(keyring::SALT)?
                .ok_or_else(|| LedgerError::Crypto("the keyring has no salt".into()))?;
            let new = Key::derive(key, &salt)?;
            let before: Vec<(String, Vec<u8>)> = self
                .engine
                .keys()?
                .into_iter()
                .filter(|(name, _)| name != keyring::SALT)
                .collect();
            let mut after = Vec::with_capacity(before.len());
            for (name, wrapped) in &before {
                let data = old
                    .unwrap(name, wrapped)
                    .ok_or_else(|| LedgerError::WrongKey(format!("keyring row {name}")))?;
                after.push((name.clone(), new.wrap(name, &data)?));
            }
            self.replace_keys(after)?;
            if let Err(e) = self.engine.rekey(key) {
                let _ = self.replace_keys(before);
                return Err(e);
            }
            Ok(new)
        })();
        match result {
            Ok(new) => {
                self.kek = Some(new);
                Ok(())
            }
            Err(e) => {
                self.kek = Some(old);
                Err(e)
            }
        }
    }

    fn replace_keys(&mut self, rows: Vec<(String, Vec<u8>)>) -> Result<(), LedgerError> {
        self.engine.begin()?;
        match self.engine.key_put(rows, true) {
            Ok(()) => self.engine.commit(),
            Err(e) => {
                let _ = self.engine.rollback();
                Err(e)
            }
        }
    }

    /// A secret for `purpose` (such as signing anonymous forms), the same for every process
    /// opened with the registry's key and stored nowhere: derived from a keyring key. `None`
    /// without the key.
    pub fn secret_for(&self, purpose: &str) -> Result<Option<[u8; 32]>, LedgerError> {
        self.state_names
            .as_ref()
            .map(|k| k.secret_for(purpose))
            .transpose()
    }

    /// Whether the registry was opened with its key (confidential fields are then encrypted,
    /// and a value in the clear where one is expected was not written by Vigilia).
    pub fn keyed(&self) -> bool {
        self.kek.is_some()
    }

    /// The text of a record's confidential field. An encrypted one is decrypted with the
    /// record's data key: the caller has checked that the account may read it, and audits it.
    pub fn reveal(
        &mut self,
        subject: Subject,
        field: Field,
        value: &Confidential,
    ) -> Result<String, LedgerError> {
        let encrypted = match value {
            Confidential::Plain(text) => return Ok(text.clone()),
            Confidential::Encrypted(e) => e,
        };
        match self.data_key(subject, field)? {
            Some(key) => key.decrypt_field(subject, field, encrypted),
            None => Err(unreadable(subject, field)),
        }
    }

    /// A new data key for a record, kept wrapped in the keyring (in the current transaction).
    fn new_data_key(&mut self, subject: Subject) -> Result<Key, LedgerError> {
        let kek = self.kek.as_ref().ok_or(LedgerError::KeyNeeded(
            "this registry (opened without its key)".into(),
        ))?;
        let key = Key::random()?;
        let name = keyring::name_of(subject);
        let wrapped = kek.wrap(&name, &key)?;
        self.engine.key_put(vec![(name, wrapped)], false)?;
        Ok(key)
    }

    /// A record's data key from the keyring; `None` when it has none (never made, or erased)
    /// or when the registry was opened without its key. A row this key did not wrap (changed,
    /// or from another registry) is refused.
    fn data_key(&mut self, subject: Subject, field: Field) -> Result<Option<Key>, LedgerError> {
        let Some(kek) = &self.kek else {
            return Ok(None);
        };
        let name = keyring::name_of(subject);
        match self.engine.key_get(&name)? {
            None => Ok(None),
            Some(wrapped) => kek
                .unwrap(&name, &wrapped)
                .map(Some)
                .ok_or_else(|| unreadable(subject, field)),
        }
    }

    /// Erases a record's confidential fields for good: its data key is destroyed, in the same
    /// transaction as the fact that says who erased them and why. Earlier facts keep their
    /// ciphertext, so the chain still verifies; nobody can open it any more.
    pub fn erase(
        &mut self,
        actor: &str,
        subject: Subject,
        reason: &str,
    ) -> Result<Head, LedgerError> {
        let change = Change::ConfidentialErased {
            reason: reason.to_string(),
        };
        self.record_with(actor, subject, change, |tx| tx.destroy_data_key(subject))
    }

    /// Every record's data key, in the clear, for a backup (which is itself encrypted).
    pub(crate) fn data_keys(&mut self) -> Result<Vec<(String, [u8; 32])>, LedgerError> {
        let Some(kek) = &self.kek else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (name, wrapped) in self.engine.keys()? {
            if name == keyring::SALT || name == keyring::CHECK {
                continue;
            }
            let key = kek
                .unwrap(&name, &wrapped)
                .ok_or_else(|| LedgerError::WrongKey(format!("keyring row {name}")))?;
            out.push((name, key.bytes()));
        }
        Ok(out)
    }

    /// Keeps data keys from a backup, wrapped under this registry's key.
    pub(crate) fn restore_data_keys(
        &mut self,
        keys: Vec<(String, [u8; 32])>,
    ) -> Result<(), LedgerError> {
        if keys.is_empty() {
            return Ok(());
        }
        let Some(kek) = &self.kek else {
            return Err(LedgerError::KeyNeeded("the backup".into()));
        };
        let rows = keys
            .into_iter()
            .map(|(name, bytes)| {
                let wrapped = kek.wrap(&name, &Key::from_bytes(bytes))?;
                Ok((name, wrapped))
            })
            .collect::<Result<Vec<_>, LedgerError>>()?;
        self.replace_keys(rows)
    }

    /// Up to `limit` stored facts after position `after`, as stored (a backup copies them).
    pub fn raw_facts(&mut self, after: u64, limit: usize) -> Result<Vec<FactRow>, LedgerError> {
        self.engine.facts_after(after, limit)
    }

    /// Starts or ends a bulk load (an import of many rows). On SQLite with nobody else using
    /// the file, it writes each page once instead of twice; it changes nothing else.
    pub fn bulk(&mut self, on: bool) -> Result<bool, LedgerError> {
        self.engine.bulk(on)
    }

    /// `sqlite` or `postgres`.
    pub fn engine_name(&self) -> &'static str {
        self.engine.name()
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The registry's country profile, as stored in its first fact.
    pub fn profile(&mut self) -> Result<&Profile, LedgerError> {
        if self.profile.is_none() {
            let Some(Record::Registry(r)) = self.get(Subject::REGISTRY)? else {
                return Err(LedgerError::NotARegistry("registry:0".into()));
            };
            self.profile = Some(Profile::from_toml(&r.profile)?);
        }
        self.profile
            .as_ref()
            .ok_or_else(|| LedgerError::NotARegistry("registry:0".into()))
    }

    /// The organisation's calendar day now, by its profile's time zone: the day a write
    /// beginning now would be dated (see [`Ledger::appended_at`]). A clock set by hand is
    /// refused more than five minutes behind the last fact, which is another day only in the
    /// last minutes before midnight: only then is the last fact read for it. A machine's
    /// running clock may be any way behind (after one that ran fast wrote): the last fact is
    /// always read (one indexed row).
    pub fn today(&mut self) -> Result<Day, LedgerError> {
        let now = self.clock.now();
        let by_hand = self.clock.set_by_hand();
        let profile = self.profile()?;
        let day = profile.day_at(now);
        if by_hand
            && now
                .checked_add(CLOCK_SLACK)
                .is_ok_and(|later| profile.day_at(later) == day)
        {
            return Ok(day);
        }
        let last = self.last_appended_at()?;
        let at = self.appended_at(last).unwrap_or(now);
        Ok(self.profile()?.day_at(at))
    }

    /// When the last fact was appended.
    fn last_appended_at(&mut self) -> Result<Option<jiff::Timestamp>, LedgerError> {
        match self.engine.last_appended_at()? {
            Some(text) => Ok(Some(text.parse().map_err(|_| {
                LedgerError::Stopped(format!("the last fact's time {text:?}"))
            })?)),
            None => Ok(None),
        }
    }

    pub fn head(&mut self) -> Result<Head, LedgerError> {
        Ok(match self.engine.head()? {
            Some((facts, hash)) => Head { facts, hash },
            None => Head {
                facts: 0,
                hash: Hash::GENESIS,
            },
        })
    }

    /// The head as of the last fact that changed what the registry says. Audit facts (who
    /// looked at what) change nothing, so a balance computed now holds for this head.
    pub fn content(&mut self) -> Result<Head, LedgerError> {
        let facts = self.changed(&Kind::ALL)?;
        let hash = self.fact_hash(facts)?.unwrap_or(Hash::GENESIS);
        Ok(Head { facts, hash })
    }

    /// The position of the last fact, not an audit fact, about a record of these kinds: what
    /// is derived from those records alone (the counting index from persons and detentions,
    /// the accounts) stays good while this stays where it is, whatever else is written.
    ///
    /// The positions are kept in the registry, written with the facts (so no process scans
    /// the ledger for them), and read again whenever the head has moved since they were last
    /// read: another process may have written.
    pub fn changed(&mut self, kinds: &[Kind]) -> Result<u64, LedgerError> {
        let head = self.head()?;
        let changes = match self.changes.take() {
            Some((seen, changes)) if seen == head => changes,
            // Read after the head: at least as recent as it (a commit writes both at once).
            _ => LastChanges(self.engine.changed()?.into_iter().collect()),
        };
        let last = changes.last(kinds);
        self.changes = Some((head, changes));
        Ok(last)
    }

    /// Starts a write. Facts appended in it become visible, durable and part of the chain
    /// together at [`Tx::commit`], or not at all.
    pub fn begin(&mut self) -> Result<Tx<'_>, LedgerError> {
        let mut carried = FxHashMap::default();
        let started = match self.after.take() {
            // Right after a commit made without waiting: from where it left the chain.
            Some(after) => {
                let at = (after.head.facts > 0).then_some((after.head.facts, after.head.hash));
                self.engine.begin_after(at)?;
                carried = after.records;
                Ok((after.head, after.ids, Some(after.appended_at)))
            }
            None => {
                self.engine.begin()?;
                (|| {
                    let head = self.head()?;
                    let mut max_ids = HashMap::new();
                    for kind in Kind::ALL {
                        max_ids.insert(kind, self.engine.max_id(kind.name())?);
                    }
                    let last = self.last_appended_at()?;
                    Ok::<_, LedgerError>((head, max_ids, last))
                })()
            }
        };
        let started =
            started.and_then(|(head, ids, last)| Ok((head, ids, self.appended_at(last)?)));
        let (head, max_ids, now) = match started {
            Ok(v) => v,
            Err(e) => {
                let _ = self.engine.rollback();
                return Err(e);
            }
        };
        let appended_at = AppendedAt::new(now);
        // After a commit made without waiting (a long import), this batch is likely the size
        // of the last: its records are kept in a table made that size at once, not grown
        // (and moved) by doubling.
        let touched = FxHashMap::with_capacity_and_hasher(carried.len(), rustc_hash::FxBuildHasher);
        Ok(Tx {
            appended_at,
            refused: None,
            seq: head.facts,
            head: head.hash,
            next_ids: max_ids.clone(),
            existing_max: max_ids,
            rows: Vec::new(),
            appended: 0,
            touched,
            carried,
            order: Vec::new(),
            written: rustc_hash::FxHashSet::default(),
            data_keys: FxHashMap::default(),
            state_changed: false,
            changed: LastChanges::default(),
            content: None,
            writes: 0,
            done: false,
            ledger: self,
        })
    }

    /// When a transaction beginning now appends its facts, given when the last fact was appended:
    /// never before it, for a fact recorded in the past would change what the registry said it
    /// knew on days already counted and published. A machine's clock behind it (two servers'
    /// clocks differ by seconds; a machine whose clock ran fast wrote before) writes at the last
    /// fact's instant, so that the registry goes on working; a clock set by hand (`--now` or
    /// `VIGILIA_NOW`, perhaps left set) more than five minutes behind is refused.
    fn appended_at(
        &mut self,
        last: Option<jiff::Timestamp>,
    ) -> Result<jiff::Timestamp, LedgerError> {
        let now = self.clock.now();
        match last {
            Some(last) if self.clock.set_by_hand() && last.duration_since(now) > CLOCK_SLACK => {
                Err(LedgerError::ClockBehind {
                    now,
                    last,
                    offset: self.profile()?.utc_offset,
                })
            }
            Some(last) => Ok(now.max(last)),
            None => Ok(now),
        }
    }

    /// Appends one fact about an existing record, recorded today, in a transaction of its own.
    pub fn record(
        &mut self,
        actor: &str,
        subject: Subject,
        change: Change,
    ) -> Result<Head, LedgerError> {
        self.record_with(actor, subject, change, |_| Ok(()))
    }

    /// [`Ledger::record`], with `also` done in the same transaction.
    fn record_with(
        &mut self,
        actor: &str,
        subject: Subject,
        change: Change,
        also: impl FnOnce(&mut Tx<'_>) -> Result<(), LedgerError>,
    ) -> Result<Head, LedgerError> {
        let mut tx = self.begin()?;
        let recorded_on = tx.today()?;
        tx.append(Draft {
            recorded_on,
            actor: actor.to_string(),
            subject,
            change,
            sources: Vec::new(),
        })?;
        also(&mut tx)?;
        tx.commit()
    }

    /// Records that `actor` saw or took `subject` (an audit fact, durable when this returns).
    /// It carries what kind of access it was, never the values seen.
    pub fn audit(
        &mut self,
        actor: &str,
        subject: Subject,
        what: vigilia_core::fact::Audit,
    ) -> Result<Head, LedgerError> {
        self.record(
            actor,
            subject,
            Change::Audited {
                what,
                records: Vec::new(),
                query: None,
            },
        )
    }

    /// A row of the servers' shared state, if it has not expired (see `server_state`).
    pub fn state(&mut self, key: &str) -> Result<Option<String>, LedgerError> {
        let now = self.clock.now().as_second();
        let name = self.state_name(key)?;
        self.engine.state_get(&name, now)
    }

    /// The name a row of the servers' shared state is stored under: a keyed pseudonym of
    /// `key` (which names an address or an account) when the registry was opened with its key;
    /// `key` itself only in registries without one (tests and benchmarks).
    fn state_name(&self, key: &str) -> Result<String, LedgerError> {
        match &self.state_names {
            Some(names) => names.pseudonym(key),
            None => Ok(key.to_string()),
        }
    }

    /// A record as it stands now (from the projection).
    pub fn get(&mut self, subject: Subject) -> Result<Option<Record>, LedgerError> {
        self.engine
            .record(subject.kind.name(), subject.id)?
            .map(|row| decode_record(&row))
            .transpose()
    }

    /// A record as it was known on a day: folded from its facts recorded on or before it.
    pub fn as_known_on(
        &mut self,
        subject: Subject,
        known_on: KnownOn,
    ) -> Result<Option<Record>, LedgerError> {
        let facts = self.history(subject)?;
        Ok(fold::fold(&facts, known_on)?)
    }

    /// Every fact about a record, in ledger order.
    pub fn history(&mut self, subject: Subject) -> Result<Vec<Fact>, LedgerError> {
        let rows = self.engine.facts_of(subject)?;
        rows.iter()
            .map(|r| r.decode().map_err(|e| LedgerError::Chain(e.into())))
            .collect()
    }

    /// Every fact that changed a record (its history without who looked at it), in ledger
    /// order; folding these gives what folding its whole history gives.
    pub fn changes(&mut self, subject: Subject) -> Result<Vec<Fact>, LedgerError> {
        let rows = self.engine.changes_of(subject)?;
        rows.iter()
            .map(|r| r.decode().map_err(|e| LedgerError::Chain(e.into())))
            .collect()
    }

    /// The last `limit` times a record was looked at (its audit facts), newest first.
    pub fn views(&mut self, subject: Subject, limit: usize) -> Result<Vec<Fact>, LedgerError> {
        let rows = self.engine.views_of(subject, limit)?;
        rows.iter()
            .map(|r| r.decode().map_err(|e| LedgerError::Chain(e.into())))
            .collect()
    }

    /// Up to `limit` records of a kind with ids above `after`, by id: page through a kind by
    /// passing the last id seen.
    pub fn page(
        &mut self,
        kind: Kind,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Record>, LedgerError> {
        self.engine
            .records_after(kind.name(), after, limit)?
            .iter()
            .map(decode_record)
            .collect()
    }

    /// The highest number of a kind stored (0 when there is none).
    pub fn last_id(&mut self, kind: Kind) -> Result<u64, LedgerError> {
        self.engine.max_id(kind.name())
    }

    /// The record of a kind with this reference (an account by name, a report by receipt).
    pub fn by_reference(
        &mut self,
        kind: Kind,
        reference: &str,
    ) -> Result<Option<Record>, LedgerError> {
        self.engine
            .by_reference(kind.name(), reference)?
            .map(|row| decode_record(&row))
            .transpose()
    }

    /// The records of a kind that belong to `parent` (a person's detentions), by id.
    pub fn children(&mut self, kind: Kind, parent: u64) -> Result<Vec<Record>, LedgerError> {
        self.engine
            .children(kind.name(), parent)?
            .iter()
            .map(decode_record)
            .collect()
    }

    /// The organisation's references of a kind, with the ids they name.
    pub fn references(&mut self, kind: Kind) -> Result<HashMap<String, u64>, LedgerError> {
        Ok(self.engine.references(kind.name())?.into_iter().collect())
    }

    pub fn count(&mut self, kind: Kind) -> Result<u64, LedgerError> {
        self.engine.count_records(kind.name())
    }

    /// Derived data saved under `name` from this same ledger (the hash saved with it is still
    /// the hash of the fact at its position), with the records changed since then — none when
    /// it is current. `None` when there is none, or when the ledger is not the one it was
    /// made from. The data is read once.
    pub fn snapshot(&mut self, name: &str) -> Result<Option<Behind>, LedgerError> {
        let Some((seq, hash, data)) = self.engine.snapshot(name)? else {
            return Ok(None);
        };
        if self.fact_hash(seq)? != Some(hash) {
            return Ok(None);
        }
        Ok(Some(Behind {
            data,
            touched: self.touched_since(seq)?,
        }))
    }

    /// The records some fact after position `seq` is about, each once, in order.
    pub fn touched_since(&mut self, seq: u64) -> Result<Vec<Subject>, LedgerError> {
        let mut touched = std::collections::BTreeSet::new();
        let mut after = seq;
        loop {
            let rows = self.engine.facts_after(after, PAGE)?;
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for row in &rows {
                if let Some(subject) = Subject::parse(&row.subject) {
                    touched.insert(subject);
                }
            }
        }
        Ok(touched.into_iter().collect())
    }

    /// Saves derived data that reflects the ledger as it stands at `head`.
    pub fn save_snapshot(
        &mut self,
        name: &str,
        head: &Head,
        data: Vec<u8>,
    ) -> Result<(), LedgerError> {
        self.engine.put_snapshot(name, head.facts, head.hash, data)
    }

    /// A kept file's media type and bytes; an error if its bytes no longer hash to its name.
    pub fn file(&mut self, sha256: &str) -> Result<Option<(String, Vec<u8>)>, LedgerError> {
        let Some((media_type, data)) = self.engine.file(sha256)? else {
            return Ok(None);
        };
        if hex::encode(Sha256::digest(&data)) != sha256 {
            return Err(LedgerError::FileChanged(sha256.to_string()));
        }
        Ok(Some((media_type, data)))
    }

    /// The hash of the fact at position `seq`, if there is one.
    pub fn fact_hash(&mut self, seq: u64) -> Result<Option<Hash>, LedgerError> {
        let rows = self.engine.facts_after(seq.saturating_sub(1), 1)?;
        Ok(rows.first().filter(|r| r.seq == seq).map(|r| r.hash))
    }

    /// Walks the whole chain from the first fact: positions, links, hashes, and that every fact
    /// can be read. The error names the first broken fact.
    pub fn verify(&mut self, progress: &mut dyn FnMut(u64)) -> Result<Head, LedgerError> {
        let mut check = ChainCheck::default();
        // Encrypted fields without a data key, and the records whose fields were erased.
        let mut keyless: Vec<(Subject, Field)> = Vec::new();
        let mut erased: std::collections::HashSet<Subject> = Default::default();
        // An account's credentials: each new set destroys the key of the ones before, and
        // revoking destroys the last; only the account's current set must open.
        // (The second factor is set just before the password it goes with.)
        let mut credentials: std::collections::HashMap<String, Vec<FactRow>> = Default::default();
        let mut factors: std::collections::HashMap<String, Vec<FactRow>> = Default::default();
        let mut changed = LastChanges::default();
        loop {
            let rows = self.engine.facts_after(check.count(), PAGE)?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                check.check(row)?;
                changed.note_row(row);
                let change = &row.change;
                if change.starts_with(r#"{"type":"second_factor_set""#) {
                    factors
                        .entry(row.subject.clone())
                        .or_default()
                        .push(row.clone());
                } else if change.starts_with(r#"{"type":"password_set""#) {
                    let mut set = factors.remove(&row.subject).unwrap_or_default();
                    set.push(row.clone());
                    credentials.insert(row.subject.clone(), set);
                } else if change.starts_with(r#"{"type":"account_revoked""#) {
                    credentials.remove(&row.subject);
                    factors.remove(&row.subject);
                } else {
                    keyless.extend(self.check_encrypted(row)?);
                }
                if change.starts_with(r#"{"type":"confidential_erased""#) {
                    erased.extend(Subject::parse(&row.subject));
                }
            }
            progress(check.count());
        }
        for row in credentials.values().chain(factors.values()).flatten() {
            keyless.extend(self.check_encrypted(row)?);
        }
        if let Some((subject, field)) = keyless.into_iter().find(|(s, _)| !erased.contains(s)) {
            return Err(LedgerError::Unreadable {
                subject: subject.to_string(),
                field: field.name(),
            });
        }
        // Read before the head: if the head is still where the walk ended, these were kept
        // for exactly the facts walked.
        let kept = LastChanges(self.engine.changed()?.into_iter().collect());
        let stored = self.head()?;
        if stored.facts != check.count() {
            return Err(LedgerError::Chain(vigilia_core::fact::ChainError::Gap {
                seq: check.count() + 1,
                expected: check.count() + 1,
            }));
        }
        if let Some(kind) = Kind::ALL
            .into_iter()
            .find(|k| kept.get(*k) != changed.get(*k))
        {
            return Err(LedgerError::KindChanged {
                kind: kind.name(),
                kept: kept.get(kind),
                facts: changed.get(kind),
            });
        }
        Ok(Head {
            facts: check.count(),
            hash: check.head(),
        })
    }

    /// With the registry's key: a fact's encrypted field must open with its record's data key
    /// (an altered keyring row is named, not found later on a page). A field whose record has no
    /// data key is returned: that is right only for a record whose fields were erased.
    fn check_encrypted(&mut self, row: &FactRow) -> Result<Option<(Subject, Field)>, LedgerError> {
        if self.kek.is_none() || !row.change.contains(r#""encrypted":"#) {
            return Ok(None);
        }
        let (Some(subject), Ok(mut change)) = (
            Subject::parse(&row.subject),
            serde_json::from_str::<Change>(&row.change),
        ) else {
            return Ok(None);
        };
        let Some((field, Confidential::Encrypted(encrypted))) = change.confidential_mut() else {
            return Ok(None);
        };
        match self.data_key(subject, field)? {
            None => Ok(Some((subject, field))),
            Some(key) => key.decrypt_field(subject, field, encrypted).map(|_| None),
        }
    }

    /// A digest of the whole projection, to show that a rebuild changed nothing.
    pub fn projection_digest(&mut self) -> Result<String, LedgerError> {
        let mut h = Sha256::new();
        for kind in Kind::ALL {
            let mut after = 0;
            loop {
                let rows = self.engine.records_after(kind.name(), after, PAGE)?;
                let Some(last) = rows.last() else { break };
                after = last.id;
                for r in &rows {
                    let parent = r.parent.map(|p| p.to_string()).unwrap_or_default();
                    let id = r.id.to_string();
                    for field in [
                        r.kind.as_str(),
                        &id,
                        r.reference.as_deref().unwrap_or(""),
                        &parent,
                        &r.state,
                    ] {
                        h.update((field.len() as u64).to_le_bytes());
                        h.update(field.as_bytes());
                    }
                }
            }
        }
        Ok(hex::encode(h.finalize()))
    }

    /// Throws the projection away and folds it again from the facts, in one transaction.
    pub fn rebuild(&mut self, progress: &mut dyn FnMut(u64)) -> Result<Rebuilt, LedgerError> {
        self.engine.begin()?;
        match self.rebuild_in_transaction(progress) {
            Ok(r) => {
                self.engine.commit()?;
                Ok(r)
            }
            Err(e) => {
                let _ = self.engine.rollback();
                Err(e)
            }
        }
    }

    fn rebuild_in_transaction(
        &mut self,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Rebuilt, LedgerError> {
        let digest_before = self.projection_digest()?;
        self.engine.clear_records()?;
        // Records folded and not yet written: filled by one closure, emptied by the other.
        let pending = std::cell::RefCell::new(Vec::<RecordRow>::new());
        let mut records = 0u64;
        let mut changed = LastChanges::default();
        self.histories(
            None,
            None,
            progress,
            &mut |subject, facts| {
                if let Some(f) = facts
                    .iter()
                    .rfind(|f| !matches!(f.change, Change::Audited { .. }))
                {
                    changed.note(subject.kind, f.seq);
                }
                if let Some(record) = fold::fold(&facts, KnownOn::NOW)? {
                    pending.borrow_mut().push(encode_record(subject, &record));
                    records += 1;
                }
                Ok(())
            },
            &mut |engine: &mut dyn Engine| {
                if pending.borrow().len() >= PAGE {
                    engine.put_records(pending.take())?;
                }
                Ok(())
            },
        )?;
        self.engine.put_records(pending.take())?;
        changed.store(self.engine.as_mut(), true)?;
        self.changes = None;
        let digest_after = self.projection_digest()?;
        Ok(Rebuilt {
            records,
            digest_before,
            digest_after,
        })
    }

    /// Folds every record of a kind as known on a day, streaming through the ledger one record
    /// at a time, and hands each to `f`.
    pub fn fold_all(
        &mut self,
        kind: Kind,
        known_on: KnownOn,
        f: &mut dyn FnMut(Record),
    ) -> Result<(), LedgerError> {
        self.for_each_history(Some(kind), None, &mut |_, facts| {
            if let Some(record) = fold::fold(&facts, known_on)? {
                f(record);
            }
            Ok(())
        })
    }

    /// Hands `f` the whole history of every record (of one kind, or all), one record at a
    /// time, streaming through the ledger. With `up_to`, only facts at or before that position:
    /// the ledger as it was when its head was there.
    pub fn for_each_history(
        &mut self,
        only: Option<Kind>,
        up_to: Option<u64>,
        f: &mut dyn FnMut(Subject, Vec<Fact>) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError> {
        self.histories(only, up_to, &mut |_| {}, f, &mut |_| Ok(()))
    }

    /// The loop behind [`Ledger::for_each_history`] and [`Ledger::rebuild`]: pages through the
    /// facts in (subject, seq) order; a record's facts may run over a page and are carried on.
    /// After each page `page_done` may write to the engine.
    fn histories(
        &mut self,
        only: Option<Kind>,
        up_to: Option<u64>,
        progress: &mut dyn FnMut(u64),
        f: &mut dyn FnMut(Subject, Vec<Fact>) -> Result<(), LedgerError>,
        page_done: &mut dyn FnMut(&mut dyn Engine) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError> {
        let mut after = only.map(|kind| (Subject { kind, id: 0 }, 0));
        let mut current: Option<(Subject, Vec<Fact>)> = None;
        let mut read = 0u64;
        loop {
            let rows = self.engine.facts_by_subject_after(after, PAGE)?;
            let Some(last) = rows.last() else { break };
            let last_subject = Subject::parse(&last.subject)
                .ok_or_else(|| LedgerError::NotARegistry(last.subject.clone()))?;
            after = Some((last_subject, last.seq));
            let full = rows.len() == PAGE;
            let mut past_kind = false;
            for row in &rows {
                if up_to.is_some_and(|s| row.seq > s) {
                    continue;
                }
                let fact = row.decode().map_err(|e| LedgerError::Chain(e.into()))?;
                if only.is_some_and(|k| fact.subject.kind != k) {
                    past_kind = true;
                    break;
                }
                match &mut current {
                    Some((subject, facts)) if *subject == fact.subject => facts.push(fact),
                    _ => {
                        if let Some((subject, facts)) = current.take() {
                            f(subject, facts)?;
                        }
                        current = Some((fact.subject, vec![fact]));
                    }
                }
            }
            read += rows.len() as u64;
            progress(read);
            page_done(self.engine.as_mut())?;
            if past_kind || !full {
                break;
            }
        }
        if let Some((subject, facts)) = current {
            f(subject, facts)?;
        }
        Ok(())
    }
}

/// The position of the last fact, not an audit fact, about each kind of record.
#[derive(Clone, Debug, Default)]
struct LastChanges(FxHashMap<Kind, u64>);

impl LastChanges {
    fn note(&mut self, kind: Kind, seq: u64) {
        let last = self.0.entry(kind).or_insert(0);
        *last = (*last).max(seq);
    }

    /// Notes a fact as stored, unless it is an audit fact.
    fn note_row(&mut self, row: &FactRow) {
        if !vigilia_core::fact::is_audit(&row.change)
            && let Some(subject) = Subject::parse(&row.subject)
        {
            self.note(subject.kind, row.seq);
        }
    }

    fn get(&self, kind: Kind) -> u64 {
        self.0.get(&kind).copied().unwrap_or(0)
    }

    /// The last of these kinds' changes (0 when none has any).
    fn last(&self, kinds: &[Kind]) -> u64 {
        kinds.iter().map(|k| self.get(*k)).max().unwrap_or(0)
    }

    /// Keeps these positions in the registry, in the open transaction (`replace`: as the only
    /// ones).
    fn store(&self, engine: &mut dyn Engine, replace: bool) -> Result<(), LedgerError> {
        if self.0.is_empty() && !replace {
            return Ok(());
        }
        let mut rows: Vec<(Kind, u64)> = self.0.iter().map(|(k, s)| (*k, *s)).collect();
        rows.sort();
        engine.put_changed(rows, replace)
    }
}

fn encode_record(subject: Subject, record: &Record) -> RecordRow {
    RecordRow {
        kind: subject.kind.name().to_string(),
        id: subject.id,
        reference: record.reference().map(str::to_string),
        parent: record.parent(),
        // A record is plain owned data: serialising it cannot fail.
        state: serde_json::to_string(record).unwrap_or_default(),
    }
}

fn decode_record(row: &RecordRow) -> Result<Record, LedgerError> {
    serde_json::from_str(&row.state).map_err(|e| LedgerError::Projection {
        kind: row.kind.clone(),
        id: row.id,
        detail: e.to_string(),
    })
}

/// One write to the ledger. Dropped without [`Tx::commit`], it leaves nothing behind.
pub struct Tx<'a> {
    ledger: &'a mut Ledger,
    appended_at: AppendedAt,
    /// Set when a fact was refused: the transaction can then only be dropped.
    refused: Option<String>,
    seq: u64,
    head: Hash,
    next_ids: HashMap<Kind, u64>,
    existing_max: HashMap<Kind, u64>,
    /// Records read before they are asked for: those the transaction before wrote, when it
    /// was committed without waiting, and those [`Tx::preload`] read.
    carried: FxHashMap<Subject, Record>,
    /// Sealed facts not yet handed to the engine.
    rows: Vec<FactRow>,
    /// Facts appended in this transaction.
    appended: usize,
    touched: FxHashMap<Subject, Record>,
    order: Vec<Subject>,
    /// The records this transaction appended facts to (the others in `touched` were only read).
    written: rustc_hash::FxHashSet<Subject>,
    /// Data keys of the records whose confidential fields this transaction encrypted.
    data_keys: FxHashMap<Subject, Key>,
    /// Whether it changed the servers' shared state.
    state_changed: bool,
    /// The last fact, not an audit fact, of each kind appended in this transaction.
    changed: LastChanges,
    /// The content head after this transaction's own facts, once it appended one.
    content: Option<Head>,
    /// How many changes this transaction made (facts, ids, shared state, keys, files).
    writes: u64,
    done: bool,
}

impl std::fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tx(after {}, {} new facts)",
            self.seq - self.appended as u64,
            self.appended
        )
    }
}

impl Tx<'_> {
    /// A fresh id for a new record of `kind`.
    /// How many changes this transaction has made so far (facts appended, ids taken, shared
    /// state, data keys, files): a use case refused with this unchanged wrote nothing, and the
    /// transaction can go on for other use cases.
    pub fn writes(&self) -> u64 {
        self.writes
    }

    pub fn new_id(&mut self, kind: Kind) -> u64 {
        self.writes += 1;
        let next = self.next_ids.entry(kind).or_insert(0);
        *next += 1;
        *next
    }

    /// The highest number of a kind: stored when this transaction began, or made in it since.
    pub fn last_id(&self, kind: Kind) -> u64 {
        self.next_ids.get(&kind).copied().unwrap_or(0)
    }

    /// Up to `limit` stored records of a kind with ids above `after`, by id, as this
    /// transaction reads them (it holds the writer's lock: no other writer adds to them).
    pub fn page(
        &mut self,
        kind: Kind,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Record>, LedgerError> {
        self.ledger.page(kind, after, limit)
    }

    /// The registry's country profile.
    pub fn profile(&mut self) -> Result<&Profile, LedgerError> {
        self.ledger.profile()
    }

    /// A row of the servers' shared state, read under the writer's lock (so a change made from
    /// it holds against every other server).
    pub fn state(&mut self, key: &str) -> Result<Option<String>, LedgerError> {
        self.ledger.state(key)
    }

    /// Sets (or, with `None`, removes) a row of the servers' shared state until `expires`
    /// (Unix seconds); it is written with this transaction.
    pub fn set_state(&mut self, key: &str, value: Option<(&str, i64)>) -> Result<(), LedgerError> {
        self.writes += 1;
        let now = self.appended_at.timestamp().as_second();
        let name = self.ledger.state_name(key)?;
        self.ledger.engine.state_put(&name, value, now)?;
        self.state_changed = true;
        Ok(())
    }

    /// Saves derived data that reflects the ledger as it stood at `head` (see
    /// [`Ledger::save_snapshot`]), with this transaction: on a server, through its one writer.
    pub fn save_snapshot(
        &mut self,
        name: &str,
        head: &Head,
        data: Vec<u8>,
    ) -> Result<(), LedgerError> {
        self.writes += 1;
        self.ledger
            .engine
            .put_snapshot(name, head.facts, head.hash, data)?;
        self.state_changed = true;
        Ok(())
    }

    /// Whether this transaction would write nothing: no fact, no shared state.
    pub fn is_empty(&self) -> bool {
        self.appended == 0 && !self.state_changed
    }

    /// The content head with this transaction's own facts (see [`Ledger::content`]): a check
    /// made against it sees the writes batched before it in the same transaction.
    pub fn content(&mut self) -> Result<Head, LedgerError> {
        match self.content {
            Some(head) => Ok(head),
            None => self.ledger.content(),
        }
    }

    /// The instant this transaction began (its facts' `appended_at`).
    pub fn now(&self) -> jiff::Timestamp {
        self.appended_at.timestamp()
    }

    /// The organisation's calendar day when this transaction began.
    pub fn today(&mut self) -> Result<Day, LedgerError> {
        let at = self.appended_at.timestamp();
        Ok(self.ledger.profile()?.day_at(at))
    }

    /// The records of `kind` whose parent is `parent`, as committed before this transaction
    /// (which holds the writer's lock, so no other writer changes them meanwhile).
    pub fn children(&mut self, kind: Kind, parent: u64) -> Result<Vec<Record>, LedgerError> {
        let mut out: Vec<Record> = Vec::new();
        for r in self.ledger.children(kind, parent)? {
            // A record changed in this transaction is read as it now stands.
            match self.touched.get(&r.subject()) {
                Some(t) if t.parent() != Some(parent) => {}
                Some(t) => out.push(t.clone()),
                None => out.push(r),
            }
        }
        for (s, t) in &self.touched {
            if s.kind == kind
                && t.parent() == Some(parent)
                && !out.iter().any(|o| o.subject() == *s)
            {
                out.push(t.clone());
            }
        }
        out.sort_by_key(|r| r.subject().id);
        Ok(out)
    }

    /// The record of `kind` with this reference (an account's name), as committed before this
    /// transaction (which holds the writer's lock).
    pub fn by_reference(
        &mut self,
        kind: Kind,
        reference: &str,
    ) -> Result<Option<Record>, LedgerError> {
        let here = self
            .touched
            .iter()
            .find(|(s, r)| s.kind == kind && r.reference() == Some(reference));
        if let Some((_, r)) = here {
            return Ok(Some(r.clone()));
        }
        self.ledger.by_reference(kind, reference)
    }

    /// Every record of `kind` folded as known on `known_on`. As known now, a record as it stands
    /// in this transaction: with the facts this transaction (and the writes batched before it)
    /// appended, and the records they made; a check that guards a write sees every write before
    /// it. As known on a past day, as committed (nothing written now was known then).
    pub fn fold_all(
        &mut self,
        kind: Kind,
        known_on: KnownOn,
        each: &mut dyn FnMut(Record),
    ) -> Result<(), LedgerError> {
        if known_on != KnownOn::NOW {
            return self.ledger.fold_all(kind, known_on, each);
        }
        // Only the records this transaction wrote: one it merely read is as committed.
        let here: Vec<Subject> = self
            .order
            .iter()
            .filter(|s| s.kind == kind && self.written.contains(s))
            .copied()
            .collect();
        let mine: rustc_hash::FxHashSet<Subject> = here.iter().copied().collect();
        self.ledger.fold_all(kind, known_on, &mut |r| {
            if !mine.contains(&r.subject()) {
                each(r);
            }
        })?;
        for s in here {
            if let Some(r) = self.touched.get(&s) {
                each(r.clone());
            }
        }
        Ok(())
    }

    /// Destroys the data key of `subject`'s confidential fields, in this transaction (which must
    /// also append the `ConfidentialErased` fact that says who erased them and why).
    pub fn destroy_data_key(&mut self, subject: Subject) -> Result<(), LedgerError> {
        self.writes += 1;
        self.data_keys.remove(&subject);
        self.ledger.engine.key_delete(&keyring::name_of(subject))
    }

    /// A record as it stands in this transaction.
    pub fn get(&mut self, subject: Subject) -> Result<Option<&Record>, LedgerError> {
        self.load(subject)?;
        Ok(self.touched.get(&subject))
    }

    /// Reads in one go those of `subjects` stored before this transaction that it has not read
    /// yet, for the appends and gets that will ask for them: an import reads the persons and
    /// detentions of its next thousand rows so, where one read each cost a round trip to the
    /// database. Those it does not ask for are forgotten with the transaction.
    pub fn preload(&mut self, subjects: &[Subject]) -> Result<(), LedgerError> {
        let mut wanted: FxHashMap<Kind, Vec<u64>> = FxHashMap::default();
        for s in subjects {
            if self.stored_before(s)
                && !self.touched.contains_key(s)
                && !self.carried.contains_key(s)
            {
                wanted.entry(s.kind).or_default().push(s.id);
            }
        }
        for (kind, mut ids) in wanted {
            ids.sort_unstable();
            ids.dedup();
            for row in self.ledger.engine.records(kind.name(), &ids)? {
                let record = decode_record(&row)?;
                self.carried.insert(Subject { kind, id: row.id }, record);
            }
        }
        Ok(())
    }

    /// Whether a record may be stored from before this transaction (not made in it).
    fn stored_before(&self, subject: &Subject) -> bool {
        subject.id <= self.existing_max.get(&subject.kind).copied().unwrap_or(0)
    }

    fn load(&mut self, subject: Subject) -> Result<(), LedgerError> {
        if self.touched.contains_key(&subject) || !self.stored_before(&subject) {
            return Ok(());
        }
        let record = match self.carried.remove(&subject) {
            Some(r) => Some(r),
            None => self.ledger.get(subject)?,
        };
        if let Some(record) = record {
            self.touched.insert(subject, record);
            self.order.push(subject);
        }
        Ok(())
    }

    /// Keeps a file in this transaction, for the source fact that will name it.
    pub fn keep_file(
        &mut self,
        media_type: &str,
        data: Vec<u8>,
    ) -> Result<vigilia_core::model::Attachment, LedgerError> {
        self.writes += 1;
        let sha256 = hex::encode(Sha256::digest(&data));
        let bytes = data.len() as u64;
        self.ledger.engine.put_file(&sha256, media_type, data)?;
        Ok(vigilia_core::model::Attachment {
            sha256,
            media_type: media_type.to_string(),
            bytes,
        })
    }

    /// Appends a fact and returns its position. A fact that does not fit its record is refused;
    /// the transaction can then only be dropped, and nothing of it is written.
    pub fn append(&mut self, mut draft: Draft) -> Result<u64, LedgerError> {
        self.writes += 1;
        if let Some(why) = &self.refused {
            return Err(LedgerError::Refused(why.clone()));
        }
        // Stored in columns of their own (a reference also in a unique index), where one engine
        // would keep what the other refuses.
        use vigilia_core::text::{ReferenceFault, not_text, reference_fault};
        let actor = (draft.actor.chars().find(|&c| not_text(c))).map(|c| {
            (
                "actor",
                draft.actor.as_str(),
                ReferenceFault::NotText(c as u32),
            )
        });
        let reference =
            (draft.change.reference()).and_then(|r| Some(("reference", r, reference_fault(r)?)));
        if let Some((what, value, fault)) = actor.or(reference) {
            let value = value.to_string();
            return Err(LedgerError::Unstorable { what, value, fault });
        }
        let subject = draft.subject;
        self.encrypt(subject, &mut draft.change)?;
        self.load(subject)?;
        let (row, fact) = FactRow::seal(draft, self.seq + 1, &self.appended_at, self.head);
        let current = self.touched.remove(&subject);
        let known = current.is_some();
        match fold::apply(current, fact) {
            Ok(updated) => {
                self.touched.insert(subject, updated);
                self.written.insert(subject);
                if !known {
                    self.order.push(subject);
                }
            }
            Err(e) => {
                self.refused = Some(e.to_string());
                return Err(e.into());
            }
        }
        self.seq = row.seq;
        self.head = row.hash;
        if !vigilia_core::fact::is_audit(&row.change) {
            self.content = Some(Head {
                facts: row.seq,
                hash: row.hash,
            });
        }
        self.changed.note_row(&row);
        self.rows.push(row);
        self.appended += 1;
        if self.rows.len() >= STAGE {
            // Hand them to the engine now: it may write them while the caller builds more.
            self.ledger
                .engine
                .insert_facts(std::mem::take(&mut self.rows))?;
        }
        Ok(self.seq)
    }

    /// Encrypts the change's confidential field, if it has one in the clear, with its record's
    /// data key (made now for a record that has none). Without a key the registry keeps it as
    /// typed: only tests and benchmarks open registries so.
    fn encrypt(&mut self, subject: Subject, change: &mut Change) -> Result<(), LedgerError> {
        if self.ledger.kek.is_none() {
            return Ok(());
        }
        let Some((field, value)) = change.confidential_mut() else {
            return Ok(());
        };
        let Confidential::Plain(text) = value else {
            return Ok(());
        };
        let key = match self.data_keys.entry(subject) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                let key = match self.ledger.data_key(subject, field)? {
                    Some(key) => key,
                    None => self.ledger.new_data_key(subject)?,
                };
                new.insert(key)
            }
        };
        *value = Confidential::Encrypted(key.encrypt_field(subject, field, text)?);
        Ok(())
    }

    /// A secret for `purpose` (see [`Ledger::secret_for`]).
    pub fn secret_for(&self, purpose: &str) -> Result<Option<[u8; 32]>, LedgerError> {
        self.ledger.secret_for(purpose)
    }

    /// Whether the registry was opened with its key (see [`Ledger::keyed`]).
    pub fn keyed(&self) -> bool {
        self.ledger.keyed()
    }

    /// The text of a record's confidential field, as [`Ledger::reveal`] (the keyring is read
    /// inside this transaction, so keys made in it are found).
    pub fn reveal(
        &mut self,
        subject: Subject,
        field: Field,
        value: &Confidential,
    ) -> Result<String, LedgerError> {
        self.ledger.reveal(subject, field, value)
    }

    /// Facts appended so far in this transaction.
    pub fn appended(&self) -> usize {
        self.appended
    }

    /// Stores the facts and the records they changed, durably, in one transaction.
    pub fn commit(mut self) -> Result<Head, LedgerError> {
        let result = self.write_out().and_then(|()| self.ledger.engine.commit());
        self.done = true;
        if let Err(e) = result {
            let _ = self.ledger.engine.rollback();
            return Err(e);
        }
        Ok(Head {
            facts: self.seq,
            hash: self.head,
        })
    }

    /// Commits without waiting for the engine (a long import goes on with its next batch while
    /// this one is written): the head it will leave, and the answer once it is durable. The
    /// next transaction begins from this head without asking the engine (and fails rather than
    /// extend the chain if another writer appended meanwhile), reading the records this one
    /// wrote from memory. Wait for the answer before committing the next one this way: the
    /// records of only one transaction are carried. A failure comes on the answer and at the
    /// next call that waits.
    pub fn commit_later(mut self) -> Result<(Head, crate::engine::Committed), LedgerError> {
        let result = self
            .write_out()
            .and_then(|()| self.ledger.engine.commit_later());
        self.done = true;
        let committed = match result {
            Ok(c) => c,
            Err(e) => {
                let _ = self.ledger.engine.rollback();
                return Err(e);
            }
        };
        let head = Head {
            facts: self.seq,
            hash: self.head,
        };
        self.ledger.after = Some(After {
            head,
            appended_at: self.appended_at.timestamp(),
            ids: std::mem::take(&mut self.next_ids),
            records: std::mem::take(&mut self.touched),
        });
        Ok((head, committed))
    }

    /// Hands the engine what is left of the transaction: its last facts, and the records and
    /// last changes they made.
    fn write_out(&mut self) -> Result<(), LedgerError> {
        if let Some(why) = self.refused.take() {
            return Err(LedgerError::Refused(why));
        }
        {
            self.ledger
                .engine
                .insert_facts(std::mem::take(&mut self.rows))?;
            // The records made in this transaction apart from those it changed.
            let mut made = Vec::with_capacity(self.order.len());
            let mut changed = Vec::new();
            for s in &self.order {
                let Some(r) = self.touched.get(s) else {
                    continue;
                };
                let row = encode_record(*s, r);
                if s.id > self.existing_max.get(&s.kind).copied().unwrap_or(0) {
                    made.push(row);
                } else {
                    changed.push(row);
                }
            }
            if !changed.is_empty() {
                self.ledger.engine.put_records(changed)?;
            }
            self.ledger.engine.insert_records(made)?;
            self.changed.store(self.ledger.engine.as_mut(), false)
        }
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.ledger.engine.rollback();
        }
    }
}
