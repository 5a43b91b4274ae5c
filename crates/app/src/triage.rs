//! Triage: a new report is accepted as a new person and detention, attached to a person or
//! detention already registered, rejected with a reason, or assigned to someone. Every check
//! reads the report inside the write that acts on it, so a report reviewed at the same moment
//! by two coordinators (or two servers) becomes one detention, and the second is told why.

use vigilia_core::date::{Day, PartialDate};
use vigilia_core::fact::{Change, Draft};
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{DetentionId, GroupId, Kind, PersonId, ReportId, SourceId, Subject};
use vigilia_core::model::{
    Account, Arrest, Channel, ConsentGiver, Custody, Dated, GroupDetention, Identity, Person,
    Recognition, RecognitionStatus, Reliability, Report, ReportStatus, Role, Step,
};
use vigilia_ledger::{Ledger, Tx};

use crate::actor::{Actor, acting_as};
use crate::error::AppError;

/// The reports waiting for triage, oldest first.
pub fn waiting(ledger: &mut Ledger) -> Result<Vec<Report>, AppError> {
    let mut out = Vec::new();
    ledger.fold_all(Kind::Report, KnownOn::NOW, &mut |r| {
        if let Record::Report(r) = r
            && r.status() == ReportStatus::New
        {
            out.push(r);
        }
    })?;
    Ok(out)
}

/// Brings `waiting` (the reports waiting for triage, oldest first) up to date with the records
/// changed since it was read, `touched`: a report decided leaves it, a new one enters it.
pub fn update_waiting(
    ledger: &mut Ledger,
    waiting: &mut Vec<Report>,
    touched: &[Subject],
) -> Result<(), AppError> {
    for s in touched.iter().filter(|s| s.kind == Kind::Report) {
        let at = waiting.binary_search_by_key(&s.id, |r| r.id.0);
        if let Ok(i) = at {
            waiting.remove(i);
        }
        if let Some(Record::Report(r)) = ledger.get(*s)?
            && r.status() == ReportStatus::New
        {
            let i = waiting.partition_point(|w| w.id.0 < s.id);
            waiting.insert(i, r);
        }
    }
    Ok(())
}

/// The other reports among `waiting` that name the same person as `r` (the same name, accents
/// and case aside, or the same cédula): a family that sent its form twice, or two volunteers
/// who heard of the same arrest. Decide one, then attach the others to it.
pub fn same_person_waiting(waiting: &[Report], r: &Report) -> Vec<Report> {
    let Some(d) = &r.details else {
        return Vec::new();
    };
    let name = vigilia_core::text::fold(&d.identity().full_name());
    let id = d.national_id;
    if name.is_empty() && id.is_none() {
        return Vec::new();
    }
    waiting
        .iter()
        .filter(|o| o.id != r.id)
        .filter(|o| {
            o.details.as_ref().is_some_and(|od| {
                (id.is_some() && od.national_id == id)
                    || (!name.is_empty()
                        && vigilia_core::text::fold(&od.identity().full_name()) == name)
            })
        })
        .cloned()
        .collect()
}

/// The reports made for the other people report `r` named (none when it named nobody else).
pub fn named_with(ledger: &mut Ledger, r: &Report) -> Result<Vec<Report>, AppError> {
    let mut out = Vec::new();
    if !r.details.as_ref().is_some_and(|d| d.names_others) {
        return Ok(out);
    }
    ledger.fold_all(Kind::Report, KnownOn::NOW, &mut |x| {
        if let Record::Report(x) = x
            && x.details.as_ref().and_then(|d| d.named_with) == Some(r.id)
        {
            out.push(x);
        }
    })?;
    Ok(out)
}

/// A report as it stands now.
pub fn report(ledger: &mut Ledger, id: ReportId) -> Result<Report, AppError> {
    match ledger.get(id.into())? {
        Some(Record::Report(r)) => Ok(r),
        _ => Err(AppError::NotFound(id.into())),
    }
}

