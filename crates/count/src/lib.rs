//! Vigilia's counting engine: the rules of `foro-penal-1` (DESIGN.md, "Counting rules"),
//! exactly, on an in-memory index of every detention (`index`), never on SQL.
//!
//! - `balance`: the figures for one date, as known now or on a past day, with breakdowns and
//!   the movements of the period before it; with dates known only to the month or the year,
//!   every figure is a pair of bounds (certain, possible).
//! - `series`: the same figures at every step of a period, in one sweep.
//! - `list`: the detentions behind a figure.
//! - `totals`: every figure kept as running totals by day, so a balance reads a few rows.
//! - `stored`: the index kept beside the ledger, so a balance needs no full fold.
//! - `when`: the dates a figure is asked for, read and checked.
//! - `chart`: the revolving-door chart and a balance's breakdowns, as SVG.

pub mod balance;
pub mod chart;
pub mod disclosure;
pub mod index;
pub mod list;
pub mod series;
pub mod stored;
pub mod text;
pub mod timing;
pub mod totals;
pub mod when;
pub mod words;

pub use balance::{Balance, Figure, RULES, balance};
pub use index::{Dim, Index, IndexBuilder};
