//! The criminal case behind a detention: its phase, court, charges, defence, hearings,
//! conviction, and the measures a court imposed on release, which go on after the detention
//! ends, until lifted.
//!
//! Each of these is a dated [`Step`] of the detention (a fact like any other, so a case as of
//! a past day, or as known on one, is its steps up to then); [`Case`] reads them back as a
//! lawyer asks about a case: where does it stand, how often was the hearing deferred, which
//! measures are in force.

use serde::{Deserialize, Serialize};

use crate::date::{Day, PartialDate};
use crate::model::{Dated, Detention, Step};

/// The phase of a criminal case, in the order the COPP follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The first hearing before a judge after the arrest ("audiencia de presentación").
    PresentationHearing,
    Investigation,
    /// The prosecutor's accusation ("acusación").
    Indictment,
    PreliminaryHearing,
    Trial,
    Sentence,
    /// Serving the sentence ("ejecución").
    Enforcement,
}

impl Phase {
    pub const ALL: [Phase; 7] = [
        Phase::PresentationHearing,
        Phase::Investigation,
        Phase::Indictment,
        Phase::PreliminaryHearing,
        Phase::Trial,
        Phase::Sentence,
        Phase::Enforcement,
    ];

    /// Its name in files and forms.
    pub fn name(self) -> &'static str {
        match self {
            Phase::PresentationHearing => "presentation_hearing",
            Phase::Investigation => "investigation",
            Phase::Indictment => "indictment",
            Phase::PreliminaryHearing => "preliminary_hearing",
            Phase::Trial => "trial",
            Phase::Sentence => "sentence",
            Phase::Enforcement => "enforcement",
        }
    }

    pub fn from_name(name: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Which courts try the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jurisdiction {
    Civilian,
    Military,
}

impl Jurisdiction {
    pub fn name(self) -> &'static str {
        match self {
            Jurisdiction::Civilian => "civilian",
            Jurisdiction::Military => "military",
        }
    }

    /// Its name, or how people write it (`civil`, `militar`).
    pub fn from_name(name: &str) -> Option<Jurisdiction> {
        match crate::text::fold(name).as_str() {
            "civilian" | "civil" | "ordinaria" | "ordinary" => Some(Jurisdiction::Civilian),
            "military" | "militar" => Some(Jurisdiction::Military),
            _ => None,
        }
    }
}

/// Who defends the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Defence {
    /// A lawyer of their choice.
    Private,
    /// A public defender the court imposed instead of the lawyer of their choice.
    Imposed,
    /// No defence allowed (the lawyer was kept out).
    Denied,
}

/// What happened to a hearing on its date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HearingOutcome {
    /// Set for that date, not held yet.
    Scheduled,
    Held,
    /// Not held on that date ("diferida"): a figure lawyers report.
    Deferred,
    /// Set by mistake, or called off with no new date: no longer expected.
    Cancelled,
}

impl HearingOutcome {
    pub fn from_name(name: &str) -> Option<HearingOutcome> {
        match name {
            "scheduled" => Some(HearingOutcome::Scheduled),
            "held" => Some(HearingOutcome::Held),
            "deferred" => Some(HearingOutcome::Deferred),
            "cancelled" => Some(HearingOutcome::Cancelled),
            _ => None,
        }
    }
}

/// A measure a court imposed instead of (or after) prison: COPP art. 242 in Venezuela.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// Report to a court every so many days ("régimen de presentaciones").
    Presentation,
    /// Not to leave the country.
    NoLeavingCountry,
    /// Not to leave the town or state.
    NoLeavingLocality,
    /// Not to speak to the press or on social media.
    NoPress,
    /// Any other, as written.
    Other,
}

