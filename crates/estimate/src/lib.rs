//! Estimating the undocumented: multiple systems estimation.
//!
//! When several independent lists (families, volunteers, lawyers, the press, another
//! organisation) document the same people, how much they overlap says how many were documented
//! by none of them. [`table`] holds the capture histories; [`loglinear`] and [`lcmcr`] are the
//! two estimators; [`estimate`] checks the guard rails first and refuses, with the reason, a
//! table that cannot bear an estimate, and always says what the estimate assumes.

pub mod lcmcr;
pub mod loglinear;
pub mod synthetic;
pub mod table;

use serde::Serialize;
use vigilia_core::lang::{Lang, Localize};

use crate::table::{ListSize, Overlap, Table};

/// Which estimator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Lcmcr,
    Loglinear,
}

impl Method {
    pub fn from_name(name: &str) -> Option<Method> {
        match name.trim().to_lowercase().as_str() {
            "lcmcr" => Some(Method::Lcmcr),
            "loglinear" | "log-linear" => Some(Method::Loglinear),
            _ => None,
        }
    }
}

/// The guard rails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Rules {
    /// The fewest lists an estimate takes (3: with two, no dependence between them can be seen).
    pub min_lists: usize,
    /// The fewest people a list must have documented.
    pub min_list_size: u64,
    /// The fewest people documented in all (in each stratum).
    pub min_observed: u64,
    /// How the log-linear model is chosen.
    pub criterion: loglinear::Criterion,
}

impl Rules {
    /// The fewest people a list must have documented, by default.
    pub const DEFAULT_MIN_LIST_SIZE: u64 = 20;
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            min_lists: 3,
            min_list_size: Rules::DEFAULT_MIN_LIST_SIZE,
            min_observed: 50,
            criterion: loglinear::Criterion::Aic,
        }
    }
}

/// Why no estimate is given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "refused", rename_all = "snake_case")]
pub enum Refusal {
    TooFewLists {
        found: usize,
        min: usize,
    },
    SmallList {
        list: String,
        size: u64,
        min: u64,
    },
    TooFewObserved {
        observed: u64,
        min: u64,
    },
    /// Two lists document (almost) the same people: one source under two names.
    SameSource {
        lists: [String; 2],
        both: u64,
        either: u64,
    },
    /// No model could be fitted (a table too sparse).
    NoFit,
    /// Too few people on two lists or more: the overlap, which is all the estimate rests on,
    /// is not there.
    TooLittleOverlap {
        both: u64,
        min: u64,
    },
    /// More lists than the latent-class sampler takes in reasonable time.
    TooManyLists {
        found: usize,
        max: usize,
    },
}

/// The most lists the latent-class model is run with (its time grows with 2^lists).
pub const LCMCR_MAX_LISTS: usize = 8;

/// The fewest people on two lists or more an estimate takes.
pub const MIN_OVERLAP: u64 = 10;

/// `n` and the word for one or for many: "1 persona", "3 personas".
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Localize for Refusal {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (Refusal::TooFewLists { found, min }, Lang::Es) => format!(
                "No se estima con {}: hacen falta al menos {min} (con dos no se puede ver si dependen una de otra).",
                count(*found as u64, "lista", "listas")
            ),
            (Refusal::TooFewLists { found, min }, Lang::En) => format!(
                "No estimate from {}: at least {min} are needed (with two, whether they depend on each other cannot be seen).",
                count(*found as u64, "list", "lists")
            ),
            (Refusal::SmallList { list, size, min }, Lang::Es) => format!(
                "La lista «{list}» documentó a {}; hacen falta al menos {min} para que su cruce con las otras diga algo: quítela de las listas usadas.",
                count(*size, "persona", "personas")
            ),
            (Refusal::SmallList { list, size, min }, Lang::En) => format!(
                "The list “{list}” documented {}; at least {min} are needed for its overlap with the others to mean anything: leave it out of the lists used.",
                count(*size, "person", "people")
            ),
            (Refusal::TooFewObserved { observed, min }, Lang::Es) => format!(
                "Solo {} (en este estrato); hacen falta al menos {min}.",
                count(*observed, "persona documentada", "personas documentadas")
            ),
            (Refusal::TooFewObserved { observed, min }, Lang::En) => format!(
                "Only {observed} people documented (in this stratum); at least {min} are needed."
            ),
            (
                Refusal::SameSource {
                    lists,
                    both,
                    either,
                },
                Lang::Es,
            ) => format!(
                "Las listas «{}» y «{}» documentan casi a las mismas personas ({both} de {either}): parecen una misma fuente con dos nombres, y contarlas como dos inventaría independencia. Únalas o quite una.",
                lists[0], lists[1]
            ),
            (
                Refusal::SameSource {
                    lists,
                    both,
                    either,
                },
                Lang::En,
            ) => format!(
                "The lists “{}” and “{}” document almost the same people ({both} of {either}): they look like one source under two names, and counting them as two would invent independence. Merge them or leave one out.",
                lists[0], lists[1]
            ),
            (Refusal::TooLittleOverlap { both, min }, Lang::Es) => format!(
                "Solo {both} personas están en dos listas o más; hacen falta al menos {min}: sin solapamiento entre listas no hay nada en que apoyar una estimación."
            ),
            (Refusal::TooLittleOverlap { both, min }, Lang::En) => format!(
                "Only {both} people are on two lists or more; at least {min} are needed: without overlap between lists there is nothing to rest an estimate on."
            ),
            (Refusal::TooManyLists { found, max }, Lang::Es) => format!(
                "{found} listas: el modelo de clases latentes se corre con {max} como mucho (elija las listas, o use el log-lineal)."
            ),
            (Refusal::TooManyLists { found, max }, Lang::En) => format!(
                "{found} lists: the latent-class model runs with at most {max} (choose the lists, or use the log-linear model)."
            ),
            (Refusal::NoFit, Lang::Es) => {
                "Ningún modelo se ajusta a esta tabla: tiene demasiadas celdas vacías.".into()
            }
            (Refusal::NoFit, Lang::En) => {
                "No model fits this table: too many of its cells are empty.".into()
            }
        }
    }
}

