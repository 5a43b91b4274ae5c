//! The application's state: the registry, the clock, the server's secret, sessions and limits,
//! and the counting and matching indexes kept warm between requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use vigilia_core::model::Account;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use vigilia_app::{AppError, Registry};
use vigilia_core::clock::Clock;
use vigilia_core::fold::Record;
use vigilia_core::ids::{Kind, Subject};
use vigilia_ledger::{Ledger, Tx};

use crate::error::WebError;

/// What the server is started with.
#[derive(Clone, Debug)]
pub struct Config {
    /// Seconds a public form must have been open before it is accepted (the delay token).
    pub intake_delay: u64,
    /// Public reports accepted per address per hour (0: no limit).
    pub intake_per_hour: u32,
    /// The reverse proxies whose `X-Forwarded-For` tells the client's address (none: the
    /// header is ignored, and every request counts as coming from its connection's address).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The address people reach Vigilia at (invitation links are built on it, never on the
    /// request's Host header, which a client chooses).
    pub base_url: String,
}

impl Config {
    /// Refuses to listen beyond loopback without a TLS proxy in front: Vigilia does not serve
    /// TLS, and only named proxies are believed.
    pub fn check(&self, bind: std::net::SocketAddr) -> Result<(), WebError> {
        if bind.ip().is_loopback() || !self.trusted_proxies.is_empty() {
            return Ok(());
        }
        Err(WebError::bad(
            format!(
                "--bind {bind}: Vigilia no sirve TLS; escuche en 127.0.0.1 y ponga delante un proxy con HTTPS, o, si el proxy está en otra máquina, nómbrelo con --trusted-proxy DIRECCIÓN (solo él será atendido)"
            ),
            format!(
                "--bind {bind}: Vigilia does not serve TLS; listen on 127.0.0.1 and put an HTTPS proxy in front, or, with the proxy on another machine, name it with --trusted-proxy ADDRESS (only it will be served)"
            ),
        ))
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            intake_delay: 3,
            intake_per_hour: 10,
            trusted_proxies: Vec::new(),
            base_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// Everything a request can reach.
pub struct App {
    registry: Registry,
    pub clock: Arc<dyn Clock>,
    pub config: Config,
    /// The registry's country profile (fixed by its first fact).
    pub profile: Arc<vigilia_core::profile::Profile>,
    /// Signs the tokens of anonymous forms; new at every start.
    key: [u8; 32],
    counting: Warm<vigilia_count::Index>,
    matching: Warm<vigilia_matching::index::Index>,
    search: Warm<vigilia_app::search::SearchIndex>,
    waiting: Warm<Vec<vigilia_core::model::Report>>,
    groups: Warm<Vec<vigilia_core::model::GroupDetention>>,
    /// Balance pages computed since the head last moved.
    pub balances: Warm<crate::balance::Kept>,
    /// The public names of each published balance, made since persons or detentions last
    /// changed (an anonymous page: not made again on every request).
    pub names: Warm<crate::balance::Names>,
    /// Whether each release's persons still consent, until a person changes: anyone may ask
    /// for a release's public list, and checking it reads every person it shows.
    pub consent_holds: Warm<Mutex<HashMap<u64, bool>>>,
    /// The active accounts and their API tokens.
    pub accounts: Warm<Accounts>,
    /// The rows behind the figures last listed (see [`Kept`]).
    pub behind: Kept<Vec<vigilia_app::lists::Row>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("App")
    }
}

/// Locks a mutex; a thread that panicked holding it leaves data that is still consistent
/// (every write is a ledger transaction), so the lock is taken anyway.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl App {
    pub fn new(
        registry: Registry,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Result<Arc<App>, WebError> {
        let profile = Arc::new(registry.read(|l| l.profile().cloned())?);
        let key = registry.write(vigilia_app::sessions::form_key)?;
        Ok(Arc::new(App {
            profile,
            registry,
            clock,
            config,
            key,
            counting: Warm::of(COUNTED),
            matching: Warm::of(&[Kind::Person]),
            search: Warm::of(&[Kind::Person]),
            waiting: Warm::of(&[Kind::Report]),
            groups: Warm::of(&[Kind::Group]),
            balances: Warm::of(COUNTED),
            names: Warm::of(COUNTED),
            consent_holds: Warm::of(&[Kind::Person]),
            accounts: Warm::of(&[Kind::Account]),
            behind: Kept::new(4),
        }))
    }

    /// Runs `work` on a reader of the registry, on a blocking thread (the ledger is
    /// synchronous): reads never wait behind writes.
    pub async fn read<T, F>(self: &Arc<Self>, work: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&App, &mut Ledger) -> Result<T, WebError> + Send + 'static,
    {
        let app = self.clone();
        tokio::task::spawn_blocking(move || app.registry.read(|l| work(&app, l)))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?
    }

    /// Runs a use case in a write transaction (with the other writes waiting at the same
    /// moment); answers once its facts are durable.
    /// A form's write: as [`App::write`], but a mistake in what was typed
    /// ([`AppError::is_mistake`]) is an answer of the write (`Ok(Err)`), for the form to show
    /// beside its field, not a failure that makes the writer run its batch again.
    pub async fn attempt<T, F>(
        self: &Arc<Self>,
        mut work: F,
    ) -> Result<Result<T, AppError>, WebError>
    where
        T: Send + 'static,
        F: FnMut(&mut Tx<'_>) -> Result<T, AppError> + Send + 'static,
    {
        self.write(move |tx| match work(tx) {
            Err(e) if e.is_mistake() => Ok(Err(e)),
            other => other.map(Ok),
        })
        .await
    }

    pub async fn write<T, F>(self: &Arc<Self>, work: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnMut(&mut Tx<'_>) -> Result<T, AppError> + Send + 'static,
    {
        // Waits without holding a thread: every write waiting at one moment joins the writer's
        // next transaction.
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.registry.submit(work, move |outcome| {
            let _ = reply.send(outcome);
        });
        Ok(answer
            .await
            .map_err(|_| WebError::Internal("the registry's writer has stopped".into()))??)
    }

    /// Records that the account saw or took `subject` (an audit fact, durable when this
    /// returns: a page is never sent before the fact that it was seen).
    pub async fn audit(
        self: &Arc<Self>,
        actor: &str,
        subject: vigilia_core::ids::Subject,
        what: vigilia_core::fact::Audit,
    ) -> Result<(), WebError> {
        self.audit_read(actor, what, subject, Vec::new(), None)
            .await
    }

    /// Records that `actor` was shown `records` at once (and what it searched for), before the
    /// answer is sent: see [`vigilia_app::records::audit_read`].
    pub async fn audit_read(
        self: &Arc<Self>,
        actor: &str,
        what: vigilia_core::fact::Audit,
        subject: vigilia_core::ids::Subject,
        records: Vec<vigilia_core::ids::Subject>,
        query: Option<String>,
    ) -> Result<(), WebError> {
        let actor = actor.to_string();
        self.write(move |tx| {
            vigilia_app::records::audit_read(
                tx,
                &actor,
                what,
                subject,
                records.clone(),
                query.as_deref(),
            )
        })
        .await
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// HMAC-SHA-256 of `message` under the server's key, as hex.
    pub fn sign(&self, message: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable_key());
        mac.update(message.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `seal` is [`App::sign`] of `message`, compared in constant time.
    pub fn sealed(&self, message: &str, seal: &str) -> bool {
        let Ok(seal) = hex::decode(seal) else {
            return false;
        };
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable_key());
        mac.update(message.as_bytes());
        mac.verify_slice(&seal).is_ok()
    }

    /// The counting index of the ledger as it stands, with its running totals, kept between
    /// requests and brought up to date with the persons, detentions and groups changed since
    /// (reports, accounts and views count for nothing).
    pub fn counting(&self, ledger: &mut Ledger) -> Result<Arc<vigilia_count::Index>, WebError> {
        self.counting.get_updated(
            ledger,
            |l| {
                let (index, unsaved) = vigilia_count::stored::index_of(l, true)?;
                // Saved for the next start through the writer (a reader writes nothing), and
                // waited for: a save still running when the process ends would be cut short.
                if let Some(u) = unsaved {
                    self.registry
                        .write(move |tx| Ok(vigilia_count::stored::save(tx, &u)?))?;
                }
                Ok(index)
            },
            |index, l, touched| Ok(vigilia_count::stored::update_index(l, index, touched)?),
        )
    }

    /// The matching index of the registry's persons (not merged into another).
    pub fn matching(
        &self,
        ledger: &mut Ledger,
    ) -> Result<Arc<vigilia_matching::index::Index>, WebError> {
        self.matching.get_updated(
            ledger,
            |l| {
                let persons = vigilia_app::persons::registered(l)?
                    .into_iter()
                    .map(|(id, r, _)| (id, r))
                    .collect();
                Ok(vigilia_matching::index::Index::build(persons))
            },
            |index, l, touched| {
                for s in touched {
                    index.remove(s.id);
                    if let Some(Record::Person(p)) = l.get(*s)?
                        && p.merged_into.is_none()
                    {
                        index.put(
                            p.id.0,
                            vigilia_matching::report::Report::of_identity(p.id.0, &p.identity),
                        );
                    }
                }
                Ok(())
            },
        )
    }

    /// Builds what the pages keep warm: the counting, matching and search indexes and the
    /// triage queue (at a million detentions, seconds each). A request that needs one meanwhile
    /// waits for it rather than building it twice; one that fails here is built again when
    /// asked.
    pub fn warm_up(&self) {
        let started = std::time::Instant::now();
        let warmed = self.registry.read(|l| -> Result<(), WebError> {
            self.counting(l)?;
            self.matching(l)?;
            self.search_index(l)?;
            self.waiting(l)?;
            Ok(())
        });
        match warmed {
            Ok(()) => eprintln!(
                "vigilia serve: indexes warm in {:.1} s",
                started.elapsed().as_secs_f64()
            ),
            Err(e) => eprintln!("vigilia serve: indexes not warmed (built when asked): {e:?}"),
        }
    }

    /// The reports waiting for triage, oldest first, kept between requests and brought up to
    /// date with the reports changed since.
    pub fn waiting(
        &self,
        ledger: &mut Ledger,
    ) -> Result<Arc<Vec<vigilia_core::model::Report>>, WebError> {
        self.waiting.get_updated(
            ledger,
            |l| Ok(vigilia_app::triage::waiting(l)?),
            |w, l, touched| Ok(vigilia_app::triage::update_waiting(l, w, touched)?),
        )
    }

    /// The group detentions, kept while none changes.
    pub fn groups(
        &self,
        ledger: &mut Ledger,
    ) -> Result<Arc<Vec<vigilia_core::model::GroupDetention>>, WebError> {
        self.groups
            .get(ledger, |l| Ok(vigilia_app::triage::groups(l)?))
    }

    /// The persons by the words of their names, their cédulas and whom they were merged into,
    /// kept between requests and brought up to date with the persons changed since.
    pub fn search_index(
        &self,
        ledger: &mut Ledger,
    ) -> Result<Arc<vigilia_app::search::SearchIndex>, WebError> {
        self.search.get_updated(
            ledger,
            |l| Ok(vigilia_app::search::SearchIndex::of(l)?),
            |index, l, touched| Ok(index.update(l, touched)?),
        )
    }
}

/// A value derived from some kinds of records, kept while no fact about a record of those kinds
/// is written ([`Ledger::changed`]; audit facts change nothing).
pub struct Warm<T> {
    kinds: &'static [Kind],
    kept: Mutex<Option<(u64, Arc<T>)>>,
}

/// What counting reads: persons, detentions and group detentions.
pub const COUNTED: &[Kind] = &[Kind::Person, Kind::Detention, Kind::Group];

impl<T> std::fmt::Debug for Warm<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Warm")
    }
}

impl<T> Warm<T> {
    pub const fn of(kinds: &'static [Kind]) -> Warm<T> {
        Warm {
            kinds,
            kept: Mutex::new(None),
        }
    }

    pub fn get(
        &self,
        ledger: &mut Ledger,
        build: impl FnOnce(&mut Ledger) -> Result<T, WebError>,
    ) -> Result<Arc<T>, WebError> {
        let head = ledger.changed(self.kinds)?;
        let mut kept = lock(&self.kept);
        if let Some((at, value)) = kept.as_ref()
            && *at == head
        {
            return Ok(value.clone());
        }
        let value = Arc::new(build(ledger)?);
        *kept = Some((head, value.clone()));
        Ok(value)
    }
}

/// Beyond this many records changed, a warm value is built again rather than brought up to date.
const UPDATE_AT_MOST: usize = 10_000;

impl<T: Clone> Warm<T> {
    /// The value, brought up to date with `update` from the records of its kinds changed since
    /// it was kept (a few, as after a decision in triage); built whole the first time, and when
    /// many changed.
    pub fn get_updated(
        &self,
        ledger: &mut Ledger,
        build: impl FnOnce(&mut Ledger) -> Result<T, WebError>,
        update: impl FnOnce(&mut T, &mut Ledger, &[Subject]) -> Result<(), WebError>,
    ) -> Result<Arc<T>, WebError> {
        let head = ledger.changed(self.kinds)?;
        let mut kept = lock(&self.kept);
        let value = match kept.take() {
            Some((at, value)) if at == head => {
                *kept = Some((at, value.clone()));
                return Ok(value);
            }
            Some((at, mut value)) if at < head => {
                let touched: Vec<Subject> = ledger
                    .touched_since(at)?
                    .into_iter()
                    .filter(|s| self.kinds.contains(&s.kind))
                    .collect();
                if touched.len() <= UPDATE_AT_MOST {
                    update(Arc::make_mut(&mut value), ledger, &touched)?;
                    value
                } else {
                    Arc::new(build(ledger)?)
                }
            }
            _ => Arc::new(build(ledger)?),
        };
        *kept = Some((head, value.clone()));
        Ok(value)
    }
}

/// The last few values asked, by a key that names everything they depend on (the registry's
/// head among it): building one reads many records; asking it again reads none. The rows
/// behind a figure are read once for a list that is then paged, filtered and sorted.
pub struct Kept<T> {
    most: usize,
    kept: Mutex<std::collections::VecDeque<(String, Arc<T>)>>,
}

impl<T> std::fmt::Debug for Kept<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kept")
    }
}

impl<T> Kept<T> {
    pub fn new(most: usize) -> Kept<T> {
        Kept {
            most,
            kept: Mutex::new(std::collections::VecDeque::new()),
        }
    }

    /// The value kept under `key`, or built now (and kept, the oldest let go).
    pub fn get(
        &self,
        key: &str,
        build: impl FnOnce() -> Result<T, WebError>,
    ) -> Result<Arc<T>, WebError> {
        if let Some((_, v)) = lock(&self.kept).iter().find(|(k, _)| k == key) {
            return Ok(v.clone());
        }
        let value = Arc::new(build()?);
        let mut kept = lock(&self.kept);
        if kept.len() >= self.most {
            kept.pop_front();
        }
        kept.push_back((key.to_string(), value.clone()));
        Ok(value)
    }
}

/// The active accounts, by id, and the account of each API token (by its SHA-256).
#[derive(Debug, Default)]
pub struct Accounts {
    pub by_id: HashMap<u64, Account>,
    pub by_token: HashMap<String, u64>,
}

/// An HMAC key of 32 bytes is always accepted.
#[allow(clippy::panic)]
fn unreachable_key() -> ! {
    panic!("HMAC accepts keys of any length")
}

pub use vigilia_app::credentials::{random_bytes, sha256};
