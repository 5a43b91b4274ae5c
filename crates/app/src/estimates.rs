//! Estimating how many detentions no one reported, from the registry's own lists.
//!
//! After deduplication every detention has the reports matched to it, and each report came by a
//! channel (the family's public form, a volunteer, a lawyer, the press, social media, an
//! official source): each channel is a list, and the detention's capture history is the set of
//! channels that documented it. A detention no report documented (entered by an import or by
//! hand) is on none of these lists and cannot be in the table: how many were left out is said
//! next to the estimate (an imported list enters as a table of its own, `--histories`, after
//! matching it to the registry).

use std::collections::BTreeMap;

use vigilia_core::date::Day;
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::Kind;
use vigilia_core::model::Channel;
use vigilia_estimate::table::Table;
use vigilia_ledger::Ledger;

use crate::error::AppError;

/// The channels, in the order of the table's columns, by name.
pub const CHANNELS: [(Channel, &str); 6] = [
    (Channel::Family, "family"),
    (Channel::Volunteer, "volunteer"),
    (Channel::Lawyer, "lawyer"),
    (Channel::Press, "press"),
    (Channel::SocialMedia, "social_media"),
    (Channel::Official, "official"),
];

/// How the detentions are split before estimating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strata {
    /// The state of the arrest.
    State,
    /// The year of the arrest.
    Year,
}

impl Strata {
    pub fn from_name(name: &str) -> Option<Strata> {
        match name.trim() {
            "state" | "estado" => Some(Strata::State),
            "year" | "period" | "año" => Some(Strata::Year),
            _ => None,
        }
    }
}

/// The registry's capture histories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Histories {
    /// One table per stratum (one, named "", without strata).
    pub tables: Vec<(String, Table)>,
    /// Detentions in the period documented by no report (imported or entered by hand).
    pub without_report: u64,
}

/// The capture histories of the detentions arrested by `as_of`, from the reports received by
/// `known_on` and matched to them, by the channels `lists` (all six when none), split by
/// `strata`.
pub fn histories(
    ledger: &mut Ledger,
    as_of: Day,
    known_on: KnownOn,
    lists: Option<&[String]>,
    strata: Option<Strata>,
) -> Result<Histories, AppError> {
    let chosen: Vec<(Channel, &str)> = match lists {
        None => CHANNELS.to_vec(),
        Some(names) => {
            let mut out = Vec::new();
            for n in names {
                let found = CHANNELS
                    .iter()
                    .find(|(_, name)| name.eq_ignore_ascii_case(n.trim()))
                    .ok_or_else(|| AppError::UnknownList(n.clone()))?;
                if !out.contains(found) {
                    out.push(*found);
                }
            }
            out
        }
    };
    let day_ok = |d: Day| known_on.0.is_none_or(|k| d <= k);
    // Each detention's channels, from the reports matched to it.
    let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
    ledger.fold_all(Kind::Report, known_on, &mut |r| {
        if let Record::Report(r) = r
            && r.rejected.is_none()
            && day_ok(r.received_on)
            && let Some(d) = r.matched_to
            && let Some(j) = chosen.iter().position(|(c, _)| *c == r.channel)
        {
            *seen.entry(d.0).or_default() |= 1 << j;
        }
    })?;
    let profile = ledger.profile()?.clone();
    let names: Vec<String> = chosen.iter().map(|(_, n)| n.to_string()).collect();
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut without_report = 0;
    let mut detentions = Vec::new();
    ledger.fold_all(Kind::Detention, known_on, &mut |r| {
        if let Record::Detention(d) = r
            && d.arrest.date.first_day() <= as_of
        {
            detentions.push(d);
        }
    })?;
    for d in detentions {
        let pattern = seen.get(&d.id.0).copied().unwrap_or(0);
        if pattern == 0 {
            without_report += 1;
            continue;
        }
        let stratum = match strata {
            None => String::new(),
            Some(Strata::State) => d
                .arrest
                .state
                .as_deref()
                .map(|s| profile.state_name(s).unwrap_or(s).to_string())
                .unwrap_or_else(|| "?".into()),
            Some(Strata::Year) => d.arrest.date.first_day().year().to_string(),
        };
        if !tables.contains_key(&stratum) {
            tables.insert(stratum.clone(), Table::new(names.clone())?);
        }
        if let Some(t) = tables.get_mut(&stratum) {
            t.add(pattern, 1);
        }
    }
    if tables.is_empty() {
        tables.insert(String::new(), Table::new(names.clone())?);
    }
    // Asked for no list in particular: the channels that documented someone.
    let mut tables: Vec<(String, Table)> = tables.into_iter().collect();
    if lists.is_none() {
        let used: Vec<usize> = (0..names.len())
            .filter(|&j| {
                tables
                    .iter()
                    .any(|(_, t)| t.sizes().get(j).is_some_and(|s| s.size > 0))
            })
            .collect();
        for (_, t) in &mut tables {
            *t = t.only(&used);
        }
    }
    Ok(Histories {
        tables,
        without_report,
    })
}

// --- publishing an estimate, and computing it again

/// How a published estimate was computed: the sampler's settings and the guard rails.
#[derive(serde::Serialize, serde::Deserialize)]
struct How {
    settings: vigilia_estimate::lcmcr::Settings,
    rules: vigilia_estimate::Rules,
}

