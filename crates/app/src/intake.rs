//! What comes in from families and volunteers: the report form (shared by the family intake,
//! volunteers and the API), how each field is checked, and the facts a report becomes; and a
//! family adding to the report it made.

use serde::{Deserialize, Serialize};
use vigilia_core::attachment;
use vigilia_core::confidential::Confidential;
use vigilia_core::date::Day;
use vigilia_core::fact::{Change, Draft};
use vigilia_core::fold::Record;
use vigilia_core::ids::{Kind, ReportId, SourceId};
use vigilia_core::lang::Localize;
use vigilia_core::model::{Channel, Disclosure, Reliability, Report, Reported, Role};
use vigilia_core::national_id::NationalId;
use vigilia_core::profile::Profile;
use vigilia_core::text::non_empty;
use vigilia_ledger::{Ledger, Tx};

use crate::actor::Actor;
use crate::error::AppError;
use crate::fields::{FieldErrors, Problem};

/// The longest free text of a report.
pub const TEXT: usize = 5000;

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
    /// Volunteers: the other people of the same arrest they can name, one per line (names and
    /// surnames, and the cédula when known).
    pub others: String,
    /// Volunteers: a source (a link to a photo, a document, a post).
    pub source_title: String,
    pub source_link: String,
}

/// A report that passed every check.
#[derive(Clone, Debug)]
pub struct Valid {
    pub details: Reported,
    /// The other people of the same arrest the report names, each as its own report's details.
    pub others: Vec<Reported>,
    pub text: String,
    pub contact: Option<String>,
    pub consent: Disclosure,
    pub source: Option<(String, Option<String>)>,
}

impl ReportForm {
    /// Checks every field; all the errors at once.
    pub fn check(
        &self,
        profile: &Profile,
        today: Day,
        volunteer: bool,
    ) -> Result<Valid, FieldErrors> {
        let mut e = FieldErrors::default();
        let national_id = e.national_id("national_id", &self.national_id);
        let sex = e.sex("sex", &self.sex);
        let state = non_empty(&self.state).and_then(|s| match profile.state(s) {
            Some(n) => n.code.clone(),
            None => {
                e.add("state", Problem::NotAState(s.to_string()));
                None
            }
        });
        // "1.200", as Venezuelans write a thousand and two hundred.
        let digits = |c: &str| c.replace(['.', ' '], "");
        let count = non_empty(&self.count).and_then(|c| match digits(c).parse::<u32>() {
            Ok(n) if (1..=100_000).contains(&n) => Some(n),
            _ => {
                e.add("count", Problem::NotACount);
                None
            }
        });
        let details = Reported {
            given_names: e.name("given_names", &self.given_names),
            paternal_surname: e.name("paternal_surname", &self.paternal_surname),
            maternal_surname: e.name("maternal_surname", &self.maternal_surname),
            national_id,
            sex,
            birth_date: e.date("birth_date", &self.birth_date, today),
            arrest_date: e.date("arrest_date", &self.arrest_date, today),
            state,
            place: e.line("place", &self.place),
            agency: e.line("agency", &self.agency),
            facility: e.line("facility", &self.facility),
            count: if volunteer { count } else { None },
            named_with: None,
            names_others: false,
        };
        let others = if volunteer {
            others_named(&self.others, &details, &mut e)
        } else {
            Vec::new()
        };
        let details = Reported {
            names_others: !others.is_empty(),
            ..details
        };
        let named = details.names_someone();
        // Without a count, the group counts the people identified (triage adds each once).
        if !others.is_empty() {
            let named = others.len() as u32 + u32::from(named);
            if details.count.is_some_and(|c| c < named) {
                e.add("count", Problem::FewerThanNamed { named });
            }
        }
        if !named && details.count.is_none() && self.national_id.trim().is_empty() {
            e.add("given_names", Problem::NoOneNamed);
        }
        if self.arrest_date.trim().is_empty() {
            e.add("arrest_date", Problem::WhenArrested);
        }
        let text = self.text.trim().to_string();
        if text.chars().count() > TEXT {
            e.add("text", Problem::TooLong { max: TEXT });
        }
        let contact = e.line("contact", &self.contact);
        let consent = Disclosure::from_name(&self.consent);
        if consent.is_none() {
            e.add("consent", Problem::ChooseConsent);
        }
        let source = e.line("source_title", &self.source_title);
        let link = e.link("source_link", &self.source_link);
        e.check()?;
        let source = match (source, link) {
            (None, None) => None,
            (title, link) => Some((
                title.unwrap_or_else(|| link.clone().unwrap_or_default()),
                link,
            )),
        };
        let others = others
            .into_iter()
            .map(|o| Reported {
                count: details.count,
                ..o
            })
            .collect();
        Ok(Valid {
            details,
            others,
            text,
            contact,
            consent: consent.unwrap_or_default(),
            source,
        })
    }
}

