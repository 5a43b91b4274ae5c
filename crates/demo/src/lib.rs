//! The seeded generators of synthetic, Venezuela-like data: detentions for a demo registry
//! ([`detentions`], `vigilia demo`) and reports as they reach an organisation, with the truth,
//! to measure matching ([`reports`], `vigilia demo-reports`). How each is made is told in the
//! crate's README. Nothing in them is about real people: names are common Venezuelan given names
//! and surnames drawn at random, cédulas are random numbers.
//!
//! The same seed gives the same rows, on any machine. Nothing here prints, reads the
//! environment or opens a file: the command line does, and calls these.

pub mod channels;
pub mod detentions;
pub mod names;
pub mod places;
pub mod reports;

pub use detentions::{Generator, LAST_DAY};
pub use reports::{Report, Reports, Written};

/// A generated CSV could not be written (to the writer the caller gave).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the detentions could not be written: {0}")]
    Detentions(#[source] csv::Error),
    #[error("the reports could not be written: {0}")]
    Reports(#[source] csv::Error),
    #[error("the truth could not be written: {0}")]
    Truth(#[source] csv::Error),
}

impl Error {
    /// What went wrong, without saying which output.
    pub fn csv(&self) -> &csv::Error {
        match self {
            Error::Detentions(e) | Error::Reports(e) | Error::Truth(e) => e,
        }
    }
}
