//! Small statistics helpers shared by the KPIs.

/// The `p`-quantile (0..=1) of `values` by linear interpolation between the
/// closest ranks (the spreadsheet `PERCENTILE.INC` rule): the median of
/// 1, 2, 3, 10 is 2.5 and its 90th percentile is 3 + 0.7 × 7 = 7.9.
pub fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(|a, b| a.total_cmp(b));
    Some(percentile_sorted(values, p))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let mut v = vec![10.0, 1.0, 3.0, 2.0];
        assert_eq!(percentile(&mut v, 0.5), Some(2.5));
        assert!((percentile(&mut v, 0.9).unwrap() - 7.9).abs() < 1e-9);
        assert_eq!(percentile(&mut [], 0.5), None);
        assert_eq!(percentile(&mut [4.0], 0.9), Some(4.0));
    }
}