/// Given names that are often a person's second: "Pedro José Pérez" is Pedro José, of the
/// Pérez family, where "Pedro Pérez Rojas" is Pedro, of the Pérez Rojas.
const SECOND_GIVEN: &[&str] = &[
    "jose",
    "maria",
    "antonio",
    "luis",
    "carlos",
    "alberto",
    "alejandro",
    "andres",
    "eduardo",
    "enrique",
    "manuel",
    "rafael",
    "ramon",
    "miguel",
    "angel",
    "david",
    "daniel",
    "javier",
    "alexander",
    "gabriel",
    "elena",
    "isabel",
    "carolina",
    "alejandra",
    "gabriela",
    "fernanda",
    "teresa",
    "ines",
    "josefina",
    "victoria",
    "carmen",
    "eugenia",
    "andreina",
    "valentina",
    "del",
    "de",
    "los",
];

/// A person's names as one line gives them: before a comma the given names, after it the
/// surnames; without one, the last two words are the surnames (three words: the last one,
/// when the second is a usual second given name), two words a name and a surname.
fn split_name(
    words: &[String],
    after_comma: &[String],
) -> (Option<String>, Option<String>, Option<String>) {
    let own = |ws: &[String]| (!ws.is_empty()).then(|| ws.join(" "));
    if !after_comma.is_empty() {
        let (p, m) = after_comma.split_at(1);
        return (own(words), own(p), own(m));
    }
    let n = words.len();
    let second_given = n == 3
        && words
            .get(1)
            .is_some_and(|w| SECOND_GIVEN.contains(&vigilia_core::text::fold(w).as_str()));
    let surnames = if second_given {
        1
    } else {
        n.saturating_sub(1).min(2)
    };
    let (given, rest) = words.split_at(n - surnames);
    let (p, m) = rest.split_at(rest.len().min(1));
    (own(given), own(p), own(m))
}

/// The most other people one report names.
pub const MAX_OTHERS: usize = 100;
/// The longest list of other people one report takes.
pub const MAX_OTHERS_CHARS: usize = 10_000;

/// The other people of the same arrest, one per line: the words that read as a cédula are
/// its cédula, the rest its names (`Ana María Pérez Rojas`: two given names, then the
/// surnames; three words: a given name and two surnames). Each shares the report's arrest.
fn others_named(text: &str, first: &Reported, e: &mut FieldErrors) -> Vec<Reported> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if text.chars().count() > MAX_OTHERS_CHARS {
        e.add(
            "others",
            Problem::TooLong {
                max: MAX_OTHERS_CHARS,
            },
        );
        return Vec::new();
    }
    if lines.len() > MAX_OTHERS {
        e.add("others", Problem::TooManyNamed { max: MAX_OTHERS });
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // A line that only says in words that who it was is not known («desconocido») names
        // nobody: the count says how many were there.
        if line.chars().any(char::is_alphabetic) && vigilia_core::text::says_unknown(line) {
            continue;
        }
        // A word with a digit is a cédula (and must read as one); any other, a name's.
        let (mut id, mut words, mut wrong) = (None, Vec::new(), false);
        let (names, surnames) = match line.split_once(',') {
            Some((n, rest)) => (n, Some(rest)),
            None => (*line, None),
        };
        let mut read = |part: &str, into: &mut Vec<String>| {
            for w in part.split([';', ' ', '\t']).filter(|w| !w.is_empty()) {
                // `V-…`, `E-…`: a cédula, even mistyped.
                let id_like = w.len() >= 2
                    && w.as_bytes().get(1) == Some(&b'-')
                    && w.chars().next().is_some_and(|c| "VvEeJjPpGg".contains(c));
                if id_like || w.chars().any(|c| c.is_ascii_digit()) {
                    match NationalId::parse(w) {
                        Ok(n) if id.is_none() => id = Some(n),
                        _ => wrong = true,
                    }
                } else if crate::fields::is_name(w) {
                    into.push(w.to_string());
                } else {
                    wrong = true;
                }
            }
        };
        let mut after_comma = Vec::new();
        read(names, &mut words);
        if let Some(rest) = surnames {
            read(rest, &mut after_comma);
        }
        let name_length = words
            .iter()
            .chain(&after_comma)
            .map(|w| w.chars().count() + 1)
            .sum::<usize>();
        if wrong
            || (words.is_empty() && after_comma.is_empty() && id.is_none())
            || name_length > 2 * crate::fields::LINE
        {
            e.add("others", Problem::OtherLine { line: i + 1 });
            continue;
        }
        let (given, paternal, maternal) = split_name(&words, &after_comma);
        out.push(Reported {
            given_names: given,
            paternal_surname: paternal,
            maternal_surname: maternal,
            national_id: id,
            sex: None,
            birth_date: None,
            facility: None,
            ..first.clone()
        });
    }
    out
}

