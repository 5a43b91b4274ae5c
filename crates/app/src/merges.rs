//! Two records of one person made one: compared side by side (the fields that differ marked),
//! the consent to publish decided by a coordinator when the two disagree, and undone when they
//! were not the same person. Neither record's identity is rewritten: the survivor's page shows
//! every detention, its own and those of the persons merged into it, and their names.

use vigilia_core::fact::Change;
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::{Kind, PersonId};
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::{Detention, Disclosure, Person, Role};
use vigilia_ledger::{Ledger, Tx};

use crate::actor::{Actor, acting_as};
use crate::error::AppError;
use crate::fields::{FieldErrors, Problem};
use crate::records::{detentions_of, reason_needed, record};

/// One line of a comparison: what it is, each side's value (Spanish, English; empty when not
/// known), and whether they differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub label: (&'static str, &'static str),
    pub survivor: (String, String),
    pub other: (String, String),
    pub differs: bool,
}

/// Two persons side by side before one is merged into the other (the survivor).
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The person merged away, and the one that stays.
    pub other: Person,
    pub survivor: Person,
    pub lines: Vec<Line>,
    pub other_detentions: Vec<Detention>,
    pub survivor_detentions: Vec<Detention>,
    /// The two were given different consents: a coordinator must say which stands.
    pub consent_conflict: bool,
    /// Both have a cédula, and they differ: almost always two people.
    pub different_ids: bool,
}

/// A value in both languages.
fn both<T: Localize>(x: &T) -> (String, String) {
    (x.localize(Lang::Es), x.localize(Lang::En))
}

fn same(x: String) -> (String, String) {
    (x.clone(), x)
}

/// The fields a comparison shows, each side in words.
fn lines(survivor: &Person, other: &Person) -> Vec<Line> {
    type Field = fn(&Person) -> (String, String);
    let fields: [((&str, &str), Field); 11] = [
        (("Nombres", "Given names"), |p| {
            same(p.identity.given_names.clone().unwrap_or_default())
        }),
        (("Primer apellido", "First surname"), |p| {
            same(p.identity.paternal_surname.clone().unwrap_or_default())
        }),
        (("Segundo apellido", "Second surname"), |p| {
            same(p.identity.maternal_surname.clone().unwrap_or_default())
        }),
        (("Otros nombres", "Other names"), |p| {
            same(p.identity.aliases.join(", "))
        }),
        (("Cédula", "ID number"), |p| {
            same(
                p.identity
                    .national_id
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            )
        }),
        (("Sexo", "Sex"), |p| {
            p.identity.sex.as_ref().map(both).unwrap_or_default()
        }),
        (("Nacimiento", "Born"), |p| {
            p.identity
                .birth_date
                .map(|d| (d.short(Lang::Es), d.short(Lang::En)))
                .unwrap_or_default()
        }),
        (("Civil o militar", "Civilian or military"), |p| {
            p.identity.service.as_ref().map(both).unwrap_or_default()
        }),
        (("Ocupación", "Occupation"), |p| {
            same(p.identity.occupation.clone().unwrap_or_default())
        }),
        (("Referencia", "Reference"), |p| {
            same(p.reference.clone().unwrap_or_default())
        }),
        (("Publicación", "Disclosure"), |p| both(&p.disclosure)),
    ];
    fields
        .into_iter()
        .map(|(label, of)| {
            let (s, o) = (of(survivor), of(other));
            // Each record has its own reference: that they differ says nothing. A value one
            // side lacks is not a disagreement (the table says it is not known there).
            let known = !s.0.is_empty() && !o.0.is_empty();
            let differs = known && s != o && label.0 != "Referencia";
            Line {
                label,
                differs,
                survivor: s,
                other: o,
            }
        })
        .collect()
}

/// A person as it stands, or not found.
fn person(ledger: &mut Ledger, id: PersonId) -> Result<Person, AppError> {
    match ledger.get(id.into())? {
        Some(Record::Person(p)) => Ok(p),
        _ => Err(AppError::NotFound(id.into())),
    }
}

/// Person `id` and person `into` side by side, for a coordinator deciding whether `id` is the
/// same person as `into`.
pub fn compare(
    ledger: &mut Ledger,
    actor: &Actor,
    id: PersonId,
    into: PersonId,
) -> Result<Comparison, AppError> {
    if actor.role != Role::Coordinator {
        return Err(AppError::Forbidden(id.into()));
    }
    if id == into {
        return Err(AppError::MergeIntoItself(id));
    }
    let other = person(ledger, id)?;
    let survivor = person(ledger, into)?;
    Ok(Comparison {
        lines: lines(&survivor, &other),
        consent_conflict: other.disclosure != survivor.disclosure,
        different_ids: matches!(
            (other.identity.national_id, survivor.identity.national_id),
            (Some(a), Some(b)) if a != b
        ),
        other_detentions: detentions_of(ledger, id)?,
        survivor_detentions: detentions_of(ledger, into)?,
        other,
        survivor,
    })
}

