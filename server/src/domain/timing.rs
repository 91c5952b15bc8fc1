//! Time to deliver and time to read: nearest-rank percentiles and the time-to-read histogram.

use app::insights::{CampaignTiming, HistogramBucket};

/// The histogram's bar bounds in seconds: 1 min, 5 min, 15 min, 30 min, 1 h, 3 h, 6 h, 12 h,
/// 24 h, then one open bar for longer.
pub const HISTOGRAM_BOUNDS: [i64; 9] = [60, 300, 900, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400];

/// The nearest-rank `p`th percentile (1–100) of `sorted` (ascending): the value at rank
/// ⌈p·n/100⌉. `None` for no values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (p as usize * n).div_ceil(100).clamp(1, n);
    sorted.get(rank - 1).copied()
}

/// Every bar of the histogram of `secs` (any order), the open one last.
pub fn histogram(secs: &[i64]) -> Vec<HistogramBucket> {
    let mut counts = [0i64; HISTOGRAM_BOUNDS.len() + 1];
    for s in secs {
        let bar = HISTOGRAM_BOUNDS
            .iter()
            .position(|bound| s <= bound)
            .unwrap_or(HISTOGRAM_BOUNDS.len());
        counts[bar] += 1;
    }
    counts
        .iter()
        .enumerate()
        .map(|(i, count)| HistogramBucket {
            le_secs: HISTOGRAM_BOUNDS.get(i).copied(),
            count: *count,
        })
        .collect()
}

/// The timing of messages whose sent→delivered times are `deliver` and sent→read times are
/// `read`, in seconds (negative times, from clocks that disagree, count as 0).
pub fn timing(mut deliver: Vec<i64>, mut read: Vec<i64>) -> CampaignTiming {
    for v in deliver.iter_mut().chain(read.iter_mut()) {
        *v = (*v).max(0);
    }
    deliver.sort_unstable();
    read.sort_unstable();
    CampaignTiming {
        deliver_p50_secs: percentile(&deliver, 50),
        deliver_p90_secs: percentile(&deliver, 90),
        read_p50_secs: percentile(&read, 50),
        read_p90_secs: percentile(&read, 90),
        read_histogram: histogram(&read),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_by_hand() {
        // n = 10: p50 is rank 5, p90 rank 9.
        let v: Vec<i64> = (1..=10).map(|i| i * 10).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 90), Some(90));
        // n = 3: p50 rank 2, p90 rank 3.
        assert_eq!(percentile(&[5, 7, 100], 50), Some(7));
        assert_eq!(percentile(&[5, 7, 100], 90), Some(100));
        assert_eq!(percentile(&[42], 50), Some(42));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn histogram_bars_are_inclusive_and_the_last_is_open() {
        let bars = histogram(&[0, 60, 61, 300, 86_400, 86_401, 1_000_000]);
        assert_eq!(bars.len(), 10);
        assert_eq!(bars[0].le_secs, Some(60));
        assert_eq!(bars[0].count, 2);
        assert_eq!(bars[1].count, 2);
        assert_eq!(bars[8].le_secs, Some(86_400));
        assert_eq!(bars[8].count, 1);
        assert_eq!(bars[9].le_secs, None);
        assert_eq!(bars[9].count, 2);
        assert_eq!(bars.iter().map(|b| b.count).sum::<i64>(), 7);
    }

    #[test]
    fn timing_without_data_is_null() {
        let t = timing(vec![], vec![]);
        assert_eq!(t.deliver_p50_secs, None);
        assert_eq!(t.read_p90_secs, None);
        assert!(t.read_histogram.iter().all(|b| b.count == 0));
        let t = timing(vec![-3, 4], vec![30]);
        assert_eq!(t.deliver_p50_secs, Some(0));
        assert_eq!(t.read_p50_secs, Some(30));
    }
}
