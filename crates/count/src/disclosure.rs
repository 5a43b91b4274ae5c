//! What the public sees of a balance: its totals as counted, and the breakdowns of political
//! prisoners without small cells.
//!
//! A breakdown's cell of one or two people can name them ("one woman at El Helicoide" is a
//! person a family asked only to count), and so can the difference of two breakdowns of nested
//! figures (held minus political prisoners is whoever was arrested in the last 48 hours), or the
//! labels left on withheld cells. So the public gets:
//! - the totals and the period's movements, as counted;
//! - the breakdowns of political prisoners only (none of `held`, of the period, of the ends):
//!   no two overlapping tables to take one from the other;
//! - in each breakdown, every value of fewer than [`SMALLEST_SHOWN`] people is not named (what
//!   is not known is no one's value, and is named however few, but for age and conviction,
//!   where it is a person's state): all such values are added
//!   into one `others` cell, with the people whose value is not known
//!   and then the smallest named values as well until `others` has at least
//!   [`SMALLEST_SHOWN`] and does not hold each of its values at the most a small value can be
//!   (two values, four people: two each); zeros are then left out too (a breakdown of fixed
//!   values shows every value, so a zero beside `others` would say which are in it); a
//!   breakdown left with no named value but what is not known is not published at all.
//!
//! Staff and the stored publication keep the exact figures; only what leaves for the public
//! passes through here.

use serde_json::{Map, Value};

/// The smallest count a public breakdown names, unless the organisation sets another.
pub const SMALLEST_SHOWN: u64 = 3;

/// The key of the cell that gathers the values not named.
pub const OTHERS: &str = "others";

/// The key of the people whose value is not known.
const UNKNOWN: &str = "unknown";

/// The figures kept for the public, by their path (`docs/balance.md`); the rest is left out.
const TOTALS: [&str; 4] = ["total", "lower", "upper", "by"];
const PERIOD: [&str; 9] = [
    "from",
    "to",
    "political_detentions",
    "events",
    "new_prisoners",
    "releases",
    "prisoner_releases",
    "deaths",
    "upper",
];

/// The balance's figures (as JSON) as the public sees them (see the module's text), naming no
/// value of fewer than `below` people.
pub fn for_the_public(figures: &Value, below: u64) -> Value {
    let mut out = Map::new();
    let Some(all) = figures.as_object() else {
        return Value::Object(out);
    };
    for (key, value) in all {
        let kept = match key.as_str() {
            "political_prisoners" => keep(value, &TOTALS).map(|mut f| {
                if let Some(by) = f.get_mut("by").and_then(Value::as_object_mut) {
                    *by = public_breakdowns(by, below);
                }
                f
            }),
            "held" | "under_study" => keep(value, &TOTALS[..3]),
            "period" => keep(value, &PERIOD).map(|mut p| {
                if let Some(upper) = p.get_mut("upper").and_then(Value::as_object_mut) {
                    upper.remove("ends_by_type");
                }
                p
            }),
            _ => Some(value.clone()),
        };
        if let Some(v) = kept {
            out.insert(key.clone(), v);
        }
    }
    out.insert("withheld_below".into(), Value::from(below));
    Value::Object(out)
}

/// An object with only the keys given.
fn keep(value: &Value, keys: &[&str]) -> Option<Value> {
    let object = value.as_object()?;
    let kept: Map<String, Value> = object
        .iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Some(Value::Object(kept))
}

/// Each breakdown with its small values gathered into `others`; those left without a named
/// value are dropped.
fn public_breakdowns(by: &Map<String, Value>, below: u64) -> Map<String, Value> {
    by.iter()
        .filter_map(|(dim, cells)| {
            // Not known is no one's value where it means not recorded; of age and conviction it
            // is also a person's state (an 18th birthday or a sentence around this day, its
            // date imprecise), a value like any other.
            let unknown_is_no_ones = !matches!(dim.as_str(), "age" | "convicted");
            let cells = gathered(cells.as_object()?, below, unknown_is_no_ones)?;
            Some((dim.clone(), Value::Object(cells)))
        })
        .collect()
}

