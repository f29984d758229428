//! The nonce each hug's message carries: `lg:<seq>:<send unix micros>`.

/// Formats the nonce for hug number `seq` sent at `sent_micros`.
pub fn encode(seq: u64, sent_micros: u64) -> String {
    format!("lg:{seq}:{sent_micros}")
}

/// Parses a message that is exactly a nonce; `None` for anything else.
pub fn parse(message: &str) -> Option<(u64, u64)> {
    let rest = message.strip_prefix("lg:")?;
    let (seq, micros) = rest.split_once(':')?;
    Some((parse_u64(seq)?, parse_u64(micros)?))
}

fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let n = encode(42, 1_700_000_000_123_456);
        assert_eq!(n, "lg:42:1700000000123456");
        assert_eq!(parse(&n), Some((42, 1_700_000_000_123_456)));
        assert_eq!(parse(&encode(0, 0)), Some((0, 0)));
        assert_eq!(
            parse(&encode(u64::MAX, u64::MAX)),
            Some((u64::MAX, u64::MAX))
        );
    }

    #[test]
    fn rejects_other_messages() {
        for bad in [
            "",
            "lg:",
            "lg:1",
            "lg:1:",
            "lg::2",
            "lg:1:2:3",
            "lg:-1:2",
            "lg:+1:2",
            "lg:1:x",
            "xx:1:2",
            "hello",
            "lg:1 :2",
            "lg:99999999999999999999:1",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
