//! The list behind a number: which detentions a figure of the balance counts, in all or within
//! one breakdown value (`political_prisoners`, `held:state=Zulia`, `sex=F`).

use vigilia_core::date::Day;
use vigilia_core::fold::KnownOn;
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::RecognitionStatus;

use crate::balance::{held, prisoner, value};
use crate::index::{Case, day_no};
use crate::{Dim, Index};

/// A figure of the balance that is a stock of detentions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    PoliticalPrisoners,
    Held,
    UnderStudy,
}

impl Figure {
    pub const ALL: [Figure; 3] = [Figure::PoliticalPrisoners, Figure::Held, Figure::UnderStudy];

    pub fn name(self) -> &'static str {
        match self {
            Figure::PoliticalPrisoners => "political_prisoners",
            Figure::Held => "held",
            Figure::UnderStudy => "under_study",
        }
    }
}

/// Which figure, and within which breakdown value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub figure: Figure,
    pub dim: Option<(Dim, String)>,
}

/// A selector that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?}: use FIGURE, DIMENSION=VALUE or FIGURE:DIMENSION=VALUE (figures: political_prisoners, held, under_study; dimensions: {dims})",
    dims = dimension_names()
)]
pub struct SelectorError(pub String);

impl Localize for SelectorError {
    fn localize(&self, lang: Lang) -> String {
        match lang {
            Lang::Es => format!(
                "{:?}: use FIGURA, DIMENSIÓN=VALOR o FIGURA:DIMENSIÓN=VALOR (figuras: political_prisoners, held, under_study; dimensiones: {})",
                self.0,
                dimension_names()
            ),
            Lang::En => self.to_string(),
        }
    }
}

pub fn dimension_names() -> String {
    Dim::ALL
        .iter()
        .map(|d| d.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Selector {
    /// Reads `FIGURE`, `DIMENSION=VALUE` (of political prisoners) or `FIGURE:DIMENSION=VALUE`.
    pub fn parse(text: &str) -> Result<Selector, SelectorError> {
        let bad = || SelectorError(text.to_string());
        let (figure, rest) = match text.split_once(':') {
            Some((f, rest)) => (f, Some(rest)),
            None if text.contains('=') => ("political_prisoners", Some(text)),
            None => (text, None),
        };
        let figure = Figure::ALL
            .into_iter()
            .find(|f| f.name() == figure)
            .ok_or_else(bad)?;
        let dim = match rest {
            None => None,
            Some(r) => {
                let (d, v) = r.split_once('=').ok_or_else(bad)?;
                Some((Dim::from_name(d).ok_or_else(bad)?, v.to_string()))
            }
        };
        Ok(Selector { figure, dim })
    }
}

/// The detentions (ids) the selected figure counts on `as_of`, as known on `known_on`.
pub fn behind(index: &Index, as_of: Day, known_on: KnownOn, s: &Selector) -> Vec<u64> {
    let d = day_no(as_of);
    index
        .cases(known_on)
        .filter(|c| selected(index, c, s, d))
        .map(|c| c.detention)
        .collect()
}

fn selected(index: &Index, c: &Case, s: &Selector, d: i32) -> bool {
    use RecognitionStatus as R;
    let in_figure = match s.figure {
        Figure::PoliticalPrisoners => c.status == Some(R::Recognised) && prisoner(c, d).0,
        Figure::Held => c.status == Some(R::Recognised) && held(c, d).0,
        Figure::UnderStudy => c.status == Some(R::UnderStudy) && held(c, d).0,
    };
    in_figure
        && s.dim.as_ref().is_none_or(|(dim, v)| {
            if dim.is_multi() {
                let values = c.values(*dim);
                if values.is_empty() {
                    v == "unknown"
                } else {
                    values.iter().any(|x| index.names.name(*dim, *x) == v)
                }
            } else {
                index.names.name(*dim, value(c, *dim, d)) == v
            }
        })
}

/// The detentions certainly held on `as_of` whose whereabouts were then unknown, as known on
/// `known_on`, each with the day it became unknown: the people behind the balance's
/// `whereabouts_unknown` (the same rule, [`crate::balance::value`]).
pub fn missing(index: &Index, as_of: Day, known_on: KnownOn) -> Vec<(u64, Day)> {
    let d = day_no(as_of);
    index
        .cases(known_on)
        .filter(|c| held(c, d).0 && value(c, Dim::WhereaboutsUnknown, d) == crate::index::TRUE)
        .filter_map(|c| {
            let since = c
                .whereabouts
                .iter()
                .filter(|(from, _)| *from <= d)
                .rev()
                .take_while(|(_, unknown)| *unknown)
                .last()
                .map(|(from, _)| *from)?;
            Some((c.detention, crate::index::day_of(since)))
        })
        .collect()
}
