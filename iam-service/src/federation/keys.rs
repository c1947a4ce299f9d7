//! An OIDC issuer's signing keys: found through its discovery document, fetched from its
//! JWKS, cached for an hour, refreshed early when a token names a key the cache lacks (at
//! most every half minute per issuer, so unknown key IDs cannot make us hammer a provider).

use super::fetch::{FetchError, Fetcher};
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::Algorithm;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FRESH_FOR: Duration = Duration::from_secs(3600);
const REFRESH_AT_MOST_EVERY: Duration = Duration::from_secs(30);
const DISCOVERY_MAX_BYTES: usize = 64 * 1024;
const JWKS_MAX_BYTES: usize = 256 * 1024;
const KEYS_MAX: usize = 100;
const ISSUERS_MAX: usize = 10_000;
/// Keys a provider can no longer be asked about are trusted this long after their fetch.
const STALE_LIMIT: Duration = Duration::from_secs(24 * 3600);
/// Provider fetches under way at once, across all issuers.
const OUTBOUND_MAX: usize = 8;

/// Asymmetric algorithms only: a symmetric one would make the published key a secret.
const SUPPORTED: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// What an issuer publishes for verifying its tokens.
#[derive(Debug, Clone)]
pub struct IssuerKeys {
    /// The algorithms the issuer signs ID tokens with, among those this server verifies.
    pub algorithms: Vec<Algorithm>,
    pub keys: Vec<Jwk>,
    /// Where the console sends people to sign in, and trades their code for tokens.
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
}

