//! What to do today: the detentions whose legal clocks have run out, for the cases an account
//! may see, on any day and as known on any day (an alert list of a past date is what the
//! registry knew then). Each clock is a deadline of the country profile, with its citation:
//! a person not brought before a judge in time, a person whose whereabouts are unknown (and,
//! past its deadline, a case for habeas corpus and the UN's urgent action, while inside the
//! Working Group's three months).

use serde::Serialize;
use vigilia_core::case::{Case, HearingOutcome};
use vigilia_core::date::Day;
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{DetentionId, FacilityId, Kind};
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::{Detention, Role, Step};
use vigilia_core::profile::{Deadline, DeadlineKind, Profile};
use vigilia_count::Index;
use vigilia_ledger::Ledger;

use crate::actor::Actor;
use crate::error::AppError;

/// The days the UN Working Group on Enforced or Involuntary Disappearances acts on a case by
/// urgent action: disappearances of the last three months.
pub const URGENT_WINDOW_DAYS: i64 = 90;

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Held past the deadline to be brought before a judge, no presentation recorded.
    PresentationOverdue,
    /// Family and lawyers do not know where the person is held.
    WhereaboutsUnknown,
    /// Held with no contact of family or lawyer for longer than the profile allows.
    Incommunicado,
    /// A hearing set for the coming days, or one deferred in the last ones.
    Hearing,
    /// A presentation to a court under a measure falls due in the coming days.
    MeasureDue,
    /// People are held at a place whose conditions were last reported too long ago.
    FacilityStale,
}

impl AlertKind {
    /// Every kind, in the order a page shows them.
    pub const ALL: [AlertKind; 6] = [
        AlertKind::WhereaboutsUnknown,
        AlertKind::Incommunicado,
        AlertKind::PresentationOverdue,
        AlertKind::Hearing,
        AlertKind::MeasureDue,
        AlertKind::FacilityStale,
    ];

    /// Its name in JSON and in addresses.
    pub fn name(self) -> &'static str {
        match self {
            AlertKind::PresentationOverdue => "presentation_overdue",
            AlertKind::WhereaboutsUnknown => "whereabouts_unknown",
            AlertKind::Incommunicado => "incommunicado",
            AlertKind::Hearing => "hearing",
            AlertKind::MeasureDue => "measure_due",
            AlertKind::FacilityStale => "facility_stale",
        }
    }

    pub fn from_name(name: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl Localize for AlertKind {
    fn localize(&self, lang: Lang) -> String {
        let (es, en) = match self {
            AlertKind::PresentationOverdue => (
                "sin presentación ante un tribunal, pasado el plazo",
                "not brought before a judge, past the deadline",
            ),
            AlertKind::WhereaboutsUnknown => ("paradero desconocido", "whereabouts unknown"),
            AlertKind::Incommunicado => (
                "incomunicación: sin contacto con la familia ni con la defensa",
                "incommunicado: no contact with family or lawyer",
            ),
            AlertKind::Hearing => (
                "audiencias: próximas y diferidas",
                "hearings: coming and deferred",
            ),
            AlertKind::MeasureDue => (
                "presentaciones ante el tribunal por medidas cautelares",
                "court reporting under measures",
            ),
            AlertKind::FacilityStale => (
                "centros sin informe reciente de sus condiciones",
                "places without a recent report on their conditions",
            ),
        };
        lang.pick(es, en).to_string()
    }
}

/// One thing to do: which detention (or place), since when its clock ran out (or the state
/// began, or the day it is due), for how many days (negative: days left), and, for a
/// disappearance, whether it is past its deadline (escalate) and still inside the UN's urgent
/// window; for a hearing, whether it was deferred and how often.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    #[serde(skip)]
    pub detention: Option<DetentionId>,
    /// The organisation's own reference, or the detention's number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detention_ref: Option<String>,
    /// The place, for a place's alert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(skip)]
    pub place_id: Option<FacilityId>,
    /// The person's name, when the account sees the case (never in JSON for others).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub since: Day,
    pub days: i64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub escalate: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub urgent_window: bool,
    /// A hearing deferred (rather than set).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deferred: bool,
    /// How many times the case's hearings were deferred, for a hearing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deferrals: Option<usize>,
    /// For a presentation due, the measure (to say it in the reader's language).
    #[serde(skip)]
    pub measure: Option<vigilia_core::case::Measure>,
    /// For a deferred hearing, the next one already set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_hearing: Option<Day>,
    /// For a place: its conditions were never reported.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub never: bool,
    /// What is due, in words: the hearing's reason for a deferral, the measure for a
    /// presentation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Alert {
    /// An alert of `kind` since `since`, counted on `as_of`, about nothing yet (its detention
    /// or place is set by who finds it).
    fn new(kind: AlertKind, since: Day, as_of: Day) -> Alert {
        Alert {
            kind,
            detention: None,
            detention_ref: None,
            place: None,
            place_id: None,
            name: None,
            since,
            days: days_between(since, as_of),
            escalate: false,
            urgent_window: false,
            deferred: false,
            deferrals: None,
            next_hearing: None,
            never: false,
            measure: None,
            detail: None,
        }
    }
}