/// One breakdown as the public sees it, or none when nothing in it could be named.
fn gathered(
    cells: &Map<String, Value>,
    below: u64,
    unknown_is_no_ones: bool,
) -> Option<Map<String, Value>> {
    let mut named: Vec<(&String, u64)> = Vec::new();
    let mut others = 0;
    for (value, n) in cells {
        let n = n.as_u64().unwrap_or(0);
        // What is not known is no value of anyone's: named however few (one person accepted
        // from a form that does not ask it must not hide the military).
        if value == OTHERS && n > 0 {
            // A value written `others` (a place so named) is gathered whatever its count:
            // named, its key would be the gathered cell's, and its people would vanish.
            others += n;
        } else if n >= below || n == 0 || (unknown_is_no_ones && value == UNKNOWN) {
            named.push((value, n));
        } else {
            others += n;
        }
    }
    // A zero left beside `others` would say which values are in it (sex lists all its values:
    // "X: 0" beside "others" tells that the women are the one or two gathered).
    if others > 0 {
        named.retain(|(_, n)| *n > 0);
    }
    // Too few in `others` would name its people again: what is not known goes in first (it
    // names no value, and a breakdown's values are what readers look for: a single «otro»
    // must not hide how many women are held when some people's sex is not recorded), then
    // the smallest named.
    named.sort_by_key(|(value, n)| (value.as_str() != UNKNOWN, *n, (*value).clone()));
    // So would `others` holding each of its values at the most a small value can be (two
    // values gathered, 4 people: two each).
    let gathered_values = (cells.len() - named.len()) as u64;
    let each_at_most =
        |others: u64, from: usize| from == 0 && others == gathered_values * below.saturating_sub(1);
    let mut from = 0;
    while others > 0 && (others < below || each_at_most(others, from)) {
        let Some((_, n)) = named.get(from).copied() else {
            break;
        };
        others += n;
        from += 1;
    }
    let named = named.get(from..).unwrap_or_default();
    if !named.iter().any(|(v, n)| *n > 0 && v.as_str() != UNKNOWN) {
        return None;
    }
    let mut out: Map<String, Value> = named
        .iter()
        .map(|(v, n)| ((*v).clone(), Value::from(*n)))
        .collect();
    if others > 0 {
        out.insert(OTHERS.into(), Value::from(others));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_value_written_others_is_gathered_and_nobody_vanishes() {
        let figures = json!({"political_prisoners": {"total": 130, "by": {
            "facility": {"Tocorón": 79, "others": 50, "El Rodeo I": 1}
        }}});
        let public = for_the_public(&figures, 3);
        let facility = &public["political_prisoners"]["by"]["facility"];
        assert_eq!(facility, &json!({"Tocorón": 79, "others": 51}));
    }

    #[test]
    fn small_values_are_gathered_unnamed_and_overlapping_tables_left_out() {
        let figures = json!({
            "as_of": "2026-11-20",
            "political_prisoners": {"total": 120, "lower": 120, "upper": 121, "by": {
                "sex": {"F": 1, "M": 117, "unknown": 2},
                "facility": {"El Helicoide": 1, "Rodeo I": 40, "Tocorón": 79},
                "state": {"Zulia": 60, "Lara": 60, "Apure": 0},
                "agency": {"SEBIN": 1, "DGCIM": 1}
            }},
            "held": {"total": 121, "lower": 121, "upper": 122, "by": {"sex": {"F": 1, "M": 118, "unknown": 2}}},
            "period": {"from": "2026-11-13", "to": "2026-11-20", "new_prisoners": 1, "deaths": 1,
                "by": {"sex": {"M": 1}}, "events_by": {}, "ends_by_type": {"died_in_custody": 1},
                "upper": {"deaths": 1, "ends_by_type": {"died_in_custody": 1}}}
        });
        let public = for_the_public(&figures, SMALLEST_SHOWN);
        let by = &public["political_prisoners"]["by"];
        // Two small values: gathered, unnamed (3 ≥ 3).
        assert_eq!(by["sex"], json!({"M": 117, "others": 3}));
        // One small value alone would be known: the next smallest joins it (1 + 40).
        assert_eq!(by["facility"], json!({"Tocorón": 79, "others": 41}));
        // Nothing small: as counted (a zero names nobody).
        assert_eq!(by["state"], json!({"Zulia": 60, "Lara": 60, "Apure": 0}));
        // Everything small: not published (its labels would be the answer).
        assert!(by.get("agency").is_none());
        // No table overlapping the prisoners' to take one from the other.
        assert!(public["held"].get("by").is_none());
        assert!(public["period"].get("by").is_none());
        assert!(public["period"].get("ends_by_type").is_none());
        assert!(public["period"]["upper"].get("ends_by_type").is_none());
        // Totals and the period's movements stay as counted.
        assert_eq!(public["political_prisoners"]["total"], 120);
        assert_eq!(public["held"]["total"], 121);
        assert_eq!(public["period"]["new_prisoners"], 1);
        assert_eq!(public["as_of"], "2026-11-20");
        assert_eq!(public["withheld_below"], 3);
    }

    #[test]
    fn those_whose_value_is_not_known_join_a_small_value_before_any_named_one() {
        let figures = json!({"political_prisoners": {"total": 226, "by": {
            "sex": {"F": 20, "M": 200, "X": 1, "unknown": 5},
            "facility": {"El Helicoide": 1, "Rodeo I": 40, "Tocorón": 79, "unknown": 0}
        }}});
        let by = &for_the_public(&figures, SMALLEST_SHOWN)["political_prisoners"]["by"];
        // A single «otro» does not hide how many women are held: the five not known join it.
        assert_eq!(by["sex"], json!({"M": 200, "F": 20, "others": 6}));
        // None not known (a zero, left out beside `others`): the smallest named value joins.
        assert_eq!(by["facility"], json!({"Tocorón": 79, "others": 41}));
    }

    /// The adversary knows the rule and every value a breakdown of fixed values has: what is
    /// published must leave each gathered value's count open.
    #[test]
    fn what_is_gathered_cannot_be_told_apart_by_the_values_left_beside_it() {
        let figures = json!({"political_prisoners": {"total": 0, "by": {
            // "X: 0" beside "others: 4" would say the one gathered with the unknown is a woman.
            "sex": {"F": 1, "M": 3, "X": 0, "unknown": 3},
            // Two values of two each: "others: 4" of two values would give both.
            "facility": {"A": 2, "B": 2, "C": 50, "D": 90},
            // Three values and what is not known, all at two: nothing can be named.
            "age": {"adult": 2, "adolescent": 2, "unknown": 2},
            // Nothing small: every value as counted, zeros too.
            "nationality": {"national": 40, "dual": 0, "foreign": 3}
        }}});
        let by = &for_the_public(&figures, SMALLEST_SHOWN)["political_prisoners"]["by"];
        assert_eq!(by["sex"], json!({"M": 3, "others": 4}));
        assert_eq!(by["facility"], json!({"D": 90, "others": 54}));
        assert!(by.get("age").is_none(), "{by}");
        assert_eq!(
            by["nationality"],
            json!({"national": 40, "dual": 0, "foreign": 3})
        );
    }

    /// People accepted from a form that does not ask whether they are military are not known
    /// there: one or two of them are named as such, and do not pull the military into
    /// `others`; a breakdown that could name only them is not published.
    #[test]
    fn a_few_whose_value_is_not_known_are_named_and_hide_nothing() {
        let figures = json!({"political_prisoners": {"total": 0, "by": {
            "civilian_military": {"civilian": 500, "military": 109, "unknown": 1},
            "sex": {"F": 1, "M": 2, "X": 0, "unknown": 1},
            // Of a conviction, not known is someone sentenced around this day: gathered.
            "convicted": {"false": 480, "true": 40, "unknown": 1}
        }}});
        let by = &for_the_public(&figures, SMALLEST_SHOWN)["political_prisoners"]["by"];
        assert_eq!(
            by["civilian_military"],
            json!({"civilian": 500, "military": 109, "unknown": 1})
        );
        assert!(by.get("sex").is_none(), "{by}");
        assert_eq!(by["convicted"], json!({"false": 480, "others": 41}));
    }
}