/// A report still waiting for triage, as it stands in this transaction.
fn still_new(tx: &mut Tx<'_>, id: ReportId) -> Result<Report, AppError> {
    match tx.get(id.into())? {
        Some(Record::Report(r)) if r.status() == ReportStatus::New => Ok(r.clone()),
        Some(Record::Report(_)) => Err(AppError::AlreadyReviewed(id)),
        _ => Err(AppError::NotFound(id.into())),
    }
}

/// One way of writing the facts of a triage decision: who, when, citing what.
struct Writer<'a> {
    actor: &'a str,
    today: Day,
}

impl Writer<'_> {
    fn append(
        &self,
        tx: &mut Tx<'_>,
        subject: impl Into<vigilia_core::ids::Subject>,
        change: Change,
        sources: Vec<SourceId>,
    ) -> Result<u64, AppError> {
        Ok(tx.append(Draft {
            recorded_on: self.today,
            actor: self.actor.to_string(),
            subject: subject.into(),
            change,
            sources,
        })?)
    }

    /// The source a report becomes when it is accepted: how far it can be trusted by who sent
    /// it.
    fn source(&self, tx: &mut Tx<'_>, r: &Report) -> Result<SourceId, AppError> {
        let s = SourceId(tx.new_id(Kind::Source));
        let reliability = match r.channel {
            Channel::Lawyer | Channel::Official => Reliability::Probable,
            _ => Reliability::Unverified,
        };
        let change = Change::SourceRecorded {
            title: format!("report:{}", r.id.0),
            reliability,
            report: Some(r.id),
            link: None,
            file: None,
        };
        self.append(tx, s, change, vec![])?;
        Ok(s)
    }

    /// Opens a detention for `person` from the report (under study until a lawyer decides).
    fn open_detention(
        &self,
        tx: &mut Tx<'_>,
        r: &Report,
        person: PersonId,
        previous: Option<DetentionId>,
        group: Option<GroupId>,
        s: SourceId,
    ) -> Result<DetentionId, AppError> {
        let arrest = arrest_of(r)?;
        let steps = r
            .details
            .as_ref()
            .and_then(|d| d.facility.clone())
            .map(|f| Dated {
                date: None,
                what: Step::Custody(Custody::Held { facility: Some(f) }),
            })
            .into_iter()
            .collect();
        let d = DetentionId(tx.new_id(Kind::Detention));
        let change = Change::DetentionOpened {
            person,
            reference: None,
            arrest,
            steps,
            recognition: Some(Recognition {
                status: RecognitionStatus::UnderStudy,
                category: None,
                reviewer: Some(self.actor.to_string()),
                reason: None,
                criteria: vec![],
            }),
            notes: None,
            group,
            previous,
        };
        self.append(tx, d, change, vec![s])?;
        Ok(d)
    }

    /// A new person for the one the report names (by a name, a surname or a cédula), with the
    /// consent the reporter gave; none when it names nobody (a group's count alone).
    fn person_named(
        &self,
        tx: &mut Tx<'_>,
        r: &Report,
        s: SourceId,
    ) -> Result<Option<PersonId>, AppError> {
        let details = r.details.clone().unwrap_or_default();
        if !details.names_someone() {
            return Ok(None);
        }
        let identity = details.identity();
        let p = PersonId(tx.new_id(Kind::Person));
        let change = Change::PersonStated {
            reference: None,
            identity,
            disclosure: Some(r.consent),
            cleared: vec![],
            reason: None,
        };
        self.append(tx, p, change, vec![s])?;
        Ok(Some(p))
    }

    /// The report is about detention `d`; the match cites the source the report became.
    fn matched(
        &self,
        tx: &mut Tx<'_>,
        r: &Report,
        d: DetentionId,
        s: SourceId,
    ) -> Result<(), AppError> {
        self.append(tx, r.id, Change::ReportMatched { detention: d }, vec![s])?;
        Ok(())
    }

    /// The person of `d` takes what the report says of them that their record does not
    /// ([`fills`]).
    fn fill(
        &self,
        tx: &mut Tx<'_>,
        r: &Report,
        d: DetentionId,
        s: SourceId,
    ) -> Result<(), AppError> {
        let Some(Record::Detention(detention)) = tx.get(d.into())?.cloned() else {
            return Ok(());
        };
        let Some(Record::Person(p)) = tx.get(detention.person.into())?.cloned() else {
            return Ok(());
        };
        let identity = fills(r, &p);
        if identity == Identity::default() {
            return Ok(());
        }
        let change = Change::PersonStated {
            reference: None,
            identity,
            disclosure: None,
            cleared: vec![],
            reason: None,
        };
        self.append(tx, p.id, change, vec![s])?;
        Ok(())
    }

    /// The person of `d` takes the report's consent when it is stricter ([`narrows`]).
    fn narrow_consent(
        &self,
        tx: &mut Tx<'_>,
        r: &Report,
        d: DetentionId,
        s: SourceId,
    ) -> Result<(), AppError> {
        let Some(p) = person_of(tx, d)? else {
            return Ok(());
        };
        if !narrows(r, &p) {
            return Ok(());
        }
        let given_by = match r.channel {
            Channel::Family => Some(ConsentGiver::Family),
            Channel::Lawyer => Some(ConsentGiver::Lawyer),
            _ => None,
        };
        let change = Change::DisclosureSet {
            level: r.consent,
            given_by,
        };
        self.append(tx, p.id, change, vec![s])?;
        Ok(())
    }
}