impl MeasureKind {
    pub const ALL: [MeasureKind; 5] = [
        MeasureKind::Presentation,
        MeasureKind::NoLeavingCountry,
        MeasureKind::NoLeavingLocality,
        MeasureKind::NoPress,
        MeasureKind::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MeasureKind::Presentation => "presentation",
            MeasureKind::NoLeavingCountry => "no_leaving_country",
            MeasureKind::NoLeavingLocality => "no_leaving_locality",
            MeasureKind::NoPress => "no_press",
            MeasureKind::Other => "other",
        }
    }

    pub fn from_name(name: &str) -> Option<MeasureKind> {
        MeasureKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One measure as the court ordered it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub kind: MeasureKind,
    /// For presentations: every how many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_days: Option<u32>,
    /// For presentations: before which court.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
    /// The measure as written, for one of no known kind (or more about a known one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// What marks a measure that is not one of the known kinds when a cell writes it, so that it
/// reads back as written, whatever words it holds.
const OTHER: &str = "otra medida:";

/// The most days between two presentations (a year): more is not an order a court gives.
pub const MAX_EVERY_DAYS: u32 = 366;

impl Measure {
    /// The measure as a spreadsheet cell writes it, which [`Measure::parse_list`] reads back
    /// the same: `presentación cada 30 días ante Tribunal 3.º de Control`, `prohibición de
    /// salida del país`; another one as `otra medida: …`, as written. A `;` in a court's name or
    /// a measure's words would split the cell: it is written as a `,`.
    pub fn written(&self) -> String {
        let clean = |t: &str| t.replace(';', ",");
        match self.kind {
            MeasureKind::Presentation => {
                let mut out = "presentación".to_string();
                if let Some(n) = self.every_days {
                    out.push_str(&format!(" cada {n} días"));
                }
                if let Some(c) = &self.court {
                    out.push_str(&format!(" ante {}", clean(c)));
                }
                out
            }
            MeasureKind::NoLeavingCountry => "prohibición de salida del país".into(),
            MeasureKind::NoLeavingLocality => "prohibición de salir de la localidad".into(),
            MeasureKind::NoPress => "prohibición de declarar a la prensa".into(),
            MeasureKind::Other => format!(
                "{OTHER} {}",
                clean(self.text.as_deref().unwrap_or_default())
            ),
        }
    }

    /// Reads measures as people write them in a spreadsheet cell, separated by `;`:
    /// `presentación cada 30 días ante el Tribunal 3.º de Control; prohibición de salida del
    /// país; prohibición de declarar a la prensa`. What is not recognised for sure is kept as
    /// written, as another measure.
    pub fn parse_list(text: &str) -> Vec<Measure> {
        text.split(';')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(Measure::parse)
            .collect()
    }

    fn parse(text: &str) -> Measure {
        let other = |t: &str| Measure {
            kind: MeasureKind::Other,
            every_days: None,
            court: None,
            text: Some(t.trim().to_string()),
        };
        let folded = crate::text::fold(text);
        if folded.starts_with("otra medida") {
            // Written by Vigilia: the words after the colon, exactly.
            return other(text.split_once(':').map_or(text, |(_, t)| t));
        }
        let has = |w: &str| folded.contains(w);
        // A prohibition, said as one: "prohibición de…", "no salir…", "not to…".
        let forbids = has("prohib")
            || has("no salir")
            || has("no podra")
            || has("no puede")
            || has("no declarar")
            || has("not to")
            || has("ban");
        let leave = has("salida") || has("salir") || has("leave") || has("leaving");
        let kind = if folded.starts_with("presentacion")
            || folded.starts_with("regimen de presentacion")
            || folded.starts_with("presentation")
            || folded.starts_with("report to")
        {
            MeasureKind::Presentation
        } else if forbids && leave && (has("pais") || has("country") || has("exterior")) {
            MeasureKind::NoLeavingCountry
        } else if forbids
            && leave
            && [
                "localidad",
                "estado",
                "municipio",
                "ciudad",
                "jurisdiccion",
                "territori",
                "locality",
                "town",
            ]
            .iter()
            .any(|w| has(w))
        {
            MeasureKind::NoLeavingLocality
        } else if forbids
            && [
                "prensa",
                "press",
                "medios",
                "redes",
                "declarar",
                "declaraciones",
            ]
            .iter()
            .any(|w| has(w))
        {
            MeasureKind::NoPress
        } else {
            return other(text);
        };
        let every_days = (kind == MeasureKind::Presentation)
            .then(|| every_days(&folded))
            .flatten();
        let court = (kind == MeasureKind::Presentation)
            .then(|| after_word(text, &["ante", "before"]))
            .flatten();
        Measure {
            kind,
            every_days,
            court,
            text: None,
        }
    }
}

/// What follows the first of `words` written as a word (any capitals) in `text`, trimmed.
fn after_word(text: &str, words: &[&str]) -> Option<String> {
    for (i, _) in text.char_indices() {
        let starts_word = text[..i]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        if !starts_word {
            continue;
        }
        for w in words {
            let end = i + w.len();
            if text.is_char_boundary(end)
                && text[i..end].eq_ignore_ascii_case(w)
                && text[end..].starts_with(char::is_whitespace)
            {
                let rest = text[end..].trim();
                return (!rest.is_empty()).then(|| rest.to_string());
            }
        }
    }
    None
}

/// "cada 30 dias", "every 15 days", "cada 8 días", "semanal", "mensual", "quincenal"; none
/// for more than [`MAX_EVERY_DAYS`].
fn every_days(folded: &str) -> Option<u32> {
    let words: Vec<&str> = folded.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if (*w == "cada" || *w == "every")
            && let Some(n) = words.get(i + 1).and_then(|n| n.parse::<u32>().ok())
        {
            let unit = words.get(i + 2).copied().unwrap_or("dias");
            let factor = if unit.starts_with("seman") || unit.starts_with("week") {
                7
            } else if unit.starts_with("mes") || unit.starts_with("month") {
                30
            } else {
                1
            };
            return n
                .checked_mul(factor)
                .filter(|d| (1..=MAX_EVERY_DAYS).contains(d));
        }
    }
    [
        ("semanal", 7),
        ("weekly", 7),
        ("quincenal", 15),
        ("mensual", 30),
        ("monthly", 30),
        ("cada semana", 7),
        ("cada mes", 30),
    ]
    .into_iter()
    .find(|(w, _)| folded.contains(w))
    .map(|(_, n)| n)
}

