//! The report form, shared by the family intake, volunteers and the API: what it asks, how each
//! field is checked (with a message next to it, in both languages), and the facts it becomes.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::sync::Arc;

use vigilia_app::{AppError, sessions};
use vigilia_core::confidential::Confidential;
use vigilia_core::date::{Day, PartialDate};
use vigilia_core::fact::{Change, Draft};
use vigilia_core::ids::{Kind, ReportId, SourceId};
use vigilia_core::model::{Channel, Disclosure, Reliability, Reported, Sex};
use vigilia_core::national_id::NationalId;
use vigilia_core::profile::Profile;
use vigilia_core::text::non_empty;

use vigilia_ledger::Tx;

use crate::app::App;
use crate::error::WebError;
use crate::page::Errors;

/// The longest a one-line field may be, and a free text.
const LINE: usize = 200;
const TEXT: usize = 5000;

/// A report as typed: every field a string, so nothing typed is lost when a field is wrong.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReportForm {
    pub given_names: String,
    pub paternal_surname: String,
    pub maternal_surname: String,
    pub national_id: String,
    pub sex: String,
    pub birth_date: String,
    pub arrest_date: String,
    pub state: String,
    pub place: String,
    pub agency: String,
    pub facility: String,
    pub text: String,
    pub contact: String,
    pub consent: String,
    /// Volunteers: how many were detained together (a group detention).
    pub count: String,
    /// Volunteers: a source (a link to a photo, a document, a post).
    pub source_title: String,
    pub source_link: String,
}

/// A report that passed every check.
#[derive(Clone, Debug)]
pub struct Valid {
    pub details: Reported,
    pub text: String,
    pub contact: Option<String>,
    pub consent: Disclosure,
    pub source: Option<(String, Option<String>)>,
}

/// A date typed in a form: `AAAA-MM-DD`, `AAAA-MM` or `AAAA`, not after today.
pub fn date_field(
    errors: &mut Errors,
    field: &'static str,
    text: &str,
    today: Day,
) -> Option<PartialDate> {
    let t = non_empty(text)?;
    match PartialDate::parse(t) {
        Ok(d) if d.first_day() > today => {
            errors.add(
                field,
                format!("La fecha {t} es posterior a hoy ({today})."),
                format!("The date {t} is after today ({today})."),
            );
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errors.add_localized(field, &e);
            None
        }
    }
}

/// A one-line field of at most `LINE` characters.
pub fn line(errors: &mut Errors, field: &'static str, text: &str) -> Option<String> {
    let t = non_empty(text)?;
    if t.chars().count() > LINE {
        errors.add(
            field,
            format!("Máximo {LINE} caracteres."),
            format!("At most {LINE} characters."),
        );
    }
    Some(t.to_string())
}

pub fn disclosure(text: &str) -> Option<Disclosure> {
    match text {
        "named" => Some(Disclosure::Named),
        "initials" => Some(Disclosure::Initials),
        "count_only" => Some(Disclosure::CountOnly),
        _ => None,
    }
}

impl ReportForm {
    /// Checks every field; all the errors at once.
    pub fn check(&self, profile: &Profile, today: Day, volunteer: bool) -> Result<Valid, Errors> {
        let mut e = Errors::default();
        let national_id = non_empty(&self.national_id).and_then(|t| match NationalId::parse(t) {
            Ok(n) => Some(n),
            Err(err) => {
                e.add_localized("national_id", &err);
                None
            }
        });
        let sex = match self.sex.as_str() {
            "F" => Some(Sex::F),
            "M" => Some(Sex::M),
            "" => None,
            _ => {
                e.add("sex", "Elija una opción.", "Choose an option.");
                None
            }
        };
        let state = non_empty(&self.state).and_then(|s| match profile.state(s) {
            Some(n) => n.code.clone(),
            None => {
                e.add(
                    "state",
                    format!("{s:?} no es un estado de la lista."),
                    format!("{s:?} is not a state on the list."),
                );
                None
            }
        });
        let count = non_empty(&self.count).and_then(|c| match c.parse::<u32>() {
            Ok(n) if (1..=100_000).contains(&n) => Some(n),
            _ => {
                e.add(
                    "count",
                    "Escriba un número entero de personas (1 o más).",
                    "Write a whole number of people (1 or more).",
                );
                None
            }
        });
        let details = Reported {
            given_names: line(&mut e, "given_names", &self.given_names),
            paternal_surname: line(&mut e, "paternal_surname", &self.paternal_surname),
            maternal_surname: line(&mut e, "maternal_surname", &self.maternal_surname),
            national_id,
            sex,
            birth_date: date_field(&mut e, "birth_date", &self.birth_date, today),
            arrest_date: date_field(&mut e, "arrest_date", &self.arrest_date, today),
            state,
            place: line(&mut e, "place", &self.place),
            agency: line(&mut e, "agency", &self.agency),
            facility: line(&mut e, "facility", &self.facility),
            count: if volunteer { count } else { None },
        };
        let named = details.given_names.is_some()
            || details.paternal_surname.is_some()
            || details.national_id.is_some();
        if !named && details.count.is_none() && self.national_id.trim().is_empty() {
            e.add(
                "given_names",
                "Escriba al menos un nombre, un apellido o la cédula de la persona detenida.",
                "Write at least a given name, a surname or the ID number of the person detained.",
            );
        }
        if self.arrest_date.trim().is_empty() {
            e.add(
                "arrest_date",
                "¿Cuándo fue la detención? Si no sabe el día, escriba el mes (2024-08) o el año.",
                "When was the arrest? If you do not know the day, write the month (2024-08) or the year.",
            );
        }
        let text = self.text.trim().to_string();
        if text.chars().count() > TEXT {
            e.add(
                "text",
                format!("Máximo {TEXT} caracteres."),
                format!("At most {TEXT} characters."),
            );
        }
        let contact = line(&mut e, "contact", &self.contact);
        let consent = disclosure(&self.consent);
        if consent.is_none() {
            e.add(
                "consent",
                "Elija qué podemos publicar sobre la persona detenida.",
                "Choose what we may publish about the person detained.",
            );
        }
        let source = line(&mut e, "source_title", &self.source_title);
        let link = line(&mut e, "source_link", &self.source_link);
        check_link(&mut e, "source_link", link.as_deref());
        if !e.is_empty() {
            return Err(e);
        }
        let source = match (source, link) {
            (None, None) => None,
            (title, link) => Some((
                title.unwrap_or_else(|| link.clone().unwrap_or_default()),
                link,
            )),
        };
        Ok(Valid {
            details,
            text,
            contact,
            consent: consent.unwrap_or_default(),
            source,
        })
    }
}