/// Whether attaching report `r` to person `p` narrows what may be published of `p` to the
/// report's consent: a family that asks for initials, or to be counted only, is not overridden
/// by an earlier report's consent to a name (as the strictest consent of merged records is the
/// one published, [`crate::public::published_person`]). Only a report that names the person
/// as its own and comes from those who speak for them does so: the family (on the public form
/// or on the phone), their lawyer, a volunteer who took the family's word. Not a report with no
/// name (a group's count), nor a person named among others in someone else's report (the
/// reporter speaks for their own relative, not for the others), nor a partner's list (counted
/// only, `import list`), nor the press, social media or an official source (the recorder's
/// caution): none of them withdraws what the family gave. A wider consent takes a
/// coordinator's decision on the person's page. The triage page says it before the attach.
pub fn narrows(r: &Report, p: &Person) -> bool {
    let speaks_for_them = matches!(
        r.channel,
        Channel::Family | Channel::Lawyer | Channel::Volunteer
    ) && r.list.is_none();
    let names_them_as_its_own =
        (r.details.as_ref()).is_some_and(|d| d.named_with.is_none() && d.names_someone());
    speaks_for_them && names_them_as_its_own && asks_stricter(r, p)
}

/// What report `r` says of person `p` that `p`'s record does not: sex, birth date. A
/// coordinator's attach records them on the person, citing the report; the triage page says it
/// first. Nothing is filled from a report that contradicts the record (another sex, a birth
/// date or a cédula that cannot be theirs: then it may be someone else), from a partner's list
/// (attached without anyone looking), or into a person merged into another (a split must give
/// each record back as it was). A cédula is never filled: it identifies, and goes in by the
/// correction on the person's page, by someone who saw it ([`offers_national_id`]).
pub fn fills(r: &Report, p: &Person) -> Identity {
    let Some(d) = &r.details else {
        return Identity::default();
    };
    let was = &p.identity;
    let disjoint = |a: PartialDate, b: PartialDate| {
        a.last_day() < b.first_day() || b.last_day() < a.first_day()
    };
    let contradicts = d.sex.zip(was.sex).is_some_and(|(a, b)| a != b)
        || (d.national_id.zip(was.national_id)).is_some_and(|(a, b)| a.number != b.number)
        || (d.birth_date.zip(was.birth_date)).is_some_and(|(a, b)| disjoint(a, b));
    if contradicts || r.list.is_some() || p.merged_into.is_some() {
        return Identity::default();
    }
    Identity {
        sex: d.sex.filter(|_| was.sex.is_none()),
        // Not one that makes a child or a centenarian of the one arrested (a year typed `20`).
        birth_date: d.birth_date.filter(|b| {
            was.birth_date.is_none()
                && d.arrest_date
                    .is_none_or(|a| crate::identity::age_at_arrest(*b, a).is_none())
        }),
        ..Identity::default()
    }
}

