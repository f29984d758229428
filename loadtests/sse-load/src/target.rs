//! The hub's address (loopback only), lists of them (the nodes of a cluster),
//! and the local source addresses to spread client sockets over.

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Most source addresses accepted (a /24 is plenty: 256 × ~28k ephemeral ports).
pub const MAX_SOURCE_IPS: usize = 256;

/// Where the hub listens. Only loopback targets can be built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Socket address to connect to (always a loopback address).
    pub addr: SocketAddr,
    /// Value of the `Host` header (the authority as written in the URL).
    pub host_header: String,
    /// Path prefix before `/api/v1/...` (empty, or `/something` without trailing `/`).
    pub base_path: String,
}

impl Target {
    /// Full request path for an API path such as `/api/v1/hugs`.
    pub fn path(&self, api_path: &str) -> String {
        format!("{}{api_path}", self.base_path)
    }

    /// The target as a URL again, for reports.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.host_header, self.base_path)
    }
}

/// Parses `http://HOST[:PORT][/prefix]` and refuses every host that is not
/// loopback: `127.0.0.0/8`, `localhost` (taken as 127.0.0.1, never resolved) or `[::1]`.
pub fn parse_target_url(url: &str) -> Result<Target, String> {
    parse_target_for(url, "--url")
}

/// Parses a comma-separated list of targets (the nodes of a cluster), each as
/// [`parse_target_url`] does; `flag` names the option in error messages. An
/// empty list, an empty item or a target given twice is refused: a duplicate
/// would silently load one node twice as hard as the others.
pub fn parse_target_list(list: &str, flag: &str) -> Result<Vec<Target>, String> {
    if list.trim().is_empty() {
        return Err(format!("{flag}: give at least one http:// URL"));
    }
    let mut out: Vec<Target> = Vec::new();
    for item in list.split(',') {
        if item.trim().is_empty() {
            return Err(format!("{flag} {list:?}: empty item"));
        }
        let target = parse_target_for(item, flag)?;
        if out
            .iter()
            .any(|t| t.addr == target.addr && t.base_path == target.base_path)
        {
            return Err(format!("{flag} {list:?}: {} given twice", target.url()));
        }
        out.push(target);
    }
    Ok(out)
}

/// The targets of a list as URLs, comma-separated (how the list was given).
pub fn fmt_targets(targets: &[Target]) -> String {
    targets
        .iter()
        .map(Target::url)
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_target_for(url: &str, flag: &str) -> Result<Target, String> {
    let url = url.trim();
    let rest = match url.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("http://") => &url[7..],
        _ => {
            return Err(format!(
                "{flag} {url:?}: only plain http:// URLs are supported"
            ))
        }
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    if path.contains(['?', '#']) {
        return Err(format!("{flag} {url:?}: no query or fragment, please"));
    }
    if authority.is_empty() || authority.contains('@') {
        return Err(format!("{flag} {url:?}: bad host"));
    }
    let (host, port) = if let Some(after_bracket) = authority.strip_prefix('[') {
        let close = after_bracket
            .find(']')
            .ok_or_else(|| format!("{flag} {url:?}: unclosed ["))?;
        let host = &after_bracket[..close];
        let tail = &after_bracket[close + 1..];
        let port = match tail {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| format!("{flag} {url:?}: bad port"))?,
            ),
        };
        let ip: Ipv6Addr = host
            .parse()
            .map_err(|_| format!("{flag} {url:?}: bad IPv6 address"))?;
        (IpAddr::V6(ip), port)
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let ip = if host.eq_ignore_ascii_case("localhost") {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            match host.parse::<Ipv4Addr>() {
                Ok(ip) => IpAddr::V4(ip),
                Err(_) => {
                    return Err(format!(
                        "{flag} {url:?}: the host must be a loopback address \
                         (127.0.0.0/8, localhost or [::1]); host names are not resolved"
                    ))
                }
            }
        };
        (ip, port)
    };
    if !is_loopback_target(host) {
        return Err(format!(
            "{flag} {url:?}: refusing a non-loopback target; this tool only loads \
             a hub on this machine (127.0.0.0/8, localhost or [::1])"
        ));
    }
    let port: u16 = match port {
        None => 80,
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("{flag} {url:?}: bad port"))?,
    };
    let base_path = path.trim_end_matches('/').to_string();
    Ok(Target {
        addr: SocketAddr::new(host, port),
        host_header: authority.to_string(),
        base_path,
    })
}

