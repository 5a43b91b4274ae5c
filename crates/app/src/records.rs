//! Records: what a lawyer records on a detention (a legal step, its end, the recognition
//! decision) and what a coordinator does to persons (merge and undo a merge). Each checks the
//! record, and the account's reach over it, inside the write that changes it.

use serde::{Deserialize, Serialize};
use vigilia_core::case::{
    Case, HearingOutcome, Jurisdiction, MAX_EVERY_DAYS, Measure, MeasureKind, Phase,
};
use vigilia_core::date::{Day, PartialDate};
use vigilia_core::fact::{Change, Draft, Fact};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{DetentionId, Kind, PersonId, ReportId, SourceId, Subject};
use vigilia_core::model::{
    Custody, Dated, Detention, End, EndType, Person, Recognition, RecognitionStatus, Role, Source,
    Step,
};
use vigilia_core::text::fold;
use vigilia_ledger::{Ledger, Tx};

use crate::actor::{Actor, acting_as, sees};
use crate::error::AppError;
use crate::fields::{FieldErrors, Problem};
use crate::search::{BY_EAR_FROM, CEDULA_FROM, SearchIndex, by_ear, name_words};

/// A person's detentions, by id.
pub fn detentions_of(ledger: &mut Ledger, person: PersonId) -> Result<Vec<Detention>, AppError> {
    Ok(ledger
        .children(Kind::Detention, person.0)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Detention(d) => Some(d),
            _ => None,
        })
        .collect())
}

/// A detention as it stands now, if `actor` may see it.
pub fn in_scope(
    ledger: &mut Ledger,
    actor: &Actor,
    id: DetentionId,
) -> Result<Detention, AppError> {
    let Some(Record::Detention(d)) = ledger.get(id.into())? else {
        return Err(AppError::NotFound(id.into()));
    };
    if sees(ledger, actor, &d)? {
        Ok(d)
    } else {
        Err(AppError::Forbidden(id.into()))
    }
}

/// The detention as it stands in this transaction, if `actor` may work on it.
fn in_scope_tx(tx: &mut Tx<'_>, actor: &Actor, id: DetentionId) -> Result<Detention, AppError> {
    let actor = &acting_as(tx, actor, &[Role::Coordinator, Role::Lawyer])?;
    let Some(Record::Detention(d)) = tx.get(id.into())?.cloned() else {
        return Err(AppError::NotFound(id.into()));
    };
    if sees(tx, actor, &d)? {
        Ok(d)
    } else {
        Err(AppError::Forbidden(id.into()))
    }
}

/// The detentions of a person (and of the persons merged into it, `merged`) this account
/// sees; refused when it sees none of them.
fn seen_detentions(
    ledger: &mut Ledger,
    actor: &Actor,
    person: PersonId,
    merged: &[PersonId],
) -> Result<Vec<Detention>, AppError> {
    let mut all = detentions_of(ledger, person)?;
    for m in merged {
        all.extend(detentions_of(ledger, *m)?);
    }
    all.sort_by_key(|d| (d.arrest.date.first_day(), d.id));
    let mut seen = Vec::new();
    for d in all {
        if sees(ledger, actor, &d)? {
            seen.push(d);
        }
    }
    if seen.is_empty() && !actor.sees_every_case() {
        return Err(AppError::Forbidden(person.into()));
    }
    Ok(seen)
}

/// The most persons a search shows (the page says when there may be more).
pub const SEARCH_LIMIT: usize = 100;

/// Whether a searched word matches a word of a name: the name's word begins with it (accents
/// and case aside), or sounds the same (a whole word, of at least four letters). How a name is
/// searched by ear: the Venezuelan phonetic key (`González`, `Gonzales` → `gonsales`), with a j
/// read as a y, as in `Jusmary`/`Yusmary` or `Jhonny`/`Yony`.
fn word_matches(searched: &str, searched_by_ear: &str, name_word: &str) -> bool {
    name_word.starts_with(searched)
        || (searched.chars().count() >= BY_EAR_FROM && by_ear(name_word) == searched_by_ear)
}

