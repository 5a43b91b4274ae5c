//! `vigilia places`: the register of places of detention (`vigilia_app::places`): the list with
//! how many people are held at each and what the register cannot place, and the files of
//! places and of observations of their conditions (`docs/formats/facilities.md`). A file with
//! a wrong line writes nothing and names every wrong line.

use std::path::{Path, PathBuf};

use vigilia_app::places::{self, Imported};
use vigilia_app::{Actor, write};
use vigilia_core::lang::{Lang, Localize};

use crate::Env;
use crate::failure::Failure;
use crate::registry::say;

#[derive(Debug, clap::Subcommand)]
pub enum PlacesWhat {
    /// Every place, with how many people are held there, its population and occupancy, and
    /// the places written in records that the register cannot place.
    List {
        /// The day (today by default).
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        known_on: Option<String>,
    },
    /// Add places to the register, or add to them (a CSV: name, aliases, type, authority,
    /// state, capacity, population, population_on).
    Import { file: PathBuf },
    /// Observations of places' conditions (a CSV: place, date, aspect, note, cost,
    /// reported_by, may_pass_on, follow_up).
    Observations { file: PathBuf },
}

pub fn run(env: &Env, what: &PlacesWhat) -> Result<(), Failure> {
    match what {
        PlacesWhat::List { as_of, known_on } => list(env, as_of.as_deref(), known_on.as_deref()),
        PlacesWhat::Import { file } => import(env, file, false),
        PlacesWhat::Observations { file } => import(env, file, true),
    }
}

fn list(env: &Env, as_of: Option<&str>, known_on: Option<&str>) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let when = vigilia_count::when::When::parse(ledger.today()?, as_of, known_on, None)?;
    let actor = Actor::operator(&env.actor);
    let found = places::places(&mut ledger, &actor, when.as_of, when.known_on)?;
    let lang = env.lang;
    let profile = ledger.profile()?.clone();
    for row in &found.rows {
        let p = &row.place;
        let held = if row.held == 1 {
            lang.pick("persona detenida", "person held")
        } else {
            lang.pick("personas detenidas", "people held")
        };
        let mut parts = vec![format!(
            "{}: {} {held}",
            p.name,
            lang.number(row.held as u64)
        )];
        if let Some(k) = p.kind {
            parts.push(k.localize(lang));
        }
        if let Some(s) = &p.state {
            parts.push(profile.state_name(s).unwrap_or(s).to_string());
        }
        if let Some(pop) = p.population() {
            let mut text = format!(
                "{} {} {}",
                lang.pick("población", "population"),
                lang.number(u64::from(pop.count)),
                pop.on.short(lang)
            );
            if let Some(o) = p.occupancy() {
                text.push_str(&format!(
                    " ({o} % {})",
                    lang.pick("de su capacidad", "of capacity")
                ));
            }
            parts.push(text);
        }
        if let Some(last) = p.last_observed() {
            parts.push(format!(
                "{} {}",
                lang.pick("última observación", "last observed"),
                vigilia_core::date::short_day(last, lang)
            ));
        }
        say(env, parts.join(" · "), parts.join(" · "));
    }
    if !found.unresolved.is_empty() {
        say(
            env,
            "\nLugares escritos que el registro no ubica (agréguelos como alias, o como centros nuevos):",
            "\nPlaces written that the register cannot place (add them as aliases, or as new places):",
        );
        for u in &found.unresolved {
            let could = if u.candidates.is_empty() {
                String::new()
            } else {
                let names: Vec<_> = u.candidates.iter().map(|(_, n)| n.as_str()).collect();
                match lang {
                    Lang::Es => format!(" — ¿{}?", names.join(" o ")),
                    Lang::En => format!(" — could be {}", names.join(" or ")),
                }
            };
            let line = format!(
                "  «{}»: {} {}, {} {}{could}",
                u.text,
                lang.number(u.detentions as u64),
                lang.pick("detenciones", "detentions"),
                lang.number(u.reports as u64),
                lang.pick("reportes", "reports"),
            );
            say(env, &line, &line);
        }
    }
    Ok(())
}

fn import(env: &Env, file: &Path, observations: bool) -> Result<(), Failure> {
    let text = std::fs::read(file).map_err(|e| {
        Failure::bad(
            format!("{}: no se puede leer: {e}", file.display()),
            format!("{}: cannot be read: {e}", file.display()),
        )
    })?;
    let mut ledger = env.open()?;
    let actor = Actor::operator(&env.actor);
    let done = write(&mut ledger, |tx| {
        if observations {
            places::import_observations(tx, &actor, file, &text)
        } else {
            places::import_places(tx, &actor, file, &text)
        }
    })
    .map_err(|e| match e {
        vigilia_app::AppError::BadLines(_) => {
            let file = file.display();
            Failure::bad(
                format!("{file}: {}", e.localize(Lang::Es)),
                format!("{file}: {}", e.localize(Lang::En)),
            )
        }
        other => other.into(),
    })?;
    report(env, &done);
    Ok(())
}

fn report(env: &Env, d: &Imported) {
    let n = |x: usize| env.lang.number(x as u64);
    let one = |x: usize, singular, plural| crate::import::one(x as u64, singular, plural);
    say(
        env,
        format!(
            "{} {}, {} {}, {} {}, {} {}",
            n(d.added),
            one(d.added, "centro nuevo", "centros nuevos"),
            n(d.updated),
            one(d.updated, "completado", "completados"),
            n(d.counts),
            one(d.counts, "conteo de población", "conteos de población"),
            n(d.observations),
            one(d.observations, "observación", "observaciones"),
        ),
        format!(
            "{} {}, {} added to, {} {}, {} {}",
            n(d.added),
            one(d.added, "new place", "new places"),
            n(d.updated),
            n(d.counts),
            one(d.counts, "population count", "population counts"),
            n(d.observations),
            one(d.observations, "observation", "observations"),
        ),
    );
}
