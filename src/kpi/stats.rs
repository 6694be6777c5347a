//! Small statistics helpers shared by the KPIs.

/// The `p`-quantile (0..=1) of `values` by linear interpolation between the
/// closest ranks (the spreadsheet `PERCENTILE.INC` rule): the median of
/// 1, 2, 3, 10 is 2.5 and its 90th percentile is 3 + 0.7 × 7 = 7.9.
pub fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    // Selection, not a full sort: O(n) per quantile.
    let rank = p.clamp(0.0, 1.0) * (values.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let (_, &mut at_lo, upper) = values.select_nth_unstable_by(lo, |a, b| a.total_cmp(b));
    let frac = rank - lo as f64;
    if frac == 0.0 || upper.is_empty() {
        return Some(at_lo);
    }
    let next = upper.iter().copied().fold(f64::INFINITY, f64::min);
    Some(at_lo + (next - at_lo) * frac)
}

/// [`percentile`] of values already sorted ascending (not empty).
pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    let rank = p.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
}

/// `num / den`, or `None` when `den` is zero.
pub fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Count distinct `(bucket, key)` pairs per bucket; `pairs` is reordered.
pub fn distinct_per_bucket(pairs: &mut Vec<(u32, u32)>, buckets: usize) -> Vec<u32> {
    pairs.sort_unstable();
    pairs.dedup();
    let mut out = vec![0u32; buckets];
    for (b, _) in pairs.iter() {
        if let Some(slot) = out.get_mut(*b as usize) {
            *slot += 1;
        }
    }
    out
}

/// Distinct keys per bucket (users per day, week or feature), as one bitset
/// per bucket: O(1) per event, no sorting. Falls back to sorting pairs when
/// buckets × keys would need more than 32 MB.
pub struct Distinct {
    buckets: usize,
    words: usize,
    bits: Vec<u64>,
    pairs: Vec<(u32, u32)>,
}

impl Distinct {
    const MAX_WORDS: usize = 4 << 20;

    pub fn new(buckets: usize, keys: usize) -> Distinct {
        let words = keys.div_ceil(64).max(1);
        let dense = buckets.saturating_mul(words) <= Self::MAX_WORDS;
        Distinct {
            buckets,
            words,
            bits: if dense { vec![0; buckets * words] } else { Vec::new() },
            pairs: Vec::new(),
        }
    }

    /// Count `key` in `bucket` (once, however often it is added).
    pub fn add(&mut self, bucket: usize, key: u32) {
        if bucket >= self.buckets {
            return;
        }
        if self.bits.is_empty() {
            self.pairs.push((bucket as u32, key));
        } else if let Some(w) = self.bits.get_mut(bucket * self.words + key as usize / 64) {
            *w |= 1u64 << (key % 64);
        }
    }

    /// Distinct keys per bucket.
    pub fn counts(mut self) -> Vec<u32> {
        if self.bits.is_empty() {
            return distinct_per_bucket(&mut self.pairs, self.buckets);
        }
        self.bits.chunks(self.words).map(|c| c.iter().map(|w| w.count_ones()).sum()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_counts_agree_dense_and_sparse() {
        let events = [(0usize, 5u32), (0, 5), (0, 70), (2, 5), (1, 999)];
        let mut d = Distinct::new(3, 1000);
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for (b, k) in events {
            d.add(b, k);
            pairs.push((b as u32, k));
        }
        assert_eq!(d.counts(), vec![2, 1, 1]);
        assert_eq!(distinct_per_bucket(&mut pairs, 3), vec![2, 1, 1]);
    }

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let mut v = vec![10.0, 1.0, 3.0, 2.0];
        assert_eq!(percentile(&mut v, 0.5), Some(2.5));
        assert!((percentile(&mut v, 0.9).unwrap() - 7.9).abs() < 1e-9);
        assert_eq!(percentile(&mut [], 0.5), None);
        assert_eq!(percentile(&mut [4.0], 0.9), Some(4.0));
    }
}
