//! Correcting who a person is: a lawyer who has seen the cédula, or a coordinator who spoke
//! with the family, fixes a name, the cédula, sex, birth date or whether the person is a
//! civilian or military. The person's page sends the whole form, filled with what is recorded;
//! only what differs is written, a field emptied becomes «sin dato», and the reason is kept in
//! the history with who corrected it.

use serde::{Deserialize, Serialize};
use vigilia_core::date::{PartialDate, Precision};
use vigilia_core::fact::Change;
use vigilia_core::fold::Record;
use vigilia_core::ids::{Kind, PersonId};
use vigilia_core::lang::Lang;
use vigilia_core::model::{Identity, Person, Role, Service, Sex};
use vigilia_core::national_id::NationalId;
use vigilia_ledger::Tx;

use crate::actor::{Actor, acting_as, sees};
use crate::error::AppError;
use crate::fields::{FieldErrors, Problem};
use crate::records::record;

/// Who a person is, as typed. A field left out (`None`: the API's body does not name it) is
/// left as it is; a field sent empty becomes «sin dato». The page's form sends every field,
/// with `shown`: what it showed, so that a correction made meanwhile by someone else is not
/// undone by a form opened before it.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IdentityForm {
    pub given_names: Option<String>,
    pub paternal_surname: Option<String>,
    pub maternal_surname: Option<String>,
    pub national_id: Option<String>,
    /// `F`, `M`, `X`, or empty for «sin dato».
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    /// `civilian`, `military`, or empty for «sin dato».
    pub service: Option<String>,
    pub rank: Option<String>,
    pub reason: String,
    /// [`shown`] of the person's data as the form showed them (the page's form; empty from the
    /// API, which sends only what it changes).
    pub shown: String,
}

impl IdentityForm {
    /// The form as the person's page first shows it: what is recorded.
    pub fn of(i: &Identity) -> IdentityForm {
        let text = |v: &Option<String>| Some(v.clone().unwrap_or_default());
        IdentityForm {
            given_names: text(&i.given_names),
            paternal_surname: text(&i.paternal_surname),
            maternal_surname: text(&i.maternal_surname),
            national_id: Some(i.national_id.map(|n| n.to_string()).unwrap_or_default()),
            sex: Some(i.sex.map(|s| sex_code(s).to_string()).unwrap_or_default()),
            birth_date: Some(i.birth_date.map(typed_date).unwrap_or_default()),
            service: Some(
                i.service
                    .map(|s| service_code(s).to_string())
                    .unwrap_or_default(),
            ),
            rank: text(&i.rank),
            reason: String::new(),
            shown: shown(i),
        }
    }

    /// A field's text as the form shows it.
    pub fn text(field: &Option<String>) -> &str {
        field.as_deref().unwrap_or_default()
    }

    /// The text of the field named `field` (`given_names`, …, `reason`).
    pub fn shows(&self, field: &str) -> &str {
        match field {
            "given_names" => Self::text(&self.given_names),
            "paternal_surname" => Self::text(&self.paternal_surname),
            "maternal_surname" => Self::text(&self.maternal_surname),
            "national_id" => Self::text(&self.national_id),
            "sex" => Self::text(&self.sex),
            "birth_date" => Self::text(&self.birth_date),
            "service" => Self::text(&self.service),
            "rank" => Self::text(&self.rank),
            "reason" => &self.reason,
            _ => "",
        }
    }
}

/// A fingerprint of a person's data as a form shows them: the same when nothing changed.
pub fn shown(i: &Identity) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(i).unwrap_or_default();
    let digest = Sha256::digest(&json);
    digest.get(..12).map(hex::encode).unwrap_or_default()
}

/// A date as the form takes it back: «04/03/1990», «03/1990», «1990»; a range as Vigilia
/// writes it (`1989-01-01/1990-12-31`), which the form reads too.
fn typed_date(d: PartialDate) -> String {
    match d.precision() {
        Precision::Range => d.to_string(),
        _ => d.short(Lang::Es),
    }
}