/// The cédula report `r` gives for person `p`, whose record has none: the triage page points
/// to the person's page to add it, once someone has seen it.
pub fn offers_national_id(r: &Report, p: &Person) -> Option<vigilia_core::national_id::NationalId> {
    let reported = r.details.as_ref()?.national_id?;
    (p.identity.national_id.is_none() && r.list.is_none()).then_some(reported)
}

/// Whether report `r` asks that less be published of person `p` than is now, whether or not
/// it [`narrows`] it: the triage page says which.
pub fn asks_stricter(r: &Report, p: &Person) -> bool {
    r.consent != p.disclosure && crate::public::stricter(r.consent, p.disclosure) == r.consent
}

/// The person detention `d` is of, as published: the one they were merged into, if they were.
fn person_of(tx: &mut Tx<'_>, d: DetentionId) -> Result<Option<Person>, AppError> {
    let Some(Record::Detention(detention)) = tx.get(d.into())?.cloned() else {
        return Ok(None);
    };
    let Some(Record::Person(p)) = tx.get(detention.person.into())?.cloned() else {
        return Ok(None);
    };
    let Some(into) = p.merged_into else {
        return Ok(Some(p));
    };
    Ok(match tx.get(into.into())? {
        Some(Record::Person(survivor)) => Some(survivor.clone()),
        _ => Some(p),
    })
}

/// The arrest a report states; its date must be known at least to the year.
fn arrest_of(r: &Report) -> Result<Arrest, AppError> {
    let d = r.details.clone().unwrap_or_default();
    let date: PartialDate = d.arrest_date.ok_or(AppError::NoArrestDate(r.id))?;
    Ok(Arrest {
        date,
        state: d.state,
        municipality: None,
        agency: d.agency,
        circumstances: d.place,
        context: vec![],
        minor: None,
    })
}

/// Accepts a report as a new person and detention (and, for a group, the group detention);
/// a group report without a name gives no detention.
pub fn accept_new(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ReportId,
) -> Result<Option<DetentionId>, AppError> {
    let actor = &acting_as(tx, actor, &[Role::Coordinator])?;
    let r = still_new(tx, id)?;
    let w = Writer {
        actor: &actor.name,
        today: tx.today()?,
    };
    // A person named together with others of one arrest joins their group (made now by the
    // first of them decided).
    if let Some(g) = family_group(tx, &w, &r)? {
        return attach_to_group(tx, &w, &r, g);
    }
    let details = r.details.clone().unwrap_or_default();
    let s = w.source(tx, &r)?;
    let group = match details.count {
        Some(count) if count > 1 => {
            let g = GroupId(tx.new_id(Kind::Group));
            let change = Change::GroupRecorded {
                reference: None,
                arrest: arrest_of(&r)?,
                count,
            };
            w.append(tx, g, change, vec![s])?;
            w.append(tx, r.id, Change::ReportGrouped { group: g }, vec![])?;
            Some(g)
        }
        _ => None,
    };
    let Some(p) = w.person_named(tx, &r, s)? else {
        return Ok(None);
    };
    let d = w.open_detention(tx, &r, p, None, group, s)?;
    match group {
        Some(g) => {
            w.append(
                tx,
                g,
                Change::GroupMemberIdentified { detention: d },
                vec![s],
            )?;
        }
        None => w.matched(tx, &r, d, s)?,
    }
    Ok(Some(d))
}

