//! The demo's places of detention: a capacity and a population count for each place of the
//! profile's register, and observations of their conditions, as the files of
//! `docs/formats/facilities.md` (`vigilia places import`, `vigilia places observations`).
//!
//! **Every figure and observation here is made up**: capacities and populations are drawn,
//! and the observations are written from the kinds of things families and lawyers report
//! (the cost of a visit, no water, a transfer to isolation), about no real person.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::LAST_DAY;

/// The places given a count and observations: those the demo's detentions are held at, and
/// the military's.
fn places() -> impl Iterator<Item = &'static str> {
    crate::names::FACILITIES
        .iter()
        .chain(&["Ramo Verde", "DGCIM Boleíta"])
        .copied()
}

/// What observations say, by aspect: a note, and for family visits a cost.
const NOTES: &[(&str, &str)] = &[
    (
        "family_visits",
        "Visitas cada 15 días, 20 minutos, a través de un vidrio; las familias hacen cola desde la madrugada.",
    ),
    (
        "lawyer_access",
        "La defensa privada no ha podido entrar en tres intentos; solo se permite al defensor público.",
    ),
    (
        "food",
        "La comida la llevan las familias; lo que da el centro es una ración al día.",
    ),
    (
        "water",
        "Sin agua corriente desde hace semanas; las familias llevan botellones.",
    ),
    (
        "health_care",
        "Sin atención médica para presos con hipertensión; las medicinas se las llevan las familias.",
    ),
    (
        "isolation",
        "Traslados a celdas de castigo sin luz natural por días, según liberados.",
    ),
    (
        "torture",
        "Liberados describen golpes durante los interrogatorios de los primeros días.",
    ),
];

/// The places file: every place with a capacity, a population counted on a day, and its type.
pub fn places_csv(seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x504c_4143);
    let mut out = String::from("name,capacity,population,population_on\n");
    for name in places() {
        let capacity: u32 = rng.random_range(80..1500);
        // Overcrowded as a rule: 90 % to 250 % of capacity.
        let population = capacity * rng.random_range(90..250) / 100;
        let on = LAST_DAY
            .checked_sub(jiff::Span::new().days(rng.random_range(5..200)))
            .unwrap_or(LAST_DAY);
        out.push_str(&format!("{name},{capacity},{population},{on}\n"));
    }
    out
}

/// The observations file: one to three observations of each place, some long ago (so that
/// "Para hoy" lists the places whose conditions were not reported in 90 days).
pub fn observations_csv(seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4f42_5345);
    let mut out = String::from("place,date,aspect,note,cost,reported_by,may_pass_on,follow_up\n");
    for name in places() {
        for _ in 0..rng.random_range(1..4) {
            let Some(&(aspect, note)) = NOTES.get(rng.random_range(0..NOTES.len())) else {
                continue;
            };
            let on = LAST_DAY
                .checked_sub(jiff::Span::new().days(rng.random_range(3..400)))
                .unwrap_or(LAST_DAY);
            let cost = if aspect == "family_visits" {
                format!(
                    "USD {} por visita (pasaje y comida)",
                    rng.random_range(10..60)
                )
            } else {
                String::new()
            };
            let by = [
                "familiar de un detenido",
                "persona liberada",
                "abogado de la organización",
            ]
            .get(rng.random_range(0..3))
            .copied()
            .unwrap_or_default();
            let pass = if rng.random_bool(0.7) { "sí" } else { "no" };
            let follow = if aspect == "torture" {
                "Documentado para el Grupo de Trabajo de la ONU"
            } else {
                ""
            };
            out.push_str(&format!(
                "{name},{on},{aspect},\"{note}\",{cost},{by},{pass},{follow}\n"
            ));
        }
    }
    out
}