/// An estimate, with what it rests on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Documented by at least one list.
    pub observed: u64,
    /// The posterior median (LCMCR) or the model's point estimate (log-linear).
    pub estimate: f64,
    /// The 95% interval.
    pub lower: f64,
    pub upper: f64,
    pub method: Method,
    /// The model, in words (`independence`, `EXH×OSCE + ABA×HRW`, `latent classes, K = 10`).
    pub model: String,
    pub lists: Vec<ListSize>,
    pub overlaps: Vec<Overlap>,
    /// What the estimate assumes, in Spanish and English.
    pub assumption_es: String,
    pub assumption_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posterior: Option<lcmcr::Posterior>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loglinear: Option<loglinear::Fit>,
}

/// Why a table cannot bear an estimate, if it cannot.
pub fn check(t: &Table, rules: &Rules) -> Result<(), Refusal> {
    if t.width() < rules.min_lists {
        return Err(Refusal::TooFewLists {
            found: t.width(),
            min: rules.min_lists,
        });
    }
    if let Some(small) = t.sizes().into_iter().find(|l| l.size < rules.min_list_size) {
        return Err(Refusal::SmallList {
            list: small.name,
            size: small.size,
            min: rules.min_list_size,
        });
    }
    if t.observed() < rules.min_observed {
        return Err(Refusal::TooFewObserved {
            observed: t.observed(),
            min: rules.min_observed,
        });
    }
    let several: u64 = t
        .cells()
        .filter(|(p, _)| p.count_ones() >= 2)
        .map(|(_, n)| n)
        .sum();
    if several < MIN_OVERLAP {
        return Err(Refusal::TooLittleOverlap {
            both: several,
            min: MIN_OVERLAP,
        });
    }
    // Each pair of lists by position (names may look alike).
    let sizes = t.sizes();
    let width = t.width();
    for a in 0..width {
        for b in a + 1..width {
            let both: u64 = t
                .cells()
                .filter(|(p, _)| p & (1 << a) != 0 && p & (1 << b) != 0)
                .map(|(_, n)| n)
                .sum();
            let size = |j: usize| sizes.get(j).map_or(0, |s| s.size);
            let either = size(a) + size(b) - both;
            // Nine in ten of those on either list on both: independent lists never overlap so.
            if either > 0 && both * 10 >= either * 9 {
                let name = |j: usize| sizes.get(j).map(|s| s.name.clone()).unwrap_or_default();
                return Err(Refusal::SameSource {
                    lists: [name(a), name(b)],
                    both,
                    either,
                });
            }
        }
    }
    Ok(())
}