/// Persons whose name or cédula matches every word of `q`, accents and case aside, or as it
/// sounds (`Gonzales` finds `González`), among those this account sees, at most `limit`, by
/// id. `index` says who may match; each is read and checked as they now stand.
pub fn search(
    ledger: &mut Ledger,
    actor: &Actor,
    q: &str,
    limit: usize,
    index: &SearchIndex,
) -> Result<Vec<Person>, AppError> {
    let words: Vec<(String, String)> = fold(q)
        .split_whitespace()
        .map(|w| (w.to_string(), by_ear(w)))
        .collect();
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let everything = actor.sees_every_case();
    let mut out = Vec::new();
    for id in index.candidates(q) {
        if out.len() >= limit {
            break;
        }
        let Some(Record::Person(p)) = ledger.get(PersonId(id).into())? else {
            continue;
        };
        let by_id = digits.len() >= CEDULA_FROM
            && p.identity
                .national_id
                .is_some_and(|n| n.number.to_string() == digits);
        let name = name_words(&p.identity);
        let named = words
            .iter()
            .all(|(w, ear)| name.iter().any(|n| word_matches(w, ear, n)));
        if (by_id || named) && (everything || seen_detentions(ledger, actor, p.id, &[]).is_ok()) {
            out.push(p);
        }
    }
    Ok(out)
}

/// A person and the detentions of theirs this account sees, with those of the persons merged
/// into it, by arrest date.
pub fn person(
    ledger: &mut Ledger,
    actor: &Actor,
    id: PersonId,
    index: &SearchIndex,
) -> Result<(Person, Vec<Detention>), AppError> {
    let Some(Record::Person(p)) = ledger.get(id.into())? else {
        return Err(AppError::NotFound(id.into()));
    };
    let merged: Vec<PersonId> = crate::merges::merged_into(ledger, id, index)?
        .iter()
        .map(|m| m.id)
        .collect();
    let detentions = seen_detentions(ledger, actor, id, &merged)?;
    Ok((p, detentions))
}

/// A detention with what its page shows.
#[derive(Clone, Debug, Serialize)]
pub struct Full {
    pub detention: Detention,
    pub person: Option<Person>,
    /// Steps in date order (undated ones last, in the order recorded).
    pub timeline: Vec<Dated<Step>>,
    /// The 48-hour deadline for the court presentation, for an arrest known to the day.
    pub deadline: Option<Day>,
    /// When the detainee was presented to a court, and whether that was in time.
    pub presented: Option<(PartialDate, bool)>,
    pub sources: Vec<Source>,
    /// What the reporters added later to the reports of this detention (a family's "they moved
    /// him to El Helicoide"), by day, with the report each came in.
    pub additions: Vec<(ReportId, vigilia_core::model::Addition)>,
    #[serde(skip)]
    pub history: Vec<Fact>,
    /// Who looked at the case, and when (audit facts): shown to coordinators only.
    #[serde(skip)]
    pub views: Vec<Fact>,
    /// The criminal case as it stands, hearings set ahead included.
    #[serde(skip)]
    pub case: Case,
    /// Each charge with the law and article the profile gives it (none: not in the profile,
    /// kept as written), and whether a lawyer verified that citation.
    #[serde(skip)]
    pub charges: Vec<(String, Option<String>, bool)>,
    /// The next hearing set, from today.
    #[serde(skip)]
    pub next_hearing: Option<PartialDate>,
    /// Where the person is held, as written, with the place of the register it is (none when
    /// the register cannot place it).
    #[serde(skip)]
    pub place: Option<(Option<vigilia_core::ids::FacilityId>, String)>,
    /// Whether the person's whereabouts are unknown today (a habeas corpus and the UN's
    /// urgent action apply).
    #[serde(skip)]
    pub whereabouts_unknown: bool,
}

/// How many of the latest views of a record a coordinator is shown.
pub const VIEWS_SHOWN: usize = 50;

/// A record's history: what changed it, and who looked at it last (newest first; only for
/// coordinators, at most [`VIEWS_SHOWN`]).
pub fn changes_and_views(
    ledger: &mut Ledger,
    subject: Subject,
    actor: &Actor,
) -> Result<(Vec<Fact>, Vec<Fact>), AppError> {
    let changes = ledger.changes(subject)?;
    let views = if actor.role == Role::Coordinator {
        ledger.views(subject, VIEWS_SHOWN)?
    } else {
        Vec::new()
    };
    Ok((changes, views))
}