/// A hearing: its date, what happened, and why, for a deferral.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hearing {
    pub date: PartialDate,
    pub outcome: HearingOutcome,
    pub reason: Option<String>,
}

/// The court that has the case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Court {
    pub jurisdiction: Option<Jurisdiction>,
    pub name: Option<String>,
    pub judge: Option<String>,
    pub case_number: Option<String>,
}

/// A detention's case as of a day: where it stands, from its steps dated up to then.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Case {
    pub phase: Option<Phase>,
    pub court: Court,
    /// Every charge, in the order first recorded, as written (the profile's canonical names
    /// where an import or form found them).
    pub charges: Vec<String>,
    pub defence: Option<Defence>,
    /// Each hearing once, by date, with its last known outcome.
    pub hearings: Vec<Hearing>,
    /// How many times a hearing was deferred.
    pub deferrals: usize,
    /// Convicted, with the sentence as written.
    pub conviction: Option<(Option<PartialDate>, Option<String>)>,
    /// The first presentation before a judge.
    pub presented_on: Option<PartialDate>,
    /// The measures in force, each with the day it was imposed.
    pub measures: Vec<(Option<PartialDate>, Measure)>,
    /// The last visit or call of the family, and of a lawyer.
    pub last_family_contact: Option<PartialDate>,
    pub last_lawyer_contact: Option<PartialDate>,
}

