//! `Client`: who sent a request, as far as the hub can tell. The address is the
//! connection's peer, or — only when that peer is one of `trusted_proxies` — the first
//! hop of `X-Forwarded-For`; a header from anyone else is ignored, so a client cannot
//! pick the address its rate limits are counted under. Likewise `X-Forwarded-Proto:
//! https` says the request came over TLS only from a trusted proxy.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ipnet::IpNet;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use crate::state::AppState;

/// The proxies whose forwarding headers are believed; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// Parses addresses (`10.0.0.7`) and networks (`10.0.0.0/8`, `fd00::/8`).
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        entries
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("trusted_proxies: {entry:?} is not an IP address or network")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|nets| Self(nets.into()))
    }

    fn trusts(&self, peer: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&peer))
    }
}

/// The sender of a request.
#[derive(Debug, Clone, Copy)]
pub struct Client {
    /// The address, as the rate limits count it.
    pub addr: IpAddr,
    /// Whether the request reached the hub's trusted proxy over TLS.
    pub tls: bool,
}

impl Client {
    /// The client of a request with `headers` from `peer` (none when the request did
    /// not come over a socket, as in tests that call the router directly).
    pub fn of(peer: Option<IpAddr>, headers: &HeaderMap, proxies: &TrustedProxies) -> Self {
        let peer = peer.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        if !proxies.trusts(peer) {
            return Self {
                addr: counted(peer),
                tls: false,
            };
        }
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(parse_hop);
        let tls = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
        Self {
            addr: counted(forwarded.unwrap_or(peer)),
            tls,
        }
    }
}

/// One hop of `X-Forwarded-For`: an address, maybe with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The address limits are counted under: IPv4 as it is, IPv6 by its /64 network (one
/// host is usually given a whole /64, and could otherwise change address per request).
fn counted(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
        },
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(Self::of(
            peer,
            &parts.headers,
            &state.settings.trusted_proxies,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("header value"));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into()]).expect("parse");
        let forwarded = headers(&[
            ("x-forwarded-for", "203.0.113.9, 10.0.0.3"),
            ("x-forwarded-proto", "https"),
        ]);
        let via_proxy = Client::of(Some(ip("10.1.2.3")), &forwarded, &proxies);
        assert_eq!(via_proxy.addr, ip("203.0.113.9"));
        assert!(via_proxy.tls);
        let direct = Client::of(Some(ip("198.51.100.4")), &forwarded, &proxies);
        assert_eq!(direct.addr, ip("198.51.100.4"));
        assert!(!direct.tls);
        let garbage = headers(&[("x-forwarded-for", "not-an-ip")]);
        assert_eq!(
            Client::of(Some(ip("::1")), &garbage, &proxies).addr,
            ip("::")
        );
    }

    #[test]
    fn ipv6_clients_count_by_their_network() {
        let none = TrustedProxies::default();
        let a = Client::of(Some(ip("2001:db8:1:2::5")), &HeaderMap::new(), &none);
        let b = Client::of(Some(ip("2001:db8:1:2:ffff::9")), &HeaderMap::new(), &none);
        assert_eq!(a.addr, b.addr);
        assert_eq!(a.addr, ip("2001:db8:1:2::"));
        let mapped = Client::of(Some(ip("::ffff:192.0.2.1")), &HeaderMap::new(), &none);
        assert_eq!(mapped.addr, ip("192.0.2.1"));
    }

    #[test]
    fn a_bad_entry_is_named() {
        let err = TrustedProxies::parse(&["10.0.0.0/33".into()]).expect_err("refused");
        assert!(err.contains("10.0.0.0/33"), "{err}");
    }
}