pub fn detention(ledger: &mut Ledger, actor: &Actor, id: DetentionId) -> Result<Full, AppError> {
    let d = in_scope(ledger, actor, id)?;
    let person = match ledger.get(d.person.into())? {
        Some(Record::Person(p)) => Some(p),
        _ => None,
    };
    let mut timeline = d.steps.clone();
    timeline.sort_by_key(|s| s.date.map(|d| d.first_day()));
    timeline.sort_by_key(|s| s.date.is_none());
    let deadline = d
        .arrest
        .date
        .is_exact()
        .then(|| {
            d.arrest
                .date
                .first_day()
                .checked_add(jiff::Span::new().days(2))
                .ok()
        })
        .flatten();
    let presented = d
        .steps
        .iter()
        .filter(|s| matches!(s.what, Step::CourtPresentation { .. }))
        .filter_map(|s| s.date)
        .min_by_key(|x| x.first_day())
        .map(|p| (p, deadline.is_none_or(|dl| p.last_day() <= dl)));
    let (history, views) = changes_and_views(ledger, id.into(), actor)?;
    let mut ids: Vec<SourceId> = history.iter().flat_map(|f| f.sources.clone()).collect();
    ids.sort();
    ids.dedup();
    let mut sources = Vec::new();
    for s in ids {
        if let Some(Record::Source(s)) = ledger.get(s.into())? {
            sources.push(s);
        }
    }
    // And what the reports matched to it brought (the reports themselves, their links).
    let mut additions = Vec::new();
    let reports: Vec<ReportId> = ledger
        .children(Kind::Report, id.0)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Report(r) => {
                additions.extend(r.additions.into_iter().map(|a| (r.id, a)));
                Some(r.id)
            }
            _ => None,
        })
        .collect();
    additions.sort_by_key(|(_, a)| a.on);
    for r in reports {
        for s in sources_of(ledger, r)? {
            if !sources.iter().any(|x| x.id == s.id) {
                sources.push(s);
            }
        }
    }
    let case = Case::of(&d, Day::MAX);
    let profile = ledger.profile()?.clone();
    let charges = case
        .charges
        .iter()
        .map(|c| {
            let found = profile.charges.find(c, &[]);
            let law = found.and_then(|n| n.law.clone());
            (c.clone(), law, found.is_some_and(|n| n.verified))
        })
        .collect();
    let today = ledger.today()?;
    let next_hearing = case.next_hearing(today).map(|h| h.date);
    let place = match crate::places::held_at(&d, today) {
        Some(written) => {
            let id = match crate::places::Register::load(ledger)?.resolve(written) {
                crate::places::Resolution::Place(id) => Some(id),
                _ => None,
            };
            Some((id, written.to_string()))
        }
        None => None,
    };
    let whereabouts_unknown = matches!(
        d.custody_on(today),
        Some(vigilia_core::model::Custody::WhereaboutsUnknown)
    );
    Ok(Full {
        whereabouts_unknown,
        detention: d,
        person,
        additions,
        timeline,
        deadline,
        presented,
        sources,
        history,
        views,
        case,
        charges,
        next_hearing,
        place,
    })
}

/// The sources a report became, or was given.
pub fn sources_of(ledger: &mut Ledger, report: ReportId) -> Result<Vec<Source>, AppError> {
    Ok(ledger
        .children(Kind::Source, report.0)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Source(s) => Some(s),
            _ => None,
        })
        .collect())
}

/// Appends one fact by `actor`, recorded today.
pub(crate) fn record(
    tx: &mut Tx<'_>,
    actor: &Actor,
    subject: impl Into<Subject>,
    change: Change,
) -> Result<(), AppError> {
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: actor.name.clone(),
        subject: subject.into(),
        change,
        sources: Vec::new(),
    })?;
    Ok(())
}

