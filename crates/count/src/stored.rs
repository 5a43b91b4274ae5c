//! The counting index kept beside the ledger: loaded when it reflects the ledger's head,
//! brought up to date from the records touched since, or folded from every fact.

use std::collections::BTreeSet;

use vigilia_core::fact::Change;
use vigilia_core::ids::{DetentionId, Kind, PersonId, Subject};
use vigilia_ledger::{Head, Ledger, LedgerError, Tx};

use crate::when::When;
use crate::{Balance, Index, IndexBuilder};

/// The name the counting index is saved under.
const SNAPSHOT: &str = "count-index";

/// The counting index of the ledger as it stands: the saved one if it reflects the current
/// head, otherwise brought up to date or folded from the facts, and saved for next time when
/// that was much work.
pub fn current_index(ledger: &mut Ledger) -> Result<Index, LedgerError> {
    let (index, unsaved) = index_of(ledger, false)?;
    if let Some(u) = unsaved {
        ledger.save_snapshot(SNAPSHOT, &u.head, u.data)?;
    }
    Ok(index)
}

/// The counting index and the ledger's content head read just before it was built. A write
/// landing while it is built makes the index newer than the head, never older: whatever is
/// published or signed from it names that head, and is refused when the head has moved (the
/// check every publication makes), never published with figures of another position.
pub fn index_and_head(ledger: &mut Ledger) -> Result<(Index, Head), LedgerError> {
    let head = ledger.content()?;
    let index = current_index(ledger)?;
    Ok((index, head))
}

/// An index worth saving, and the head it reflects.
#[derive(Debug)]
pub struct Unsaved {
    head: Head,
    data: Vec<u8>,
}

/// Saves the index in `tx` (a server saves through its writer, never through a reader).
pub fn save(tx: &mut Tx<'_>, unsaved: &Unsaved) -> Result<(), LedgerError> {
    tx.save_snapshot(SNAPSHOT, &unsaved.head, unsaved.data.clone())
}

/// Below this many records changed since the index was saved, bringing it up to date costs
/// less than saving it again.
const SAVE_FROM: usize = 1_000;

/// The counting index of the ledger as it stands, and, when it cost much work (folded from
/// every fact, many records changed, or its running totals built), the index to save:
/// [`current_index`] without the write. With `totals`, the index keeps its running totals
/// (`Index::precompute`), built if the saved one had none: a server counts often, and loads
/// them with the index next time rather than building them again.
pub fn index_of(
    ledger: &mut Ledger,
    totals: bool,
) -> Result<(Index, Option<Unsaved>), LedgerError> {
    let head = ledger.head()?;
    let saved = ledger.snapshot(SNAPSHOT)?;
    let loaded = saved
        .as_ref()
        .and_then(|s| Index::from_bytes(&s.data).map(|i| (i, &s.touched)));
    let (mut index, changed) = match loaded {
        Some((index, touched)) if touched.is_empty() => (index, 0),
        Some((mut index, touched)) if touched.len() <= UPDATE_AT_MOST => {
            update_index(ledger, &mut index, touched)?;
            (index, touched.len())
        }
        _ => (build_index(ledger, None)?, usize::MAX),
    };
    let built = totals && index.totals.is_none();
    if built {
        index.precompute();
    }
    let unsaved = (changed >= SAVE_FROM || built).then(|| Unsaved {
        head,
        data: index.to_bytes(),
    });
    Ok((index, unsaved))
}

/// Beyond this many changed records a full rebuild is as fast as an update.
const UPDATE_AT_MOST: usize = 50_000;

/// Refolds the records changed since the index was saved (or kept): touched detentions, and
/// every detention of a touched person.
pub fn update_index(
    ledger: &mut Ledger,
    index: &mut Index,
    touched: &[Subject],
) -> Result<(), LedgerError> {
    let persons: std::collections::HashSet<u64> = touched
        .iter()
        .filter(|s| s.kind == Kind::Person)
        .map(|s| s.id)
        .collect();
    let mut group_histories = Vec::new();
    for g in touched.iter().filter(|s| s.kind == Kind::Group) {
        group_histories.push(ledger.changes(*g)?);
    }
    let mut detentions: BTreeSet<u64> = touched
        .iter()
        .filter(|s| s.kind == Kind::Detention)
        .map(|s| s.id)
        .collect();
    detentions.extend(index.detentions_of(&persons));
    let mut detention_histories = Vec::new();
    let mut people = BTreeSet::new();
    for id in detentions {
        let facts = ledger.changes(DetentionId(id).into())?;
        if let Some(Change::DetentionOpened { person, .. }) = facts.first().map(|f| &f.change) {
            people.insert(person.0);
        }
        detention_histories.push(facts);
    }
    let mut person_histories = Vec::new();
    for id in people {
        person_histories.push(ledger.changes(PersonId(id).into())?);
    }
    let profile = ledger.profile()?.clone();
    index.update(
        profile,
        &person_histories,
        &detention_histories,
        &group_histories,
    );
    Ok(())
}

/// Reads every person and detention from the ledger (up to a position, for a published
/// balance) into the counting index.
pub fn build_index(ledger: &mut Ledger, up_to: Option<u64>) -> Result<Index, LedgerError> {
    let mut builder = IndexBuilder::new(ledger.profile()?.clone());
    ledger.for_each_history(Some(Kind::Person), up_to, &mut |_, facts| {
        builder.add_person(&facts);
        Ok(())
    })?;
    ledger.for_each_history(Some(Kind::Detention), up_to, &mut |_, facts| {
        builder.add_detention(&facts);
        Ok(())
    })?;
    ledger.for_each_history(Some(Kind::Group), up_to, &mut |_, facts| {
        builder.add_group(&facts);
        Ok(())
    })?;
    Ok(builder.finish())
}

/// The balance as known on `when`, with the head of the ledger it was computed from (its
/// last fact that was not an audit fact: audit facts change no figure), as read before the
/// index was built ([`index_and_head`]).
pub fn compute(index: &Index, when: &When, head: &Head) -> Balance {
    let mut b = crate::balance(index, when.as_of, when.known_on, when.since);
    b.ledger_head = head.hash.to_string();
    b
}
