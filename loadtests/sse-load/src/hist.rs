//! A log-linear latency histogram (HDR-style, no dependency): values in
//! microseconds, exact below 256 µs, then 128 linear sub-buckets per power of
//! two, so every recorded value is known to within 1/128 (< 0.8 %).

use serde::{Deserialize, Serialize};

const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS; // 128
/// Buckets needed to cover all of u64.
const BUCKETS: usize = ((64 - SUB_BITS as usize) * SUB as usize) + SUB as usize;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "HistWire", try_from = "HistWire")]
pub struct Histogram {
    counts: Vec<u64>,
    count: u64,
    min: u64,
    max: u64,
    sum: u64,
}

/// Sparse form for JSON between processes.
#[derive(Serialize, Deserialize)]
struct HistWire {
    buckets: Vec<(u32, u64)>,
    count: u64,
    min: u64,
    max: u64,
    sum: u64,
}

impl From<Histogram> for HistWire {
    fn from(h: Histogram) -> Self {
        HistWire {
            buckets: h
                .counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, c)| (i as u32, *c))
                .collect(),
            count: h.count,
            min: h.min,
            max: h.max,
            sum: h.sum,
        }
    }
}

impl TryFrom<HistWire> for Histogram {
    type Error = String;
    fn try_from(w: HistWire) -> Result<Self, String> {
        let mut h = Histogram::new();
        for (i, c) in w.buckets {
            let slot = h
                .counts
                .get_mut(i as usize)
                .ok_or_else(|| format!("histogram bucket {i} out of range"))?;
            *slot += c;
        }
        h.count = w.count;
        h.min = w.min;
        h.max = w.max;
        h.sum = w.sum;
        Ok(h)
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

fn index_of(v: u64) -> usize {
    if v < 2 * SUB {
        return v as usize;
    }
    let log2 = 63 - v.leading_zeros();
    let shift = log2 - SUB_BITS; // >= 1
    let mantissa = v >> shift; // in [128, 256)
    (shift as usize) * SUB as usize + mantissa as usize
}

/// Lowest and highest value that land in bucket `i`.
fn bounds_of(i: usize) -> (u64, u64) {
    let i = i as u64;
    if i < 2 * SUB {
        return (i, i);
    }
    let shift = i / SUB - 1;
    let mantissa = i % SUB + SUB;
    let lo = mantissa << shift;
    let hi = lo + ((1u64 << shift) - 1);
    (lo, hi)
}

impl Histogram {
    pub fn new() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            count: 0,
            min: u64::MAX,
            max: 0,
            sum: 0,
        }
    }

    pub fn record(&mut self, v: u64) {
        self.counts[index_of(v)] += 1;
        self.count += 1;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.sum = self.sum.saturating_add(v);
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += *b;
        }
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum = self.sum.saturating_add(other.sum);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    pub fn min(&self) -> Option<u64> {
        (self.count > 0).then_some(self.min)
    }

    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum as f64 / self.count as f64
        }
    }

    /// The value at quantile `q` in [0, 1]: the highest value equivalent to the
    /// recorded one at rank ceil(q × count), clamped to [min, max]. 0 when empty.
    pub fn value_at_quantile(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let q = q.clamp(0.0, 1.0);
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0u64;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (_, hi) = bounds_of(i);
                return hi.clamp(self.min, self.max);
            }
        }
        self.max
    }

    pub fn summary(&self) -> LatencySummary {
        let ms = |us: u64| us as f64 / 1000.0;
        LatencySummary {
            count: self.count,
            min_ms: ms(self.min().unwrap_or(0)),
            mean_ms: self.mean() / 1000.0,
            p50_ms: ms(self.value_at_quantile(0.50)),
            p90_ms: ms(self.value_at_quantile(0.90)),
            p99_ms: ms(self.value_at_quantile(0.99)),
            p999_ms: ms(self.value_at_quantile(0.999)),
            max_ms: ms(self.max),
        }
    }
}

/// Percentiles in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    pub count: u64,
    pub min_ms: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl std::fmt::Display for LatencySummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.count == 0 {
            return write!(f, "no samples");
        }
        write!(
            f,
            "p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  p99.9 {:.2} ms  max {:.2} ms  (n={}, mean {:.2} ms)",
            self.p50_ms, self.p90_ms, self.p99_ms, self.p999_ms, self.max_ms, self.count, self.mean_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_tight() {
        let mut prev_hi = None;
        for i in 0..BUCKETS {
            let (lo, hi) = bounds_of(i);
            if let Some(p) = prev_hi {
                assert_eq!(lo, p + 1, "bucket {i}");
            }
            assert_eq!(index_of(lo), i);
            assert_eq!(index_of(hi), i);
            // Relative width below 1/128.
            assert!((hi - lo) as f64 <= lo as f64 / 128.0 + 1e-9, "bucket {i}");
            prev_hi = Some(hi);
        }
        assert_eq!(prev_hi, Some(u64::MAX));
    }

    #[test]
    fn percentiles_of_a_uniform_set() {
        let mut h = Histogram::new();
        for v in 1..=10_000u64 {
            h.record(v);
        }
        let close = |got: u64, want: f64| (got as f64 - want).abs() <= want / 128.0 + 1.0;
        assert!(
            close(h.value_at_quantile(0.5), 5000.0),
            "{}",
            h.value_at_quantile(0.5)
        );
        assert!(close(h.value_at_quantile(0.9), 9000.0));
        assert!(close(h.value_at_quantile(0.99), 9900.0));
        assert!(close(h.value_at_quantile(0.999), 9990.0));
        assert_eq!(h.value_at_quantile(1.0), 10_000);
        assert_eq!(h.value_at_quantile(0.0), 1);
        assert_eq!(h.min(), Some(1));
        assert!((h.mean() - 5000.5).abs() < 1e-9);
    }

    #[test]
    fn small_values_are_exact_and_extremes_clamped() {
        let mut h = Histogram::new();
        for v in [3, 3, 3, 7] {
            h.record(v);
        }
        assert_eq!(h.value_at_quantile(0.5), 3);
        assert_eq!(h.value_at_quantile(0.75), 3);
        assert_eq!(h.value_at_quantile(0.76), 7);
        let mut one = Histogram::new();
        one.record(1_234_567);
        assert_eq!(one.value_at_quantile(0.5), 1_234_567);
        assert_eq!(Histogram::new().value_at_quantile(0.99), 0);
        assert_eq!(Histogram::new().summary().count, 0);
    }

    #[test]
    fn merge_and_wire_round_trip() {
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        for v in 0..1000 {
            a.record(v * 10);
            b.record(v * 1000 + 7);
        }
        let json = serde_json::to_string(&b).expect("ser");
        let b2: Histogram = serde_json::from_str(&json).expect("de");
        assert_eq!(b, b2);
        a.merge(&b2);
        assert_eq!(a.count(), 2000);
        assert_eq!(a.max(), 999_007);
        assert_eq!(a.min(), Some(0));
        let s = a.summary();
        assert!(s.p50_ms > 9.0 && s.p50_ms < 10.1, "{s:?}");
        assert!(serde_json::from_str::<Histogram>(
            r#"{"buckets":[[999999,1]],"count":1,"min":0,"max":0,"sum":0}"#
        )
        .is_err());
    }
}
