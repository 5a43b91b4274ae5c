//! Accounts: invitations (from `vigilia user add` or the admin's page) and taking one up,
//! states a lawyer covers, API tokens, revocation, and what an account could see (so the
//! organisation knows whom to warn when the holder is arrested). Every check that guards a
//! write reads the account inside that write's transaction: an invitation is used once, a
//! revoked account stays revoked.

use vigilia_core::confidential::{Confidential, Field};
use vigilia_core::date::Day;
use vigilia_core::fact::{Audit, Change, Draft};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{AccountId, Kind, Subject};
use vigilia_core::model::{Account, Role};
use vigilia_core::profile::Profile;
use vigilia_core::text::{composed, fold};
use vigilia_ledger::{Ledger, LedgerError, Tx};

use crate::actor::Actor;
use crate::credentials::{new_token, sha256};
use crate::error::AppError;

/// Invitations are good for a week.
pub const INVITATION_DAYS: i32 = 7;
/// Passwords are long, not complicated.
pub const MIN_PASSWORD: usize = 12;
/// How far back a revocation looks for what the account could see.
pub const EXPOSURE_DAYS: i64 = 90;

/// An invitation just made: the link's token is shown once and kept only as a hash.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub account: u64,
    pub token: String,
    /// An invitation still pending was renewed: its earlier link no longer works.
    pub renewed: bool,
}

/// The accented letters an account name may have: Spanish and Portuguese ones, in the Latin
/// alphabet only, so that no name can pass for another with letters that look alike (a
/// Cyrillic `а` for a Latin `a`).
const ACCENTED: &str = "áéíóúüñçàèìòùâêîôûãõÁÉÍÓÚÜÑÇÀÈÌÒÙÂÊÎÔÛÃÕ";

/// 1 to 64 characters: letters (with the accents of [`ACCENTED`]), digits, '.', '-' or '_'
/// (checked as composed: [`vigilia_core::text::composed`]).
pub fn account_name_ok(name: &str) -> bool {
    let name = composed(name);
    !name.is_empty()
        && name.chars().count() <= 64
        && name.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') || ACCENTED.contains(c)
        })
}

/// What a name looks like, to tell names that pass for one another: accents, case and '.',
/// '-', '_' set aside, and the letters that look alike taken as one (`l`, `I`, `1` as `i`; `0`
/// as `o`; `rn` as `m`; `vv` as `w`; `cl` as `d`).
fn skeleton(name: &str) -> String {
    let folded: String = fold(name)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'l' | '1' | '|' | '!' => 'i',
            '0' => 'o',
            '5' => 's',
            other => other,
        })
        .collect();
    folded
        .replace("rn", "m")
        .replace("vv", "w")
        .replace("cl", "d")
}

/// An account that another's name could be mistaken for ([`skeleton`]): `josé.pérez` and
/// `Jose-Perez`, `demo-lawyer` and `demo-Iawyer`.
fn look_alike(tx: &mut Tx<'_>, name: &str) -> Result<Option<String>, AppError> {
    let key = skeleton(name);
    let mut found = None;
    tx.fold_all(Kind::Account, KnownOn::NOW, &mut |r| {
        if let Record::Account(a) = r
            && found.is_none()
            && skeleton(&a.name) == key
        {
            found = Some(a.name);
        }
    })?;
    Ok(found)
}

/// Appends one fact about an account, by `actor`, recorded today.
fn record(tx: &mut Tx<'_>, id: AccountId, actor: &str, change: Change) -> Result<(), AppError> {
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: actor.to_string(),
        subject: id.into(),
        change,
        sources: vec![],
    })?;
    Ok(())
}

/// An account by name, as it stands in this transaction.
fn named(tx: &mut Tx<'_>, name: &str) -> Result<Option<Account>, AppError> {
    Ok(match tx.by_reference(Kind::Account, &composed(name))? {
        Some(Record::Account(a)) => Some(a),
        _ => None,
    })
}

/// An account by name, as it stands now.
pub fn account(ledger: &mut Ledger, name: &str) -> Result<Option<Account>, AppError> {
    Ok(match ledger.by_reference(Kind::Account, &composed(name))? {
        Some(Record::Account(a)) => Some(a),
        _ => None,
    })
}