/// What a report is attached to: a detention already registered, a person already registered
/// who was arrested again, or a group detention already registered (another report of the
/// same arrest of many).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachTo {
    Detention(DetentionId),
    Person(PersonId),
    Group(GroupId),
}

impl AttachTo {
    /// From a form that names one of them (the group, then the detention, when several are).
    pub fn chosen(
        person: Option<u64>,
        detention: Option<u64>,
        group: Option<u64>,
    ) -> Result<AttachTo, AppError> {
        match (group, detention, person) {
            (Some(g), _, _) => Ok(AttachTo::Group(GroupId(g))),
            (None, Some(d), _) => Ok(AttachTo::Detention(DetentionId(d))),
            (None, None, Some(p)) => Ok(AttachTo::Person(PersonId(p))),
            (None, None, None) => Err(AppError::NothingChosen),
        }
    }
}

/// The group detentions a report may also be about: arrested on a day both dates allow, in the
/// same state when both say it; those of the same agency first, then the nearest in size. A
/// second report of "47 detained at the rally" is offered the group the first one made, so
/// that the 47 are counted once.
pub fn group_candidates(groups: &[GroupDetention], r: &Report) -> Vec<GroupDetention> {
    let Some(d) = &r.details else {
        return Vec::new();
    };
    let Some(date) = d.arrest_date else {
        return Vec::new();
    };
    let mut found: Vec<GroupDetention> = groups
        .iter()
        .filter(|g| {
            let same_days = g.arrest.date.first_day() <= date.last_day()
                && date.first_day() <= g.arrest.date.last_day();
            let same_state = match (&g.arrest.state, &d.state) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            same_days && same_state && g.count > 0
        })
        .cloned()
        .collect();
    let agency = |g: &GroupDetention| {
        let same = matches!((&g.arrest.agency, &d.agency), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
        !same
    };
    let size = |g: &GroupDetention| d.count.unwrap_or(1).abs_diff(g.count);
    found.sort_by_key(|g| (agency(g), size(g), g.id));
    found.truncate(5);
    found
}

/// Every group detention, as it stands (what [`group_candidates`] chooses from).
pub fn groups(ledger: &mut Ledger) -> Result<Vec<GroupDetention>, AppError> {
    let mut out = Vec::new();
    ledger.fold_all(Kind::Group, KnownOn::NOW, &mut |g| {
        if let Record::Group(g) = g {
            out.push(g);
        }
    })?;
    Ok(out)
}

/// Attaches a report to an existing detention, or opens a new detention of an existing person
/// (linked to their last one: the revolving door).
pub fn attach(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ReportId,
    to: AttachTo,
) -> Result<Option<DetentionId>, AppError> {
    let actor = &acting_as(tx, actor, &[Role::Coordinator])?;
    let r = still_new(tx, id)?;
    let w = Writer {
        actor: &actor.name,
        today: tx.today()?,
    };
    match to {
        AttachTo::Detention(d) => {
            let Some(Record::Detention(detention)) = tx.get(d.into())?.cloned() else {
                return Err(AppError::NotFound(d.into()));
            };
            // A person named with others of one arrest, already registered for it: a member of
            // the family's group (counted there once), never of another.
            let family = if is_family(&r) {
                let g = family_group(tx, &w, &r)?;
                let in_group = |g: GroupId, tx: &mut Tx<'_>| -> Result<bool, AppError> {
                    Ok(
                        matches!(tx.get(g.into())?, Some(Record::Group(x)) if x.identified.contains(&d)),
                    )
                };
                if let (Some(g), Some(other)) = (g, detention.group)
                    && other != g
                    && !in_group(g, tx)?
                {
                    return Err(AppError::InAnotherGroup {
                        detention: d,
                        group: other,
                    });
                }
                g
            } else {
                None
            };
            let s = w.source(tx, &r)?;
            if let Some(g) = family {
                w.append(tx, r.id, Change::ReportGrouped { group: g }, vec![])?;
                add_member(tx, &w, &r, g, d, s)?;
            }
            w.matched(tx, &r, d, s)?;
            w.narrow_consent(tx, &r, d, s)?;
            w.fill(tx, &r, d, s)?;
            Ok(Some(d))
        }
        AttachTo::Group(g) => {
            // The people of one report are in one group: not in another.
            if is_family(&r)
                && let Some(mine) = existing_family_group(tx, &r)?
                && mine != g
            {
                return Err(AppError::InAnotherGroup {
                    detention: DetentionId(0),
                    group: mine,
                });
            }
            attach_to_group(tx, &w, &r, g)
        }
        AttachTo::Person(p) => {
            match tx.get(p.into())? {
                Some(Record::Person(person)) => {
                    if let Some(into) = person.merged_into {
                        return Err(AppError::TargetMerged { person: p, into });
                    }
                }
                _ => return Err(AppError::NotFound(p.into())),
            }
            let previous = tx
                .children(Kind::Detention, p.0)?
                .iter()
                .filter_map(|d| match d {
                    Record::Detention(d) => Some(d.id),
                    _ => None,
                })
                .max();
            // Arrested again with others named in one report: a member of their group.
            let group = family_group(tx, &w, &r)?;
            let s = w.source(tx, &r)?;
            let d = w.open_detention(tx, &r, p, previous, group, s)?;
            match group {
                Some(g) => {
                    w.append(tx, r.id, Change::ReportGrouped { group: g }, vec![])?;
                    add_member(tx, &w, &r, g, d, s)?;
                }
                None => w.matched(tx, &r, d, s)?,
            }
            w.narrow_consent(tx, &r, d, s)?;
            w.fill(tx, &r, d, s)?;
            Ok(Some(d))
        }
    }
}

