//! Estimating how many detentions no one reported, from the registry's own lists.
//!
//! After deduplication every detention has the reports matched to it, and each report came by a
//! channel (the family's public form, a volunteer, a lawyer, the press, social media, an
//! official source): each channel is a list, and the detention's capture history is the set of
//! channels that documented it. A detention no report documented (entered by an import or by
//! hand) is on none of these lists and cannot be in the table: how many were left out is said
//! next to the estimate. Another organisation's list, imported by name (`import::list`), is a
//! list of its own: its rows are reports matched to the registry's detentions like any other.

use std::collections::BTreeMap;

use vigilia_core::date::Day;
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::Kind;
use vigilia_core::model::Channel;
use vigilia_estimate::table::Table;
use vigilia_ledger::{Ledger, Tx};

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

/// What the histories are asked of: the detentions arrested from `from` (the start of the
/// registry when none) to `as_of`, in `state` only when one is given, as known on `known_on`;
/// by the lists `lists` (when none: every list that documented at least `least` of them), split
/// by `strata`.
#[derive(Clone, Debug)]
pub struct Question {
    pub as_of: Day,
    pub from: Option<Day>,
    pub known_on: KnownOn,
    /// A state by its profile code or name.
    pub state: Option<String>,
    /// Channels (`family`, …) and imported lists, by name.
    pub lists: Option<Vec<String>>,
    /// With no lists named, the fewest detentions a list must have documented to be used.
    pub least: u64,
    pub strata: Option<Strata>,
}

impl Question {
    /// Every detention arrested by `as_of`, as known on `known_on`, by every list.
    pub fn by(as_of: Day, known_on: KnownOn) -> Question {
        Question {
            as_of,
            from: None,
            known_on,
            state: None,
            lists: None,
            least: 1,
            strata: None,
        }
    }
}

/// A list a detention may be on: a channel of the registry's own reports, or an imported list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum List {
    Channel(Channel),
    Imported(String),
}

impl List {
    /// The list a table's column names: a channel by its name or by its words in either
    /// language (the staff page's table is in words; no imported list may be named so, see
    /// `import::list::check_name`), or an imported list.
    pub fn named(name: &str) -> List {
        let channel = |(c, n): &&(Channel, &str)| {
            let (es, en) = c.words();
            *n == name || es == name || en == name
        };
        CHANNELS.iter().find(channel).map_or_else(
            || List::Imported(name.to_string()),
            |(c, _)| List::Channel(*c),
        )
    }

    /// Its name in tables and options: `family`, …, or the imported list's own.
    pub fn name(&self) -> &str {
        match self {
            List::Channel(c) => CHANNELS.iter().find(|(x, _)| x == c).map_or("", |(_, n)| n),
            List::Imported(n) => n,
        }
    }

    /// Its name in a table of the estimate: a channel in words, an imported list by its name.
    pub fn column(&self) -> (String, String) {
        match self {
            List::Channel(_) => self.words(),
            List::Imported(n) => (n.clone(), n.clone()),
        }
    }

    /// In words, for a person: Spanish, English.
    pub fn words(&self) -> (String, String) {
        match self {
            List::Channel(c) => {
                let (es, en) = c.words();
                (es.to_string(), en.to_string())
            }
            List::Imported(n) => (format!("lista «{n}»"), format!("list «{n}»")),
        }
    }
}

/// The registry's capture histories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Histories {
    /// One table per stratum (one, named "", without strata).
    pub tables: Vec<(String, Table)>,
    /// Detentions in the period documented by none of the lists used (imported or entered by
    /// hand, or documented only by lists left out).
    pub without_report: u64,
    /// Every list of the registry (the channels, then the imported lists by name), with how
    /// many detentions of the period it documented: what an analyst chooses from.
    pub every: Vec<(List, u64)>,
    /// Reports still waiting in triage (neither joined to a detention nor rejected): they count
    /// for no list until someone decides, so the estimate may change once they are.
    pub waiting: u64,
}