/// Invites a new account (or renews the invitation of one not yet taken up).
/// An invitation made by an administrator on the web. Administration never sees case content,
/// so it may not make an account that does: coordinators and lawyers are invited from the
/// command line, by whoever holds the registry's key (`vigilia user add`).
pub fn invite_by_admin(
    tx: &mut Tx<'_>,
    actor: &Actor,
    name: &str,
    role: Role,
) -> Result<Invitation, AppError> {
    // The admin's account, read again in this transaction: one revoked meanwhile invites nobody.
    let actor = crate::actor::acting_as(tx, actor, &[Role::Admin])?;
    if matches!(role, Role::Coordinator | Role::Lawyer) {
        return Err(AppError::StaffFromCommandLine);
    }
    invite(tx, &actor.name, name, role)
}

pub fn invite(
    tx: &mut Tx<'_>,
    actor: &str,
    name: &str,
    role: Role,
) -> Result<Invitation, AppError> {
    if !account_name_ok(name) {
        return Err(AppError::BadAccountName(name.to_string()));
    }
    let name = &composed(name);
    let (token, hash) = new_token()?;
    let mut renewed = false;
    let (id, change) = match named(tx, name)? {
        // A pending invitation is renewed only for the role it was made for: renewing a
        // pending lawyer's as "volunteer" handed the admin a lawyer's account.
        // Nor one whose access was restored (it was used): that link is only for whoever
        // restored it.
        Some(a) if a.password.is_none() && !a.used && a.revoked.is_none() && a.role == role => {
            renewed = true;
            (a.id, Change::InvitationRenewed { invitation: hash })
        }
        Some(_) => return Err(AppError::AccountExists(name.to_string())),
        None => {
            if let Some(other) = look_alike(tx, name)? {
                return Err(AppError::AccountExists(other));
            }
            (
                AccountId(tx.new_id(Kind::Account)),
                Change::AccountCreated {
                    name: name.to_string(),
                    role,
                    invitation: hash,
                },
            )
        }
    };
    record(tx, id, actor, change)?;
    Ok(Invitation {
        account: id.0,
        token,
        renewed,
    })
}

/// The account an invitation token opens, if it is still good on `today`.
fn invited_among(
    each: impl FnOnce(&mut dyn FnMut(Record)) -> Result<(), AppError>,
    token: &str,
    today: Day,
) -> Result<Option<Account>, AppError> {
    let hash = sha256(token);
    let mut found = None;
    each(&mut |r| {
        if let Record::Account(a) = r
            && a.invitation.as_deref() == Some(hash.as_str())
            && a.revoked.is_none()
        {
            found = Some(a);
        }
    })?;
    Ok(found.filter(|a| {
        today
            .since(a.invited_on)
            .map(|s| s.get_days() <= INVITATION_DAYS)
            .unwrap_or(false)
    }))
}

/// The account an invitation token opens, if it is still good (for the invitation's page).
pub fn invited(ledger: &mut Ledger, token: &str) -> Result<Account, AppError> {
    let today = ledger.today()?;
    invited_among(
        |f| Ok(ledger.fold_all(Kind::Account, KnownOn::NOW, f)?),
        token,
        today,
    )?
    .ok_or(AppError::InvitationExpired)
}

/// An account's credentials, opened with its data key: what a sign-in checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    /// The password's Argon2id hash; none until the invitation is taken up.
    pub password: Option<String>,
    /// The second factor's TOTP secret, for staff.
    pub second_factor: Option<String>,
}

/// Opens `a`'s credentials with `reveal` (the ledger's, or a transaction's): a credential whose
/// key was destroyed (the account revoked) is none, and so is one in the clear in a registry
/// opened with its key (`keyed`): Vigilia writes them encrypted there, so a hash in the clear
/// was put by someone who could write the database but not read it (the current-state row of
/// an account is not part of the chain).
pub fn open_credentials(
    a: &Account,
    keyed: bool,
    reveal: &mut dyn FnMut(Subject, Field, &Confidential) -> Result<String, LedgerError>,
) -> Result<Credentials, AppError> {
    let mut open = |field, value: &Option<Confidential>| match value {
        None => Ok(None),
        Some(Confidential::Plain(_)) if keyed => Ok(None),
        Some(v) => match reveal(a.id.into(), field, v) {
            Ok(text) => Ok(Some(text)),
            Err(LedgerError::Unreadable { .. }) => Ok(None),
            Err(e) => Err(AppError::from(e)),
        },
    };
    Ok(Credentials {
        password: open(Field::Password, &a.password)?,
        second_factor: open(Field::SecondFactor, &a.second_factor)?,
    })
}

