//! Publication: a balance stored as published, with the ledger position it was computed at
//! and its figures byte for byte, so that it can be reproduced and compared later.

use vigilia_core::fact::{Change, Draft, Publication};
use vigilia_core::ids::{Kind, PublicationId};
use vigilia_count::Balance;
use vigilia_count::when::When;
use vigilia_ledger::Tx;

use crate::error::AppError;

/// Publishes `b`, computed for `when`. Refused when the registry changed between the count and
/// this transaction (the figures would not be those of the position recorded): count again.
pub fn publish(
    tx: &mut Tx<'_>,
    actor: &str,
    b: &Balance,
    when: &When,
) -> Result<PublicationId, AppError> {
    let head = tx.content()?;
    if head.hash.to_string() != b.ledger_head {
        return Err(AppError::CountedBeforeAChange);
    }
    let publication = Publication {
        rules: b.rules.to_string(),
        as_of: when.as_of,
        known_on: when.known_on.0,
        since: when.since,
        ledger_seq: head.facts,
        ledger_head: head.hash.to_string(),
        figures: b.to_json(),
    };
    let id = PublicationId(tx.new_id(Kind::Publication));
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: actor.to_string(),
        subject: id.into(),
        change: Change::BalancePublished(publication),
        sources: vec![],
    })?;
    Ok(id)
}