/// The capture histories `q` asks for: each detention's lists are those of the reports
/// received by `known_on` and matched to it (a report of an imported list counts for that list,
/// not for its channel: the list was made apart from ours).
pub fn histories(ledger: &mut Ledger, q: &Question) -> Result<Histories, AppError> {
    if let Some(from) = q.from.filter(|f| *f > q.as_of) {
        return Err(AppError::PeriodBackwards { from, to: q.as_of });
    }
    let known_on = q.known_on;
    let day_ok = |d: Day| known_on.0.is_none_or(|k| d <= k);
    // Each report joined to a detention, by the list it counts for; every imported list, even
    // one none of whose rows is joined yet.
    let mut documented: Vec<(u64, List)> = Vec::new();
    let mut imported: Vec<String> = Vec::new();
    let mut waiting = 0;
    ledger.fold_all(Kind::Report, known_on, &mut |r| {
        let Record::Report(r) = r else { return };
        if !day_ok(r.received_on) {
            return;
        }
        if let Some(name) = &r.list
            && imported.last() != Some(name)
        {
            imported.push(name.clone());
        }
        if r.rejected.is_some() {
            return;
        }
        if r.status() == vigilia_core::model::ReportStatus::New {
            waiting += 1;
        }
        let Some(d) = r.matched_to else { return };
        let list = match r.list {
            Some(name) => List::Imported(name),
            None => List::Channel(r.channel),
        };
        documented.push((d.0, list));
    })?;
    // The channels, then the imported lists in the order of their names.
    imported.sort();
    imported.dedup();
    let every: Vec<List> = CHANNELS
        .iter()
        .map(|(c, _)| List::Channel(*c))
        .chain(imported.into_iter().map(List::Imported))
        .collect();
    // Each detention's lists (bit `j`: `every[j]`).
    let mut seen: BTreeMap<u64, u128> = BTreeMap::new();
    for (d, list) in documented {
        if let Some(bit) = every
            .iter()
            .position(|l| *l == list)
            .and_then(|j| 1u128.checked_shl(j as u32))
        {
            *seen.entry(d).or_default() |= bit;
        }
    }
    let profile = ledger.profile()?.clone();
    let state = match &q.state {
        None => None,
        Some(s) => Some(
            profile
                .state(s)
                .and_then(|n| n.code.clone())
                .ok_or_else(|| AppError::NotAState {
                    typed: s.clone(),
                    known: profile
                        .states
                        .entries()
                        .iter()
                        .map(|s| s.name.clone())
                        .collect(),
                })?,
        ),
    };
    let mut detentions = Vec::new();
    ledger.fold_all(Kind::Detention, known_on, &mut |r| {
        if let Record::Detention(d) = r
            && d.arrest.date.first_day() <= q.as_of
            && q.from.is_none_or(|f| d.arrest.date.first_day() >= f)
            && state
                .as_ref()
                .is_none_or(|s| d.arrest.state.as_ref() == Some(s))
        {
            detentions.push(d);
        }
    })?;
    let sizes: Vec<u64> = (0..every.len())
        .map(|j| {
            detentions
                .iter()
                .filter(|d| seen.get(&d.id.0).is_some_and(|p| on(*p, j)))
                .count() as u64
        })
        .collect();
    // The lists used, as positions in `every`.
    let chosen: Vec<usize> = match &q.lists {
        None => by_default(&sizes, q.least),
        Some(names) => {
            let mut out = Vec::new();
            for n in names {
                let n = n.trim();
                let j = every
                    .iter()
                    .position(|l| l.name().eq_ignore_ascii_case(n))
                    .ok_or_else(|| AppError::UnknownList(n.to_string()))?;
                if !out.contains(&j) {
                    out.push(j);
                }
            }
            // In the registry's order of its lists, not the order they were named in: the
            // sampler's draws follow the columns' order, and the same lists must give the same
            // figures whether typed in the CLI or ticked on the page, in any order.
            out.sort_unstable();
            out
        }
    };
    let names: Vec<String> = chosen
        .iter()
        .filter_map(|&j| every.get(j))
        .map(|l| l.name().to_string())
        .collect();
    // A table has at most so many lists: more is refused before any pattern is made.
    if chosen.len() > vigilia_estimate::table::MAX_LISTS {
        Table::new(names.clone())?;
    }
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut without_report = 0;
    for d in &detentions {
        let all = seen.get(&d.id.0).copied().unwrap_or(0);
        let pattern = chosen
            .iter()
            .enumerate()
            .filter(|(_, j)| on(all, **j))
            .fold(0usize, |p, (k, _)| p | 1 << k);
        if pattern == 0 {
            without_report += 1;
            continue;
        }
        let stratum = match q.strata {
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
    let every = every.into_iter().zip(sizes).collect();
    Ok(Histories {
        tables: tables.into_iter().collect(),
        without_report,
        every,
        waiting,
    })
}

/// The lists used when none is named, by their places among `sizes` (how many each documented):
/// those that documented at least `least`, at most as many as a table takes (the largest), in
/// order.
pub fn by_default(sizes: &[u64], least: u64) -> Vec<usize> {
    let size = |j: &usize| sizes.get(*j).copied().unwrap_or(0);
    let mut large: Vec<usize> = (0..sizes.len())
        .filter(|j| size(j) >= least.max(1))
        .collect();
    large.sort_by_key(|j| std::cmp::Reverse(size(j)));
    large.truncate(vigilia_estimate::table::MAX_LISTS);
    large.sort_unstable();
    large
}

/// Whether list `j` is in the lists of `pattern` (the first 128 lists are kept; a list beyond
/// them documents no one).
fn on(pattern: u128, j: usize) -> bool {
    1u128
        .checked_shl(j as u32)
        .is_some_and(|bit| pattern & bit != 0)
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
    /// It is below what the registry already holds: it falls short.
    BelowKnown { estimate: f64, known: u64 },
    /// The registry changed since the estimate was computed: it is to be looked at again.
    RegistryChanged,
    /// Publication `version` is this very estimate: the same period, from the same table by the
    /// same method and settings, so the same figures (a second click, a second tab, the page
    /// computed again after publishing, or on a later day with nothing new for the period).
    AlreadyPublished { version: u64 },
}

/// The effective sample size a published latent-class estimate must reach, and its R-hat.
pub const PUBLISHED_ESS: f64 = 200.0;
pub const PUBLISHED_R_HAT: f64 = 1.05;

/// How far a latent-class estimate's chains agree, by the rule a published one must meet: the
/// page that shows an estimate and the publication judge it alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Convergence {
    /// R-hat at most 1.05 and an effective sample size of 200 or more: it can be published.
    Stable,
    /// R-hat at most 1.1, or short chains: not published.
    Doubtful,
    /// R-hat above 1.1: not to be used.
    Unstable,
}

pub fn convergence(p: &vigilia_estimate::lcmcr::Posterior) -> Convergence {
    if p.r_hat <= PUBLISHED_R_HAT && p.ess >= PUBLISHED_ESS {
        Convergence::Stable
    } else if p.r_hat <= 1.1 {
        Convergence::Doubtful
    } else {
        Convergence::Unstable
    }
}

/// Publishes `estimate` of `table`, computed as `settings` and `rules` say from the registry at
/// `head` (read before the table was built: a write since refuses it). Coordinators only: no
/// estimate reaches the public unless one of them publishes it as such; and only as computed by
/// default (the default run and seed, the default guard rails), converged, and not below the
/// `known` detentions the registry already holds in the period (a total below what is already
/// documented is not an estimate of anything).
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
    publishable(settings, rules, estimate, known)?;
    crate::publication::far_enough(ledger, as_of)?;
    let known_on = known_on.0.unwrap_or(ledger.today()?);
    let mut version = 0;
    crate::write(ledger, |tx| {
        version = record(
            tx, actor, head, table, as_of, known_on, method, settings, rules, estimate,
        )?;
        Ok(())
    })?;
    Ok(version)
}