/// A report to store: the form as sent, by whom, and the hash of its receipt code.
#[derive(Debug)]
pub struct Incoming {
    pub form: ReportForm,
    pub channel: Channel,
    pub reporter: Option<String>,
    pub receipt: Option<String>,
}

/// Checks a report and stores it (with the other writes waiting at the same moment); answers
/// once it is durable, or with the errors of its fields (and nothing stored). A public report
/// counts against its address's hourly limit, in the same transaction (so every server of
/// the registry counts it).
pub async fn store(
    app: &Arc<App>,
    report: Incoming,
    from: Option<IpAddr>,
) -> Result<Result<ReportId, Errors>, WebError> {
    let profile = app.profile.clone();
    let (now, per_hour) = (app.now(), app.config.intake_per_hour);
    app.write(move |tx| {
        if let Some(ip) = from
            && !sessions::admit_report(tx, &ip.to_string(), now, per_hour)?
        {
            return Err(AppError::TooManyReports);
        }
        let today = tx.today()?;
        let volunteer = report.reporter.is_some();
        match report.form.check(&profile, today, volunteer) {
            Ok(valid) => Ok(Ok(append(tx, today, &report, valid)?)),
            Err(errors) => Ok(Err(errors)),
        }
    })
    .await
}

/// Appends a report's facts: the report, and its source if one was given.
fn append(
    tx: &mut Tx<'_>,
    today: Day,
    r: &Incoming,
    valid: Valid,
) -> Result<ReportId, vigilia_ledger::LedgerError> {
    let actor = r.reporter.clone().unwrap_or_else(|| "public-form".into());
    let id = ReportId(tx.new_id(Kind::Report));
    tx.append(Draft {
        recorded_on: today,
        actor: actor.clone(),
        subject: id.into(),
        change: Change::ReportReceived {
            channel: r.channel,
            text: valid.text,
            contact: valid.contact.map(Confidential::Plain),
            consent: valid.consent,
            details: Some(valid.details),
            reporter: r.reporter.clone(),
            receipt: r.receipt.clone(),
        },
        sources: vec![],
    })?;
    if let Some((title, link)) = valid.source {
        let s = SourceId(tx.new_id(Kind::Source));
        tx.append(Draft {
            recorded_on: today,
            actor,
            subject: s.into(),
            change: Change::SourceRecorded {
                title,
                reliability: Reliability::Unverified,
                report: Some(id),
                link,
                file: None,
            },
            sources: vec![],
        })?;
    }
    Ok(id)
}

/// A link must be a web address: anything else (`javascript:`, `data:`) is refused.
pub fn check_link(e: &mut Errors, field: &'static str, link: Option<&str>) {
    if let Some(l) = link
        && !(l.starts_with("https://") || l.starts_with("http://"))
    {
        e.add(
            field,
            "Un enlace empieza por https:// o http://",
            "A link starts with https:// or http://",
        );
    }
}

/// The states of the profile as `(code, name)`, with an empty first choice.
pub fn states(profile: &Profile, none: &str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), none.to_string())];
    out.extend(
        profile
            .states
            .entries()
            .iter()
            .map(|s| (s.code.clone().unwrap_or_default(), s.name.clone())),
    );
    out
}
