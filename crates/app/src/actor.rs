//! Who acts: the account a use case runs for, and what its role lets it reach.

use vigilia_core::fold::Record;
use vigilia_core::ids::Kind;
use vigilia_core::model::{Account, Detention, Role};
use vigilia_ledger::{Ledger, LedgerError, Tx};

/// The account on whose behalf a use case runs (its name is the actor of every fact written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub account: u64,
    pub name: String,
    pub role: Role,
    /// The states whose cases a lawyer sees (empty: every state).
    pub regions: Vec<String>,
}

impl Actor {
    pub fn of(a: &Account) -> Actor {
        Actor {
            account: a.id.0,
            name: a.name.clone(),
            role: a.role,
            regions: a.regions.clone(),
        }
    }

    /// The person at the command line: whoever holds the registry's key reaches every record,
    /// and acts under the name they give (`--actor`).
    pub fn operator(name: &str) -> Actor {
        Actor {
            account: 0,
            name: name.to_string(),
            role: Role::Coordinator,
            regions: Vec::new(),
        }
    }

    /// Coordinators, and lawyers without states of their own, see every case.
    pub fn sees_every_case(&self) -> bool {
        self.role == Role::Coordinator || (self.role == Role::Lawyer && self.regions.is_empty())
    }

    /// Whether this account sees this detention: coordinators every case; a lawyer the cases of
    /// their states (every state when none is set) and those with a report assigned to them; no
    /// other role (analysts see figures, not names).
    pub fn sees(&self, assigned: &[Record], d: &Detention) -> bool {
        match self.role {
            _ if self.sees_every_case() => true,
            Role::Lawyer => {
                d.arrest
                    .state
                    .as_ref()
                    .is_some_and(|s| self.regions.contains(s))
                    || assigned.iter().any(|r| {
                        matches!(r, Record::Report(r)
                            if r.assigned_to.as_deref() == Some(self.name.as_str()))
                    })
            }
            _ => false,
        }
    }
}

/// Where the records a scope check reads come from: the registry as it stands, or the write
/// transaction the check guards.
pub trait Reads {
    fn reports_of(&mut self, detention: u64) -> Result<Vec<Record>, LedgerError>;
}

impl Reads for Ledger {
    fn reports_of(&mut self, detention: u64) -> Result<Vec<Record>, LedgerError> {
        self.children(Kind::Report, detention)
    }
}

impl Reads for Tx<'_> {
    fn reports_of(&mut self, detention: u64) -> Result<Vec<Record>, LedgerError> {
        self.children(Kind::Report, detention)
    }
}

/// Whether `actor` sees detention `d`, reading its reports from `reads`.
pub fn sees(reads: &mut dyn Reads, actor: &Actor, d: &Detention) -> Result<bool, LedgerError> {
    if actor.sees_every_case() {
        return Ok(true);
    }
    let assigned = reads.reports_of(d.id.0)?;
    Ok(actor.sees(&assigned, d))
}

/// `actor` as its account stands in this transaction: refused once the account is revoked,
/// with its role and states as they are now (not as they were when the request was checked).
/// The operator at the command line has no account and is taken as given.
pub fn current(tx: &mut Tx<'_>, actor: &Actor) -> Result<Actor, crate::error::AppError> {
    if actor.account == 0 {
        return Ok(actor.clone());
    }
    let id = vigilia_core::ids::AccountId(actor.account);
    match tx.get(id.into())? {
        Some(Record::Account(a)) if a.revoked.is_none() => Ok(Actor::of(a)),
        _ => Err(crate::error::AppError::Forbidden(id.into())),
    }
}

/// `actor` as it stands now, if its role is one of `roles` (the operator always is).
pub fn acting_as(
    tx: &mut Tx<'_>,
    actor: &Actor,
    roles: &[Role],
) -> Result<Actor, crate::error::AppError> {
    let now = current(tx, actor)?;
    if now.account == 0 || roles.contains(&now.role) {
        Ok(now)
    } else {
        Err(crate::error::AppError::Forbidden(
            vigilia_core::ids::AccountId(now.account).into(),
        ))
    }
}

/// Whether `actor` sees detention `id` as it stands now: the scope of a list of a past day (as
/// of it, or as known on it) is decided on the detention as corrected since, so that a case
/// moved out of a lawyer's states is not shown by asking for a day before the move. An account
/// that sees every case reads nothing.
pub fn sees_now(
    ledger: &mut Ledger,
    actor: &Actor,
    id: vigilia_core::ids::DetentionId,
) -> Result<bool, LedgerError> {
    if actor.sees_every_case() {
        return Ok(true);
    }
    match ledger.get(id.into())? {
        Some(Record::Detention(now)) => sees(ledger, actor, &now),
        _ => Ok(false),
    }
}