/// The root of a report's family: the report that named several people of one arrest.
fn root_of(r: &Report) -> ReportId {
    r.details
        .as_ref()
        .and_then(|d| d.named_with)
        .unwrap_or(r.id)
}

/// Whether a report is one of a family: it named others of its arrest, or was named with them.
fn is_family(r: &Report) -> bool {
    r.details
        .as_ref()
        .is_some_and(|d| d.named_with.is_some() || d.names_others)
}

/// The group detention a report's family was filed under, if one of them was decided.
fn existing_family_group(tx: &mut Tx<'_>, r: &Report) -> Result<Option<GroupId>, AppError> {
    let root = root_of(r);
    let mut found = None;
    tx.fold_all(Kind::Report, KnownOn::NOW, &mut |x| {
        if let Record::Report(x) = x
            && found.is_none()
            && (x.id == root || x.details.as_ref().and_then(|d| d.named_with) == Some(root))
        {
            found = x.group;
        }
    })?;
    Ok(found)
}

/// The group detention of the people one report named together: the one their first decided
/// report was filed under, or, for the first of them, a new one: of the count the reporter
/// typed or, without one, of the people identified (it grows as each joins, and a line
/// rejected or found to be someone already named leaves nobody counted twice). `None` for a
/// report of no family.
fn family_group(tx: &mut Tx<'_>, w: &Writer<'_>, r: &Report) -> Result<Option<GroupId>, AppError> {
    if !is_family(r) {
        return Ok(None);
    }
    if let Some(g) = existing_family_group(tx, r)? {
        return Ok(Some(g));
    }
    let g = GroupId(tx.new_id(Kind::Group));
    let count = r.details.as_ref().and_then(|d| d.count).unwrap_or(1).max(1);
    let s = w.source(tx, r)?;
    let change = Change::GroupRecorded {
        reference: None,
        arrest: arrest_of(r)?,
        count,
    };
    w.append(tx, g, change, vec![s])?;
    Ok(Some(g))
}