/// The alerts of day `as_of` as known on `known_on`, for `actor` (coordinators every case, a
/// lawyer those they see): the disappeared first, longest missing first, then the
/// presentations overdue, the most recent first. `index` is the
/// counting index (the disappearances are the balance's own, by construction).
pub fn alerts(
    ledger: &mut Ledger,
    index: &Index,
    actor: &Actor,
    as_of: Day,
    known_on: KnownOn,
) -> Result<Vec<Alert>, AppError> {
    if !matches!(actor.role, Role::Coordinator | Role::Lawyer) {
        return Err(AppError::Forbidden(vigilia_core::ids::Subject::REGISTRY));
    }
    let profile = ledger.profile()?.clone();
    let mut out = Vec::new();
    let presentation = profile.deadline(DeadlineKind::Presentation);
    let contact = profile.deadline(DeadlineKind::Contact);
    let window = profile
        .deadline(DeadlineKind::Hearing)
        .map(|d| i64::from(d.hours.div_ceil(24)));
    let measure_days = profile
        .deadline(DeadlineKind::Measure)
        .map(|d| d.hours.div_ceil(24));
    let mut due = Vec::new();
    ledger.fold_all(Kind::Detention, known_on, &mut |r| {
        if let Record::Detention(d) = r {
            let mut found = Vec::new();
            if let Some(since) = presentation.and_then(|rule| presentation_overdue(&d, rule, as_of))
            {
                found.push(Alert::new(AlertKind::PresentationOverdue, since, as_of));
            }
            if let Some(since) = contact.and_then(|rule| incommunicado(&d, rule, as_of)) {
                found.push(Alert::new(AlertKind::Incommunicado, since, as_of));
            }
            if window.is_some() || measure_days.is_some() {
                found.extend(case_dues(&d, as_of, window, measure_days));
            }
            if !found.is_empty() {
                due.push((d, found));
            }
        }
    })?;
    for (d, found) in due {
        for a in found {
            out.extend(alert(ledger, actor, &d, a)?);
        }
    }
    if let Some(rule) = profile.deadline(DeadlineKind::Conditions) {
        let days = rule.hours.div_ceil(24);
        for (place, since, observed) in crate::places::stale(ledger, actor, as_of, known_on, days)?
        {
            out.push(Alert {
                place: Some(place.name.clone()),
                place_id: Some(place.id),
                never: !observed,
                ..Alert::new(AlertKind::FacilityStale, since, as_of)
            });
        }
    }
    let escalate_after = profile
        .deadline(DeadlineKind::Whereabouts)
        .map(|d| i64::from(d.hours.div_ceil(24)));
    for (id, since) in vigilia_count::list::missing(index, as_of, known_on) {
        let subject = DetentionId(id).into();
        let found = if known_on == KnownOn::NOW {
            ledger.get(subject)?
        } else {
            ledger.as_known_on(subject, known_on)?
        };
        let Some(Record::Detention(d)) = found else {
            continue;
        };
        let missing = Alert::new(AlertKind::WhereaboutsUnknown, since, as_of);
        if let Some(mut a) = alert(ledger, actor, &d, missing)? {
            a.escalate = escalate_after.is_some_and(|after| a.days >= after);
            a.urgent_window = a.days <= URGENT_WINDOW_DAYS;
            out.push(a);
        }
    }
    // The disappeared first, longest missing first; then the presentations overdue, the most
    // recent arrest first (the one a lawyer can still act on before a judge).
    // Then the hearings and presentations, the soonest first, and the places longest without
    // a report.
    out.sort_by_key(|a| match a.kind {
        AlertKind::WhereaboutsUnknown => (0, -a.days),
        AlertKind::Incommunicado => (1, -a.days),
        AlertKind::PresentationOverdue => (2, a.days),
        AlertKind::Hearing => (3, a.days.abs()),
        AlertKind::MeasureDue => (4, -a.days),
        AlertKind::FacilityStale => (5, -a.days),
    });
    Ok(out)
}

/// When the deadline to bring a detention before a judge ran out, if it had by `as_of` with
/// no presentation recorded and the person still held: for an arrest known to the day.
fn presentation_overdue(d: &Detention, rule: &Deadline, as_of: Day) -> Option<Day> {
    if !d.arrest.date.is_exact() || d.arrest.date.first_day() > as_of {
        return None;
    }
    if d.end.as_ref().is_some_and(|e| e.date.first_day() <= as_of) {
        return None;
    }
    let presented = d.steps.iter().any(|s| {
        matches!(s.what, Step::CourtPresentation { .. })
            && s.date.is_none_or(|p| p.first_day() <= as_of)
    });
    let days = i64::from(rule.hours.div_ceil(24));
    let deadline = d
        .arrest
        .date
        .first_day()
        .checked_add(jiff::Span::new().days(days))
        .ok()?;
    (!presented && deadline < as_of).then_some(deadline)
}

