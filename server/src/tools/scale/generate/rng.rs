//! The data set's random numbers: splitmix64 from a fixed seed, one independent stream for each
//! part of the data.

/// The generator's seed: fixed, so a plan always gives the same data.
pub(super) const SEED: u64 = 0x00C1_1A1C_5EED_2026;

/// splitmix64: tiny, fast and good enough for test data; `mix` alone is a bijection on u64.
pub(super) struct Rng(u64);

pub(super) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// An independent stream per part of the data, so changing one part leaves the others alone.
    pub(super) fn stream(part: u64) -> Self {
        Self(mix(SEED ^ part.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
    }
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
    /// 0..n (n > 0), without modulo bias worth speaking of.
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
    pub(super) fn range(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as usize) as i64
    }
    pub(super) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    /// An index drawn with the given relative weights.
    pub(super) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut ticket = self.below(total as usize) as u32;
        for (index, weight) in weights.iter().enumerate() {
            if ticket < *weight {
                return index;
            }
            ticket -= weight;
        }
        weights.len() - 1
    }
    /// `k` distinct items of `pool`, in random order (a partial Fisher-Yates shuffle).
    pub(super) fn sample(&mut self, pool: &mut [usize], k: usize) -> Vec<usize> {
        let k = k.min(pool.len());
        for i in 0..k {
            let j = i + self.below(pool.len() - i);
            pool.swap(i, j);
        }
        pool[..k].to_vec()
    }
}
