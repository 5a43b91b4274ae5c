//! What the public sees of a balance: the totals as counted, and breakdowns without small cells.
//!
//! A breakdown's cell of one or two people can name them: "one woman at El Helicoide" is a
//! person a family asked only to count. So every count in a breakdown from 1 to
//! [`SMALLEST_SHOWN`] − 1 is withheld (shown as "fewer than 3"), and where a breakdown withholds
//! only one cell, its smallest other cell is withheld too, so that the one cannot be found again
//! by taking the others from the total. Staff and the stored publication keep the exact figures;
//! only what leaves for the public passes through here.

use serde_json::{Map, Value};

/// The smallest count a public breakdown shows.
pub const SMALLEST_SHOWN: u64 = 3;

/// The breakdowns of a balance's JSON (`docs/balance.md`), by their path.
const BREAKDOWNS: [(&str, &str); 4] = [
    ("political_prisoners", "by"),
    ("held", "by"),
    ("period", "by"),
    ("period", "events_by"),
];

/// The balance's figures (as JSON) as the public sees them: every withheld cell is `null`, and
/// `withheld_below` says the threshold.
pub fn for_the_public(figures: &Value) -> Value {
    let mut out = figures.clone();
    for (figure, by) in BREAKDOWNS {
        let Some(dimensions) = out
            .get_mut(figure)
            .and_then(|f| f.get_mut(by))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for cells in dimensions.values_mut().filter_map(Value::as_object_mut) {
            withhold(cells);
        }
    }
    if let Some(top) = out.as_object_mut() {
        top.insert("withheld_below".into(), Value::from(SMALLEST_SHOWN));
    }
    out
}

/// Withholds the small cells of one breakdown, and one more where a single one would be.
fn withhold(cells: &mut Map<String, Value>) {
    let small = |n: u64| n > 0 && n < SMALLEST_SHOWN;
    let mut withheld = 0;
    for n in cells.values_mut() {
        if n.as_u64().is_some_and(small) {
            *n = Value::Null;
            withheld += 1;
        }
    }
    if withheld == 1
        && let Some(n) = cells
            .values_mut()
            .filter(|n| n.as_u64().is_some_and(|n| n >= SMALLEST_SHOWN))
            .min_by_key(|n| n.as_u64())
    {
        *n = Value::Null;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn small_cells_are_withheld_and_a_lone_one_takes_the_next_smallest_with_it() {
        let figures = json!({
            "political_prisoners": {"total": 120, "by": {
                "sex": {"F": 1, "M": 117, "unknown": 2},
                "facility": {"El Helicoide": 1, "Rodeo I": 40, "Tocorón": 79},
                "state": {"Zulia": 60, "Lara": 60, "Apure": 0}
            }},
            "period": {"new_prisoners": 1, "by": {"sex": {"F": 1, "M": 5}}}
        });
        let public = for_the_public(&figures);
        let by = &public["political_prisoners"]["by"];
        // Two small cells: both withheld, nothing more needed.
        assert_eq!(by["sex"], json!({"F": null, "M": 117, "unknown": null}));
        // One small cell: the smallest other goes too (else 120 − 40 − 79 = 1).
        assert_eq!(
            by["facility"],
            json!({"El Helicoide": null, "Rodeo I": null, "Tocorón": 79})
        );
        // No small cell: as counted (a zero names nobody).
        assert_eq!(by["state"], json!({"Zulia": 60, "Lara": 60, "Apure": 0}));
        assert_eq!(public["period"]["by"]["sex"], json!({"F": null, "M": null}));
        // Totals and the period's movements stay as counted.
        assert_eq!(public["political_prisoners"]["total"], 120);
        assert_eq!(public["period"]["new_prisoners"], 1);
        assert_eq!(public["withheld_below"], 3);
    }
}
