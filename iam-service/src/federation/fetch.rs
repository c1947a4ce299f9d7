//! Fetching an identity provider's documents: a request the server makes to a URL an
//! administrator typed, so it is held to https, a bounded size and time, no redirects, no
//! proxy, and (unless the operator allows them) no private, loopback or link-local address,
//! whatever the name resolves to.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// How the server reaches identity providers: operator settings.
#[derive(Debug, Clone, Default)]
pub struct FetchPolicy {
    /// Lets providers on private, loopback and link-local addresses be reached (a provider
    /// inside the operator's own network, or the tests' local provider).
    pub allow_private: bool,
    /// PEM certificates trusted besides Mozilla's roots (a private CA's, or a test CA's).
    pub extra_roots_pem: Option<Vec<u8>>,
}

/// Why a document could not be fetched, in words safe to show the caller (never the
/// resolver's or TLS library's internals).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("`{0}` is not an https URL")]
    NotHttps(String),
    #[error("the provider's address is private or loopback, which this server does not reach")]
    PrivateAddress,
    #[error("the provider could not be reached")]
    Unreachable,
    #[error("the provider answered HTTP {0}")]
    Status(u16),
    #[error("the provider's document is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the provider's document is not valid JSON")]
    NotJson,
    #[error("the trusted certificates setting is not valid PEM")]
    BadRoots,
}

/// Whether an address is one a provider on the public internet cannot have.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => private_v4(v4),
        IpAddr::V6(v6) => {
            // IPv4-mapped and IPv4-compatible addresses reach the IPv4 address inside.
            if let Some(v4) = v6.to_ipv4() {
                return private_v4(v4);
            }
            let seg = v6.segments();
            let first = seg[0];
            // 6to4 (2002::/16) carries an IPv4 address in its next 32 bits.
            if first == 0x2002 {
                let [a, b] = seg[1].to_be_bytes();
                let [c, d] = seg[2].to_be_bytes();
                return private_v4(Ipv4Addr::new(a, b, c, d));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local (fc00::/7) and link-local (fe80::/10).
                || first & 0xfe00 == 0xfc00
                || first & 0xffc0 == 0xfe80
                // Deprecated site-local (fec0::/10).
                || first & 0xffc0 == 0xfec0
                // NAT64, well-known and local-use (64:ff9b::/96, 64:ff9b:1::/48), and
                // IPv4-translated (::ffff:0:a.b.c.d) reach IPv4 addresses, private ones included.
                || (first == 0x64 && seg[1] == 0xff9b)
                || (seg[..4] == [0, 0, 0, 0] && seg[4] == 0xffff && seg[5] == 0)
                // Documentation (2001:db8::/32).
                || (first == 0x2001 && v6.segments()[1] == 0xdb8)
        }
    }
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // IETF protocol assignments (192.0.0.0/24).
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        // Shared address space (100.64.0.0/10) and the benchmarking range (198.18.0.0/15).
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

/// Resolves names with the system resolver and drops the addresses not allowed: the check
/// is on what the connection will use, so a name that resolves to 127.0.0.1 is refused.
struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found.filter(|a| !is_private(a.ip())).collect();
            if allowed.is_empty() {
                return Err(Box::new(PrivateAddressError) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[derive(Debug)]
struct PrivateAddressError;

impl std::fmt::Display for PrivateAddressError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("private address")
    }
}

impl std::error::Error for PrivateAddressError {}

/// A client for provider documents.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    allow_private: bool,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("allow_private", &self.allow_private)
            .finish()
    }
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(5);

impl Fetcher {
    pub fn new(policy: &FetchPolicy) -> Result<Self, FetchError> {
        let mut builder = reqwest::Client::builder()
            .https_only(true)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .user_agent("iam-console-federation");
        if !policy.allow_private {
            builder = builder.dns_resolver(Arc::new(GuardedResolver));
        }
        if let Some(pem) = &policy.extra_roots_pem {
            let roots = reqwest::Certificate::from_pem_bundle(pem).map_err(|_| FetchError::BadRoots)?;
            if roots.is_empty() {
                return Err(FetchError::BadRoots);
            }
            for root in roots {
                builder = builder.add_root_certificate(root);
            }
        }
        let client = builder.build().map_err(|_| FetchError::BadRoots)?;
        Ok(Self {
            client,
            allow_private: policy.allow_private,
        })
    }

    /// `url` parsed, https, and not at a private address written into it.
    fn checked(&self, url: &str) -> Result<reqwest::Url, FetchError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| FetchError::NotHttps(url.to_owned()))?;
        if parsed.scheme() != "https" {
            return Err(FetchError::NotHttps(url.to_owned()));
        }
        // An address written in the URL is never resolved, so it is checked here.
        let literal = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => None,
            None => return Err(FetchError::NotHttps(url.to_owned())),
        };
        if !self.allow_private && literal.is_some_and(is_private) {
            return Err(FetchError::PrivateAddress);
        }
        Ok(parsed)
    }

    /// GETs `url` and parses its JSON body, reading at most `max_bytes`.
    pub async fn json(&self, url: &str, max_bytes: usize) -> Result<serde_json::Value, FetchError> {
        let request = self.client.get(self.checked(url)?);
        Self::read_json(request, max_bytes).await
    }

    /// POSTs `form` to `url` with HTTP Basic credentials (an OAuth 2.0 client's), and parses
    /// the JSON answer, reading at most `max_bytes`.
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: (&str, &str),
        max_bytes: usize,
    ) -> Result<serde_json::Value, FetchError> {
        let request = self
            .client
            .post(self.checked(url)?)
            .basic_auth(basic.0, Some(basic.1))
            .form(form);
        Self::read_json(request, max_bytes).await
    }

    async fn read_json(
        request: reqwest::RequestBuilder,
        max_bytes: usize,
    ) -> Result<serde_json::Value, FetchError> {
        let mut response = request
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| classify(&e))?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        if response.content_length().is_some_and(|n| n > max_bytes as u64) {
            return Err(FetchError::TooLarge(max_bytes));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| classify(&e))? {
            if body.len() + chunk.len() > max_bytes {
                return Err(FetchError::TooLarge(max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|_| FetchError::NotJson)
    }
}

fn classify(error: &reqwest::Error) -> FetchError {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        if e.is::<PrivateAddressError>() {
            return FetchError::PrivateAddress;
        }
        source = e.source();
    }
    FetchError::Unreachable
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "::10.0.0.1",
            "2002:a00:1::1",
            "fec0::1",
            "::ffff:0:7f00:1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "140.82.112.3", "2606:4700::1111"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn a_url_must_be_https_and_public() {
        let fetcher = Fetcher::new(&FetchPolicy::default()).unwrap();
        assert_eq!(
            fetcher.json("http://example.com/x", 10).await,
            Err(FetchError::NotHttps("http://example.com/x".into()))
        );
        assert_eq!(
            fetcher.json("https://127.0.0.1/jwks", 10).await,
            Err(FetchError::PrivateAddress)
        );
        assert_eq!(
            fetcher.json("https://[::1]/jwks", 10).await,
            Err(FetchError::PrivateAddress)
        );
        // A name that resolves to loopback is refused at resolution, before any connection.
        assert_eq!(
            fetcher.json("https://localhost/jwks", 10).await,
            Err(FetchError::PrivateAddress)
        );
    }
}