/// True for 127.0.0.0/8 and ::1 (IPv4-mapped addresses are not accepted).
pub fn is_loopback_target(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.octets()[0] == 127,
        IpAddr::V6(v6) => v6 == Ipv6Addr::LOCALHOST,
    }
}

/// Parses a list of local source addresses: comma-separated items, each an
/// address (`127.0.0.2`) or a range (`127.0.0.2-127.0.0.9`, or `127.0.0.2-9`
/// with only the last octet after the dash). Every address must be in 127.0.0.0/8.
pub fn parse_source_ips(s: &str) -> Result<Vec<IpAddr>, String> {
    let mut out = Vec::new();
    for item in s.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(format!("--source-ips {s:?}: empty item"));
        }
        let (first, last) = match item.split_once('-') {
            None => {
                let ip = parse_loopback_v4(item, s)?;
                (ip, ip)
            }
            Some((a, b)) => {
                let a = parse_loopback_v4(a.trim(), s)?;
                let b = b.trim();
                let b = if b.contains('.') {
                    parse_loopback_v4(b, s)?
                } else {
                    let last: u8 = b
                        .parse()
                        .map_err(|_| format!("--source-ips {s:?}: bad range end {b:?}"))?;
                    let [o0, o1, o2, _] = a.octets();
                    Ipv4Addr::new(o0, o1, o2, last)
                };
                (a, b)
            }
        };
        let (lo, hi) = (u32::from(first), u32::from(last));
        if lo > hi {
            return Err(format!("--source-ips {s:?}: range {item:?} is backwards"));
        }
        if (hi - lo) as usize + out.len() >= MAX_SOURCE_IPS {
            return Err(format!(
                "--source-ips {s:?}: more than {MAX_SOURCE_IPS} addresses"
            ));
        }
        for v in lo..=hi {
            let ip = IpAddr::V4(Ipv4Addr::from(v));
            if out.contains(&ip) {
                return Err(format!("--source-ips {s:?}: {ip} given twice"));
            }
            out.push(ip);
        }
    }
    Ok(out)
}

fn parse_loopback_v4(item: &str, whole: &str) -> Result<Ipv4Addr, String> {
    let ip: Ipv4Addr = item
        .parse()
        .map_err(|_| format!("--source-ips {whole:?}: {item:?} is not an IPv4 address"))?;
    if ip.octets()[0] != 127 {
        return Err(format!(
            "--source-ips {whole:?}: {ip} is not in 127.0.0.0/8"
        ));
    }
    Ok(ip)
}