/// Whether an estimate may be published at all, whatever the registry holds since: computed as
/// by default, converged, and not below the `known` detentions of its period (see [`publish`]).
pub fn publishable(
    settings: &vigilia_estimate::lcmcr::Settings,
    rules: &vigilia_estimate::Rules,
    estimate: &vigilia_estimate::Estimate,
    known: u64,
) -> Result<(), AppError> {
    if *settings != vigilia_estimate::lcmcr::Settings::default()
        || *rules != vigilia_estimate::Rules::default()
    {
        return Err(AppError::Unpublishable(Unpublishable::NotTheDefaults));
    }
    if let Some(p) = &estimate.posterior
        && convergence(p) != Convergence::Stable
    {
        return Err(AppError::Unpublishable(Unpublishable::NotConverged {
            r_hat: p.r_hat,
            ess: p.ess,
        }));
    }
    if estimate.estimate < known as f64 {
        return Err(AppError::Unpublishable(Unpublishable::BelowKnown {
            estimate: estimate.estimate,
            known,
        }));
    }
    Ok(())
}

/// A method as its publication names it.
fn method_name(method: vigilia_estimate::Method) -> &'static str {
    match method {
        vigilia_estimate::Method::Lcmcr => "lcmcr",
        vigilia_estimate::Method::Loglinear => "loglinear",
    }
}

/// The number of the estimate among `before` that is this one: the same table of lists, day,
/// method and settings (published again it would be the same figures twice).
pub fn same_as(
    before: &[vigilia_core::fact::EstimatePublication],
    table: &Table,
    as_of: Day,
    method: vigilia_estimate::Method,
    settings: &vigilia_estimate::lcmcr::Settings,
    rules: &vigilia_estimate::Rules,
) -> Result<Option<u64>, AppError> {
    let how = serde_json::to_string(&How {
        settings: *settings,
        rules: *rules,
    })
    .map_err(json_error)?;
    let (histories, method) = (table.to_csv(), method_name(method));
    Ok(before
        .iter()
        .find(|e| {
            e.as_of == as_of && e.method == method && e.histories == histories && e.settings == how
        })
        .map(|e| e.version))
}