/// Identifies detention `d` as a member of group `g` (by report `r`), once; a group whose
/// members are all named then counts them all.
fn add_member(
    tx: &mut Tx<'_>,
    w: &Writer<'_>,
    r: &Report,
    g: GroupId,
    d: DetentionId,
    s: SourceId,
) -> Result<(), AppError> {
    let group = match tx.get(g.into())? {
        Some(Record::Group(group)) => group.clone(),
        _ => return Err(AppError::NotFound(g.into())),
    };
    if group.identified.contains(&d) {
        return Ok(());
    }
    w.append(
        tx,
        g,
        Change::GroupMemberIdentified { detention: d },
        vec![s],
    )?;
    let identified = group.identified.len() as u32 + 1;
    if identified > group.count {
        let reason = Some(format!("según el reporte {}", r.id.0));
        let change = Change::GroupCountCorrected {
            count: identified,
            reason,
        };
        w.append(tx, g, change, vec![s])?;
    }
    Ok(())
}

/// Files a report under a group detention already registered: it becomes a source of the
/// group; the person it names (if any) is a new member of the group, not a new event; and a
/// report that counts more people detained than the group says corrects its count (a fact).
/// Whatever order the reports come in, the people of one arrest are counted once. Answers the
/// detention of the person named (none for a report without a name).
fn attach_to_group(
    tx: &mut Tx<'_>,
    w: &Writer<'_>,
    r: &Report,
    g: GroupId,
) -> Result<Option<DetentionId>, AppError> {
    let group = match tx.get(g.into())? {
        Some(Record::Group(group)) => group.clone(),
        _ => return Err(AppError::NotFound(g.into())),
    };
    let s = w.source(tx, r)?;
    w.append(tx, r.id, Change::ReportGrouped { group: g }, vec![])?;
    let details = r.details.clone().unwrap_or_default();
    // The group's history says why its count moved (the organisation's language).
    if let Some(count) = details.count.filter(|c| *c > group.count) {
        let reason = Some(format!("según el reporte {}", r.id.0));
        w.append(
            tx,
            g,
            Change::GroupCountCorrected { count, reason },
            vec![s],
        )?;
    }
    let Some(p) = w.person_named(tx, r, s)? else {
        return Ok(None);
    };
    let d = w.open_detention(tx, r, p, None, Some(g), s)?;
    add_member(tx, w, r, g, d, s)?;
    Ok(Some(d))
}

/// Rejects a new report, saying why (the reason stays on the record).
pub fn reject(tx: &mut Tx<'_>, actor: &Actor, id: ReportId, reason: &str) -> Result<(), AppError> {
    let actor = &acting_as(tx, actor, &[Role::Coordinator])?;
    let reason = crate::records::reason_needed(reason)?;
    still_new(tx, id)?;
    let today = tx.today()?;
    let w = Writer {
        actor: &actor.name,
        today,
    };
    w.append(tx, id, Change::ReportRejected { reason }, vec![])?;
    Ok(())
}

/// Assigns a report to an active account (a lawyer then sees its case).
pub fn assign(tx: &mut Tx<'_>, actor: &Actor, id: ReportId, to: &str) -> Result<(), AppError> {
    let actor = &acting_as(tx, actor, &[Role::Coordinator])?;
    let to = to.trim();
    if !matches!(tx.get(id.into())?, Some(Record::Report(_))) {
        return Err(AppError::NotFound(id.into()));
    }
    active_account(tx, to)?;
    let w = Writer {
        actor: &actor.name,
        today: tx.today()?,
    };
    let change = Change::ReportAssigned { to: to.to_string() };
    w.append(tx, id, change, vec![])?;
    Ok(())
}

/// An account that is not revoked, by name, as it stands in this transaction.
pub fn active_account(tx: &mut Tx<'_>, name: &str) -> Result<Account, AppError> {
    match tx.by_reference(Kind::Account, name)? {
        Some(Record::Account(a)) if a.revoked.is_none() => Ok(a),
        _ => Err(AppError::NoActiveAccount(name.to_string())),
    }
}