/// A step or an end as typed in a form (or sent to the API).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct StepForm {
    /// held, whereabouts_unknown, whereabouts_known, house_arrest, hospital, court, charged,
    /// defence_private, defence_imposed, defence_denied, convicted, contact_family,
    /// contact_lawyer, phase, court_assigned, hearing, measures, measures_lifted; for an end,
    /// its type.
    pub kind: String,
    /// The day it happened (for a hearing set, the day it is set for, which may be ahead).
    pub date: String,
    /// The facility, the court, the charges (comma-separated) or the sentence.
    pub detail: String,
    /// For a phase: presentation_hearing, investigation, indictment, preliminary_hearing,
    /// trial, sentence, enforcement.
    pub phase: String,
    /// For a court: civilian or military.
    pub jurisdiction: String,
    pub judge: String,
    pub case_number: String,
    /// For a hearing: scheduled, held or deferred.
    pub outcome: String,
    /// Why a hearing was deferred.
    pub reason: String,
    /// For measures: each one ticked (any text: a ticked box) and every how many days the
    /// person reports to the court (`detail` is that court).
    pub presentation: String,
    pub every_days: String,
    pub no_leaving_country: String,
    pub no_leaving_locality: String,
    pub no_press: String,
    /// Another measure, as written.
    pub other: String,
    /// For measures lifted: the kind lifted (none: every one).
    pub measure: String,
}