/// The account named `name` with its credentials opened, if there is one.
pub fn with_credentials(
    ledger: &mut Ledger,
    name: &str,
) -> Result<Option<(Account, Credentials)>, AppError> {
    let Some(a) = account(ledger, name)? else {
        return Ok(None);
    };
    let keyed = ledger.keyed();
    let c = open_credentials(&a, keyed, &mut |s, f, v| ledger.reveal(s, f, v))?;
    Ok(Some((a, c)))
}

/// Encrypts the credentials still in the clear (written before they were encrypted) of every
/// active account, once, when a registry is served with its key: read from the account's
/// facts (the chain), never from its current-state row, and set again under a new data key.
/// Answers how many accounts were sealed.
pub fn seal_credentials(ledger: &mut Ledger) -> Result<usize, AppError> {
    if !ledger.keyed() {
        return Ok(0);
    }
    let mut accounts = Vec::new();
    ledger.fold_all(Kind::Account, KnownOn::NOW, &mut |r| {
        if let Record::Account(a) = r {
            accounts.push(a);
        }
    })?;
    let mut sealed = 0;
    for a in accounts.into_iter().filter(|a| a.revoked.is_none()) {
        let facts = ledger.changes(a.id.into())?;
        let Some(Record::Account(chained)) =
            vigilia_core::fold::fold(&facts, KnownOn::NOW).map_err(LedgerError::from)?
        else {
            continue;
        };
        let plain =
            |c: &Option<Confidential>| c.as_ref().and_then(|c| c.plain()).map(str::to_string);
        let Some(hash) = plain(&chained.password) else {
            continue;
        };
        let factor = plain(&chained.second_factor);
        crate::registry::write(ledger, |tx| {
            set_credentials(tx, &chained, hash.clone(), factor.clone())
        })?;
        sealed += 1;
    }
    Ok(sealed)
}

/// Sets an account's credentials anew: its data key is destroyed first, so every earlier
/// password hash and second-factor secret in the chain can no longer be read, and the ones
/// written now are encrypted under a new key.
fn set_credentials(
    tx: &mut Tx<'_>,
    a: &Account,
    password_hash: String,
    second_factor: Option<String>,
) -> Result<(), AppError> {
    tx.destroy_data_key(a.id.into())?;
    if let Some(secret) = second_factor {
        let secret = secret.into();
        record(tx, a.id, &a.name, Change::SecondFactorSet { secret })?;
    }
    let hash = password_hash.into();
    record(tx, a.id, &a.name, Change::PasswordSet { hash })
}

/// A second factor as enrolled: its secret, and the time step of the code that proved it.
#[derive(Clone, Debug)]
pub struct Enrolled {
    pub secret: String,
    pub step: u64,
}

/// Takes up an invitation: the password (already hashed, off any lock) and, for staff, the
/// second factor the person enrolled (whose code is then used: it will not sign in). The
/// invitation is checked in this transaction, so it opens the account once.
pub fn accept_invitation(
    tx: &mut Tx<'_>,
    token: &str,
    password_hash: String,
    second_factor: Option<Enrolled>,
) -> Result<Account, AppError> {
    let today = tx.today()?;
    let a = invited_among(
        |f| Ok(tx.fold_all(Kind::Account, KnownOn::NOW, f)?),
        token,
        today,
    )?
    .ok_or(AppError::InvitationExpired)?;
    // Taken up by a write earlier in this same transaction?
    match tx.get(a.id.into())? {
        Some(Record::Account(now)) if now.invitation == a.invitation => {}
        _ => return Err(AppError::InvitationExpired),
    }
    let factor = second_factor.filter(|_| a.role.needs_second_factor());
    if let Some(factor) = &factor {
        let now = tx.now();
        crate::sessions::use_code(tx, &a.name, factor.step, now)?;
    }
    set_credentials(tx, &a, password_hash, factor.map(|f| f.secret))?;
    Ok(a)
}

/// A demo account made by [`demo_accounts`]: its name, password, and second-factor key.
#[derive(Debug)]
pub struct DemoAccount {
    pub name: String,
    pub password: String,
    pub second_factor: Option<String>,
}