/// The estimate of the total by `method`, or why none is given.
pub fn estimate(
    t: &Table,
    method: Method,
    rules: &Rules,
    settings: &lcmcr::Settings,
) -> Result<Estimate, Refusal> {
    check(t, rules)?;
    let names = t.lists();
    let name = |j: usize| names.get(j).cloned().unwrap_or_default();
    let base = |estimate, lower, upper, model: String, es: String, en: String| Estimate {
        observed: t.observed(),
        estimate,
        lower,
        upper,
        method,
        model,
        lists: t.sizes(),
        overlaps: t.overlaps(),
        assumption_es: es,
        assumption_en: en,
        posterior: None,
        loglinear: None,
    };
    match method {
        Method::Loglinear => {
            let fit = loglinear::best(t, rules.criterion).ok_or(Refusal::NoFit)?;
            let pairs: Vec<String> = fit
                .pairs
                .iter()
                .map(|&(a, b)| format!("{}×{}", name(a), name(b)))
                .collect();
            let model = if pairs.is_empty() {
                "independence".to_string()
            } else {
                pairs.join(" + ")
            };
            let said = |with: &str| -> Vec<String> {
                (fit.pairs.iter())
                    .map(|&(a, b)| format!("{} {with} {}", name(a), name(b)))
                    .collect()
            };
            let (es, en) = loglinear_assumption(&said("con"), &said("with"));
            let mut e = base(fit.total, fit.lower, fit.upper, model, es, en);
            e.loglinear = Some(fit);
            Ok(e)
        }
        Method::Lcmcr => {
            if t.width() > LCMCR_MAX_LISTS {
                return Err(Refusal::TooManyLists {
                    found: t.width(),
                    max: LCMCR_MAX_LISTS,
                });
            }
            let p = lcmcr::estimate(t, settings);
            if p.chain_medians.iter().any(|m| !m.is_finite()) || !p.median.is_finite() {
                return Err(Refusal::NoFit);
            }
            let mut e = base(
                p.median,
                p.lower,
                p.upper,
                format!("latent classes, K = {}", settings.classes),
                "Supone que la población no cambió en el período, que las listas se cruzaron sin errores (cada persona una sola vez), y que las diferencias entre personas en su probabilidad de ser documentadas se explican por grupos latentes. No puede ver a quienes ninguna lista podía alcanzar: si hay detenciones que nadie se atrevió a denunciar por ningún canal, también faltan aquí.".to_string(),
                "It assumes the population did not change over the period, that the lists were matched without errors (each person once), and that people's differences in how likely they are to be documented are explained by latent groups. It cannot see those no list could reach: if some detentions were reported through no channel at all, they are missing here too.".to_string(),
            );
            e.posterior = Some(p);
            Ok(e)
        }
    }
}

/// What a log-linear model assumes, with the pairs of lists it keeps (`a con b`, in Spanish and in
/// English).
fn loglinear_assumption(pairs_es: &[String], pairs_en: &[String]) -> (String, String) {
    if pairs_es.is_empty() {
        return (
            "Supone que cada lista documenta a las personas sin depender de las otras, y que todas tienen la misma probabilidad de estar en cada lista. Casi nunca es así: quien es visible para una lista suele serlo para las demás, y la estimación queda entonces corta.".to_string(),
            "It assumes each list documents people without depending on the others, and that everyone is equally likely to be on each list. That is almost never so: whoever is visible to one list tends to be visible to the others, and the estimate then falls short.".to_string(),
        );
    }
    let (es, en) = (pairs_es.join("; "), pairs_en.join("; "));
    (
        format!(
            "Supone que las listas dependen unas de otras solo de a pares ({es}), y que las personas que aparecen en las mismas listas tenían todas la misma probabilidad de ser documentadas. Otras dependencias, o personas que ninguna lista podía alcanzar, la dejan corta."
        ),
        format!(
            "It assumes the lists depend on one another only in pairs ({en}), and that the people found on the same lists were all equally likely to be documented. Other dependencies, or people no list could reach, leave it short."
        ),
    )
}

impl Estimate {
    /// Says the lists of its assumption in `words` (Spanish, English) rather than by their
    /// names in the table (`family with press` is a registry's column, not what a reader says).
    pub fn say_lists(&mut self, words: impl Fn(&str) -> (String, String)) {
        let Some(fit) = &self.loglinear else { return };
        let name = |j: usize| words(self.lists.get(j).map_or("", |l| l.name.as_str()));
        let (es, en): (Vec<String>, Vec<String>) = fit
            .pairs
            .iter()
            .map(|&(a, b)| {
                let ((a_es, a_en), (b_es, b_en)) = (name(a), name(b));
                (format!("{a_es} con {b_es}"), format!("{a_en} with {b_en}"))
            })
            .unzip();
        (self.assumption_es, self.assumption_en) = loglinear_assumption(&es, &en);
    }
}