/// Checks a legal step and records it on the detention.
pub fn record_step(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: DetentionId,
    f: &StepForm,
) -> Result<(), AppError> {
    let d = in_scope_tx(tx, actor, id)?;
    let today = tx.today()?;
    let profile = tx.profile()?.clone();
    let mut e = FieldErrors::default();
    // A hearing is set for a day ahead; everything else has happened.
    let date = if f.kind == "hearing" && f.outcome == "scheduled" {
        e.any_date("date", &f.date, today)
    } else {
        e.required_date("date", &f.date, today)
    };
    if date.is_some_and(|x| x.certainly_before(&d.arrest.date)) {
        e.add("date", Problem::BeforeArrest);
    }
    let detail = e.line("detail", &f.detail);
    let ticked = |v: &str| !v.trim().is_empty();
    let what = match f.kind.as_str() {
        "held" => Some(Step::Custody(Custody::Held { facility: detail })),
        "whereabouts_unknown" => Some(Step::Custody(Custody::WhereaboutsUnknown)),
        "whereabouts_known" => Some(Step::Custody(Custody::WhereaboutsKnown)),
        "house_arrest" => Some(Step::Custody(Custody::HouseArrest)),
        "hospital" => Some(Step::Custody(Custody::Hospital { facility: detail })),
        "court" => Some(Step::CourtPresentation {
            court: detail,
            military_court: Jurisdiction::from_name(&f.jurisdiction)
                .map(|j| j == Jurisdiction::Military),
        }),
        "charged" => {
            // Each charge by the profile's name where it has one (so its law and article show);
            // one it does not know is kept as written.
            let charges: Vec<String> = detail
                .unwrap_or_default()
                .split([',', ';'])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| vigilia_core::profile::Profile::canonical(&profile.charges, c))
                .collect();
            if charges.is_empty() {
                e.add("detail", Problem::NothingToRecord);
            }
            Some(Step::Charged { charges })
        }
        "defence_private" => Some(Step::Defence {
            imposed: false,
            denied: false,
        }),
        "defence_imposed" => Some(Step::Defence {
            imposed: true,
            denied: false,
        }),
        "defence_denied" => Some(Step::Defence {
            imposed: false,
            denied: true,
        }),
        "convicted" => Some(Step::Convicted { sentence: detail }),
        "contact_family" => Some(Step::Contact {
            with: vigilia_core::model::ContactWith::Family,
        }),
        "contact_lawyer" => Some(Step::Contact {
            with: vigilia_core::model::ContactWith::Lawyer,
        }),
        "phase" => match Phase::from_name(&f.phase) {
            Some(phase) => Some(Step::CaseStage { phase }),
            None => {
                e.add("phase", Problem::ChooseAnOption);
                None
            }
        },
        "court_assigned" => {
            let jurisdiction = Jurisdiction::from_name(&f.jurisdiction);
            if !f.jurisdiction.trim().is_empty() && jurisdiction.is_none() {
                e.add("jurisdiction", Problem::ChooseAnOption);
            }
            let judge = e.line("judge", &f.judge);
            let case_number = e.line("case_number", &f.case_number);
            if jurisdiction.is_none()
                && detail.is_none()
                && judge.is_none()
                && case_number.is_none()
            {
                e.add("detail", Problem::NothingToRecord);
            }
            Some(Step::CourtAssigned {
                jurisdiction,
                court: detail,
                judge,
                case_number,
            })
        }
        "hearing" => {
            let outcome = HearingOutcome::from_name(&f.outcome);
            let reason = e.line("reason", &f.reason);
            match outcome {
                None => e.add("outcome", Problem::ChooseAnOption),
                Some(HearingOutcome::Deferred) if reason.is_none() => {
                    e.add("reason", Problem::SayWhyDeferred)
                }
                _ => {}
            }
            outcome.map(|outcome| Step::Hearing { outcome, reason })
        }
        "measures" => {
            let mut measures = Vec::new();
            if !ticked(&f.presentation) && !f.every_days.trim().is_empty() {
                e.add("every_days", Problem::TickPresentation);
            }
            if ticked(&f.presentation) {
                let every_days = match f.every_days.trim() {
                    "" => None,
                    n => match n.parse::<u32>() {
                        Ok(n) if (1..=MAX_EVERY_DAYS).contains(&n) => Some(n),
                        _ => {
                            e.add(
                                "every_days",
                                Problem::NotADayCount {
                                    max: MAX_EVERY_DAYS,
                                },
                            );
                            None
                        }
                    },
                };
                // A ";" separates measures in a file: a court's name is kept without one.
                measures.push(Measure {
                    kind: MeasureKind::Presentation,
                    every_days,
                    court: detail.as_deref().map(|c| c.replace(';', ",")),
                    text: None,
                });
            }
            for (box_, kind) in [
                (&f.no_leaving_country, MeasureKind::NoLeavingCountry),
                (&f.no_leaving_locality, MeasureKind::NoLeavingLocality),
                (&f.no_press, MeasureKind::NoPress),
            ] {
                if ticked(box_) {
                    measures.push(Measure {
                        kind,
                        every_days: None,
                        court: None,
                        text: None,
                    });
                }
            }
            if let Some(other) = e.line("other", &f.other) {
                measures.push(Measure {
                    kind: MeasureKind::Other,
                    every_days: None,
                    court: None,
                    text: Some(other.replace(';', ",")),
                });
            }
            if measures.is_empty() && !e.has("every_days") {
                e.add("measures", Problem::TickAMeasure);
            }
            Some(Step::MeasuresImposed { measures })
        }
        "measures_lifted" => {
            // Only what is in force on that day can be lifted on it.
            let in_force: Vec<MeasureKind> = date
                .map(|x| {
                    Case::of(&d, x.last_day())
                        .measures
                        .iter()
                        .map(|(_, m)| m.kind)
                        .collect()
                })
                .unwrap_or_default();
            let kinds = match f.measure.trim() {
                "" | "all" => Some(Vec::new()),
                k => MeasureKind::from_name(k).map(|kind| vec![kind]),
            };
            match &kinds {
                None => e.add("measure", Problem::ChooseAnOption),
                Some(k)
                    if date.is_some()
                        && (in_force.is_empty() || k.iter().any(|x| !in_force.contains(x))) =>
                {
                    e.add("measure", Problem::NotInForce)
                }
                _ => {}
            }
            kinds.map(|kinds| Step::MeasuresLifted { kinds })
        }
        _ => {
            e.add("kind", Problem::ChooseWhatHappened);
            None
        }
    };
    let (Some(what), Some(date)) = (what, date) else {
        return Err(e.into());
    };
    e.check()?;
    record(
        tx,
        actor,
        id,
        Change::StepRecorded(Dated {
            date: Some(date),
            what,
        }),
    )
}