impl Case {
    /// The case of `d` as of `as_of`: its steps dated up to then (undated ones count, as the
    /// registry cannot place them), in date order.
    pub fn of(d: &Detention, as_of: Day) -> Case {
        let mut steps: Vec<&Dated<Step>> = d
            .steps
            .iter()
            .filter(|s| s.date.is_none_or(|x| x.first_day() <= as_of))
            .collect();
        // Recorded order breaks ties, so a correction recorded later wins.
        steps.sort_by_key(|s| s.date.map(|x| x.first_day()));
        let mut case = Case::default();
        use crate::model::ContactWith;
        for s in steps {
            match &s.what {
                Step::CaseStage { phase } => case.phase = Some(*phase),
                Step::CourtAssigned {
                    jurisdiction,
                    court,
                    judge,
                    case_number,
                } => {
                    // A new court keeps what it does not say (a case number stays with the case).
                    case.court.jurisdiction = jurisdiction.or(case.court.jurisdiction);
                    case.court.name = court.clone().or(case.court.name.take());
                    case.court.judge = judge.clone().or(case.court.judge.take());
                    case.court.case_number = case_number.clone().or(case.court.case_number.take());
                }
                Step::CourtPresentation {
                    court,
                    military_court,
                } => {
                    if case.presented_on.is_none() {
                        case.presented_on = s.date;
                    }
                    if case.court.name.is_none() {
                        case.court.name = court.clone();
                    }
                    if case.court.jurisdiction.is_none() {
                        case.court.jurisdiction = military_court.map(|m| {
                            if m {
                                Jurisdiction::Military
                            } else {
                                Jurisdiction::Civilian
                            }
                        });
                    }
                    case.phase = case.phase.or(Some(Phase::PresentationHearing));
                }
                Step::Charged { charges } => {
                    for c in charges {
                        if !case.charges.contains(c) {
                            case.charges.push(c.clone());
                        }
                    }
                }
                Step::Defence { imposed, denied } => {
                    case.defence = Some(if *denied {
                        Defence::Denied
                    } else if *imposed {
                        Defence::Imposed
                    } else {
                        Defence::Private
                    });
                }
                Step::Hearing { outcome, reason } => {
                    let Some(date) = s.date else { continue };
                    let hearing = Hearing {
                        date,
                        outcome: *outcome,
                        reason: reason.clone(),
                    };
                    match case.hearings.iter_mut().find(|h| h.date == date) {
                        Some(h) => *h = hearing,
                        None => case.hearings.push(hearing),
                    }
                }
                Step::Convicted { sentence } => {
                    case.conviction = Some((s.date, sentence.clone()));
                    case.phase = Some(
                        case.phase
                            .map_or(Phase::Sentence, |p| p.max(Phase::Sentence)),
                    );
                }
                Step::MeasuresImposed { measures } => {
                    for m in measures {
                        // A measure of a kind already in force is replaced by the new order.
                        if m.kind != MeasureKind::Other {
                            case.measures.retain(|(_, x)| x.kind != m.kind);
                        }
                        case.measures.push((s.date, m.clone()));
                    }
                }
                Step::MeasuresLifted { kinds, .. } => {
                    if kinds.is_empty() {
                        case.measures.clear();
                    } else {
                        case.measures.retain(|(_, m)| !kinds.contains(&m.kind));
                    }
                }
                Step::Contact { with } => {
                    let slot = match with {
                        ContactWith::Family => &mut case.last_family_contact,
                        ContactWith::Lawyer => &mut case.last_lawyer_contact,
                    };
                    if s.date.is_some() {
                        *slot = s.date;
                    }
                }
                Step::Custody(_) => {}
            }
        }
        case.hearings.sort_by_key(|h| h.date.first_day());
        // A hearing deferred is one whose day's last word is "deferred": a correction of the
        // same day is not a second deferral.
        case.deferrals = case
            .hearings
            .iter()
            .filter(|h| h.outcome == HearingOutcome::Deferred)
            .count();
        case
    }

