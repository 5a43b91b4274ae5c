//! Which channels report each demo detention, so that the registry has lists to estimate the
//! undocumented from (`vigilia estimate --registry`). The truth is known here: each detention
//! falls in a latent group (the visible, the ordinary, the hidden) that decides how likely each
//! channel is to report it, and families, volunteers, lawyers and the press report
//! independently given the group. Some detentions no channel reports (they came only by the
//! import): the estimate from the channels should find about as many as there are.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vigilia_core::model::Channel;

/// The channels drawn, in the order of [`GROUPS`]' chances.
pub const CHANNELS: [Channel; 4] = [
    Channel::Family,
    Channel::Volunteer,
    Channel::Lawyer,
    Channel::Press,
];

/// Each group's share, and its chances of being reported by each channel.
pub const GROUPS: [(f64, [f64; 4]); 3] = [
    (0.45, [0.55, 0.45, 0.50, 0.35]),
    (0.35, [0.25, 0.20, 0.25, 0.10]),
    (0.20, [0.06, 0.05, 0.08, 0.02]),
];

/// For each of `detentions` (in order), the channels that report it, drawn from `seed`.
pub fn reported_by(seed: u64, detentions: usize) -> Vec<Vec<Channel>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_c4a7);
    (0..detentions)
        .map(|_| {
            let u: f64 = rng.random();
            let mut acc = 0.0;
            let mut chances = [0.0; 4];
            for (share, c) in GROUPS {
                acc += share;
                if u < acc {
                    chances = c;
                    break;
                }
            }
            CHANNELS
                .iter()
                .zip(chances)
                .filter_map(|(channel, p)| (rng.random::<f64>() < p).then_some(*channel))
                .collect()
        })
        .collect()
}