/// Writes the publication of an estimate found [`publishable`], in the write's transaction: by a
/// coordinator, only if the registry is still at `head`, and only once (the same estimate again
/// is refused, naming its number). Its number is the next one.
#[allow(clippy::too_many_arguments)]
pub fn record(
    tx: &mut Tx<'_>,
    actor: &crate::actor::Actor,
    head: vigilia_ledger::Head,
    table: &Table,
    as_of: Day,
    known_on: Day,
    method: vigilia_estimate::Method,
    settings: &vigilia_estimate::lcmcr::Settings,
    rules: &vigilia_estimate::Rules,
    estimate: &vigilia_estimate::Estimate,
) -> Result<u64, AppError> {
    let how = serde_json::to_string(&How {
        settings: *settings,
        rules: *rules,
    })
    .map_err(json_error)?;
    let result = serde_json::to_string(estimate).map_err(json_error)?;
    let histories = table.to_csv();
    let actor = crate::actor::acting_as(tx, actor, &[vigilia_core::model::Role::Coordinator])?;
    if tx.content()?.hash != head.hash {
        return Err(AppError::Unpublishable(Unpublishable::RegistryChanged));
    }
    let recorded_on = tx.today()?;
    let before = match tx.get(vigilia_core::ids::Subject::REGISTRY)? {
        Some(Record::Registry(r)) => r.estimates.as_slice(),
        _ => &[],
    };
    if let Some(version) = same_as(before, table, as_of, method, settings, rules)? {
        return Err(AppError::Unpublishable(Unpublishable::AlreadyPublished {
            version,
        }));
    }
    let method = method_name(method);
    let version = before.last().map_or(1, |e| e.version + 1);
    tx.append(vigilia_core::fact::Draft {
        recorded_on,
        actor: actor.name.clone(),
        subject: vigilia_core::ids::Subject::REGISTRY,
        change: vigilia_core::fact::Change::EstimatePublished(
            vigilia_core::fact::EstimatePublication {
                version,
                as_of,
                known_on: Some(known_on),
                histories,
                method: method.into(),
                settings: how,
                result,
                ledger_seq: head.facts,
                ledger_head: head.hash.to_string(),
                made_on: Some(recorded_on),
            },
        ),
        sources: Vec::new(),
    })?;
    Ok(version)
}

/// An estimate from a table of the registry's lists (or of a capture-history file): the pairs
/// of lists a log-linear model keeps are said in its assumption as a reader says them
/// (`prensa con voluntariado`), not by the table's column names; another organisation's list is
/// never named there, for the assumption is published: it is «otra organización A», B, … in
/// the table's order, as [`other_organisation`] says it beside the list's name for staff.
pub fn estimate(
    table: &Table,
    method: vigilia_estimate::Method,
    rules: &vigilia_estimate::Rules,
    settings: &vigilia_estimate::lcmcr::Settings,
) -> Result<vigilia_estimate::Estimate, vigilia_estimate::Refusal> {
    let mut e = vigilia_estimate::estimate(table, method, rules, settings)?;
    e.say_lists(|name| match List::named(name) {
        List::Imported(_) => other_organisation(table.lists(), name).unwrap_or_default(),
        channel => channel.words(),
    });
    Ok(e)
}