    /// The next hearing on or after `as_of` (of a past day: one held or deferred later had been
    /// set by then), unless called off.
    pub fn next_hearing(&self, as_of: Day) -> Option<&Hearing> {
        self.hearings
            .iter()
            .find(|h| h.outcome != HearingOutcome::Cancelled && h.date.first_day() >= as_of)
    }

    /// The next day on or after `as_of` a presentation measure in force is due, with the
    /// measure: every `every_days` (or `default_days` when the order did not say) from the day
    /// it was imposed.
    pub fn next_presentation(&self, as_of: Day, default_days: u32) -> Option<(Day, &Measure)> {
        self.measures
            .iter()
            .filter(|(_, m)| m.kind == MeasureKind::Presentation)
            .filter_map(|(since, m)| {
                let start = (*since)?.first_day();
                let every = i64::from(m.every_days.unwrap_or(default_days).max(1));
                let elapsed = i64::from(as_of.since(start).ok()?.get_days()).max(0);
                let periods = (elapsed + every - 1) / every;
                let due = start
                    .checked_add(jiff::Span::new().days(periods.max(1) * every))
                    .ok()?;
                Some((due, m))
            })
            .min_by_key(|(due, _)| *due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{DetentionId, PersonId};
    use crate::model::{Arrest, ContactWith};

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    fn on(s: &str, what: Step) -> Dated<Step> {
        Dated {
            date: Some(PartialDate::parse(s).unwrap()),
            what,
        }
    }

    fn detention(steps: Vec<Dated<Step>>) -> Detention {
        Detention {
            id: DetentionId(1),
            person: PersonId(1),
            reference: None,
            arrest: Arrest {
                date: PartialDate::parse("2024-08-02").unwrap(),
                state: None,
                municipality: None,
                agency: None,
                circumstances: None,
                context: Vec::new(),
                minor: None,
            },
            steps,
            end: None,
            recognition: None,
            group: None,
            previous: None,
            notes: None,
            recorded_on: day("2024-08-02"),
            end_recorded_on: None,
        }
    }

    #[test]
    fn measures_are_read_as_people_write_them() {
        let m = Measure::parse_list(
            "Presentación cada 30 días ante el Tribunal 3.º de Control; prohibición de salida del país;  ; Prohibición de declarar a medios; no acercarse a la víctima",
        );
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].kind, MeasureKind::Presentation);
        assert_eq!(m[0].every_days, Some(30));
        assert_eq!(m[0].court.as_deref(), Some("el Tribunal 3.º de Control"));
        assert_eq!(m[1].kind, MeasureKind::NoLeavingCountry);
        assert_eq!(m[2].kind, MeasureKind::NoPress);
        assert_eq!(m[3].kind, MeasureKind::Other);
        assert_eq!(m[3].text.as_deref(), Some("no acercarse a la víctima"));
        assert_eq!(
            Measure::parse_list("régimen de presentación quincenal")[0].every_days,
            Some(15)
        );
        assert_eq!(
            Measure::parse_list("presentación cada 2 semanas")[0].every_days,
            Some(14)
        );
        assert_eq!(
            Measure::parse_list("prohibición de salir del estado Zulia")[0].kind,
            MeasureKind::NoLeavingLocality
        );
        // What is not one of the kinds for sure stays as written, and odd text does not break
        // the reading.
        for text in [
            "arresto domiciliario con permiso de salida médica",
            "-2+3 arresto con salida médica",
            "salir del país",
        ] {
            assert_eq!(
                Measure::parse_list(text)[0].kind,
                MeasureKind::Other,
                "{text}"
            );
        }
        let odd = Measure::parse_list("presentación İİİ ante Ñandú");
        assert_eq!(odd[0].court.as_deref(), Some("Ñandú"));
        assert_eq!(
            Measure::parse_list("presentación cada 700000000 semanas")[0].every_days,
            None,
            "no order of more than a year"
        );
        assert_eq!(
            Measure::parse_list("presentación cada 0 días")[0].every_days,
            None
        );
        // Each one written back reads as the same measure.
        for x in &m {
            let again = Measure::parse_list(&x.written());
            assert_eq!(again.len(), 1, "{}", x.written());
            assert_eq!(again[0], *x, "{}", x.written());
        }
    }