/// One account per role, `demo-<role>`, ready to sign in: a random password and, for staff,
/// the second factor given. The passwords are shown once, to whoever started the demo.
pub fn demo_accounts(ledger: &mut Ledger) -> Result<Vec<DemoAccount>, AppError> {
    let mut made = Vec::new();
    for role in Role::ALL {
        let name = format!("demo-{}", role.name());
        let password: String = crate::credentials::new_token()?
            .0
            .chars()
            .take(16)
            .collect();
        let second_factor = role
            .needs_second_factor()
            .then(crate::credentials::new_second_factor);
        let hash = crate::credentials::hash_password(&password)?;
        let factor = second_factor.clone();
        crate::registry::write(ledger, |tx| demo_account(tx, &name, role, hash, factor))?;
        made.push(DemoAccount {
            name,
            password,
            second_factor,
        });
    }
    Ok(made)
}

/// A demo account, ready to sign in: password set and, for staff, the second factor given.
pub fn demo_account(
    tx: &mut Tx<'_>,
    name: &str,
    role: Role,
    password_hash: String,
    second_factor: Option<String>,
) -> Result<(), AppError> {
    let id = AccountId(invite(tx, "demo", name, role)?.account);
    if let Some(secret) = second_factor {
        let secret = secret.into();
        record(tx, id, "demo", Change::SecondFactorSet { secret })?;
    }
    let hash = password_hash.into();
    record(tx, id, "demo", Change::PasswordSet { hash })
}

/// Refuses a registry with a demo account still active: their passwords were printed to a
/// terminal, so outside a demo such a registry is not served.
pub fn refuse_demo_accounts(ledger: &mut Ledger) -> Result<(), AppError> {
    for role in Role::ALL {
        let name = format!("demo-{}", role.name());
        if let Some(Record::Account(a)) = ledger.by_reference(Kind::Account, &name)?
            && a.revoked.is_none()
        {
            return Err(AppError::DemoAccountsLeft(name));
        }
    }
    Ok(())
}

/// An account that is not revoked, by name, as it stands in this transaction.
pub fn active(tx: &mut Tx<'_>, name: &str) -> Result<Account, AppError> {
    match named(tx, name)? {
        Some(a) if a.revoked.is_none() => Ok(a),
        _ => Err(AppError::NoActiveAccount(name.to_string())),
    }
}

/// Which account to revoke: by name (command line) or number (the admin's page).
#[derive(Clone, Debug)]
pub enum Which {
    Named(String),
    Numbered(AccountId),
}

/// Revokes an account (its sessions and tokens stop working from the next request); `None`
/// when it was already revoked.
pub fn revoke(
    tx: &mut Tx<'_>,
    actor: &str,
    which: &Which,
    reason: &str,
) -> Result<Option<Account>, AppError> {
    let a = match which {
        Which::Named(name) => named(tx, name)?.ok_or(AppError::NoActiveAccount(name.clone()))?,
        Which::Numbered(id) => match tx.get((*id).into())? {
            Some(Record::Account(a)) => a.clone(),
            _ => return Err(AppError::NotFound((*id).into())),
        },
    };
    if a.revoked.is_some() {
        return Ok(None);
    }
    let reason = match reason.trim() {
        "" => "revoked".to_string(),
        r => r.to_string(),
    };
    record(tx, a.id, actor, Change::AccountRevoked { reason })?;
    // Its password hash and second-factor secret are of no more use: erased for good.
    tx.destroy_data_key(a.id.into())?;
    Ok(Some(a))
}

/// The profile's states written as `states` (names, codes or aliases: `Zulia`, `VE-V`,
/// `Edo. Zulia`): their codes and names, or which one is not a state.
pub fn states_named(
    profile: &Profile,
    states: &[String],
) -> Result<(Vec<String>, Vec<String>), AppError> {
    let mut codes = Vec::new();
    let mut names = Vec::new();
    for text in states {
        let Some(s) = profile.state(text) else {
            let known = profile
                .states
                .entries()
                .iter()
                .map(|s| s.name.clone())
                .collect();
            return Err(AppError::NotAState {
                typed: text.clone(),
                known,
            });
        };
        let code = s.code.clone().unwrap_or_else(|| s.name.clone());
        if !codes.contains(&code) {
            codes.push(code);
            names.push(s.name.clone());
        }
    }
    Ok((codes, names))
}

