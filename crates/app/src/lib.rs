//! Vigilia's use cases, each written once: triage, records and legal steps, merges, … The web
//! and the command line only parse what a person typed, call these, and render what comes back.
//!
//! A use case takes who acts ([`Actor`]), the registry (a [`Tx`] for what writes, so every
//! check that guards a write reads the state inside that write's transaction), and returns a
//! typed [`AppError`] that the one message catalogue ([`messages`]) says in Spanish and
//! English. Nothing here knows HTTP or the terminal, and nothing reads the clock: "today" is the
//! day the transaction began, by the registry's country profile.
//!
//! [`Tx`]: vigilia_ledger::Tx

pub mod accounts;
pub mod actor;
pub mod alerts;
pub mod anchors;
pub mod backup;
pub mod certify;
pub mod counting;
pub mod credentials;
pub mod dedupe;
pub mod digest;
pub mod error;
pub mod estimates;
pub mod export;
pub mod fields;
pub mod identity;
pub mod import;
pub mod intake;
pub mod keys;
pub mod lists;
pub mod merges;
pub mod messages;
pub mod persons;
pub mod places;
pub mod public;
pub mod publication;
pub mod records;
pub mod registry;
pub mod release;
pub mod reports;
pub mod search;
pub mod sessions;
pub mod signed;
pub mod submissions;
pub mod triage;

pub use actor::Actor;
pub use error::AppError;
pub use fields::{FieldErrors, Problem};
pub use intake::{Incoming, ReportForm};
pub use registry::{Registry, write};