/// Checks that the source addresses can reach the target's address family.
pub fn check_sources_for_target(target: &Target, sources: &[IpAddr]) -> Result<(), String> {
    if target.addr.is_ipv6() && !sources.is_empty() {
        return Err(
            "--source-ips are IPv4 loopback addresses; use an IPv4 --url (127.0.0.1) with them"
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls_are_accepted() {
        let t = parse_target_url("http://127.0.0.1:8080").expect("ok");
        assert_eq!(t.addr, "127.0.0.1:8080".parse().expect("addr"));
        assert_eq!(t.host_header, "127.0.0.1:8080");
        assert_eq!(t.base_path, "");
        assert_eq!(t.path("/api/v1/hugs"), "/api/v1/hugs");

        let t = parse_target_url("HTTP://localhost:9000/").expect("ok");
        assert_eq!(t.addr, "127.0.0.1:9000".parse().expect("addr"));
        assert_eq!(t.host_header, "localhost:9000");

        let t = parse_target_url("http://[::1]:8080/hub/").expect("ok");
        assert_eq!(t.addr, "[::1]:8080".parse().expect("addr"));
        assert_eq!(t.path("/api/v1/sse/stream"), "/hub/api/v1/sse/stream");

        let t = parse_target_url("http://127.9.8.7").expect("ok");
        assert_eq!(t.addr.port(), 80);
    }

    #[test]
    fn non_loopback_urls_are_refused() {
        for bad in [
            "http://10.0.0.1:8080",
            "http://192.168.1.2",
            "http://172.16.0.1",
            "http://8.8.8.8",
            "http://0.0.0.0:8080",
            "http://example.com",
            "http://localhost.example.com",
            "http://[::ffff:127.0.0.1]:80",
            "http://[2001:db8::1]",
            "https://127.0.0.1",
            "ftp://127.0.0.1",
            "127.0.0.1:8080",
            "http://user@127.0.0.1",
            "http://127.0.0.1:0",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:8080/?x=1",
            "http://",
        ] {
            assert!(parse_target_url(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn target_lists() {
        let ts = parse_target_list("http://127.0.0.1:8081, http://localhost:8082/hub/", "--url")
            .expect("ok");
        assert_eq!(ts.len(), 2);
        assert_eq!(ts[0].addr, "127.0.0.1:8081".parse().expect("addr"));
        assert_eq!(ts[1].addr, "127.0.0.1:8082".parse().expect("addr"));
        assert_eq!(ts[1].base_path, "/hub");
        assert_eq!(
            fmt_targets(&ts),
            "http://127.0.0.1:8081,http://localhost:8082/hub"
        );
        let one = parse_target_list("http://[::1]:8080", "--url").expect("ok");
        assert_eq!(
            one,
            vec![parse_target_url("http://[::1]:8080").expect("ok")]
        );
    }

    #[test]
    fn bad_target_lists_are_refused_with_the_flag_and_the_entry() {
        let err = |list: &str| parse_target_list(list, "--stream-url").expect_err(list);
        for empty in ["", " ", ","] {
            assert!(
                err(empty).starts_with("--stream-url"),
                "{empty:?}: {}",
                err(empty)
            );
        }
        assert!(err("").contains("at least one"), "{}", err(""));
        assert!(err("http://127.0.0.1:1,").contains("empty item"));
        assert!(err("http://127.0.0.1:1,,http://127.0.0.1:2").contains("empty item"));
        let remote = err("http://127.0.0.1:8081,http://10.0.0.1:8082");
        assert!(
            remote.contains("\"http://10.0.0.1:8082\"") && remote.contains("non-loopback"),
            "{remote}"
        );
        assert!(err("http://127.0.0.1:8081,example.com").contains("http://"));
        assert!(err("http://127.0.0.1:8081,http://127.0.0.1:0").contains("bad port"));
        let twice = err("http://127.0.0.1:8081,http://127.0.0.1:8081/");
        assert!(twice.contains("given twice"), "{twice}");
        // The same node under two names is still the same node.
        assert!(err("http://localhost:8081,http://127.0.0.1:8081").contains("given twice"));
    }

    #[test]
    fn source_ip_ranges() {
        let ips = parse_source_ips("127.0.0.2-127.0.0.9").expect("ok");
        assert_eq!(ips.len(), 8);
        assert_eq!(ips[0], "127.0.0.2".parse::<IpAddr>().expect("ip"));
        assert_eq!(ips[7], "127.0.0.9".parse::<IpAddr>().expect("ip"));
        assert_eq!(parse_source_ips("127.0.0.2-9").expect("ok"), ips);

        let ips = parse_source_ips("127.0.0.5, 127.0.1.1-127.0.1.2").expect("ok");
        assert_eq!(ips.len(), 3);

        // Across an octet boundary.
        let ips = parse_source_ips("127.0.0.254-127.0.1.1").expect("ok");
        assert_eq!(ips.len(), 4);

        assert!(parse_source_ips("").is_err());
        assert!(parse_source_ips("127.0.0.9-127.0.0.2").is_err());
        assert!(parse_source_ips("10.0.0.1").is_err());
        assert!(parse_source_ips("127.0.0.2-10.0.0.1").is_err());
        assert!(parse_source_ips("127.0.0.2,127.0.0.2").is_err());
        assert!(parse_source_ips("127.0.0.2-300").is_err());
        assert!(parse_source_ips("127.0.0.0-127.0.2.0").is_err());
        assert!(parse_source_ips("::1").is_err());
    }

    #[test]
    fn ipv6_target_takes_no_v4_sources() {
        let t = parse_target_url("http://[::1]:8080").expect("ok");
        let ips = parse_source_ips("127.0.0.2").expect("ok");
        assert!(check_sources_for_target(&t, &ips).is_err());
        assert!(check_sources_for_target(&t, &[]).is_ok());
    }
}
