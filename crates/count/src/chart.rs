//! The revolving-door chart: the stock of political prisoners over time, with the arrests and
//! releases of each step beside it, as SVG (plotters), labelled in the user's language.

use std::collections::BTreeMap;

use crate::series::Step;
use plotters::prelude::*;
use vigilia_core::lang::Lang;

/// One step's figures, summed over the `--by` groups.
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    prisoners: u64,
    possible: u64,
    arrests: u64,
    releases: u64,
}

/// A line of the chart: its label, colour, width, and the figure it draws.
type Line<'a> = (&'a str, RGBColor, u32, fn(&Totals) -> u64);

/// Draws the series (summed over any `--by` groups) as an SVG document.
pub fn revolving_door(rows: &[Step], lang: Lang) -> Result<String, String> {
    let mut per_date: BTreeMap<&str, Totals> = BTreeMap::new();
    for r in rows {
        let e = per_date.entry(r.date.as_str()).or_default();
        e.prisoners += r.political_prisoners;
        e.possible += r.political_prisoners_upper;
        e.arrests += r.political_detentions;
        e.releases += r.releases;
    }
    let points: Vec<(&str, Totals)> = per_date.into_iter().collect();
    let top = points
        .iter()
        .map(|(_, t)| t.prisoners.max(t.possible).max(t.arrests).max(t.releases))
        .max()
        .unwrap_or(1)
        .max(1);
    let n = points.len().max(2);
    let pick = |es: &'static str, en: &'static str| lang.pick(es, en);
    let mut svg = String::new();
    {
        // Drawn small, with large letters: a phone shows it at a third of its width or more,
        // and its text must still be read there.
        let root = SVGBackend::with_string(&mut svg, (760, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                pick(
                    "Puerta giratoria: presos políticos, detenciones y excarcelaciones",
                    "Revolving door: political prisoners, arrests and releases",
                ),
                ("sans-serif", 24),
            )
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(80)
            .build_cartesian_2d(0..n - 1, 0..top + top / 10 + 1)
            .map_err(|e| e.to_string())?;
        // Days and numbers as the pages write them (05/12/2026, 1.800).
        let label_of = |i: &usize| {
            points
                .get(*i)
                .map(|(d, _)| vigilia_core::date::short_iso(d, lang))
                .unwrap_or_default()
        };
        let number_of = |n: &u64| lang.number(*n);
        chart
            .configure_mesh()
            .x_labels(4)
            .x_label_formatter(&label_of)
            .y_label_formatter(&number_of)
            .x_label_style(("sans-serif", 20))
            .y_label_style(("sans-serif", 20))
            .y_desc(pick("personas", "people"))
            .draw()
            .map_err(|e| e.to_string())?;
        let lines: [Line<'_>; 4] = [
            (
                pick("presos políticos", "political prisoners"),
                RGBColor(170, 20, 30),
                3,
                |t| t.prisoners,
            ),
            (
                pick(
                    "presos políticos (posible)",
                    "political prisoners (possible)",
                ),
                RGBColor(230, 150, 150),
                1,
                |t| t.possible,
            ),
            (
                pick("detenciones del período", "arrests in the step"),
                RGBColor(30, 70, 170),
                2,
                |t| t.arrests,
            ),
            (
                pick("excarcelaciones del período", "releases in the step"),
                RGBColor(20, 130, 60),
                2,
                |t| t.releases,
            ),
        ];
        for (label, color, width, value) in lines {
            chart
                .draw_series(LineSeries::new(
                    points.iter().enumerate().map(|(i, (_, v))| (i, value(v))),
                    color.stroke_width(width),
                ))
                .map_err(|e| e.to_string())?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(("sans-serif", 18))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// A balance's main breakdowns of political prisoners as horizontal bars.
pub fn breakdown(b: &crate::Balance, lang: Lang) -> String {
    let mut bars: Vec<(String, u64)> = Vec::new();
    for dim in ["sex", "civilian_military", "age", "state"] {
        if let Some(values) = b.political_prisoners.by.get(dim) {
            let mut v: Vec<(&String, &u64)> = values.iter().filter(|(_, n)| **n > 0).collect();
            v.sort_by(|a, b| b.1.cmp(a.1));
            bars.extend(
                v.into_iter()
                    .take(8)
                    .map(|(k, n)| (format!("{dim}: {k}"), *n)),
            );
        }
    }
    let top = bars.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let row = 22;
    let height = 70 + bars.len() * row;
    let title = match lang {
        Lang::Es => format!(
            "Presos políticos al {}: {}",
            b.as_of, b.political_prisoners.total
        ),
        Lang::En => format!(
            "Political prisoners as of {}: {}",
            b.as_of, b.political_prisoners.total
        ),
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, height as u32)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let _ = root.draw(&Text::new(title, (20, 20), ("sans-serif", 20)));
        for (i, (label, n)) in bars.iter().enumerate() {
            let y = 60 + (i * row) as i32;
            let w = (500 * *n / top) as i32;
            let _ = root.draw(&Text::new(label.clone(), (20, y + 4), ("sans-serif", 13)));
            let _ = root.draw(&Rectangle::new(
                [(300, y), (300 + w, y + row as i32 - 6)],
                RGBColor(170, 20, 30).filled(),
            ));
            let _ = root.draw(&Text::new(
                n.to_string(),
                (306 + w, y + 4),
                ("sans-serif", 13),
            ));
        }
        let _ = root.present();
    }
    svg
}
