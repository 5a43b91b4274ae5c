//! The registry's own persons and matching: proposals of persons who may be the same
//! (`vigilia dedupe` without a file), merges and their undoing as facts (`vigilia merge`,
//! `vigilia unmerge`, with who decided and why), and candidates for new reports
//! (`vigilia candidates FILE`).

use std::path::Path;
use std::time::Instant;

use vigilia_app::{Actor, records, write};
use vigilia_core::ids::PersonId;
use vigilia_core::profile::Profile;
use vigilia_matching::dedupe::dedupe;
use vigilia_matching::index::Index;

use crate::Env;
use crate::dedupe::{REVIEW, SURE, evidence, read_reports, write_csv};
use crate::failure::Failure;

/// `vigilia dedupe` on the registry: pairs of persons who may be the same, for review.
pub fn proposals(env: &Env, out: &Path) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let persons = vigilia_app::persons::registered(&mut ledger)?;
    let ids: Vec<(u64, String)> = persons.iter().map(|(id, _, n)| (*id, n.clone())).collect();
    let outcome = dedupe(
        persons.into_iter().map(|(_, r, _)| r).collect(),
        SURE,
        REVIEW,
    );
    let person = |i: usize| ids.get(i).cloned().unwrap_or_default();
    let rows: Vec<Vec<String>> = outcome
        .pairs
        .iter()
        .map(|p| {
            let ((a, an), (b, bn)) = (person(p.left), person(p.right));
            vec![
                a.to_string(),
                an,
                b.to_string(),
                bn,
                format!("{:.4}", p.probability),
                evidence(&outcome.model, &p.comparison),
            ]
        })
        .collect();
    let n = rows.len();
    write_csv(
        out,
        &[
            "person",
            "name",
            "same_as",
            "same_as_name",
            "probability",
            "evidence",
        ],
        rows,
    )?;
    crate::say!(
        "{}",
        env.lang.pick(
            &format!(
                "{} personas: {n} pares que pueden ser la misma persona, en {} (revíselos y use `vigilia merge`)",
                ids.len(),
                out.display()
            ),
            &format!(
                "{} persons: {n} pairs that may be the same person, in {} (review them and use `vigilia merge`)",
                ids.len(),
                out.display()
            ),
        )
    );
    Ok(())
}

/// `vigilia merge PERSON --into OTHER --reason …`: the two are the same person.
pub fn merge(env: &Env, id: u64, into: u64, reason: &str) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let actor = Actor::operator(&env.actor);
    write(&mut ledger, |tx| {
        records::merge(tx, &actor, PersonId(id), PersonId(into), reason)
    })?;
    crate::say!(
        "{}",
        env.lang.pick(
            &format!("persona {id} fusionada con {into} (se deshace con `vigilia unmerge {id}`)"),
            &format!("person {id} merged into {into} (undo with `vigilia unmerge {id}`)"),
        )
    );
    Ok(())
}

/// `vigilia unmerge PERSON --reason …`: the merge was wrong; they are two persons again.
pub fn unmerge(env: &Env, id: u64, reason: &str) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let actor = Actor::operator(&env.actor);
    write(&mut ledger, |tx| {
        records::unmerge(tx, &actor, PersonId(id), reason)
    })?;
    crate::say!(
        "{}",
        env.lang.pick(
            &format!("persona {id} separada de nuevo"),
            &format!("person {id} is separate again")
        )
    );
    Ok(())
}

/// `vigilia candidates FILE --out FILE`: for each report, the registered persons it may be
/// about, best first. The index is built once; each report's search is timed.
pub fn candidates(env: &Env, file: &Path, out: &Path, limit: usize) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let profile: Profile = ledger.profile()?.clone();
    let reports = read_reports(env, file, &profile)?;
    let persons = vigilia_app::persons::registered(&mut ledger)?;
    let names: std::collections::HashMap<u64, String> =
        persons.iter().map(|(id, _, n)| (*id, n.clone())).collect();
    let index = Index::build(persons.into_iter().map(|(id, r, _)| (id, r)).collect());
    let mut latencies = Vec::with_capacity(reports.len());
    let mut lines = Vec::new();
    for r in reports {
        let id = r.id.clone();
        let started = Instant::now();
        let found = index.candidates(r, limit, REVIEW);
        latencies.push(started.elapsed());
        for (rank, c) in found.iter().enumerate() {
            lines.push(vec![
                id.clone(),
                (rank + 1).to_string(),
                c.person.to_string(),
                names.get(&c.person).cloned().unwrap_or_default(),
                format!("{:.4}", c.probability),
                evidence(index.model(), &c.comparison),
            ]);
        }
    }
    let found = lines.len();
    write_csv(
        out,
        &[
            "report_id",
            "rank",
            "person",
            "name",
            "probability",
            "evidence",
        ],
        lines,
    )?;
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    crate::say!(
        "{}",
        env.lang.pick(
            &format!(
                "{} reportes contra {} personas: {found} candidatos; búsqueda p50 {:.2} ms, p99 {:.2} ms",
                latencies.len(),
                index.len(),
                at(0.5),
                at(0.99)
            ),
            &format!(
                "{} reports against {} persons: {found} candidates; search p50 {:.2} ms, p99 {:.2} ms",
                latencies.len(),
                index.len(),
                at(0.5),
                at(0.99)
            ),
        )
    );
    Ok(())
}