/// How a published text calls the imported list `name` of a table of `lists`: «otra
/// organización A» for the first imported list, B for the second, … (Spanish, English).
pub fn other_organisation(lists: &[String], name: &str) -> Option<(String, String)> {
    let mut imported = lists
        .iter()
        .filter(|l| matches!(List::named(l), List::Imported(_)));
    let place = imported.position(|l| l == name)?;
    // A, B, … Z, then AA, AB, … as a spreadsheet names its columns.
    let mut letter = String::new();
    let mut n = place + 1;
    while n > 0 {
        letter.insert(0, char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    Some((
        format!("otra organización {letter}"),
        format!("another organisation {letter}"),
    ))
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
    let again = estimate(&table, method, &how.rules, &how.settings)
        .map_err(|r| AppError::BadFile(format!("{r:?}")))?;
    // The same figures: its words (the assumption) may be said better since it was published.
    let figures = |e: &mut serde_json::Value| {
        if let Some(o) = e.as_object_mut() {
            o.remove("assumption_es");
            o.remove("assumption_en");
        }
    };
    let mut published: serde_json::Value = serde_json::from_str(&p.result).map_err(json_error)?;
    let mut computed = serde_json::to_value(&again).map_err(json_error)?;
    figures(&mut published);
    figures(&mut computed);
    let same = published == computed;
    Ok((again, same))
}

#[cfg(test)]
mod tests {
    use super::{Convergence, convergence};

    /// The Kosovo table's lists taken as two of the registry's channels and two other
    /// organisations' lists, whose log-linear model keeps pairs of both.
    #[test]
    fn a_channel_is_known_by_its_words_too_and_a_partner_list_is_not_one() {
        use super::List;
        use vigilia_core::model::Channel;
        for name in ["press", "prensa"] {
            assert_eq!(List::named(name), List::Channel(Channel::Press));
        }
        assert_eq!(
            List::named("familia (formulario público)"),
            List::Channel(Channel::Family)
        );
        assert_eq!(
            List::named("ONG Justicia Zulia"),
            List::Imported("ONG Justicia Zulia".into())
        );
        // The staff page's table, in words: its partner lists get the letters the public page
        // gives them, and no channel is taken for a partner.
        let words = [
            "prensa",
            "ONG Justicia Zulia",
            "voluntariado",
            "Provea Caracas",
        ]
        .map(String::from);
        let letter = |n: &str| super::other_organisation(&words, n).map(|(es, _)| es);
        assert_eq!(
            letter("ONG Justicia Zulia").as_deref(),
            Some("otra organización A")
        );
        assert_eq!(
            letter("Provea Caracas").as_deref(),
            Some("otra organización B")
        );
        assert_eq!(letter("prensa"), None);
        // Past the alphabet, letters go on as a spreadsheet's columns: none is left unnamed.
        let many: Vec<String> = (1..=28).map(|n| format!("ONG {n}")).collect();
        let letter = |n: &str| super::other_organisation(&many, n).map(|(es, _)| es);
        assert_eq!(letter("ONG 26").as_deref(), Some("otra organización Z"));
        assert_eq!(letter("ONG 27").as_deref(), Some("otra organización AA"));
        assert_eq!(letter("ONG 28").as_deref(), Some("otra organización AB"));
    }

    #[test]
    fn a_published_assumption_says_the_pairs_in_words_and_names_no_partner() {
        let kosovo = include_str!("../../estimate/tests/kosovo.csv").replacen(
            "EXH,ABA,OSCE,HRW",
            "press,ONG Justicia Zulia,volunteer,Provea Caracas",
            1,
        );
        let table = vigilia_estimate::table::Table::from_csv(kosovo.as_bytes()).unwrap();
        let e = super::estimate(
            &table,
            vigilia_estimate::Method::Loglinear,
            &vigilia_estimate::Rules::default(),
            &vigilia_estimate::lcmcr::Settings::default(),
        )
        .unwrap();
        for text in [&e.assumption_es, &e.assumption_en] {
            assert!(
                !text.contains("Justicia") && !text.contains("Provea"),
                "{text}"
            );
        }
        assert!(
            e.assumption_es.contains("prensa con voluntariado")
                && e.assumption_es.contains("otra organización A")
                && e.assumption_es.contains("otra organización B"),
            "{}",
            e.assumption_es
        );
        assert!(
            e.assumption_en.contains("press with volunteer"),
            "{}",
            e.assumption_en
        );
    }

    fn posterior(r_hat: f64, ess: f64) -> vigilia_estimate::lcmcr::Posterior {
        vigilia_estimate::lcmcr::Posterior {
            median: 1000.0,
            mean: 1000.0,
            lower: 900.0,
            upper: 1100.0,
            r_hat,
            ess,
            chain_medians: vec![1000.0; 4],
            settings: vigilia_estimate::lcmcr::Settings::default(),
        }
    }

    #[test]
    fn an_estimate_is_called_stable_only_when_it_could_be_published() {
        assert_eq!(convergence(&posterior(1.02, 450.0)), Convergence::Stable);
        assert_eq!(convergence(&posterior(1.05, 200.0)), Convergence::Stable);
        // Chains that agree but are short: what the walk saw called stable and then refused.
        assert_eq!(convergence(&posterior(1.022, 132.0)), Convergence::Doubtful);
        assert_eq!(convergence(&posterior(1.052, 900.0)), Convergence::Doubtful);
        assert_eq!(convergence(&posterior(1.1, 900.0)), Convergence::Doubtful);
        assert_eq!(convergence(&posterior(1.3, 900.0)), Convergence::Unstable);
    }
}
