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
use vigilia_ledger::Tx;

use crate::actor::{Actor, acting_as, sees};
use crate::error::AppError;
use crate::fields::{FieldErrors, Problem};
use crate::records::record;

/// Who a person is, as typed: every field a string, so nothing typed is lost when one is wrong.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IdentityForm {
    pub given_names: String,
    pub paternal_surname: String,
    pub maternal_surname: String,
    pub national_id: String,
    /// `F`, `M`, `X`, or empty for «sin dato».
    pub sex: String,
    pub birth_date: String,
    /// `civilian`, `military`, or empty for «sin dato».
    pub service: String,
    pub rank: String,
    pub reason: String,
}

impl IdentityForm {
    /// The form as the person's page first shows it: what is recorded.
    pub fn of(i: &Identity) -> IdentityForm {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        IdentityForm {
            given_names: text(&i.given_names),
            paternal_surname: text(&i.paternal_surname),
            maternal_surname: text(&i.maternal_surname),
            national_id: i.national_id.map(|n| n.to_string()).unwrap_or_default(),
            sex: i.sex.map(|s| sex_code(s).to_string()).unwrap_or_default(),
            birth_date: i.birth_date.map(typed_date).unwrap_or_default(),
            service: i
                .service
                .map(|s| service_code(s).to_string())
                .unwrap_or_default(),
            rank: text(&i.rank),
            reason: String::new(),
        }
    }
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
    if let Some(into) = p.merged_into {
        return Err(AppError::AlreadyMerged { person, into });
    }
    if !actor.sees_every_case() {
        let mut seen = false;
        for r in tx.children(Kind::Detention, person.0)? {
            if let Record::Detention(d) = r
                && sees(tx, &actor, &d)?
            {
                seen = true;
            }
        }
        if !seen {
            return Err(AppError::Forbidden(person.into()));
        }
    }
    Ok((actor, p))
}

/// Records what the form changes of who `person` is, with its reason; the fields it changed,
/// by name (`national_id`, `sex`, …). Every problem of the form comes back at once, and a form
/// that changes nothing is refused, so that no history line says a correction that was not.
pub fn correct(
    tx: &mut Tx<'_>,
    actor: &Actor,
    person: PersonId,
    f: &IdentityForm,
) -> Result<Vec<&'static str>, AppError> {
    let (actor, p) = person_to_change(tx, actor, person)?;
    let today = tx.today()?;
    let mut e = FieldErrors::default();
    let national_id = e.national_id("national_id", &f.national_id);
    let sex = e.sex("sex", &f.sex);
    let service = match f.service.trim() {
        "civilian" => Some(Service::Civilian),
        "military" => Some(Service::Military),
        "" => None,
        _ => {
            e.add("service", Problem::ChooseAnOption);
            None
        }
    };
    // «Desconocido» typed where a value goes is no value: the field becomes «sin dato».
    let known = |v: Option<String>| v.filter(|v| !vigilia_core::text::says_unknown(v));
    let typed = Identity {
        given_names: known(e.name("given_names", &f.given_names)),
        paternal_surname: known(e.name("paternal_surname", &f.paternal_surname)),
        maternal_surname: known(e.name("maternal_surname", &f.maternal_surname)),
        national_id,
        sex,
        birth_date: e.date("birth_date", &f.birth_date, today),
        service,
        rank: known(e.line("rank", &f.rank)),
        ..Identity::default()
    };
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
    let was = &p.identity;
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