/// Checks an end (`kind` is its type) and records it on the detention.
pub fn record_end(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: DetentionId,
    f: &StepForm,
) -> Result<(), AppError> {
    let d = in_scope_tx(tx, actor, id)?;
    let today = tx.today()?;
    let mut e = FieldErrors::default();
    let kind = EndType::from_name(&f.kind);
    if kind.is_none() {
        e.add("kind", Problem::ChooseHowItEnded);
    }
    let date = e.required_date("date", &f.date, today);
    if let Some(dt) = date
        && dt.certainly_before(&d.arrest.date)
    {
        e.add("date", Problem::EndBeforeArrest);
    }
    let (Some(kind), Some(date)) = (kind, date) else {
        return Err(e.into());
    };
    e.check()?;
    record(
        tx,
        actor,
        id,
        Change::Ended {
            end: End { date, kind },
        },
    )
}

/// A recognition decision as typed in a form: its status, category (1–3) and reason.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DecisionForm {
    pub status: String,
    pub category: String,
    pub reason: String,
}

/// Checks a recognition decision and records it, with the deciding account as reviewer.
pub fn decide(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: DetentionId,
    f: &DecisionForm,
) -> Result<(), AppError> {
    in_scope_tx(tx, actor, id)?;
    let mut e = FieldErrors::default();
    let status = RecognitionStatus::from_name(&f.status);
    if status.is_none() {
        e.add("status", Problem::ChooseDecision);
    }
    let category = match f.category.trim() {
        "" => None,
        c => match c.parse::<u8>() {
            Ok(n @ 1..=3) => Some(n),
            _ => {
                e.add("category", Problem::BadCategory);
                None
            }
        },
    };
    let reason = e.line("reason", &f.reason);
    if reason.is_none() {
        e.add("reason", Problem::ExplainDecision);
    }
    let Some(status) = status else {
        return Err(e.into());
    };
    e.check()?;
    let change = Change::RecognitionDecided(Recognition {
        status,
        category,
        reviewer: Some(actor.name.clone()),
        reason,
        criteria: vec![],
    });
    record(tx, actor, id, change)
}

/// The reason typed for a decision that stays on the record; refused when empty.
pub fn reason_needed(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::ReasonNeeded);
    }
    Ok(reason.to_string())
}

/// Records that `actor` saw or took `subject`: an audit fact, carrying what kind of access it
/// was, never the values seen.
pub fn audit(
    tx: &mut Tx<'_>,
    actor: &str,
    subject: Subject,
    what: vigilia_core::fact::Audit,
) -> Result<(), AppError> {
    audit_read(tx, actor, what, subject, Vec::new(), None)
}

/// Records that `actor` was shown `records` at once (a search, a list of reports, the persons a
/// report may be about), and what it searched for: one audit fact about `subject` (the registry,
/// or the report compared) that names the records returned, never their values; the query is
/// encrypted like a contact. A turned insider cannot copy the registry page by page unseen.
pub fn audit_read(
    tx: &mut Tx<'_>,
    actor: &str,
    what: vigilia_core::fact::Audit,
    subject: Subject,
    records: Vec<Subject>,
    query: Option<&str>,
) -> Result<(), AppError> {
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: actor.to_string(),
        subject,
        change: Change::Audited {
            what,
            records,
            query: query.map(Into::into),
        },
        sources: Vec::new(),
    })?;
    Ok(())
}

/// Erases a report's contact or a detention's notes for good: the record's data key is
/// destroyed in the same transaction as the fact that says who erased them and why. Earlier
/// facts keep their ciphertext, so the chain still verifies; nobody can open it any more.
pub fn erase(tx: &mut Tx<'_>, actor: &str, subject: Subject, reason: &str) -> Result<(), AppError> {
    if !matches!(subject.kind, Kind::Report | Kind::Detention) {
        return Err(AppError::NothingConfidential(subject));
    }
    let reason = reason_needed(reason)?;
    if tx.get(subject)?.is_none() {
        return Err(AppError::NotFound(subject));
    }
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: actor.to_string(),
        subject,
        change: Change::ConfidentialErased { reason },
        sources: Vec::new(),
    })?;
    tx.destroy_data_key(subject)?;
    Ok(())
}

/// A detention behind a figure, with its person when the account sees the case.
#[derive(Clone, Debug)]
pub struct Behind {
    pub detention: Detention,
    pub person: Option<Person>,
}