/// Sets the states whose cases an account sees (none: every state); the states' names.
pub fn set_regions(
    tx: &mut Tx<'_>,
    actor: &str,
    name: &str,
    states: &[String],
) -> Result<Vec<String>, AppError> {
    let a = active(tx, name)?;
    let profile = tx.profile()?.clone();
    let (codes, names) = states_named(&profile, states)?;
    record(tx, a.id, actor, Change::RegionsSet { states: codes })?;
    Ok(names)
}

/// Whether an account of role `actor` may restore the access of, or set the states of, an
/// account of role `target` on the web. Whoever restores an account's access can take it up
/// (the new link passes through their hands), so only over accounts that see nothing more than
/// they do: a coordinator, who sees every case, over lawyers and volunteers; an administrator,
/// who sees no case, over analysts (figures without names) only: a volunteer's reports hold
/// names and families' contacts, and another administrator's account would let one act as
/// the other. The rest (coordinators, administrators) by whoever holds the registry's key
/// (`vigilia user reset`).
pub fn may_manage(actor: Role, target: Role) -> bool {
    match actor {
        Role::Admin => target == Role::Analyst,
        Role::Coordinator => matches!(target, Role::Lawyer | Role::Volunteer),
        _ => false,
    }
}

/// An active account that `actor` may manage ([`may_manage`]; the operator, any), never its
/// own, as it stands in this transaction.
fn managed(tx: &mut Tx<'_>, actor: &Actor, id: AccountId) -> Result<(Actor, Account), AppError> {
    let actor = crate::actor::acting_as(tx, actor, &[Role::Admin, Role::Coordinator])?;
    let a = match tx.get(id.into())? {
        Some(Record::Account(a)) if a.revoked.is_none() => a.clone(),
        _ => return Err(AppError::NotFound(id.into())),
    };
    // Whoever holds the registry's key (the command line's operator) manages every account.
    let operator = actor.account == 0;
    if a.id.0 == actor.account || !(operator || may_manage(actor.role, a.role)) {
        return Err(AppError::Forbidden(id.into()));
    }
    Ok((actor, a))
}

/// Restores an account's access (a lost phone, a forgotten password): its password, second
/// factor and API tokens stop working now (their key is destroyed), its sessions end at their
/// next request, and a new invitation, shown once, sets them again.
pub fn reset_access(tx: &mut Tx<'_>, actor: &Actor, id: AccountId) -> Result<Invitation, AppError> {
    let (actor, a) = managed(tx, actor, id)?;
    let (token, hash) = new_token()?;
    tx.destroy_data_key(a.id.into())?;
    record(
        tx,
        a.id,
        &actor.name,
        Change::AccessReset { invitation: hash },
    )?;
    let now = tx.now();
    crate::sessions::end_sessions_of(tx, a.id.0, now)?;
    Ok(Invitation {
        account: a.id.0,
        token,
        renewed: false,
    })
}

/// Sets the states whose cases a lawyer sees, by a coordinator: those of `states` when any is
/// given, else `every` state when that is what was chosen; none given without `every` is a
/// mistake (unticking the last one never opens every case). The states' names.
pub fn set_lawyer_states(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: AccountId,
    every: bool,
    states: &[String],
) -> Result<Vec<String>, AppError> {
    let (actor, a) = managed(tx, actor, id)?;
    if a.role != Role::Lawyer {
        return Err(AppError::Forbidden(id.into()));
    }
    if !every && states.is_empty() {
        let mut errors = crate::fields::FieldErrors::default();
        errors.add("state", crate::fields::Problem::ChooseStates);
        return Err(AppError::Invalid(errors));
    }
    let profile = tx.profile()?.clone();
    // A state that is not one is a mistake of the form, said beside it.
    let (codes, names) = states_named(&profile, states).map_err(|e| match e {
        AppError::NotAState { typed, .. } => {
            let mut errors = crate::fields::FieldErrors::default();
            errors.add("state", crate::fields::Problem::NotAState(typed));
            AppError::Invalid(errors)
        }
        other => other,
    })?;
    record(tx, a.id, &actor.name, Change::RegionsSet { states: codes })?;
    Ok(names)
}

