//! Persons and matching (see `vigilia_app::dedupe`): which reports of a reports CSV are the same
//! person (`vigilia dedupe FILE`, no registry needed), which of the registry's persons may be
//! (`vigilia dedupe`), merges and their undoing as facts (`vigilia merge`, `vigilia unmerge`,
//! with who decided and why), and candidates for new reports (`vigilia candidates FILE`).
//! Nothing is written unless the whole input could be read.

use std::path::Path;

use vigilia_app::dedupe;
use vigilia_app::export::{Output, fill_csv_rows, write_csv};
use vigilia_app::{Actor, merges, write};
use vigilia_core::ids::PersonId;
use vigilia_core::model::Disclosure;
use vigilia_core::profile::Profile;
use vigilia_matching::report::Report;

use crate::Env;
use crate::failure::Failure;
use crate::registry::say;

fn reports(env: &Env, file: &Path, profile: &Profile) -> Result<Vec<Report>, Failure> {
    let this_year = profile.day_at(env.clock.now()).year();
    Ok(dedupe::read_reports(file, profile, this_year)?)
}

/// `vigilia dedupe FILE --out clusters.csv [--pairs pairs.csv]`.
pub fn dedupe(env: &Env, file: &Path, out: &Path, pairs: Option<&Path>) -> Result<(), Failure> {
    let profile = Profile::venezuela().map_err(|e| Failure::bad(e.to_string(), e.to_string()))?;
    let written: Vec<&Path> = std::iter::once(out).chain(pairs).collect();
    env.keys.outputs(&[file], &written)?;
    let g = dedupe::group(reports(env, file, &profile)?);
    // Both files are written before either is put in place: a failure leaves neither new.
    let mut clusters = Output::create(out)?;
    let header = ["report_id", "cluster_id"];
    fill_csv_rows(&mut clusters, &header, g.reports(), |i| g.cluster(i))?;
    let pairs = match pairs {
        Some(p) => {
            let mut file = Output::create(p)?;
            let header = [
                "report_id_left",
                "report_id_right",
                "probability",
                "status",
                "evidence",
            ];
            fill_csv_rows(&mut file, &header, g.pairs(), |i| g.pair(i))?;
            Some(file)
        }
        None => None,
    };
    clusters.finish()?;
    if let Some(file) = pairs {
        file.finish()?;
    }
    let n = |x: usize| env.lang.number(x as u64);
    let (r, p, v) = (n(g.reports()), n(g.persons), n(g.to_review));
    let c = env.lang.number(g.compared);
    say(
        env,
        format!("{r} reportes: {p} personas; {v} pares para revisar ({c} pares comparados)"),
        format!("{r} reports: {p} persons; {v} pairs to review ({c} pairs compared)"),
    );
    Ok(())
}

/// `vigilia dedupe` on the registry: pairs of persons who may be the same, for review.
pub fn proposals(env: &Env, out: &Path) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let (rows, persons) = dedupe::proposals(&mut ledger)?;
    let header = [
        "person",
        "name",
        "same_as",
        "same_as_name",
        "probability",
        "evidence",
    ];
    write_csv(env.keys.output(out)?, &header, &rows)?;
    let (n, o) = (rows.len(), out.display());
    say(
        env,
        format!(
            "{persons} personas: {n} pares que pueden ser la misma persona, en {o} (revíselos y use `vigilia merge`)"
        ),
        format!(
            "{persons} persons: {n} pairs that may be the same person, in {o} (review them and use `vigilia merge`)"
        ),
    );
    Ok(())
}

/// `vigilia merge PERSON --into OTHER --reason … [--consent named|initials|count_only]`: the
/// two are the same person. When the two were given different consents to publish, `--consent` says which stands.
pub fn merge(
    env: &Env,
    id: u64,
    into: u64,
    reason: &str,
    consent: Option<Disclosure>,
) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let actor = Actor::operator(&env.actor);
    write(&mut ledger, |tx| {
        merges::merge(tx, &actor, PersonId(id), PersonId(into), reason, consent)
    })?;
    say(
        env,
        format!("persona {id} fusionada con {into} (se deshace con `vigilia unmerge {id}`)"),
        format!("person {id} merged into {into} (undo with `vigilia unmerge {id}`)"),
    );
    Ok(())
}

/// `vigilia unmerge PERSON --reason …`: the merge was wrong; they are two persons again.
pub fn unmerge(env: &Env, id: u64, reason: &str) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let actor = Actor::operator(&env.actor);
    let stricter_stays = write(&mut ledger, |tx| {
        merges::unmerge(tx, &actor, PersonId(id), reason)
    })?;
    say(
        env,
        format!("persona {id} separada de nuevo"),
        format!("person {id} is separate again"),
    );
    if stricter_stays {
        say(
            env,
            "ninguna se publica más que mientras estaban fusionadas; si la familia de una permite más: vigilia consent PERSONA --level … --by family",
            "neither is published more than while they were merged; if a family allows more: vigilia consent PERSON --level … --by family",
        );
    }
    Ok(())
}

/// `vigilia candidates FILE --out FILE`: for each report, the registered persons it may be
/// about, best first, with how long each search took.
pub fn candidates(env: &Env, file: &Path, out: &Path, limit: usize) -> Result<(), Failure> {
    env.keys.outputs(&[file], &[out])?;
    let mut ledger = env.open()?;
    let profile = ledger.profile()?.clone();
    let reports = reports(env, file, &profile)?;
    let mut c = dedupe::candidates(&mut ledger, reports, limit)?;
    let header = [
        "report_id",
        "rank",
        "person",
        "name",
        "probability",
        "evidence",
    ];
    write_csv(out, &header, &c.rows)?;
    c.searches.sort_unstable();
    let at = |q: f64| {
        let i = ((c.searches.len() as f64 * q) as usize).min(c.searches.len().saturating_sub(1));
        c.searches.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let (r, p, f) = (c.searches.len(), c.persons, c.rows.len());
    let (p50, p99) = (at(0.5), at(0.99));
    say(
        env,
        format!(
            "{r} reportes contra {p} personas: {f} candidatos; búsqueda p50 {p50:.2} ms, p99 {p99:.2} ms"
        ),
        format!(
            "{r} reports against {p} persons: {f} candidates; search p50 {p50:.2} ms, p99 {p99:.2} ms"
        ),
    );
    Ok(())
}

/// `vigilia consent PERSON --level named --by family`: a consent to publish, or its
/// withdrawal (a lower level), with who gave it; every output made after follows it.
pub fn consent(env: &Env, person: u64, level: &str, by: &str) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let actor = Actor::operator(&env.actor);
    let form = vigilia_app::public::ConsentForm {
        level: level.to_string(),
        given_by: by.to_string(),
    };
    write(&mut ledger, |tx| {
        vigilia_app::public::set_consent(tx, &actor, PersonId(person), &form)
    })?;
    say(
        env,
        format!("Consentimiento de la persona {person} registrado: {level} ({by})."),
        format!("Consent of person {person} recorded: {level} ({by})."),
    );
    Ok(())
}