/// The detentions of `ids` as `actor` may list them, each as known on `known_on` (what a list
/// of that day showed): each with its person only when the actor sees the case now (per-field
/// rule). When any name is listed ([`lists_names`]), the caller records who saw such a list
/// ([`audit`] with `Audit::Listed`) before showing it.
pub fn behind(
    ledger: &mut Ledger,
    actor: &Actor,
    ids: &[u64],
    known_on: KnownOn,
) -> Result<Vec<Behind>, AppError> {
    let then = |ledger: &mut Ledger, subject: Subject, now: Record| -> Result<Record, AppError> {
        if known_on == KnownOn::NOW {
            return Ok(now);
        }
        Ok(ledger.as_known_on(subject, known_on)?.unwrap_or(now))
    };
    let mut out = Vec::new();
    for &id in ids {
        let subject: Subject = DetentionId(id).into();
        let Some(Record::Detention(now)) = ledger.get(subject)? else {
            continue;
        };
        let seen = sees(ledger, actor, &now)?;
        let person_id = now.person;
        let Record::Detention(detention) = then(ledger, subject, Record::Detention(now))? else {
            continue;
        };
        let person = if seen {
            match ledger.get(person_id.into())? {
                Some(p @ Record::Person(_)) => match then(ledger, person_id.into(), p)? {
                    Record::Person(p) => Some(p),
                    _ => None,
                },
                _ => None,
            }
        } else {
            None
        };
        out.push(Behind { detention, person });
    }
    Ok(out)
}

/// Whether a list behind a figure names anyone (and so must be recorded as seen).
pub fn lists_names(rows: &[Behind]) -> bool {
    rows.iter().any(|b| b.person.is_some())
}

/// A group detention with what its page shows: its members (each with its person when the
/// account sees the case), the reports filed under it, and its facts in order.
#[derive(Clone, Debug)]
pub struct GroupPage {
    pub group: vigilia_core::model::GroupDetention,
    pub members: Vec<Behind>,
    pub reports: Vec<ReportId>,
    pub history: Vec<Fact>,
}

/// A group detention, for the staff who see cases.
pub fn group(
    ledger: &mut Ledger,
    actor: &Actor,
    id: vigilia_core::ids::GroupId,
) -> Result<GroupPage, AppError> {
    if !matches!(actor.role, Role::Coordinator | Role::Lawyer) {
        return Err(AppError::Forbidden(id.into()));
    }
    let Some(Record::Group(group)) = ledger.get(id.into())? else {
        return Err(AppError::NotFound(id.into()));
    };
    // A lawyer of some states sees the groups of those states only (as for detentions).
    let in_scope = actor.sees_every_case()
        || group
            .arrest
            .state
            .as_ref()
            .is_some_and(|s| actor.regions.contains(s));
    if !in_scope {
        return Err(AppError::Forbidden(id.into()));
    }
    let ids: Vec<u64> = group.identified.iter().map(|d| d.0).collect();
    let members = behind(ledger, actor, &ids, KnownOn::NOW)?;
    let mut reports = Vec::new();
    ledger.fold_all(Kind::Report, KnownOn::NOW, &mut |r| {
        if let Record::Report(r) = r
            && r.group == Some(id)
        {
            reports.push(r.id);
        }
    })?;
    let history = ledger.changes(id.into())?;
    Ok(GroupPage {
        group,
        members,
        reports,
        history,
    })
}

/// Corrects how many people a group detention counts (a coordinator, saying why): never fewer
/// than those already identified in it.
pub fn correct_group_count(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: vigilia_core::ids::GroupId,
    count: &str,
    reason: &str,
) -> Result<(), AppError> {
    let actor = &acting_as(tx, actor, &[Role::Coordinator])?;
    let group = match tx.get(id.into())? {
        Some(Record::Group(g)) => g.clone(),
        _ => return Err(AppError::NotFound(id.into())),
    };
    let reason = reason_needed(reason)?;
    let mut errors = FieldErrors::default();
    let count = match count.trim().replace('.', "").parse::<u32>() {
        Ok(n) if n as usize >= group.identified.len() && n > 0 => Some(n),
        _ => {
            errors.add(
                "count",
                Problem::CountTooSmall {
                    at_least: group.identified.len().max(1) as u32,
                },
            );
            None
        }
    };
    let Some(count) = count.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let change = Change::GroupCountCorrected {
        count,
        reason: Some(reason),
    };
    record(tx, actor, id, change)
}