/// Issues an API token for an account; the token is shown once and kept as its hash.
pub fn issue_token(tx: &mut Tx<'_>, actor: &str, name: &str) -> Result<String, AppError> {
    let a = active(tx, name)?;
    let (token, hash) = new_token()?;
    record(tx, a.id, actor, Change::TokenIssued { hash })?;
    Ok(token)
}

/// How many days back coordinators are shown the accounts made or given a role.
pub const NEW_ACCOUNT_DAYS: i64 = 30;

/// An account made, or given a role, recently: coordinators see each one, so that an account
/// nobody in the organisation expected (made by a turned key holder or admin) is noticed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount {
    pub name: String,
    pub role: Role,
    /// Who made it, or gave it the role.
    pub by: String,
    pub on: Day,
    pub what: AccountNews,
    /// Whether the account has been revoked since.
    pub revoked: bool,
}

/// What happened to an account that the coordinators are told of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountNews {
    Made,
    /// A role given to an existing account.
    RoleGiven,
    /// Its access restored (a new link: whoever takes it up holds the account).
    AccessReset,
}

impl AccountNews {
    /// In words: Spanish, English.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            AccountNews::Made => ("creada por", "made by"),
            AccountNews::RoleGiven => ("rol dado por", "role given by"),
            AccountNews::AccessReset => ("acceso restablecido por", "access reset by"),
        }
    }
}

/// The accounts made, given a role or whose access was restored in the last `days` days,
/// newest first.
pub fn new_accounts(ledger: &mut Ledger, days: i64) -> Result<Vec<NewAccount>, AppError> {
    let today = ledger.today()?;
    let since = today
        .checked_sub(jiff::Span::new().days(days))
        .unwrap_or(today);
    let mut accounts = Vec::new();
    ledger.fold_all(Kind::Account, KnownOn::NOW, &mut |r| {
        if let Record::Account(a) = r {
            accounts.push(a);
        }
    })?;
    let mut out = Vec::new();
    for a in accounts {
        for f in ledger.changes(a.id.into())? {
            let (role, what) = match f.change {
                Change::AccountCreated { role, .. } => (role, AccountNews::Made),
                Change::RoleChanged { role } => (role, AccountNews::RoleGiven),
                Change::AccessReset { .. } => (a.role, AccountNews::AccessReset),
                _ => continue,
            };
            if f.recorded_on >= since {
                out.push(NewAccount {
                    name: a.name.clone(),
                    role,
                    by: f.actor.clone(),
                    on: f.recorded_on,
                    what,
                    revoked: a.revoked.is_some(),
                });
            }
        }
    }
    out.sort_by(|x, y| y.on.cmp(&x.on).then_with(|| x.name.cmp(&y.name)));
    Ok(out)
}

/// Why an account could see a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    Reported,
    Assigned,
    /// It looked at it (or opened, listed, exported) on that day.
    Audited(Audit, Day),
    /// It recorded something about it on that day.
    Recorded(Day),
}

/// What a role opens to an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    Everything,
    EveryCase,
    CasesOf(Vec<String>),
    OwnReports,
    Figures,
    Accounts,
}

/// One thing an account could see, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposed {
    pub subject: Subject,
    /// The person it names (or the source's title), as the registry has it.
    pub name: String,
    pub why: Why,
}

/// A search an account made: when, what it typed, and how many persons it returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub on: Day,
    pub query: String,
    pub returned: usize,
}

/// What an account could see in the last `days` days.
#[derive(Debug, Clone)]
pub struct Exposure {
    pub account: Account,
    pub reach: Reach,
    pub seen: Vec<Exposed>,
    /// Its searches, oldest first: who it looked for, even when nobody was found.
    pub searches: Vec<Search>,
}

