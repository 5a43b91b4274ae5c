//! `cargo run --release -p vigilia-estimate --example kosovo -- BURN THIN DRAWS [SEED]`: the
//! Kosovo table with the latent-class model, timed.
fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let get = |i: usize, d: usize| args.get(i).copied().unwrap_or(d);
    let t =
        vigilia_estimate::table::Table::from_csv(include_str!("../tests/kosovo.csv").as_bytes())
            .unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(2)
            });
    let s = vigilia_estimate::lcmcr::Settings {
        burn_in: get(0, 10_000),
        thin: get(1, 10),
        draws: get(2, 10_000),
        seed: get(3, 1) as u64,
        ..Default::default()
    };
    let start = std::time::Instant::now();
    let p = vigilia_estimate::lcmcr::estimate(&t, &s);
    println!(
        "{:.2} s: median {} mean {:.0} 95% [{}, {}] R-hat {:.3} ESS {:.0} chains {:?}",
        start.elapsed().as_secs_f64(),
        p.median,
        p.mean,
        p.lower,
        p.upper,
        p.r_hat,
        p.ess,
        p.chain_medians
    );
}