/// Records that person `id` is the same as `into` (both exist, neither is merged already),
/// saying why. When their consents to publish differ, `consent` must say which stands (else
/// the field's problem is returned and nothing is written), and the survivor takes it. Nothing
/// else of either record changes, so that a split gives back the two records as they were;
/// the survivor's page shows the other's detentions and names.
pub fn merge(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: PersonId,
    into: PersonId,
    reason: &str,
    consent: Option<Disclosure>,
) -> Result<(), AppError> {
    let actor = &acting_as(tx, actor, &[Role::Coordinator])?;
    if id == into {
        return Err(AppError::MergeIntoItself(id));
    }
    let p = person_tx(tx, id)?;
    let target = person_tx(tx, into)?;
    if let Some(other) = p.merged_into {
        return Err(AppError::AlreadyMerged {
            person: id,
            into: other,
        });
    }
    if let Some(other) = target.merged_into {
        return Err(AppError::TargetMerged {
            person: into,
            into: other,
        });
    }
    // Every mistake of the form at once: the reason, and the consent when the two differ.
    let mut errors = FieldErrors::default();
    let reason = reason_needed(reason).ok();
    if reason.is_none() {
        errors.add("reason", Problem::SayWhy);
    }
    // The consent that stands is one the families gave: when the two agree, theirs (whatever
    // the form sends); when they differ, one of the two, chosen.
    let disclosure = match consent {
        _ if p.disclosure == target.disclosure => target.disclosure,
        Some(c) if c == p.disclosure || c == target.disclosure => c,
        _ => {
            errors.add("consent", Problem::ChooseWhichConsent);
            target.disclosure
        }
    };
    let Some(reason) = reason.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    // A person that others were merged into is merged itself only once they are split (or
    // merged into the same one): no chain hides a person behind another.
    let mut has_merged = false;
    tx.fold_all(Kind::Person, KnownOn::NOW, &mut |r| {
        if let Record::Person(x) = r
            && x.merged_into == Some(id)
        {
            has_merged = true;
        }
    })?;
    if has_merged {
        return Err(AppError::HasMergedPersons(id));
    }
    let consent = (disclosure != target.disclosure).then_some([target.disclosure, disclosure]);
    let change = Change::MergedInto {
        into,
        reason,
        consent,
    };
    record(tx, actor, id, change)?;
    if consent.is_some() {
        record(
            tx,
            actor,
            into,
            Change::DisclosureSet {
                level: disclosure,
                given_by: None,
            },
        )?;
    }
    Ok(())
}

/// Undoes a merge: the person is separate again, and neither is published more than while
/// they were one. The consent the merge chose for the one it was merged into goes back to what
/// it was only when that is as strict or stricter, and the one merged away takes the merged
/// consent when that is stricter than its own: a family may have asked for the stricter while
/// they were one, by a report that changed nothing then (it was already the one published), and
/// that request is not lost by the split. `Ok(true)` says a stricter consent than a family's
/// own stays, for a coordinator to widen on the person's page when the family agrees.
pub fn unmerge(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: PersonId,
    reason: &str,
) -> Result<bool, AppError> {
    let actor = &acting_as(tx, actor, &[Role::Coordinator])?;
    // Whether there is anything to undo comes first: a page shown after another coordinator
    // undid the merge has no field for the reason to stand by.
    let p = person_tx(tx, id)?;
    let Some(into) = p.merged_into else {
        return Err(AppError::NotMerged(id));
    };
    let reason = reason_needed(reason)?;
    record(tx, actor, id, Change::MergeUndone { reason })?;
    let merged = person_tx(tx, into)?.disclosure;
    let set = |tx: &mut Tx<'_>, who: PersonId, level: Disclosure| {
        let change = Change::DisclosureSet {
            level,
            given_by: None,
        };
        record(tx, actor, who, change)
    };
    let mut stricter_stays = false;
    if crate::public::stricter(merged, p.disclosure) != p.disclosure {
        set(tx, id, merged)?;
        stricter_stays = true;
    }
    // The consent the merge chose goes back to what it was, unless changed since or wider.
    if let Some([before, after]) = p.merge_consent
        && merged == after
    {
        if crate::public::stricter(before, after) == before {
            set(tx, into, before)?;
        } else {
            stricter_stays = true;
        }
    }
    Ok(stricter_stays)
}

/// A person as it stands in this transaction.
fn person_tx(tx: &mut Tx<'_>, id: PersonId) -> Result<Person, AppError> {
    match tx.get(id.into())? {
        Some(Record::Person(p)) => Ok(p.clone()),
        _ => Err(AppError::NotFound(id.into())),
    }
}

/// The persons merged into `id` (directly), by number.
pub fn merged_into(
    ledger: &mut Ledger,
    id: PersonId,
    index: &crate::search::SearchIndex,
) -> Result<Vec<Person>, AppError> {
    let mut out = Vec::new();
    for m in index.merged_into(id.0) {
        if let Some(Record::Person(p)) = ledger.get(PersonId(*m).into())?
            && p.merged_into == Some(id)
        {
            out.push(p);
        }
    }
    Ok(out)
}

/// The most look-alikes a person's page offers to compare.
pub const LOOK_ALIKES: usize = 10;

/// Persons who may be the same as `person`, for a coordinator to compare: the same cédula, or
/// the same first given name and first surname (accents aside, or as they sound), not merged.
pub fn look_alikes(
    ledger: &mut Ledger,
    actor: &Actor,
    person: &Person,
    index: &crate::search::SearchIndex,
) -> Result<Vec<Person>, AppError> {
    if actor.role != Role::Coordinator || person.merged_into.is_some() {
        return Ok(Vec::new());
    }
    let i = &person.identity;
    let mut queries = Vec::new();
    if let Some(n) = i.national_id {
        queries.push(n.number.to_string());
    }
    let first = i
        .given_names
        .as_deref()
        .and_then(|g| g.split_whitespace().next());
    if let (Some(g), Some(s)) = (first, i.paternal_surname.as_deref()) {
        queries.push(format!("{g} {s}"));
    }
    let mut out: Vec<Person> = Vec::new();
    for q in queries {
        for p in crate::records::search(ledger, actor, &q, LOOK_ALIKES + 1, index)? {
            if p.id != person.id && p.merged_into.is_none() && !out.iter().any(|o| o.id == p.id) {
                out.push(p);
            }
        }
    }
    out.truncate(LOOK_ALIKES);
    Ok(out)
}
