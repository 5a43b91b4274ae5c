//! Properties of counting on random registries: every single-valued breakdown of a stock sums
//! to its total; the certain count never exceeds the possible one; a balance as known on a
//! past day never counts a detention recorded after it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use vigilia_core::fold::KnownOn;
use vigilia_core::model::{EndType, RecognitionStatus, Sex};
use vigilia_count::{Dim, balance};

mod common;
use common::{Registry, day};

fn date(offset: u16) -> String {
    jiff::civil::date(2024, 1, 1)
        .checked_add(jiff::Span::new().days(i64::from(offset)))
        .unwrap()
        .to_string()
}

/// A detention: woman or man, arrest day, days until recorded, recognised or under study,
/// and maybe an end (days after the arrest, which kind).
type Case = (bool, u16, u16, bool, Option<(u16, u8)>);

fn registry(cases: &[Case]) -> Registry {
    let mut r = Registry::new();
    for &(woman, arrest, lag, recognised, end) in cases {
        let sex = if woman { Sex::F } else { Sex::M };
        let status = if recognised {
            RecognitionStatus::Recognised
        } else {
            RecognitionStatus::UnderStudy
        };
        let i = r.detention(sex, &date(arrest), &date(arrest + lag), status, vec![]);
        if let Some((after, kind)) = end {
            let kind = [
                EndType::Released,
                EndType::ReleasedUnderMeasures,
                EndType::DiedInCustody,
                EndType::Escaped,
            ][usize::from(kind % 4)];
            let at = date(arrest + after);
            r.end(i, &at, kind, &date(arrest + after + lag));
        }
    }
    r
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<bool>(),
        0u16..400,
        0u16..20,
        any::<bool>(),
        prop::option::of((0u16..120, any::<u8>())),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn breakdowns_sum_to_their_totals(
        cases in prop::collection::vec(case(), 0..60),
        as_of in 0u16..500,
        known in prop::option::of(0u16..500),
    ) {
        let index = registry(&cases).index();
        let as_of = day(&date(as_of));
        let known_on = known.map_or(KnownOn::NOW, |k| KnownOn(Some(day(&date(k)))));
        let since = as_of.checked_sub(jiff::Span::new().days(7)).unwrap();
        let b = balance(&index, as_of, known_on, since);
        for figure in [&b.political_prisoners, &b.held] {
            prop_assert!(figure.lower <= figure.upper);
            prop_assert_eq!(figure.total, figure.lower);
            for (dim, values) in &figure.by {
                if Dim::from_name(dim).is_some_and(|d| d.is_multi()) {
                    continue;
                }
                prop_assert_eq!(values.values().sum::<u64>(), figure.total, "{}", dim);
            }
        }
        prop_assert!(b.political_prisoners.total <= b.held.total);
        // Known on a past day: nothing recorded after it is counted.
        if let Some(k) = known {
            let recorded_by_then = cases.iter().filter(|c| c.1 + c.2 <= k).count() as u64;
            prop_assert!(b.held.upper <= recorded_by_then);
        }
    }
}