/// A report to store: the form as sent, by whom, and the hash of its receipt code.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub form: ReportForm,
    pub channel: Channel,
    pub reporter: Option<String>,
    pub receipt: Option<String>,
}

/// Checks a report and stores it: its id, or the problems of its fields (and nothing stored).
pub fn receive(
    tx: &mut Tx<'_>,
    report: &Incoming,
    profile: &Profile,
) -> Result<Result<ReportId, FieldErrors>, AppError> {
    let today = tx.today()?;
    let volunteer = report.reporter.is_some();
    match report.form.check(profile, today, volunteer) {
        Ok(valid) => Ok(Ok(append(tx, today, report, valid)?)),
        Err(errors) => Ok(Err(errors)),
    }
}

/// Appends a report's facts: the report, and its source if one was given.
fn append(tx: &mut Tx<'_>, today: Day, r: &Incoming, valid: Valid) -> Result<ReportId, AppError> {
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
            list: None,
        },
        sources: vec![],
    })?;
    // Each other person named: a report of its own, named with the first (triage files them
    // under one group detention), without the contact or the receipt (the first report holds
    // them).
    for other in valid.others {
        let sibling = ReportId(tx.new_id(Kind::Report));
        tx.append(Draft {
            recorded_on: today,
            actor: actor.clone(),
            subject: sibling.into(),
            change: Change::ReportReceived {
                channel: r.channel,
                // Its page says it was named with the others (`named_with`), in words.
                text: String::new(),
                contact: None,
                consent: valid.consent,
                details: Some(Reported {
                    named_with: Some(id),
                    ..other
                }),
                reporter: r.reporter.clone(),
                receipt: None,
                list: None,
            },
            sources: vec![],
        })?;
    }
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

/// The most a family may add to one report, and the longest addition: the public cannot grow
/// a report (a permanent fact each time) without bound.
pub const MAX_ADDITIONS: usize = 30;
pub const MAX_ADDITION_CHARS: usize = 5000;

/// Adds what a family wrote to its report; the report as it then stands.
pub fn add_to_report(tx: &mut Tx<'_>, id: ReportId, text: &str) -> Result<Report, AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_ADDITION_CHARS {
        return Err(AppError::AdditionLength);
    }
    match tx.get(id.into())? {
        Some(Record::Report(r)) if r.additions.len() >= MAX_ADDITIONS => {
            return Err(AppError::ReportFull);
        }
        Some(Record::Report(_)) => {}
        _ => return Err(AppError::NotFound(id.into())),
    }
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: "public-form".into(),
        subject: id.into(),
        change: Change::ReportAdded {
            text: text.to_string(),
        },
        sources: Vec::new(),
    })?;
    match tx.get(id.into())? {
        Some(Record::Report(r)) => Ok(r.clone()),
        _ => Err(AppError::NotFound(id.into())),
    }
}

/// A source as typed on a report's page: its title, a link, and a file's bytes.
#[derive(Clone, Debug, Default)]
pub struct SourceForm {
    pub title: String,
    pub link: String,
    pub file: Option<Vec<u8>>,
}

/// Checks a source and records it for report `report` (photos kept without their metadata),
/// by `actor`, who must see the report (checked in this transaction).
pub fn add_source(
    tx: &mut Tx<'_>,
    actor: &Actor,
    report: ReportId,
    f: &SourceForm,
) -> Result<SourceId, AppError> {
    let actor = &crate::actor::current(tx, actor)?;
    let mut e = FieldErrors::default();
    let title = e.line("title", &f.title);
    let link = e.link("link", &f.link);
    let file = match f.file.as_deref().map(attachment::prepare).transpose() {
        Ok(file) => file,
        Err(why) => {
            e.add("file", Problem::FileRefused(why));
            None
        }
    };
    if e.is_empty() && title.is_none() && link.is_none() && file.is_none() {
        e.add("title", Problem::NoSource);
    }
    match tx.get(report.into())? {
        Some(Record::Report(r)) if crate::reports::may_see(actor, r) => {}
        _ if actor.role == Role::Coordinator => return Err(AppError::NotFound(report.into())),
        _ => return Err(AppError::Forbidden(report.into())),
    }
    e.check()?;
    let today = tx.today()?;
    let file = match file {
        Some((media_type, bytes)) => Some(tx.keep_file(media_type, bytes)?),
        None => None,
    };
    let title = title.or_else(|| link.clone()).unwrap_or_else(|| {
        match file.as_ref().map(|f| f.media_type.as_str()) {
            Some("application/pdf") => "documento".into(),
            _ => "foto".into(),
        }
    });
    let s = SourceId(tx.new_id(Kind::Source));
    tx.append(Draft {
        recorded_on: today,
        actor: actor.name.clone(),
        subject: s.into(),
        change: Change::SourceRecorded {
            title,
            reliability: Reliability::Unverified,
            report: Some(report),
            link,
            file,
        },
        sources: vec![],
    })?;
    Ok(s)
}

