//! Vigilia's storage: the append-only ledger of facts and the projections derived from it.
//!
//! [`Ledger`] holds the logic once: sealing facts into the hash chain, folding them into the
//! current-state projection, verifying and rebuilding. An [`Engine`] is only storage, one per
//! database: [`sqlite`] (the default, one file) and [`postgres`]. Which one is chosen by the
//! URL's scheme ([`DatabaseUrl`]).

pub mod backup;
mod engine;
mod error;
mod key;
mod keyring;
mod ledger;
pub mod postgres;
pub mod sqlite;
mod url;
mod worker;

pub use engine::{Committed, Engine, RecordRow};
pub use error::LedgerError;
pub use key::{Secret, create_private};
pub use ledger::{Behind, Head, Ledger, Rebuilt, Tx};
pub use url::DatabaseUrl;
