//! Vigilia's counting engine: the rules of `foro-penal-1` (DESIGN.md, "Counting rules"),
//! exactly, on an in-memory index of every detention (`index`), never on SQL.
//!
//! - `balance`: the figures for one date, as known now or on a past day, with breakdowns and
//!   the movements of the period before it; with dates known only to the month or the year,
//!   every figure is a pair of bounds (certain, possible).
//! - `series`: the same figures at every step of a period, in one sweep.

pub mod balance;
pub mod index;
pub mod series;

pub use balance::{Balance, Figure, RULES, balance};
pub use index::{Dim, Index, IndexBuilder};