impl IssuerKeys {
    /// The key a token's header names; with no `kid`, the set's only key.
    pub fn find(&self, kid: Option<&str>) -> Option<&Jwk> {
        let signing = |k: &&Jwk| !matches!(k.common.public_key_use, Some(PublicKeyUse::Encryption));
        match kid {
            Some(kid) => self
                .keys
                .iter()
                .filter(signing)
                .find(|k| k.common.key_id.as_deref() == Some(kid)),
            None => {
                let mut all = self.keys.iter().filter(signing);
                match (all.next(), all.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    #[error("{0}")]
    Fetch(#[from] FetchError),
    #[error("the provider's discovery document is not valid: {0}")]
    Discovery(&'static str),
}

struct Cached {
    /// The keys of the last successful fetch, and when it was.
    keys: Option<(Arc<IssuerKeys>, Instant)>,
    /// When a fetch was last tried, successful or not.
    tried: Instant,
}

/// The keys of every issuer in use, shared by the API and the console.
pub struct KeyCache {
    fetcher: Fetcher,
    issuers: Mutex<HashMap<String, Cached>>,
    /// One fetch per issuer at a time: concurrent requests wait for it and share its result.
    in_flight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Fetches under way across all issuers.
    outbound: tokio::sync::Semaphore,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").finish_non_exhaustive()
    }
}

/// What the cache holds for an issuer now: its keys, whether they may be used, and whether
/// a fetch is due.
enum Lookup {
    Use(Arc<IssuerKeys>),
    Fetch,
    /// Tried too recently to try again; nothing usable.
    Failed,
}

impl KeyCache {
    pub fn new(fetcher: Fetcher) -> Self {
        Self {
            fetcher,
            issuers: Mutex::new(HashMap::new()),
            in_flight: Mutex::new(HashMap::new()),
            outbound: tokio::sync::Semaphore::new(OUTBOUND_MAX),
        }
    }

    /// The guarded client the keys are fetched with (for the console's token exchange).
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    fn lookup(&self, issuer: &str, kid: Option<&str>) -> Lookup {
        let Ok(issuers) = self.issuers.lock() else {
            return Lookup::Failed;
        };
        let Some(cached) = issuers.get(issuer) else {
            return Lookup::Fetch;
        };
        let recently_tried = cached.tried.elapsed() < REFRESH_AT_MOST_EVERY;
        match &cached.keys {
            Some((keys, at)) => {
                let usable = at.elapsed() < STALE_LIMIT;
                let fresh = at.elapsed() < FRESH_FOR && keys.find(kid).is_some();
                if usable && (fresh || recently_tried) {
                    Lookup::Use(keys.clone())
                } else {
                    Lookup::Fetch
                }
            }
            None if recently_tried => Lookup::Failed,
            None => Lookup::Fetch,
        }
    }

    fn remember(&self, issuer: &str, fetched: Option<Arc<IssuerKeys>>) {
        let Ok(mut issuers) = self.issuers.lock() else {
            return;
        };
        let now = Instant::now();
        if issuers.len() >= ISSUERS_MAX && !issuers.contains_key(issuer) {
            // The least recently tried issuer makes room.
            let oldest = issuers
                .iter()
                .min_by_key(|(_, c)| c.tried)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                issuers.remove(&oldest);
            }
        }
        let entry = issuers.entry(issuer.to_owned()).or_insert(Cached {
            keys: None,
            tried: now,
        });
        entry.tried = now;
        if let Some(keys) = fetched {
            entry.keys = Some((keys, now));
        }
    }

    /// The keys of the issuer `https://{host_path}` with the key `kid` in them if the issuer
    /// has it now: from the cache, or fetched when stale or lacking that key. Keys that were
    /// good stay usable while the provider is away, for at most a day after their fetch.
    pub async fn keys_for(&self, host_path: &str, kid: Option<&str>) -> Result<Arc<IssuerKeys>, KeysError> {
        match self.lookup(host_path, kid) {
            Lookup::Use(keys) => return Ok(keys),
            Lookup::Failed => return Err(KeysError::Fetch(FetchError::Unreachable)),
            Lookup::Fetch => {}
        }
        let gate = {
            let Ok(mut in_flight) = self.in_flight.lock() else {
                return Err(KeysError::Fetch(FetchError::Unreachable));
            };
            if in_flight.len() >= ISSUERS_MAX {
                in_flight.retain(|_, g| Arc::strong_count(g) > 1);
            }
            in_flight.entry(host_path.to_owned()).or_default().clone()
        };
        let _turn = gate.lock().await;
        // Whoever held the gate before may have fetched what this request needs.
        match self.lookup(host_path, kid) {
            Lookup::Use(keys) => return Ok(keys),
            Lookup::Failed => return Err(KeysError::Fetch(FetchError::Unreachable)),
            Lookup::Fetch => {}
        }
        let fetched = match self.outbound.acquire().await {
            Ok(_permit) => self.fetch(host_path).await,
            Err(_) => Err(KeysError::Fetch(FetchError::Unreachable)),
        };
        match fetched {
            Ok(keys) => {
                let keys = Arc::new(keys);
                self.remember(host_path, Some(keys.clone()));
                Ok(keys)
            }
            Err(error) => {
                self.remember(host_path, None);
                match self.lookup(host_path, kid) {
                    Lookup::Use(keys) => Ok(keys),
                    _ => Err(error),
                }
            }
        }
    }

    async fn fetch(&self, host_path: &str) -> Result<IssuerKeys, KeysError> {
        let issuer = format!("https://{host_path}");
        let discovery = self
            .fetcher
            .json(
                &format!("{issuer}/.well-known/openid-configuration"),
                DISCOVERY_MAX_BYTES,
            )
            .await?;
        let named = discovery.get("issuer").and_then(|v| v.as_str());
        if named.map(|n| n.strip_suffix('/').unwrap_or(n)) != Some(issuer.as_str()) {
            return Err(KeysError::Discovery("its issuer is not the provider's URL"));
        }
        let jwks_uri = discovery
            .get("jwks_uri")
            .and_then(|v| v.as_str())
            .ok_or(KeysError::Discovery("it has no jwks_uri"))?;
        let algorithms = match discovery.get("id_token_signing_alg_values_supported") {
            Some(values) => values
                .as_array()
                .ok_or(KeysError::Discovery(
                    "id_token_signing_alg_values_supported is not a list",
                ))?
                .iter()
                .filter_map(|v| v.as_str())
                .filter_map(|name| name.parse::<Algorithm>().ok())
                .filter(|a| SUPPORTED.contains(a))
                .collect(),
            // The specification's default.
            None => vec![Algorithm::RS256],
        };
        let jwks = self.fetcher.json(jwks_uri, JWKS_MAX_BYTES).await?;
        // Keys of kinds this server cannot read are skipped, not fatal: a set may mix them.
        let keys: Vec<Jwk> = jwks
            .get("keys")
            .and_then(|v| v.as_array())
            .ok_or(KeysError::Discovery("its JWKS has no keys"))?
            .iter()
            .take(KEYS_MAX)
            .filter_map(|k| serde_json::from_value(k.clone()).ok())
            .collect();
        let endpoint = |name: &str| discovery.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        Ok(IssuerKeys {
            algorithms,
            keys,
            authorization_endpoint: endpoint("authorization_endpoint"),
            token_endpoint: endpoint("token_endpoint"),
        })
    }
}
