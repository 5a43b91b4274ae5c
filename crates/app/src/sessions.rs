//! What every `vigilia serve` on one registry must agree on: open sessions, sign-in limits and
//! lockouts, the second-factor codes already used, the per-address limit of public reports,
//! and the key that signs anonymous forms. It lives in the registry (`server_state`, outside
//! the chain), and every change to it is made inside a write transaction, so several servers
//! behind one proxy count one attempt once and accept one code once.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use vigilia_core::fact::{Audit, Change, Draft};
use vigilia_core::fold::Record;
use vigilia_core::ids::Kind;
use vigilia_core::model::Account;
use vigilia_ledger::{Ledger, Tx};

use crate::credentials::{new_token, random_bytes, sha256};
use crate::error::AppError;

/// A session ends after this long without a request...
pub const IDLE: SignedDuration = SignedDuration::from_mins(30);
/// ...and after this long in any case.
pub const ABSOLUTE: SignedDuration = SignedDuration::from_hours(12);
/// A session's last request is written down at most this often.
const TOUCH_EVERY: i64 = 60;
/// Failed sign-ins of one account before it is locked for a while.
pub const FAILURES_BEFORE_LOCK: u32 = 5;
pub const LOCKED_FOR: SignedDuration = SignedDuration::from_mins(15);
/// Sign-in attempts per address in a window.
pub const ATTEMPTS_PER_ADDRESS: usize = 30;
pub const ATTEMPT_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// Far in the future: for what does not expire by itself.
const NEVER: i64 = i64::MAX / 2;

/// An open session, as kept under the SHA-256 of its cookie.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub account: u64,
    /// The session's CSRF token.
    pub csrf: String,
    pub started: i64,
    pub seen: i64,
}

impl Session {
    /// When it ends if nothing more happens.
    fn expires(&self) -> i64 {
        (self.seen + IDLE.as_secs()).min(self.started + ABSOLUTE.as_secs())
    }
}

fn session_key(token: &str) -> String {
    format!("session:{}", sha256(token))
}

fn decode<T: for<'de> Deserialize<'de>>(text: Option<String>) -> Option<T> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn put<T: Serialize>(tx: &mut Tx<'_>, key: &str, value: &T, expires: i64) -> Result<(), AppError> {
    let text = serde_json::to_string(value).map_err(|e| AppError::Credential(e.to_string()))?;
    tx.set_state(key, Some((&text, expires)))?;
    Ok(())
}

/// The session a cookie names, if it is still open (read on any connection): not one begun
/// before its account's access was reset ([`end_sessions_of`]).
pub fn session(ledger: &mut Ledger, token: &str) -> Result<Option<Session>, AppError> {
    let Some(s) = decode::<Session>(ledger.state(&session_key(token))?) else {
        return Ok(None);
    };
    let ended: Option<i64> = decode(ledger.state(&ended_key(s.account))?);
    Ok(ended.is_none_or(|at| s.started > at).then_some(s))
}

fn ended_key(account: u64) -> String {
    format!("sessions-ended:{account}")
}

/// Ends every session `account` has open (its access was reset): those begun until `now`
/// are refused from their next request, on every server of the registry.
pub fn end_sessions_of(tx: &mut Tx<'_>, account: u64, now: Timestamp) -> Result<(), AppError> {
    let at = now.as_second();
    put(tx, &ended_key(account), &at, at + ABSOLUTE.as_secs())
}

/// Notes that a session was used `now` (written at most once a minute), which keeps it open.
pub fn touch(tx: &mut Tx<'_>, token: &str, now: Timestamp) -> Result<(), AppError> {
    let key = session_key(token);
    let Some(mut s) = decode::<Session>(tx.state(&key)?) else {
        return Ok(());
    };
    if now.as_second() - s.seen >= TOUCH_EVERY {
        s.seen = now.as_second();
        let expires = s.expires();
        put(tx, &key, &s, expires)?;
    }
    Ok(())
}

/// Whether a session's last use is old enough to be written down again.
pub fn needs_touch(s: &Session, now: Timestamp) -> bool {
    now.as_second() - s.seen >= TOUCH_EVERY
}

/// Ends a session.
pub fn end(tx: &mut Tx<'_>, token: &str) -> Result<(), AppError> {
    tx.set_state(&session_key(token), None)?;
    Ok(())
}

/// Why a sign-in was refused (the same message whatever was wrong, but a locked account).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInRefused {
    Wrong,
    Locked,
    TooManyFromHere,
}