/// Something that happened to the person a family reported, as the family may learn it: where
/// they are held, a court presentation, charges, the defence, a conviction, the recognition
/// as a political prisoner, the end of the detention. Never who decided, why, internal notes or
/// contacts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum News {
    Step(vigilia_core::model::Step),
    Recognised,
    Ended(vigilia_core::model::EndType),
}

impl Localize for News {
    fn localize(&self, lang: vigilia_core::lang::Lang) -> String {
        match self {
            News::Step(s) => s.localize(lang),
            News::Recognised => lang
                .pick(
                    "reconocido por la organización como preso político",
                    "recognised by the organisation as a political prisoner",
                )
                .into(),
            News::Ended(e) => e.localize(lang),
        }
    }
}

/// What the family who sent report `r` may learn of the detention it became, in order: the
/// steps, the recognition and the end recorded after their report was matched to it, each with
/// its date when known. Nothing the organisation knew before (a report attached, rightly or by
/// mistake, to an older case would otherwise show that case's whole history to whoever holds
/// the code).
pub fn news_for_the_family(
    ledger: &mut Ledger,
    r: &vigilia_core::model::Report,
) -> Result<Vec<(Option<vigilia_core::date::PartialDate>, News)>, AppError> {
    let Some(d) = r.matched_to else {
        return Ok(Vec::new());
    };
    let matched = ledger
        .changes(r.id.into())?
        .into_iter()
        .find(|f| matches!(f.change, Change::ReportMatched { .. }));
    let Some(matched) = matched else {
        return Ok(Vec::new());
    };
    let (since, decided) = (matched.seq, matched.appended_at);
    let mut out = Vec::new();
    for f in ledger.changes(d.into())? {
        match f.change {
            // Opened by the same decision that matched the report (its transaction): the steps
            // the report itself told are news to nobody, but say where the case starts.
            Change::DetentionOpened { steps, .. } if f.appended_at == decided => {
                out.extend(steps.into_iter().map(|s| (s.date, News::Step(s.what))));
            }
            Change::StepRecorded(s) if f.seq > since => out.push((s.date, News::Step(s.what))),
            Change::RecognitionDecided(rec)
                if f.seq > since
                    && rec.status == vigilia_core::model::RecognitionStatus::Recognised =>
            {
                out.push((None, News::Recognised));
            }
            Change::Ended { end } if f.seq > since => {
                out.push((Some(end.date), News::Ended(end.kind)));
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<Reported>, FieldErrors) {
        let mut e = FieldErrors::default();
        let out = others_named(text, &Reported::default(), &mut e);
        (out, e)
    }

    #[test]
    fn each_line_of_others_reads_as_a_person_or_is_said_wrong_with_its_number() {
        let (people, e) = read(
            "Pedro José Pérez\nAna Pérez Rojas\nCarla Inés Díaz Mora V-14.555.666\n\
             Luis, Gómez Díaz\nJuan",
        );
        assert!(e.is_empty(), "{e:?}");
        let names: Vec<_> = people
            .iter()
            .map(|p| {
                (
                    p.given_names.clone().unwrap_or_default(),
                    p.paternal_surname.clone().unwrap_or_default(),
                    p.maternal_surname.clone().unwrap_or_default(),
                )
            })
            .collect();
        let own = |g: &str, p: &str, m: &str| (g.to_string(), p.to_string(), m.to_string());
        assert_eq!(
            names,
            vec![
                own("Pedro José", "Pérez", ""),
                own("Ana", "Pérez", "Rojas"),
                own("Carla Inés", "Díaz", "Mora"),
                own("Luis", "Gómez", "Díaz"),
                own("Juan", "", ""),
            ]
        );
        assert_eq!(people[2].national_id.map(|n| n.number), Some(14_555_666));
        for wrong in [
            "Luis Gómez V-12AB34",
            "María Pérez V-",
            "Rosa Díaz E-abc",
            "Ana;=1+1 Pérez",
            "---",
        ] {
            let (_, e) = read(&format!("Berta Rojas\n{wrong}"));
            assert!(
                e.iter()
                    .any(|(f, p)| f == "others" && *p == Problem::OtherLine { line: 2 }),
                "{wrong}: {e:?}"
            );
        }
    }
}
