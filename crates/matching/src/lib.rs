//! Vigilia's matching: one person, many reports.
//!
//! This crate will hold name normalisation for Hispanic names (two surnames, particles,
//! compound given names, nicknames), a Spanish phonetic key, cédula comparison with typo
//! tolerance, blocking, learned scores and clustering (DESIGN.md, "Matching"). It depends only
//! on `vigilia-core`: it reads persons and reports and proposes merges, which the ledger records
//! as facts. Nothing is in it yet; the foundation only fixes where it stands.
