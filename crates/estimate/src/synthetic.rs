//! Synthetic populations of known size, documented by lists with unequal chances: what the
//! estimators are measured on (`bench/estimate`), since on real data the truth is rarely known.
//!
//! A population is a mix of latent groups; a person of group `g` is on list `j` with chance
//! `p[g][j]`, independently of the other lists given the group. That is the difficulty real
//! lists pose: the visible are visible to every list, the hidden to none, so the lists are
//! positively dependent overall even though no list copies another.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::table::Table;

/// A population to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    pub name: &'static str,
    pub size: u64,
    /// Each group's share of the population (summing to 1).
    pub shares: Vec<f64>,
    /// `chances[g][j]`: the chance a member of group `g` is on list `j`.
    pub chances: Vec<Vec<f64>>,
}

impl Population {
    /// The lists' names: `A`, `B`, ….
    pub fn lists(&self) -> Vec<String> {
        let j = self.chances.first().map_or(0, Vec::len);
        (0..j)
            .map(|i| ((b'A' + i as u8) as char).to_string())
            .collect()
    }

    /// Draws who each list documented, with `seed`: the table (the people on no list left out).
    pub fn draw(&self, seed: u64) -> Result<Table, crate::table::TableError> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut table = Table::new(self.lists())?;
        for _ in 0..self.size {
            let u: f64 = rng.random();
            let mut acc = 0.0;
            let mut group = self.shares.len().saturating_sub(1);
            for (g, s) in self.shares.iter().enumerate() {
                acc += s;
                if u < acc {
                    group = g;
                    break;
                }
            }
            let mut pattern = 0usize;
            if let Some(chances) = self.chances.get(group) {
                for (j, p) in chances.iter().enumerate() {
                    if rng.random::<f64>() < *p {
                        pattern |= 1 << j;
                    }
                }
            }
            table.add(pattern, 1);
        }
        Ok(table)
    }
}

/// The populations the benchmark measures coverage on, from easy to hard.
pub fn scenarios() -> Vec<Population> {
    vec![
        Population {
            name: "homogeneous",
            size: 2_000,
            shares: vec![1.0],
            chances: vec![vec![0.30, 0.25, 0.20, 0.35]],
        },
        Population {
            name: "two groups",
            size: 5_000,
            shares: vec![0.6, 0.4],
            chances: vec![vec![0.45, 0.40, 0.35, 0.30], vec![0.10, 0.08, 0.06, 0.12]],
        },
        Population {
            name: "three groups, a hidden one",
            size: 10_000,
            shares: vec![0.3, 0.4, 0.3],
            chances: vec![
                vec![0.60, 0.50, 0.55, 0.40],
                vec![0.25, 0.20, 0.15, 0.20],
                vec![0.05, 0.04, 0.06, 0.03],
            ],
        },
        Population {
            name: "lists that favour different groups",
            size: 4_000,
            shares: vec![0.5, 0.5],
            chances: vec![vec![0.50, 0.40, 0.05, 0.10], vec![0.05, 0.10, 0.45, 0.40]],
        },
    ]
}

/// A population of `lists` lists, two groups, for timing how the sampler grows with lists.
pub fn with_lists(lists: usize, size: u64) -> Population {
    let visible: Vec<f64> = (0..lists).map(|j| 0.35 + 0.03 * (j % 4) as f64).collect();
    let hidden: Vec<f64> = (0..lists).map(|j| 0.06 + 0.01 * (j % 3) as f64).collect();
    Population {
        name: "timing",
        size,
        shares: vec![0.6, 0.4],
        chances: vec![visible, hidden],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_population_is_drawn_the_same_with_the_same_seed_and_hides_some() {
        let p = &scenarios()[2];
        let t = p.draw(7).unwrap();
        assert_eq!(t, p.draw(7).unwrap());
        assert_ne!(t, p.draw(8).unwrap());
        // Expected on no list: 0.3·Π(1−p) + … ≈ 0.3·0.036 + 0.4·0.44 + 0.3·0.83 ≈ 0.44.
        let unseen = p.size - t.observed();
        assert!((3_900..4_900).contains(&unseen), "{unseen}");
    }
}
