//! Small helpers: wall-clock micros, duration parsing, a tiny jitter RNG.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch (wall clock; comparable across processes of
/// one machine, which is how senders and receivers in different processes agree).
/// Counts by name as `a=1, b=2` for a report, or `none`.
pub fn fmt_map(m: &std::collections::BTreeMap<String, u64>) -> String {
    if m.is_empty() {
        return "none".into();
    }
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Parses `120s`, `2m`, `500ms`, `1.5s` or a bare number of seconds (`60`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit_ms) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (s, 1000.0)
    };
    let num = num.trim();
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(format!("invalid duration {s:?} (use e.g. 120s, 2m, 500ms)"));
    }
    let value: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration {s:?} (use e.g. 120s, 2m, 500ms)"))?;
    let ms = value * unit_ms;
    if !ms.is_finite() || ms > 86_400_000.0 {
        return Err(format!("duration {s:?} is out of range"));
    }
    Ok(Duration::from_micros((ms * 1000.0).round() as u64))
}

/// Bounds-checked duration for clap: parses and enforces `max`.
pub fn duration_at_most(s: &str, max: Duration, what: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err(format!("{what} must be positive"));
    }
    if d > max {
        return Err(format!(
            "{what} {s} exceeds the maximum of {}s",
            max.as_secs_f64()
        ));
    }
    Ok(d)
}

/// xorshift64*: enough randomness for reconnect jitter, no dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // splitmix64 step so that nearby seeds diverge; never zero.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 1 } else { z })
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `base` scaled by a uniform factor in [0.5, 1.5).
    pub fn jitter(&mut self, base: Duration) -> Duration {
        base.mul_f64(0.5 + self.next_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("120s"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("60"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("1h").is_err());
        let max = Duration::from_secs(600);
        assert!(duration_at_most("601s", max, "--duration").is_err());
        assert!(duration_at_most("0s", max, "--duration").is_err());
        assert_eq!(
            duration_at_most("10m", max, "--duration"),
            Ok(Duration::from_secs(600))
        );
    }

    #[test]
    fn jitter_stays_in_range() {
        let mut rng = Rng::new(7);
        let base = Duration::from_millis(1000);
        for _ in 0..1000 {
            let d = rng.jitter(base);
            assert!(d >= Duration::from_millis(500) && d < Duration::from_millis(1500));
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }
}
