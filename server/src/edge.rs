//! The outermost layer: who the client is (the peer, or what a trusted proxy forwarded), how
//! long a request may take, and how many run at once.

use crate::state::AppState;
use app::ssr::ClientOrigin;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Edge {
    trusted: Arc<[IpNet]>,
    timeout: Duration,
    permits: Arc<Semaphore>,
    /// Requests in flight per client address, so one client cannot take every slot.
    per_client: Arc<Mutex<HashMap<IpAddr, u32>>>,
    max_per_client: u32,
}

/// One client's share of the concurrent requests: a sixteenth of them, at least 8.
fn client_share(max_concurrent: u32) -> u32 {
    (max_concurrent / 16).max(8).min(max_concurrent)
}

/// One subscriber's address: an IPv6 address by its /64 (rotating within it gives no fresh
/// share), an IPv4 address as it is; the same bucketing as sign-in throttling.
fn subscriber(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
        v4 => v4,
    }
}

/// A request in flight for one client, counted off when dropped (however the request ends).
struct InFlight {
    per_client: Arc<Mutex<HashMap<IpAddr, u32>>>,
    ip: IpAddr,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.per_client.lock() {
            if let Some(n) = counts.get_mut(&self.ip) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(&self.ip);
                }
            }
        }
    }
}

impl Edge {
    pub fn new(trusted: &[IpNet], timeout: Duration, max_concurrent: u32) -> Self {
        let max_concurrent = max_concurrent.max(1);
        Self {
            trusted: trusted.into(),
            timeout,
            permits: Arc::new(Semaphore::new(max_concurrent as usize)),
            per_client: Arc::default(),
            max_per_client: client_share(max_concurrent),
        }
    }

    /// Counts a request for `ip`, or `None` when that client already has its share running.
    fn enter(&self, ip: IpAddr) -> Option<InFlight> {
        let ip = subscriber(ip);
        let mut counts = self.per_client.lock().ok()?;
        let n = counts.entry(ip).or_insert(0);
        if *n >= self.max_per_client {
            return None;
        }
        *n += 1;
        Some(InFlight {
            per_client: self.per_client.clone(),
            ip,
        })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// The client behind the peer: `X-Forwarded-For` is read from the right (the entry the
    /// nearest proxy added) past every trusted proxy; anything further left was written by
    /// the client itself and proves nothing. Only a trusted peer is believed at all.
    pub fn origin(&self, peer: IpAddr, headers: &HeaderMap) -> ClientOrigin {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return ClientOrigin {
                ip: peer,
                https: false,
            };
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut ip = peer;
        for hop in hops.iter().rev() {
            let Some(hop) = parse_hop(hop) else {
                break;
            };
            ip = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        // The nearest proxy's word on the scheme (the last value, if several were added).
        let https = headers
            .get_all("x-forwarded-proto")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
        ClientOrigin { ip, https }
    }
}

/// A hop as proxies write it: an address, or an address with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|a| a.ip()))
        .ok()
        .map(canonical)
}

/// An IPv4 address seen through an IPv6 socket (`::ffff:a.b.c.d`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Puts the `ClientOrigin` on the request, bounds its time and the number in flight, and
/// sets HSTS on answers to clients that came over https.
pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let edge = &state.edge;
    let Ok(_permit) = edge.permits.clone().try_acquire_owned() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "the server is busy; try again").into_response();
    };
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    let origin = peer.map(|peer| edge.origin(peer, request.headers()));
    let mut _in_flight = None;
    if let Some(origin) = origin {
        let Some(counted) = edge.enter(origin.ip) else {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                "too many requests at once from your address; try again",
            )
                .into_response();
        };
        _in_flight = Some(counted);
        request.extensions_mut().insert(origin);
    }
    let Ok(mut response) = tokio::time::timeout(edge.timeout, next.run(request)).await else {
        return (StatusCode::REQUEST_TIMEOUT, "the request took too long").into_response();
    };
    if origin.is_some_and(|o| o.https) {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(trusted: &[&str]) -> Edge {
        let nets: Vec<IpNet> = trusted.iter().map(|t| t.parse().unwrap()).collect();
        Edge::new(&nets, Duration::from_secs(1), 1)
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn forwarded_headers_are_ignored_from_an_untrusted_peer() {
        let e = edge(&["10.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "203.0.113.9"), ("x-forwarded-proto", "https")]);
        let o = e.origin("198.51.100.1".parse().unwrap(), &h);
        assert_eq!(o.ip, "198.51.100.1".parse::<IpAddr>().unwrap());
        assert!(!o.https);
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_the_scheme() {
        let e = edge(&["10.0.0.0/8", "127.0.0.1/32"]);
        // The client wrote a fake first entry; the proxies appended the real hops.
        let h = headers(&[
            (
                "x-forwarded-for",
                "not-an-ip, 1.2.3.4, 203.0.113.9:5678, 10.1.1.1",
            ),
            ("x-forwarded-proto", "https"),
        ]);
        let o = e.origin("::ffff:127.0.0.1".parse().unwrap(), &h);
        assert_eq!(o.ip, "203.0.113.9".parse::<IpAddr>().unwrap());
        assert!(o.https);
        let plain = e.origin("10.2.2.2".parse().unwrap(), &headers(&[]));
        assert_eq!(plain.ip, "10.2.2.2".parse::<IpAddr>().unwrap());
        assert!(!plain.https);
    }
}

#[cfg(test)]
mod limits {
    use super::*;

    #[test]
    fn one_client_gets_only_its_share_and_gets_it_back() {
        let e = Edge::new(&[], Duration::from_secs(1), 160);
        let a: IpAddr = "198.51.100.1".parse().unwrap();
        let b: IpAddr = "198.51.100.2".parse().unwrap();
        let held: Vec<InFlight> = (0..10).map(|_| e.enter(a).unwrap()).collect();
        assert!(
            e.enter(a).is_none(),
            "a client's eleventh request at once waits its turn"
        );
        assert!(e.enter(b).is_some(), "another client is not held back");
        let v6: Vec<InFlight> = (1..=10)
            .map(|i| e.enter(format!("2001:db8::{i}").parse().unwrap()).unwrap())
            .collect();
        assert!(
            e.enter("2001:db8::ffff".parse().unwrap()).is_none(),
            "addresses of one /64 share a share"
        );
        drop(v6);
        drop(held);
        assert!(e.enter(a).is_some());
        assert!(e.per_client.lock().unwrap().is_empty());
    }
}
