//! Who a request came from: the socket's peer, or, when that peer is one of
//! `UT360_TRUSTED_PROXIES`, the right-most `X-Forwarded-For` address that is not a
//! trusted proxy (each proxy appends the address it saw, so everything left of that is
//! the client's own say and could be forged). Worked out once per request, by a
//! middleware in front of everything, for the per-address sign-in limit and for the
//! security events.

use crate::data::security_events::RequestOrigin;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The client's address, on every request's extensions (absent when served without
/// connect info, as some tests do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The client behind `peer` (see the module's doc).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or_default().split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect::<Vec<_>>();
    for hop in forwarded.into_iter().rev() {
        // Only trusted proxies wrote what lies right of here: an address they wrote
        // that does not read as one leaves the peer as the best we know.
        let Some(address) = parse_hop(hop) else { return peer };
        if !trusted_proxies.contains(&address) {
            return address;
        }
    }
    peer
}

/// `192.0.2.1`, `2001:db8::1`, or with a port: `192.0.2.1:4711`, `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .map(|ip| ip.to_canonical())
}

/// Puts the `ClientAddress` on the request.
pub async fn find_client(
    State(security): State<Arc<super::security::HttpSecurity>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip());
    if let Some(peer) = peer {
        let client = client_ip(peer, request.headers(), &security.trusted_proxies);
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}

/// The longest user agent kept with an event.
const USER_AGENT_CHARS: usize = 512;

/// Where the request with these parts came from, as security events record it.
pub fn origin(parts: &axum::http::request::Parts) -> RequestOrigin {
    origin_of(&parts.extensions, &parts.headers)
}

pub fn origin_of(extensions: &axum::http::Extensions, headers: &HeaderMap) -> RequestOrigin {
    RequestOrigin {
        ip: extensions.get::<ClientAddress>().map(|ClientAddress(ip)| *ip),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|agent| agent.chars().take(USER_AGENT_CHARS).collect()),
    }
}

/// For a server function: where its request came from.
pub fn current_origin() -> RequestOrigin {
    leptos::prelude::use_context::<axum::http::request::Parts>().map(|parts| origin(&parts)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let headers = forwarded(&["198.51.100.7"]);
        assert_eq!(client_ip(ip("203.0.113.9"), &headers, &[]), ip("203.0.113.9"));
        assert_eq!(client_ip(ip("203.0.113.9"), &headers, &[ip("10.0.0.1")]), ip("203.0.113.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_address_is_the_client() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        // The client forged the first entry; the proxies appended the rest.
        let headers = forwarded(&["6.6.6.6, 198.51.100.7", "10.0.0.2"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &headers, &proxies), ip("198.51.100.7"));
        let with_ports = forwarded(&["[2001:db8::5]:4711, 198.51.100.8:80"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &with_ports, &proxies), ip("198.51.100.8"));
    }

    #[test]
    fn without_a_usable_header_the_trusted_peer_stays_the_client() {
        let proxies = [ip("10.0.0.1")];
        assert_eq!(client_ip(ip("10.0.0.1"), &HeaderMap::new(), &proxies), ip("10.0.0.1"));
        assert_eq!(client_ip(ip("10.0.0.1"), &forwarded(&["10.0.0.1"]), &proxies), ip("10.0.0.1"));
        assert_eq!(client_ip(ip("10.0.0.1"), &forwarded(&["6.6.6.6, not-an-address"]), &proxies), ip("10.0.0.1"));
    }

    #[test]
    fn ipv4_mapped_peers_are_read_as_ipv4() {
        let proxies = [ip("127.0.0.1")];
        let headers = forwarded(&["198.51.100.7"]);
        assert_eq!(client_ip(ip("::ffff:127.0.0.1"), &headers, &proxies), ip("198.51.100.7"));
    }
}
