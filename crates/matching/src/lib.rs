//! Vigilia's matching: one person, many reports (DESIGN.md, "Matching").
//!
//! - [`name`]: Venezuelan names as they are written — accents, particles (`de la`, `De Freitas`),
//!   compound given names, abbreviations (`Ma.`, `José G.`), nicknames (`Goyo`, `Majo`), a
//!   married woman's `de <husband>`, the whole name in one field — read into comparable parts.
//! - [`phonetic`]: a key for Spanish spelling as heard (b/v, s/z/c, ll/y, silent h, j/g, x/j,
//!   `Jhon`/`Yon`), not English Soundex.
//!
//! Candidate search, learned scores and clustering build on these. The crate depends only on
//! `vigilia-core`; merges it proposes are recorded by the ledger as facts.

pub mod dedupe;
pub mod name;
pub mod phonetic;
pub mod report;