/// Failed sign-ins of an account in a row, and until when it is locked.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Failures {
    count: u32,
    locked_until: Option<i64>,
    /// How many times this account was locked from this address since it last signed in:
    /// each lock lasts twice as long as the one before.
    #[serde(default)]
    locks: u32,
}

impl Failures {
    /// Counts one more failure at `t`: at [`FAILURES_BEFORE_LOCK`] in a row the count starts
    /// again and a lock begins, longer than the one before. Answers whether this one locked.
    fn count_one(&mut self, t: i64) -> bool {
        self.count += 1;
        if self.count < FAILURES_BEFORE_LOCK {
            return false;
        }
        self.count = 0;
        self.locked_until = Some(t + lock_length(self.locks));
        self.locks += 1;
        true
    }

    /// How long its row is kept: four times its next lock.
    fn kept_until(&self, t: i64) -> i64 {
        t + lock_length(self.locks) * 4
    }
}

/// How long the `locks`-th lock lasts: [`LOCKED_FOR`], doubled for each lock before it, at most
/// a day.
fn lock_length(locks: u32) -> i64 {
    (LOCKED_FOR.as_secs() << locks.min(7)).min(24 * 3600)
}

/// The failures of one account from one address: strangers elsewhere cannot lock the account
/// out for its owner.
fn failures_key(name: &str, address: &str) -> String {
    format!("failures:{name}:{address}")
}

/// Times (Unix seconds) of recent events from one address.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Recent(Vec<i64>);

impl Recent {
    /// Keeps the times in `window` and says whether fewer than `most` remain; notes `now` if so.
    fn admit(&mut self, now: i64, window: SignedDuration, most: usize) -> bool {
        self.0.retain(|t| now - t < window.as_secs());
        if self.0.len() >= most {
            return false;
        }
        self.0.push(now);
        true
    }
}

/// Counts a sign-in attempt before any password is checked, so that neither a flooding address
/// nor a name under attack costs more than the limits allow in password hashes: refused
/// beyond the attempts of an address in a window, or while the account is locked. Every
/// attempt counts as a failure of the account until [`settle_sign_in`] finds it right, so that
/// attempts made at the same moment lock the account as surely as attempts made one by one.
/// A sign-in attempt counted by [`begin_sign_in`]: whether its refusal, should it be refused,
/// is written down (the first of a series from its address, or the one that locks the
/// account), decided by the count this attempt itself made, so that attempts made at the same
/// moment cannot all pass unwritten.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub noted: bool,
}

pub fn begin_sign_in(
    tx: &mut Tx<'_>,
    name: &str,
    address: &str,
    now: Timestamp,
) -> Result<Result<Attempt, SignInRefused>, AppError> {
    let t = now.as_second();
    let attempts_key = format!("attempts:{address}");
    let mut attempts: Recent = decode(tx.state(&attempts_key)?).unwrap_or_default();
    let admitted = attempts.admit(t, ATTEMPT_WINDOW, ATTEMPTS_PER_ADDRESS);
    put(tx, &attempts_key, &attempts, t + ATTEMPT_WINDOW.as_secs())?;
    if !admitted {
        return Ok(Err(SignInRefused::TooManyFromHere));
    }
    // A name that cannot be an account's is never kept (people type passwords into it).
    if !crate::accounts::account_name_ok(name) {
        return Ok(Ok(Attempt { noted: false }));
    }
    let key = failures_key(name, address);
    let mut failures: Failures = decode(tx.state(&key)?).unwrap_or_default();
    if failures.locked_until.is_some_and(|u| t < u) {
        return Ok(Err(SignInRefused::Locked));
    }
    let locking = failures.count_one(t);
    let noted = locking || failures.count == 1;
    put(tx, &key, &failures, failures.kept_until(t))?;
    Ok(Ok(Attempt { noted }))
}

/// Counts an account's password asked again (an admin giving or taking a role), before it is
/// hashed: after [`FAILURES_BEFORE_LOCK`] wrong ones in a row, from any address, it is refused
/// for longer each time. Kept apart from the sign-in's counts, so that a mistyped confirmation
/// never locks its owner out of signing in. The attempt answers whether it is the one that
/// locks confirmations (`noted`): if it proves wrong, the session it came from is ended.
pub fn begin_confirmation(
    tx: &mut Tx<'_>,
    name: &str,
    now: Timestamp,
) -> Result<Result<Attempt, SignInRefused>, AppError> {
    let (t, key) = (now.as_second(), format!("confirm:{name}"));
    let mut failures: Failures = decode(tx.state(&key)?).unwrap_or_default();
    if failures.locked_until.is_some_and(|u| t < u) {
        return Ok(Err(SignInRefused::Locked));
    }
    let noted = failures.count_one(t);
    put(tx, &key, &failures, failures.kept_until(t))?;
    Ok(Ok(Attempt { noted }))
}