/// Since when a person held on `as_of` is incommunicado: the profile's days after the last
/// contact of family or lawyer recorded by then (or after the arrest, when there was none),
/// if that day has passed.
fn incommunicado(d: &Detention, rule: &Deadline, as_of: Day) -> Option<Day> {
    if d.arrest.date.first_day() > as_of
        || d.end.as_ref().is_some_and(|e| e.date.first_day() <= as_of)
    {
        return None;
    }
    let last = d
        .steps
        .iter()
        .filter(|s| matches!(s.what, Step::Contact { .. }))
        .filter_map(|s| s.date.map(|p| p.last_day()))
        .filter(|day| *day <= as_of)
        .max()
        .unwrap_or(d.arrest.date.last_day());
    let days = i64::from(rule.hours.div_ceil(24));
    let since = last.checked_add(jiff::Span::new().days(days)).ok()?;
    (since < as_of).then_some(since)
}

/// Days from `since` to `as_of` (negative when `since` is ahead).
fn days_between(since: Day, as_of: Day) -> i64 {
    as_of
        .since(since)
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(0)
}

/// A case's hearings set within `window` days ahead or deferred within `window` days back, and
/// its next presentation under a measure within a week (measures go on after release).
fn case_dues(
    d: &Detention,
    as_of: Day,
    window: Option<i64>,
    measure_days: Option<u32>,
) -> Vec<Alert> {
    let relevant = d
        .steps
        .iter()
        .any(|s| matches!(s.what, Step::Hearing { .. } | Step::MeasuresImposed { .. }));
    if !relevant {
        return Vec::new();
    }
    let case = Case::of(d, as_of);
    let mut out = Vec::new();
    if let Some(window) = window {
        // As of the day, the hearings set ahead are not in `case` (they are dated later).
        let ahead = Case::of(
            d,
            as_of
                .checked_add(jiff::Span::new().days(window))
                .unwrap_or(as_of),
        );
        let next = Case::of(d, Day::MAX)
            .next_hearing(as_of)
            .map(|h| h.date.first_day());
        for h in &ahead.hearings {
            let days = days_between(h.date.first_day(), as_of);
            if h.outcome == HearingOutcome::Scheduled && (-window..=0).contains(&days) {
                out.push(Alert {
                    deferrals: Some(case.deferrals),
                    ..Alert::new(AlertKind::Hearing, h.date.first_day(), as_of)
                });
            }
        }
        // The last deferral of the last days, once, with the new date when one is set.
        if let Some(h) = case.hearings.iter().rev().find(|h| {
            h.outcome == HearingOutcome::Deferred
                && (0..=window).contains(&days_between(h.date.first_day(), as_of))
        }) {
            out.push(Alert {
                deferred: true,
                deferrals: Some(case.deferrals),
                next_hearing: next,
                detail: h.reason.clone(),
                ..Alert::new(AlertKind::Hearing, h.date.first_day(), as_of)
            });
        }
    }
    if let Some(days) = measure_days
        && let Some((on, m)) = case.next_presentation(as_of, days)
        && days_between(on, as_of) >= -7
    {
        out.push(Alert {
            detail: Some(m.localize(Lang::Es)),
            measure: Some(m.clone()),
            ..Alert::new(AlertKind::MeasureDue, on, as_of)
        });
    }
    out
}

/// Alert `a` on detention `d`, with the detention's reference and the person's name, if the
/// actor sees it (none when they do not).
fn alert(
    ledger: &mut Ledger,
    actor: &Actor,
    d: &Detention,
    a: Alert,
) -> Result<Option<Alert>, AppError> {
    // Who may see it is decided on the detention as it stands now (its state corrected since
    // is the one that counts), whatever day the alert is of.
    if !crate::actor::sees_now(ledger, actor, d.id)? {
        return Ok(None);
    }
    let name = match ledger.get(d.person.into())? {
        Some(Record::Person(p)) => Some(p.identity.full_name()),
        _ => None,
    };
    Ok(Some(Alert {
        detention: Some(d.id),
        detention_ref: Some(d.reference.clone().unwrap_or_else(|| d.id.0.to_string())),
        name,
        ..a
    }))
}

/// The deadline behind an alert, as the profile cites it (none for a kind without one).
pub fn rule(profile: &Profile, kind: AlertKind) -> Option<&Deadline> {
    match kind {
        AlertKind::PresentationOverdue => profile.deadline(DeadlineKind::Presentation),
        AlertKind::WhereaboutsUnknown => profile.deadline(DeadlineKind::Whereabouts),
        AlertKind::Incommunicado => profile.deadline(DeadlineKind::Contact),
        AlertKind::Hearing => profile.deadline(DeadlineKind::Hearing),
        AlertKind::MeasureDue => profile.deadline(DeadlineKind::Measure),
        AlertKind::FacilityStale => profile.deadline(DeadlineKind::Conditions),
    }
}