/// What an account could see in the last `days` days, so that the organisation knows who is
/// exposed when the account's holder is arrested: the reports they made or were assigned,
/// every record they looked at or wrote about since, and what their role opens to them.
pub fn exposure(ledger: &mut Ledger, name: &str, days: i64) -> Result<Exposure, AppError> {
    let a = account(ledger, name)?.ok_or_else(|| AppError::NoAccount(name.to_string()))?;
    let today = ledger.today()?;
    let since = today
        .checked_sub(jiff::Span::new().days(days))
        .unwrap_or(today);
    let mut found: Vec<(Subject, Why)> = Vec::new();
    ledger.fold_all(Kind::Report, KnownOn::NOW, &mut |r| {
        if let Record::Report(r) = r {
            if r.reporter.as_deref() == Some(name) {
                found.push((r.id.into(), Why::Reported));
            } else if r.assigned_to.as_deref() == Some(name) {
                found.push((r.id.into(), Why::Assigned));
            }
        }
    })?;
    let mut queries: Vec<(Day, Confidential, usize)> = Vec::new();
    ledger.for_each_history(None, None, &mut |subject, facts| {
        // What a search, a list or a comparison showed it, record by record.
        for f in facts
            .iter()
            .filter(|f| f.actor == name && f.recorded_on >= since)
        {
            if let Change::Audited {
                what,
                records,
                query,
            } = &f.change
            {
                for r in records {
                    found.push((*r, Why::Audited(*what, f.recorded_on)));
                }
                if let Some(q) = query {
                    queries.push((f.recorded_on, q.clone(), records.len()));
                }
            }
        }
        let last = facts
            .iter()
            .rev()
            .find(|f| f.actor == name && f.recorded_on >= since && subject.kind != Kind::Account);
        if let Some(f) = last {
            let why = match &f.change {
                Change::Audited { what, .. } => Why::Audited(*what, f.recorded_on),
                _ => Why::Recorded(f.recorded_on),
            };
            found.push((subject, why));
        }
        Ok(())
    })?;
    let mut searches = Vec::new();
    for (on, query, returned) in queries {
        let query = ledger.reveal(Subject::REGISTRY, Field::Query, &query)?;
        searches.push(Search {
            on,
            query,
            returned,
        });
    }
    let mut seen: Vec<Exposed> = Vec::new();
    for (subject, why) in found {
        // The registry itself is not a record to warn anyone about (its searches are listed).
        if subject.kind == Kind::Registry || seen.iter().any(|e| e.subject == subject) {
            continue;
        }
        seen.push(Exposed {
            subject,
            name: whom(ledger, subject)?,
            why,
        });
    }
    let reach = match a.role {
        Role::Coordinator => Reach::Everything,
        Role::Lawyer if a.regions.is_empty() => Reach::EveryCase,
        Role::Lawyer => {
            let profile = ledger.profile()?;
            Reach::CasesOf(
                a.regions
                    .iter()
                    .map(|c| profile.state_name(c).unwrap_or(c).to_string())
                    .collect(),
            )
        }
        Role::Volunteer => Reach::OwnReports,
        Role::Analyst => Reach::Figures,
        Role::Admin => Reach::Accounts,
    };
    Ok(Exposure {
        account: a,
        reach,
        seen,
        searches,
    })
}

/// Whom a record names: a person's or a detainee's name, a report's, a source's title.
fn whom(ledger: &mut Ledger, subject: Subject) -> Result<String, AppError> {
    Ok(match ledger.get(subject)? {
        Some(Record::Person(p)) => p.identity.full_name(),
        Some(Record::Detention(d)) => match ledger.get(d.person.into())? {
            Some(Record::Person(p)) => p.identity.full_name(),
            _ => String::new(),
        },
        Some(Record::Report(r)) => r
            .details
            .map(|d| d.identity().full_name())
            .unwrap_or_default(),
        Some(Record::Source(s)) => s.title,
        _ => String::new(),
    })
}

/// Revokes by `actor`'s decision, as the command line does: the account and what it could see.
pub fn revoke_and_expose(
    ledger: &mut Ledger,
    actor: &Actor,
    which: &Which,
    reason: &str,
) -> Result<Option<Exposure>, AppError> {
    let revoked = crate::registry::write(ledger, |tx| revoke_as(tx, actor, which, reason))?;
    match revoked {
        Some(a) => Ok(Some(exposure(ledger, &a.name, EXPOSURE_DAYS)?)),
        None => Ok(None),
    }
}

/// Revokes an account as `actor` (an administrator, or the operator), read again in the
/// transaction: of two admins revoking each other at one moment, the second is refused.
pub fn revoke_as(
    tx: &mut Tx<'_>,
    actor: &Actor,
    which: &Which,
    reason: &str,
) -> Result<Option<Account>, AppError> {
    let actor = crate::actor::acting_as(tx, actor, &[Role::Admin])?;
    revoke(tx, &actor.name, which, reason)
}