/// Settles a confirmation counted by [`begin_confirmation`], once the password (and code) were
/// checked off any lock (`checked`: `None` when wrong). Right: the password is still the
/// account's, the code unused (it is used now), and the count starts again. Wrong: an audit fact
/// of the account says so, so that its holder and the organisation see someone tried.
pub fn settle_confirmation(
    tx: &mut Tx<'_>,
    name: &str,
    checked: Option<Checked>,
    now: Timestamp,
) -> Result<bool, AppError> {
    let Some(Record::Account(a)) = tx.by_reference(Kind::Account, name)? else {
        return Ok(false);
    };
    let keyed = tx.keyed();
    let hash =
        crate::accounts::open_credentials(&a, keyed, &mut |s, f, v| tx.reveal(s, f, v))?.password;
    let right = match &checked {
        Some(c) if a.revoked.is_none() && hash.as_deref() == Some(c.password_hash.as_str()) => {
            match c.step {
                Some(step) => use_code(tx, name, step, now)?,
                None => !a.role.needs_second_factor(),
            }
        }
        _ => false,
    };
    if right {
        tx.set_state(&format!("confirm:{name}"), None)?;
    } else {
        let recorded_on = tx.today()?;
        tx.append(Draft {
            recorded_on,
            actor: a.name.clone(),
            subject: a.id.into(),
            change: Change::Audited {
                what: Audit::ConfirmationRefused,
                records: Vec::new(),
                query: None,
            },
            sources: Vec::new(),
        })?;
    }
    Ok(right)
}

/// A sign-in that succeeded: the cookie's token and the session.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub token: String,
    pub session: Session,
    pub account: Account,
}

/// What the password check (done off any lock) found: the password hash it matched, and the
/// time step of the second-factor code, for staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub password_hash: String,
    pub step: Option<u64>,
}

/// Settles a sign-in attempt counted by [`begin_sign_in`], once the password (and code) were
/// checked off any lock: `checked` is `None` when they were wrong. The account is read again
/// here, so one revoked, or whose password changed, while its password was being checked is
/// refused. A code already used is refused; a right attempt clears the account's failures and
/// opens the session; the sign-in (or the refused one, for an existing account) is an audit
/// fact, all in this transaction.
pub fn settle_sign_in(
    tx: &mut Tx<'_>,
    name: &str,
    address: &str,
    attempt: Attempt,
    checked: Option<Checked>,
    now: Timestamp,
) -> Result<Result<SignedIn, SignInRefused>, AppError> {
    let t = now.as_second();
    let found = match tx.by_reference(Kind::Account, name)? {
        Some(Record::Account(a)) => Some(a),
        _ => None,
    };
    let now_hash = match &found {
        Some(a) => {
            let keyed = tx.keyed();
            crate::accounts::open_credentials(a, keyed, &mut |s, f, v| tx.reveal(s, f, v))?.password
        }
        None => None,
    };
    let still_right = |a: &Account, c: &Checked| {
        a.revoked.is_none() && now_hash.as_deref() == Some(c.password_hash.as_str())
    };
    let right = match (&found, &checked) {
        (Some(a), Some(c)) if still_right(a, c) => match c.step {
            // A code already used (seen over a shoulder, or replayed from a captured request)
            // is refused like a wrong one, by every server.
            Some(step) => use_code(tx, name, step, now)?,
            None => !a.role.needs_second_factor(),
        },
        _ => false,
    };
    let outcome = match found.clone().filter(|_| right) {
        None => Err(SignInRefused::Wrong),
        Some(account) => {
            tx.set_state(&failures_key(name, address), None)?;
            let (token, _) = new_token()?;
            let session = Session {
                account: account.id.0,
                csrf: new_token()?.0,
                started: t,
                seen: t,
            };
            put(tx, &session_key(&token), &session, session.expires())?;
            Ok(SignedIn {
                token,
                session,
                account,
            })
        }
    };
    // Every sign-in of an existing account is an audit fact, and so is the first refused one
    // of a series from an address and the one that locks it (the others are only counted):
    // a guesser cannot fill the chain. A name that is no account is not stored: people type
    // passwords into the name field.
    if let Some(a) = found.filter(|_| outcome.is_ok() || attempt.noted) {
        let what = if outcome.is_ok() {
            Audit::SignedIn
        } else {
            Audit::SignInRefused
        };
        let recorded_on = tx.today()?;
        tx.append(Draft {
            recorded_on,
            actor: a.name.clone(),
            subject: a.id.into(),
            change: Change::Audited {
                what,
                records: Vec::new(),
                query: None,
            },
            sources: Vec::new(),
        })?;
    }
    Ok(outcome)
}

