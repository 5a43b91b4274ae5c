//! Vigilia's web application: server-rendered pages (family intake, volunteer reports, triage,
//! records, the balance), the JSON API with its OpenAPI document, sessions and authorisation.
//!
//! It depends on `vigilia-core`, and will reach storage through `vigilia-ledger`, counting
//! through `vigilia-count` and matching through `vigilia-matching`; none of them depends on it.
//! Nothing is in it yet; the foundation only fixes where it stands.
