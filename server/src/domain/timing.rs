//! Time to deliver and time to read: nearest-rank percentiles and the time-to-read histogram.

use app::insights::{CampaignTiming, HistogramBucket};

/// The histogram's bar bounds in seconds: 1 min, 5 min, 15 min, 30 min, 1 h, 3 h, 6 h, 12 h,
/// 24 h, then one open bar for longer.
pub const HISTOGRAM_BOUNDS: [i64; 9] = [60, 300, 900, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400];

/// Times in seconds with how many messages took each: `(secs, count)`.
pub type Counted = Vec<(i64, i64)>;

/// The nearest-rank `p`th percentile (1–100) of counted times sorted by time: the time at
/// rank ⌈p·n/100⌉ of the `n` messages. `None` for no messages.
pub fn percentile(sorted: &[(i64, i64)], p: u32) -> Option<i64> {
    let n: i64 = sorted.iter().map(|(_, count)| count).sum();
    if n <= 0 {
        return None;
    }
    let rank =
        (i64::from(p) * n).div_euclid(100) + i64::from((i64::from(p) * n).rem_euclid(100) != 0);
    let rank = rank.clamp(1, n);
    let mut seen = 0;
    sorted.iter().find_map(|(secs, count)| {
        seen += count;
        (seen >= rank).then_some(*secs)
    })
}

/// Every bar of the histogram of counted times (any order), the open one last.
pub fn histogram(times: &[(i64, i64)]) -> Vec<HistogramBucket> {
    let mut counts = [0i64; HISTOGRAM_BOUNDS.len() + 1];
    for (secs, count) in times {
        let bar = HISTOGRAM_BOUNDS
            .iter()
            .position(|bound| secs <= bound)
            .unwrap_or(HISTOGRAM_BOUNDS.len());
        counts[bar] += count;
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

/// Counted times sorted by time, negative times (clocks that disagree) as 0, equal times merged.
fn normalised(mut times: Counted) -> Counted {
    for (secs, _) in &mut times {
        *secs = (*secs).max(0);
    }
    times.sort_unstable();
    let mut merged: Counted = Vec::with_capacity(times.len());
    for (secs, count) in times {
        match merged.last_mut() {
            Some((last, total)) if *last == secs => *total += count,
            _ => merged.push((secs, count)),
        }
    }
    merged
}

/// The timing of messages whose sent→delivered and sent→read times (counted) are `deliver`
/// and `read`.
pub fn timing(deliver: Counted, read: Counted) -> CampaignTiming {
    let (deliver, read) = (normalised(deliver), normalised(read));
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

    fn ones(values: &[i64]) -> Counted {
        values.iter().map(|v| (*v, 1)).collect()
    }

    #[test]
    fn nearest_rank_percentiles_by_hand() {
        // n = 10: p50 is rank 5, p90 rank 9.
        let v: Vec<i64> = (1..=10).map(|i| i * 10).collect();
        assert_eq!(percentile(&ones(&v), 50), Some(50));
        assert_eq!(percentile(&ones(&v), 90), Some(90));
        // n = 3: p50 rank 2, p90 rank 3.
        assert_eq!(percentile(&ones(&[5, 7, 100]), 50), Some(7));
        assert_eq!(percentile(&ones(&[5, 7, 100]), 90), Some(100));
        assert_eq!(percentile(&ones(&[42]), 50), Some(42));
        assert_eq!(percentile(&[], 50), None);
        // Counted: 5 (×4), 7 (×5), 100 (×1): rank 5 is 7, rank 9 is 7, rank 10 is 100.
        let counted = [(5, 4), (7, 5), (100, 1)];
        assert_eq!(percentile(&counted, 50), Some(7));
        assert_eq!(percentile(&counted, 90), Some(7));
        assert_eq!(percentile(&counted, 91), Some(100));
    }

    #[test]
    fn histogram_bars_are_inclusive_and_the_last_is_open() {
        let bars = histogram(&ones(&[0, 60, 61, 300, 86_400, 86_401, 1_000_000]));
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
        let t = timing(ones(&[-3, 4]), vec![(30, 2), (30, 1)]);
        assert_eq!(t.deliver_p50_secs, Some(0));
        assert_eq!(t.read_p50_secs, Some(30));
        assert_eq!(t.read_histogram[0].count, 3);
    }
}