/// Uses the second-factor code of time step `step` for account `name`: false when that step
/// (or a later one) was already used, by any server. A code is good once.
pub fn use_code(tx: &mut Tx<'_>, name: &str, step: u64, now: Timestamp) -> Result<bool, AppError> {
    let key = format!("code:{name}");
    if decode::<u64>(tx.state(&key)?).is_some_and(|last| step <= last) {
        return Ok(false);
    }
    put(tx, &key, &step, now.as_second() + 3600)?;
    Ok(true)
}

/// Counts a public report from `address` now; false beyond `per_hour` (0: no limit).
pub fn admit_report(
    tx: &mut Tx<'_>,
    address: &str,
    now: Timestamp,
    per_hour: u32,
) -> Result<bool, AppError> {
    admit(tx, &format!("reports:{address}"), now, per_hour, true)
}

/// Whether `address` may send another public report now: fewer than `per_hour` stored in the
/// last hour (0: no limit), and fewer than ten times as many refused (a form with mistakes);
/// nothing is counted. Only a report stored uses up the hour's reports ([`count_report`]), so
/// a stranger's mistyped forms cannot close the form for everyone behind the same address.
pub fn may_report(
    tx: &mut Tx<'_>,
    address: &str,
    now: Timestamp,
    per_hour: u32,
) -> Result<bool, AppError> {
    Ok(
        admit(tx, &format!("reports:{address}"), now, per_hour, false)?
            && admit(
                tx,
                &format!("refused:{address}"),
                now,
                per_hour.saturating_mul(10),
                false,
            )?,
    )
}

/// Counts a public report from `address` now: stored (`stored`), or refused for its mistakes.
pub fn count_report(
    tx: &mut Tx<'_>,
    address: &str,
    now: Timestamp,
    per_hour: u32,
    stored: bool,
) -> Result<(), AppError> {
    let (key, most) = if stored {
        (format!("reports:{address}"), per_hour)
    } else {
        (format!("refused:{address}"), per_hour.saturating_mul(10))
    };
    admit(tx, &key, now, most, true)?;
    Ok(())
}

/// Whether fewer than `most` events are under `key` in the last hour (0: no limit), noting one
/// more now when `note`.
fn admit(
    tx: &mut Tx<'_>,
    key: &str,
    now: Timestamp,
    most: u32,
    note: bool,
) -> Result<bool, AppError> {
    if most == 0 {
        return Ok(true);
    }
    let mut recent: Recent = decode(tx.state(key)?).unwrap_or_default();
    let window = SignedDuration::from_hours(1);
    let admitted = recent.admit(now.as_second(), window, most as usize);
    if note {
        put(tx, key, &recent, now.as_second() + window.as_secs())?;
    }
    Ok(admitted)
}

/// Whether the token of an anonymous form already sent a report: one form, one report, so a
/// script cannot wait once and send many.
pub fn form_used(tx: &mut Tx<'_>, token: &str) -> Result<bool, AppError> {
    Ok(tx.state(&format!("form-used:{token}"))?.is_some())
}

/// Marks the token of an anonymous form as used by the report just stored with it (in the
/// same transaction), until it would have expired anyway (`until`, Unix seconds).
pub fn use_form_token(tx: &mut Tx<'_>, token: &str, until: i64) -> Result<(), AppError> {
    put(tx, &format!("form-used:{token}"), &true, until)
}

/// The key that signs anonymous forms, the same for every server of the registry (made by
/// the first one).
pub fn form_key(tx: &mut Tx<'_>) -> Result<[u8; 32], AppError> {
    // Derived from the registry's keyring: stored nowhere, so a copy of the database cannot
    // sign forms that look hours old. Only a registry opened without its key keeps one in the
    // servers' state.
    if let Some(key) = tx.secret_for("anonymous forms")? {
        tx.set_state("form-key", None)?;
        return Ok(key);
    }
    if let Some(hex_key) = tx.state("form-key")?
        && let Ok(bytes) = hex::decode(hex_key)
        && let Ok(key) = <[u8; 32]>::try_from(bytes)
    {
        return Ok(key);
    }
    let key = random_bytes::<32>()?;
    tx.set_state("form-key", Some((&hex::encode(key), NEVER)))?;
    Ok(key)
}
