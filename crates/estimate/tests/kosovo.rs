//! The Kosovo table (four lists of killings, March–June 1999): the figures R gives, and the
//! count the Kosovo Memory Book later established inside the latent-class model's interval.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use vigilia_estimate::lcmcr::Settings;
use vigilia_estimate::table::Table;
use vigilia_estimate::{Method, Rules, estimate};

fn kosovo() -> Table {
    Table::from_csv(include_str!("kosovo.csv").as_bytes()).unwrap()
}

#[test]
fn the_latent_class_posterior_contains_the_memory_books_count() {
    let t = kosovo();
    // LCMCR's priors, and the run R's figures came from: four chains of 5,000 draws kept one
    // in a hundred after 20,000 sweeps. (The sampler's path depends on the last bits of ln and
    // exp, which differ between builds: the same seed gives the same draws in one build, and
    // the same distribution in any.)
    let s = Settings {
        burn_in: 20_000,
        thin: 100,
        draws: 5_000,
        ..Settings::default()
    };
    let e = estimate(&t, Method::Lcmcr, &Rules::default(), &s).unwrap();
    let p = e.posterior.clone().unwrap();
    assert_eq!(e.observed, 4400);
    // R (LCMCR 0.4.14): median 10,435, 95% [9,001, 13,854]; the truth: 10,401.
    assert!(e.lower < 10_401.0 && 10_401.0 < e.upper, "{p:?}");
    // Within Monte Carlo noise of R's: the median to 3%, the interval's ends to 6%.
    assert!((e.estimate - 10_435.0).abs() / 10_435.0 < 0.03, "{p:?}");
    assert!((e.lower - 9_001.0).abs() / 9_001.0 < 0.06, "{p:?}");
    assert!((e.upper - 13_854.0).abs() / 13_854.0 < 0.06, "{p:?}");
    assert!(p.r_hat < 1.1, "the chains agree: {p:?}");
    assert!(e.assumption_es.contains("grupos latentes"));
    // The same seed gives the same draws.
    let short = Settings {
        burn_in: 100,
        draws: 200,
        ..Settings::default()
    };
    let once = vigilia_estimate::lcmcr::sample(&t, &short);
    assert_eq!(once, vigilia_estimate::lcmcr::sample(&t, &short));
}

#[test]
fn the_log_linear_models_fall_short_of_the_truth_and_say_why() {
    let t = kosovo();
    let independence = vigilia_estimate::loglinear::independence(&t).unwrap();
    // Rcapture's Mt: 7,394.59 — far below the 10,401 established later.
    assert!(
        (independence.total - 7_394.59).abs() < 0.05,
        "{independence:?}"
    );
    assert!(independence.upper < 10_401.0);
    let e = estimate(
        &t,
        Method::Loglinear,
        &Rules::default(),
        &Settings::default(),
    )
    .unwrap();
    assert!(
        e.model.contains('×'),
        "AIC prefers interactions: {}",
        e.model
    );
    assert!(
        e.assumption_en.contains("only in pairs"),
        "{}",
        e.assumption_en
    );
    assert_eq!(
        e.lists.iter().map(|l| l.size).collect::<Vec<_>>(),
        [1910, 1528, 1786, 685]
    );
}

#[test]
fn tables_that_cannot_bear_an_estimate_are_refused_with_the_reason() {
    use vigilia_estimate::Refusal;
    let t = kosovo();
    let rules = Rules::default();
    let s = Settings::default();
    let two = t.only(&[0, 1]);
    assert!(matches!(
        estimate(&two, Method::Lcmcr, &rules, &s),
        Err(Refusal::TooFewLists { found: 2, .. })
    ));
    let strict = Rules {
        min_list_size: 1_000,
        ..rules
    };
    assert!(
        matches!(estimate(&t, Method::Loglinear, &strict, &s), Err(Refusal::SmallList { ref list, size: 685, .. }) if list == "HRW")
    );
    // One list under two names: every person on one is on the other.
    let mut twice = Table::new(vec![
        "familias".into(),
        "familias (copia)".into(),
        "prensa".into(),
    ])
    .unwrap();
    twice.add(0b011, 400);
    twice.add(0b111, 100);
    twice.add(0b100, 300);
    twice.add(0b001, 3);
    let refused = estimate(&twice, Method::Lcmcr, &rules, &s).unwrap_err();
    assert!(matches!(refused, Refusal::SameSource { .. }), "{refused:?}");
    use vigilia_core::lang::{Lang, Localize};
    assert!(
        refused
            .localize(Lang::Es)
            .contains("«familias» y «familias (copia)»")
    );
}