    #[test]
    fn a_case_counts_deferrals_and_keeps_measures_until_lifted() {
        let hearing = |o, r: Option<&str>| Step::Hearing {
            outcome: o,
            reason: r.map(str::to_string),
        };
        let d = detention(vec![
            on(
                "2024-08-04",
                Step::CourtPresentation {
                    court: Some("Tribunal 2.º de Control".into()),
                    military_court: Some(false),
                },
            ),
            on("2024-09-10", hearing(HearingOutcome::Scheduled, None)),
            on(
                "2024-09-10",
                hearing(HearingOutcome::Deferred, Some("sin traslado")),
            ),
            on(
                "2024-10-01",
                hearing(HearingOutcome::Deferred, Some("no despachó")),
            ),
            // The same deferral recorded again (its reason corrected): still one.
            on(
                "2024-10-01",
                hearing(HearingOutcome::Deferred, Some("el tribunal no despachó")),
            ),
            on("2024-11-05", hearing(HearingOutcome::Held, None)),
            on(
                "2024-11-05",
                Step::MeasuresImposed {
                    measures: Measure::parse_list(
                        "presentación cada 15 días; prohibición de salida del país",
                    ),
                },
            ),
            on("2024-12-01", hearing(HearingOutcome::Scheduled, None)),
            on(
                "2025-03-01",
                Step::MeasuresLifted {
                    kinds: vec![MeasureKind::NoLeavingCountry],
                },
            ),
            on(
                "2024-11-20",
                Step::Contact {
                    with: ContactWith::Family,
                },
            ),
        ]);
        let case = Case::of(&d, day("2024-11-10"));
        assert_eq!(case.deferrals, 2);
        assert_eq!(case.hearings.len(), 3, "one line per hearing date");
        assert_eq!(case.hearings[0].outcome, HearingOutcome::Deferred);
        assert_eq!(case.court.jurisdiction, Some(Jurisdiction::Civilian));
        assert_eq!(
            case.presented_on.map(|p| p.to_string()).as_deref(),
            Some("2024-08-04")
        );
        assert_eq!(case.measures.len(), 2);
        assert_eq!(case.last_family_contact, None, "not yet on the 10th");
        // The next presentation: every 15 days from the 5th of November.
        let (due, m) = case.next_presentation(day("2024-11-10"), 30).unwrap();
        assert_eq!(
            (due, m.kind),
            (day("2024-11-20"), MeasureKind::Presentation)
        );
        assert_eq!(
            case.next_presentation(day("2024-11-20"), 30).unwrap().0,
            day("2024-11-20"),
            "due on the day itself"
        );
        // Later: the travel ban lifted, the presentations go on.
        let later = Case::of(&d, day("2025-06-01"));
        assert_eq!(
            later
                .measures
                .iter()
                .map(|(_, m)| m.kind)
                .collect::<Vec<_>>(),
            [MeasureKind::Presentation]
        );
        assert_eq!(
            later.next_hearing(day("2025-06-01")),
            None,
            "its day has passed"
        );
        let before = Case::of(&d, day("2024-11-10"));
        assert_eq!(
            before.next_hearing(day("2024-11-10")),
            None,
            "a hearing set later is not known as of an earlier day"
        );
        let ahead = Case::of(&d, Day::MAX);
        assert_eq!(
            ahead
                .next_hearing(day("2024-11-10"))
                .map(|h| h.date.to_string())
                .as_deref(),
            Some("2024-12-01")
        );
    }
}