fn json_error(e: serde_json::Error) -> AppError {
    AppError::BadFile(e.to_string())
}

/// The estimates published so far, in order.
pub fn published(
    ledger: &mut Ledger,
) -> Result<Vec<vigilia_core::fact::EstimatePublication>, AppError> {
    Ok(match ledger.get(vigilia_core::ids::Subject::REGISTRY)? {
        Some(Record::Registry(r)) => r.estimates,
        _ => Vec::new(),
    })
}

/// Why an estimate is not published.
#[derive(Clone, Debug, PartialEq)]
pub enum Unpublishable {
    /// Run lighter than the default, or with the guard rails lowered: a figure shopped for by
    /// trying settings until one pleases would then be published and "reproduced".
    NotTheDefaults,
    /// The chains do not agree well enough.
    NotConverged { r_hat: f64, ess: f64 },
    /// Its interval's top is below what the registry already holds: it falls short.
    BelowKnown { upper: f64, known: u64 },
}

/// The effective sample size a published latent-class estimate must reach, and its R-hat.
pub const PUBLISHED_ESS: f64 = 200.0;
pub const PUBLISHED_R_HAT: f64 = 1.05;

/// Publishes `estimate` of `table`, computed as `settings` and `rules` say from the registry at
/// `head` (read before the table was built: a write since refuses it). Coordinators only: no
/// estimate reaches the public unless one of them publishes it as such; and only as computed by
/// default (the default run and seed, the default guard rails), converged, and not below the
/// `known` detentions the registry already holds in the period.
#[allow(clippy::too_many_arguments)]
pub fn publish(
    ledger: &mut Ledger,
    actor: &crate::actor::Actor,
    head: vigilia_ledger::Head,
    table: &Table,
    as_of: Day,
    known_on: KnownOn,
    method: vigilia_estimate::Method,
    settings: &vigilia_estimate::lcmcr::Settings,
    rules: &vigilia_estimate::Rules,
    estimate: &vigilia_estimate::Estimate,
    known: u64,
) -> Result<u64, AppError> {
    if *settings != vigilia_estimate::lcmcr::Settings::default()
        || *rules != vigilia_estimate::Rules::default()
    {
        return Err(AppError::Unpublishable(Unpublishable::NotTheDefaults));
    }
    if let Some(p) = &estimate.posterior
        && !(p.r_hat <= PUBLISHED_R_HAT && p.ess >= PUBLISHED_ESS)
    {
        return Err(AppError::Unpublishable(Unpublishable::NotConverged {
            r_hat: p.r_hat,
            ess: p.ess,
        }));
    }
    if estimate.upper < known as f64 {
        return Err(AppError::Unpublishable(Unpublishable::BelowKnown {
            upper: estimate.upper,
            known,
        }));
    }
    let known_on = KnownOn(Some(known_on.0.unwrap_or(ledger.today()?)));
    let version = published(ledger)?.last().map_or(1, |e| e.version + 1);
    let how = serde_json::to_string(&How {
        settings: *settings,
        rules: *rules,
    })
    .map_err(json_error)?;
    let result = serde_json::to_string(estimate).map_err(json_error)?;
    let histories = table.to_csv();
    crate::write(ledger, |tx| {
        let actor = crate::actor::acting_as(tx, actor, &[vigilia_core::model::Role::Coordinator])?;
        if tx.content()?.hash != head.hash {
            return Err(AppError::CountedBeforeAChange);
        }
        let recorded_on = tx.today()?;
        tx.append(vigilia_core::fact::Draft {
            recorded_on,
            actor: actor.name.clone(),
            subject: vigilia_core::ids::Subject::REGISTRY,
            change: vigilia_core::fact::Change::EstimatePublished(
                vigilia_core::fact::EstimatePublication {
                    version,
                    as_of,
                    known_on: known_on.0,
                    histories: histories.clone(),
                    method: match method {
                        vigilia_estimate::Method::Lcmcr => "lcmcr".into(),
                        vigilia_estimate::Method::Loglinear => "loglinear".into(),
                    },
                    settings: how.clone(),
                    result: result.clone(),
                    ledger_seq: head.facts,
                    ledger_head: head.hash.to_string(),
                    made_on: Some(recorded_on),
                },
            ),
            sources: Vec::new(),
        })?;
        Ok(())
    })?;
    Ok(version)
}

/// Published estimate `version` computed again from its table and settings, and whether it
/// gave the same figures as published.
pub fn reproduce(
    ledger: &mut Ledger,
    version: u64,
) -> Result<(vigilia_estimate::Estimate, bool), AppError> {
    let p = published(ledger)?
        .into_iter()
        .find(|e| e.version == version)
        .ok_or(AppError::NoEstimate(version))?;
    let table = Table::from_csv(p.histories.as_bytes())?;
    let how: How = serde_json::from_str(&p.settings).map_err(json_error)?;
    let method = vigilia_estimate::Method::from_name(&p.method)
        .ok_or_else(|| AppError::BadFile(p.method.clone()))?;
    let again = vigilia_estimate::estimate(&table, method, &how.rules, &how.settings)
        .map_err(|r| AppError::BadFile(format!("{r:?}")))?;
    let same = serde_json::to_string(&again).map_err(json_error)? == p.result;
    Ok((again, same))
}
