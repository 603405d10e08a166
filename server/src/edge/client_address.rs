//! The client's address: the peer's, or, when the peer is one of our trusted proxies, the
//! address that proxy reports in `Forwarded` or `X-Forwarded-For`.
//!
//! Behind a reverse proxy every connection comes from the proxy, so rate limits per address
//! would count the whole clinic as one client. The headers are only believed from the
//! proxies named in `CLINIC_TRUSTED_PROXIES`; anyone else could write anything there. Each
//! proxy appends the address it saw, so the list is read from the right: the first address
//! that is not a trusted proxy is the client.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

/// The proxies trusted to report the client's address: single addresses or networks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list such as `127.0.0.1, 10.0.0.0/8, ::1`; empty trusts none.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("{item:?} is not an IP address or network (such as 10.0.0.0/8)")
                    })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl TrustedProxies {
    fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client's address, given the peer's and the request's headers.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops = forwarded_for(headers);
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop {
                Some(address) if self.trusts(*address) => client = *address,
                Some(address) => return *address,
                // An address we cannot read (`unknown`, an obfuscated name): the last proxy
                // we trust is the best we know.
                None => return client,
            }
        }
        client
    }
}

/// The addresses proxies reported, nearest last: from `Forwarded` (RFC 7239) when present,
/// otherwise from `X-Forwarded-For`. `None` stands for an entry that is not an address.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|value| value.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(key, _)| key.eq_ignore_ascii_case("for"))
                    .and_then(|(_, value)| parse_node(value.trim().trim_matches('"')))
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|item| parse_node(item.trim()))
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(inside, _)| inside.parse().ok())
}

/// Hands the client's address to server functions (rate limits count per address).
pub async fn remember(
    State(proxies): State<Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    {
        let client = proxies.client_address(peer.ip(), request.headers());
        request
            .extensions_mut()
            .insert(app::api::caller::ClientAddress(client));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().expect("header value"));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn the_headers_are_believed_only_from_trusted_proxies() {
        let proxies: TrustedProxies = "10.0.0.0/8, 127.0.0.1".parse().expect("proxies");
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4")]);
        // A visitor writing the header themselves is still counted as themselves.
        assert_eq!(
            proxies.client_address(ip("203.0.113.9"), &spoofed),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxies.client_address(ip("127.0.0.1"), &spoofed),
            ip("1.2.3.4")
        );
        // The proxy appends the address it saw; what the visitor wrote is left of it.
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.2.3")]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &chain),
            ip("198.51.100.7")
        );
        // Nobody trusted: the peer.
        assert_eq!(
            TrustedProxies::default().client_address(ip("127.0.0.1"), &spoofed),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn forwarded_is_read_with_ports_brackets_and_unknowns() {
        let proxies: TrustedProxies = "::1, 127.0.0.1".parse().expect("proxies");
        let forwarded = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https",
        )]);
        assert_eq!(
            proxies.client_address(ip("::1"), &forwarded),
            ip("2001:db8:cafe::17")
        );
        let unknown = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(
            proxies.client_address(ip("127.0.0.1"), &unknown),
            ip("127.0.0.1")
        );
        let with_port = headers(&[("x-forwarded-for", "192.0.2.4:5555")]);
        assert_eq!(
            proxies.client_address(ip("127.0.0.1"), &with_port),
            ip("192.0.2.4")
        );
    }

    #[test]
    fn the_list_is_checked_when_read() {
        assert!("10.0.0.0/8, fd00::/8".parse::<TrustedProxies>().is_ok());
        assert_eq!("".parse::<TrustedProxies>(), Ok(TrustedProxies::default()));
        let error = "10.0.0.0/33"
            .parse::<TrustedProxies>()
            .expect_err("refused");
        assert!(error.contains("10.0.0.0/33"), "{error}");
    }
}