fn sex_code(s: Sex) -> &'static str {
    match s {
        Sex::F => "F",
        Sex::M => "M",
        Sex::X => "X",
    }
}

fn service_code(s: Service) -> &'static str {
    match s {
        Service::Civilian => "civilian",
        Service::Military => "military",
    }
}

/// The person, for `actor` to change: a coordinator, or a lawyer who sees one of the person's
/// detentions; not a person merged into another (that one is changed instead).
pub(crate) fn person_to_change(
    tx: &mut Tx<'_>,
    actor: &Actor,
    person: PersonId,
) -> Result<(Actor, Person), AppError> {
    let actor = acting_as(tx, actor, &[Role::Coordinator, Role::Lawyer])?;
    let Some(Record::Person(p)) = tx.get(person.into())?.cloned() else {
        return Err(AppError::NotFound(person.into()));
    };
    // Scope first: whether a person is merged is not told to who may not see them.
    if !sees_person(tx, &actor, person)? {
        return Err(AppError::Forbidden(person.into()));
    }
    if let Some(into) = p.merged_into {
        return Err(AppError::AlreadyMerged { person, into });
    }
    Ok((actor, p))
}

/// Records what the form changes of who `person` is, with its reason; the fields it changed,
/// by name (`national_id`, `sex`, …). Only the fields sent and not as the form showed them are
/// read: a name stored with two spaces, or one the form would refuse («Luis (Cheo)»), is left
/// as it is when another field is corrected. Every problem comes back at once, a form that
/// changes nothing is refused (no history line says a correction that was not), and so is one
/// opened before another correction of the same person, which it would undo.
/// `holders` are the persons who carry a cédula, as the caller's index knows them (read again
/// here, inside the transaction): a cédula already another person's is refused, naming that
/// person to a coordinator, who sees every record and can compare and merge the two; a lawyer
/// is asked to have a coordinator look.
pub fn correct(
    tx: &mut Tx<'_>,
    actor: &Actor,
    person: PersonId,
    f: &IdentityForm,
    holders: &dyn Fn(&NationalId) -> Vec<u64>,
) -> Result<Vec<&'static str>, AppError> {
    let (actor, p) = person_to_change(tx, actor, person)?;
    let today = tx.today()?;
    let was = &p.identity;
    if !f.shown.is_empty() && f.shown != shown(was) {
        let mut e = FieldErrors::default();
        e.add("reason", Problem::ChangedMeanwhile);
        return Err(e.into());
    }
    let before = IdentityForm::of(was);
    let touched = |typed: &Option<String>, showed: &Option<String>| -> Option<String> {
        let t = typed.as_deref()?;
        (t.trim() != IdentityForm::text(showed).trim()).then(|| t.to_string())
    };
    let mut e = FieldErrors::default();
    let mut typed = was.clone();
    if let Some(t) = touched(&f.given_names, &before.given_names) {
        typed.given_names = e.name("given_names", &t);
    }
    if let Some(t) = touched(&f.paternal_surname, &before.paternal_surname) {
        typed.paternal_surname = e.name("paternal_surname", &t);
    }
    if let Some(t) = touched(&f.maternal_surname, &before.maternal_surname) {
        typed.maternal_surname = e.name("maternal_surname", &t);
    }
    if let Some(t) = touched(&f.national_id, &before.national_id) {
        typed.national_id = e.national_id("national_id", &t);
        if let Some(n) = typed.national_id {
            for other in holders(&n).into_iter().filter(|h| *h != person.0) {
                // Only persons this account may see answer: a lawyer must not learn from a
                // refusal whether a cédula is anywhere in the registry. A coordinator is told
                // the record to compare with: the one a merged holder was merged into.
                if let Some(Record::Person(o)) = tx.get(PersonId(other).into())?.cloned()
                    && o.merged_into.is_none_or(|into| into != person)
                    && o.identity
                        .national_id
                        .is_some_and(|theirs| theirs.number == n.number)
                    && sees_person(tx, &actor, PersonId(other))?
                {
                    let shown = o.merged_into.map_or(other, |into| into.0);
                    let named = actor.sees_every_case().then_some(shown);
                    e.add("national_id", Problem::NationalIdTaken { person: named });
                    break;
                }
            }
        }
    }
    if let Some(t) = touched(&f.sex, &before.sex) {
        typed.sex = e.sex("sex", &t);
    }
    if let Some(t) = touched(&f.birth_date, &before.birth_date) {
        typed.birth_date = e.date("birth_date", &t, today);
        if let Some(born) = typed.birth_date {
            for r in tx.children(Kind::Detention, person.0)? {
                // Only detentions this account sees are checked: the message dates them.
                if let Record::Detention(d) = r
                    && sees(tx, &actor, &d)?
                    && let Some(problem) = age_at_arrest(born, d.arrest.date)
                {
                    e.add("birth_date", problem);
                }
            }
        }
    }
    if let Some(t) = touched(&f.service, &before.service) {
        typed.service = match t.trim() {
            "civilian" => Some(Service::Civilian),
            "military" => Some(Service::Military),
            "" => None,
            _ => {
                e.add("service", Problem::ChooseAnOption);
                None
            }
        };
    }
    if let Some(t) = touched(&f.rank, &before.rank) {
        typed.rank = e.line("rank", &t);
    }
    // A rank is a soldier's: a civilian with one says two things at once.
    let soldiering = typed.service != was.service || typed.rank != was.rank;
    if soldiering
        && typed.service == Some(Service::Civilian)
        && typed.rank.is_some()
        && !e.has("rank")
    {
        e.add("rank", Problem::RankOfCivilian);
    }
    if typed.given_names.is_none()
        && typed.paternal_surname.is_none()
        && typed.maternal_surname.is_none()
        && typed.national_id.is_none()
        && !e.has("given_names")
        && !e.has("national_id")
    {
        e.add("given_names", Problem::NoOneNamed);
    }
    let reason = e.line("reason", &f.reason);
    if reason.is_none() {
        e.add("reason", Problem::SayWhy);
    }
    e.check()?;

    // What differs from what is recorded: set when typed, cleared when emptied.
    let mut stated = Identity::default();
    let mut changed = Vec::new();
    let mut cleared = Vec::new();
    macro_rules! compare {
        ($($field:ident),*) => {$(
            if typed.$field != was.$field {
                changed.push(stringify!($field));
                match typed.$field.clone() {
                    Some(v) => stated.$field = Some(v),
                    None => cleared.push(stringify!($field).to_string()),
                }
            }
        )*};
    }
    compare!(
        given_names,
        paternal_surname,
        maternal_surname,
        national_id,
        sex,
        birth_date,
        service,
        rank
    );
    if changed.is_empty() {
        let mut e = FieldErrors::default();
        e.add("reason", Problem::NothingChanged);
        return Err(e.into());
    }
    record(
        tx,
        &actor,
        person,
        Change::PersonStated {
            reference: None,
            identity: stated,
            disclosure: None,
            cleared,
            reason,
        },
    )?;
    Ok(changed)
}

/// Whether `actor` sees one of person `p`'s detentions (a coordinator sees all).
fn sees_person(tx: &mut Tx<'_>, actor: &Actor, p: PersonId) -> Result<bool, AppError> {
    if actor.sees_every_case() {
        return Ok(true);
    }
    for r in tx.children(Kind::Detention, p.0)? {
        if let Record::Detention(d) = r
            && sees(tx, actor, &d)?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A birth date that cannot be right for an arrest: under 10 years old then (a year typed
/// `24` read as 2024), or over 110.
pub(crate) fn age_at_arrest(born: PartialDate, arrested: PartialDate) -> Option<Problem> {
    let youngest = arrested.first_day().year() - born.last_day().year();
    let oldest = arrested.last_day().year() - born.first_day().year();
    (youngest < 10 || oldest > 110).then_some(Problem::AgeAtArrest {
        arrested,
        years: if youngest < 10 { youngest } else { oldest },
    })
}