/// How many cases "mis casos" lists at most.
pub const MY_CASES: usize = 300;

/// A case on a lawyer's list: the detention, whom it is about (as the lawyer sees them), when
/// it last changed, when the lawyer last looked, and whether it changed since.
#[derive(Clone, Debug)]
pub struct MyCase {
    pub detention: Detention,
    pub name: String,
    pub changed_on: Day,
    pub seen_on: Option<Day>,
    pub news: bool,
}

/// The cases a lawyer follows: those with a report assigned to them, and (for a lawyer of some
/// states) the detentions still open in their states, newest first, at most [`MY_CASES`];
/// those that changed since the lawyer last looked come first.
pub fn my_cases(ledger: &mut Ledger, actor: &Actor) -> Result<Vec<MyCase>, AppError> {
    if !matches!(actor.role, Role::Lawyer | Role::Coordinator) {
        return Err(AppError::Forbidden(Subject::REGISTRY));
    }
    let mut ids: Vec<DetentionId> = Vec::new();
    ledger.fold_all(Kind::Report, KnownOn::NOW, &mut |r| {
        if let Record::Report(r) = r
            && r.assigned_to.as_deref() == Some(actor.name.as_str())
            && let Some(d) = r.matched_to
        {
            ids.push(d);
        }
    })?;
    if actor.role == Role::Lawyer && !actor.regions.is_empty() {
        ledger.fold_all(Kind::Detention, KnownOn::NOW, &mut |r| {
            if let Record::Detention(d) = r
                && d.end.is_none()
                && d.arrest
                    .state
                    .as_ref()
                    .is_some_and(|s| actor.regions.contains(s))
            {
                ids.push(d.id);
            }
        })?;
    }
    ids.sort_by(|a, b| b.cmp(a));
    ids.dedup();
    ids.truncate(MY_CASES);
    let mut out = Vec::new();
    for id in ids {
        let Some(Record::Detention(d)) = ledger.get(id.into())? else {
            continue;
        };
        let name = match ledger.get(d.person.into())? {
            Some(Record::Person(p)) => p.identity.full_name(),
            _ => String::new(),
        };
        let changes = ledger.changes(id.into())?;
        let last = changes.last().map(|f| (f.seq, f.recorded_on));
        let changed_on = last.map_or(d.arrest.date.first_day(), |(_, on)| on);
        let seen = ledger
            .views(id.into(), VIEWS_SHOWN)?
            .into_iter()
            .filter(|f| f.actor == actor.name)
            .map(|f| (f.seq, f.recorded_on))
            .max();
        let seen_on = seen.map(|(_, on)| on);
        // Changed after the lawyer's last look (by the ledger's order, not only the day).
        let news = match (seen, last) {
            (Some((viewed, _)), Some((changed, _))) => changed > viewed,
            (None, _) => true,
            (Some(_), None) => false,
        };
        out.push(MyCase {
            detention: d,
            name,
            changed_on,
            seen_on,
            news,
        });
    }
    out.sort_by(|a, b| b.news.cmp(&a.news).then(b.changed_on.cmp(&a.changed_on)));
    Ok(out)
}

/// A person's case file, to print: the person as this account may see them, and each of their
/// detentions this account sees, with its timeline, legal steps and sources.
pub fn case_file(
    ledger: &mut Ledger,
    actor: &Actor,
    id: PersonId,
    index: &SearchIndex,
) -> Result<(Person, Vec<Full>), AppError> {
    let (mut person, detentions) = self::person(ledger, actor, id, index)?;
    // Consent as in force for whatever leaves the organisation: the strictest of the records
    // merged (the file's version to hand over follows it).
    if let Some(published) = crate::public::published_person(ledger, id)? {
        person.disclosure = published.disclosure;
    }
    let mut files = Vec::new();
    for d in detentions {
        files.push(detention(ledger, actor, d.id)?);
    }
    Ok((person, files))
}
