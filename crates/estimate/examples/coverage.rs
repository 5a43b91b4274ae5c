//! How often the 95% interval contains the truth, on synthetic populations of known size, and
//! how the sampler's time grows with lists: `bench/estimate/README.md` says how to run it and
//! what it gave.
//!
//! `cargo run --release -p vigilia-estimate --example coverage -- [REPLICATES] [--timing]`

use std::time::Instant;

use vigilia_estimate::lcmcr::Settings;
use vigilia_estimate::synthetic::{scenarios, with_lists};
use vigilia_estimate::{Method, Rules, estimate};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps: u64 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(50);
    let timing = args.iter().any(|a| a == "--timing");
    // Lighter than the default run (the benchmark does hundreds): two chains of 2,000 draws
    // kept one in ten after 5,000 sweeps.
    let light = Settings {
        chains: 2,
        burn_in: 5_000,
        thin: 10,
        draws: 2_000,
        ..Settings::default()
    };
    let rules = Rules::default();
    println!(
        "| population | N | observed (mean) | method | mean estimate | median relative error | 95% coverage | mean interval width |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for p in scenarios() {
        for method in [Method::Lcmcr, Method::Loglinear] {
            let (mut covered, mut n, mut sum, mut width, mut observed) = (0, 0, 0.0, 0.0, 0.0);
            let mut errors = Vec::new();
            for rep in 0..reps {
                let Ok(t) = p.draw(1_000 + rep) else { continue };
                let s = Settings {
                    seed: rep + 1,
                    ..light
                };
                let Ok(e) = estimate(&t, method, &rules, &s) else {
                    continue;
                };
                let truth = p.size as f64;
                n += 1;
                if e.lower <= truth && truth <= e.upper {
                    covered += 1;
                }
                sum += e.estimate;
                width += e.upper - e.lower;
                observed += e.observed as f64;
                errors.push((e.estimate - truth).abs() / truth);
            }
            errors.sort_by(f64::total_cmp);
            let median = errors.get(errors.len() / 2).copied().unwrap_or(f64::NAN);
            let m = n.max(1) as f64;
            println!(
                "| {} | {} | {:.0} | {} | {:.0} | {:.1}% | {}/{} ({:.0}%) | {:.0} |",
                p.name,
                p.size,
                observed / m,
                match method {
                    Method::Lcmcr => "LCMCR",
                    Method::Loglinear => "log-linear (AIC)",
                },
                sum / m,
                100.0 * median,
                covered,
                n,
                100.0 * covered as f64 / m,
                width / m
            );
        }
    }
    if timing {
        println!();
        println!(
            "| lists | observed cells | default run (4 chains × 10,000 kept, thin 10, burn-in 10,000) |"
        );
        println!("|---|---|---|");
        for lists in 3..=8 {
            let Ok(t) = with_lists(lists, 5_000).draw(lists as u64) else {
                continue;
            };
            let cells = t.cells().filter(|(_, n)| *n > 0).count();
            let start = Instant::now();
            let p = vigilia_estimate::lcmcr::estimate(&t, &Settings::default());
            println!(
                "| {lists} | {cells} | {:.2} s (median {:.0}, truth 5,000, R-hat {:.3}) |",
                start.elapsed().as_secs_f64(),
                p.median,
                p.r_hat
            );
        }
    }
}
