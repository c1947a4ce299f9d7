//! Configuration: command-line flags, each with an environment variable and a default.

use clap::{ArgAction, Parser};
use std::net::SocketAddr;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "server",
    version,
    about = "The IAM console: web console and (soon) AWS-compatible API, on Postgres.",
    after_help = "Logging follows RUST_LOG (default: info)."
)]
pub struct Config {
    /// Postgres connection URL.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,

    /// Address to listen on.
    #[arg(long, env = "IAM_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Where the workload credential endpoint (compatible with the EC2 instance metadata
    /// service, IMDSv2) listens, e.g. 127.0.0.1:9911; off unless set. Workloads registered
    /// with `server workload register` get their instance profile's role credentials there.
    #[arg(long, env = "IAM_METADATA_LISTEN")]
    pub metadata_listen: Option<SocketAddr>,

    /// The URL people use to reach the console (shown in sign-in links).
    /// Default: http://<listen address>.
    #[arg(long, env = "IAM_BASE_URL")]
    pub base_url: Option<String>,

    /// Folder with the built front end (pkg/ with the wasm, script and stylesheet).
    #[arg(long, env = "IAM_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// Allow anyone to sign up for a new account. When false, only the first account can be
    /// created, by whoever opens the console first.
    #[arg(long, env = "IAM_ALLOW_SIGNUP", default_value_t = true, action = ArgAction::Set)]
    pub allow_signup: bool,

    /// A session ends after this many minutes without a request.
    #[arg(long, env = "IAM_SESSION_IDLE_MINUTES", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..=10_080))]
    pub session_idle_minutes: u32,

    /// A session ends this many hours after sign-in, however active.
    #[arg(long, env = "IAM_SESSION_LIFETIME_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_lifetime_hours: u32,

    /// Mark cookies Secure (HTTPS only). Default: on when the base URL is https.
    #[arg(long, env = "IAM_SECURE_COOKIES", action = ArgAction::Set)]
    pub secure_cookies: Option<bool>,

    /// Most database connections this process opens.
    #[arg(long, env = "IAM_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,

    /// How long a request waits for a database connection before it fails (503/500): with
    /// the database down, requests fail in seconds instead of queueing.
    #[arg(long, env = "IAM_DB_ACQUIRE_TIMEOUT_SECONDS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub db_acquire_timeout_seconds: u64,

    /// File with the 32-byte master key that encrypts MFA seeds (and secret access keys) at
    /// rest. Created with mode 0600 on first run when missing. BACK IT UP: without it the
    /// stored secrets cannot be read.
    #[arg(long, env = "IAM_MASTER_KEY_FILE", default_value = ".data/master.key")]
    pub master_key_file: String,

    /// Failed sign-ins (per identifier, and per source address) before a wait.
    #[arg(long, env = "IAM_LOCKOUT_MAX_FAILURES", default_value_t = 30)]
    pub lockout_max_failures: u32,

    /// The first wait after too many failures, in seconds; each further lock adds as much.
    #[arg(long, env = "IAM_LOCKOUT_WAIT_SECONDS", default_value_t = 60)]
    pub lockout_wait_seconds: i64,

    /// The longest wait, in seconds.
    #[arg(long, env = "IAM_LOCKOUT_MAX_WAIT_SECONDS", default_value_t = 900)]
    pub lockout_max_wait_seconds: i64,

    /// Sign-ups from one address per hour (console sign-up page).
    #[arg(long, env = "IAM_SIGNUPS_PER_HOUR", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub signups_per_hour: u32,

    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed: addresses or
    /// CIDRs, comma-separated (e.g. `127.0.0.1,10.0.0.0/8`). Default: none; the peer
    /// address is the client.
    #[arg(long, env = "IAM_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_net)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// A request (body included) must be answered within this many seconds, or it ends
    /// with 408: one slow client cannot hold the server's workers.
    #[arg(long, env = "IAM_REQUEST_TIMEOUT_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_seconds: u64,

    /// Requests handled at once; more are answered 503 at once.
    #[arg(long, env = "IAM_MAX_CONCURRENT_REQUESTS", default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_concurrent_requests: u32,

    /// Password hashes computed at once (each takes ~19 MiB). Default: the number of CPUs.
    #[arg(long, env = "IAM_HASH_CONCURRENCY")]
    pub hash_concurrency: Option<usize>,

    /// An SMTP relay for budget alert emails, as HOST:PORT (plain SMTP, e.g. a local
    /// relay). Unset: alerts show in the console only and their emails wait.
    #[arg(long, env = "IAM_SMTP_RELAY")]
    pub smtp_relay: Option<String>,

    /// The From address of alert emails.
    #[arg(long, env = "IAM_SMTP_FROM", default_value = "budgets@localhost")]
    pub smtp_from: String,

    /// Lets the server fetch identity providers' documents (OIDC discovery and keys) from
    /// private, loopback and link-local addresses. Off: only public addresses are reached, so
    /// an administrator's provider URL cannot probe the server's own network.
    #[arg(long, env = "IAM_FEDERATION_ALLOW_PRIVATE", default_value_t = false, action = ArgAction::Set)]
    pub federation_allow_private: bool,

    /// A PEM file of CA certificates trusted for identity providers, besides Mozilla's roots
    /// (a private CA's).
    #[arg(long, env = "IAM_FEDERATION_CA_FILE")]
    pub federation_ca_file: Option<std::path::PathBuf>,
}

/// An address (a one-address network) or a CIDR.
fn parse_net(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("`{text}` is not an IP address or CIDR"))
}

impl Config {
    pub fn base_url(&self) -> String {
        match &self.base_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies
            .unwrap_or_else(|| self.base_url().starts_with("https://"))
    }

    pub fn lockout(&self) -> iam_core::credentials::lockout::LockoutPolicy {
        iam_core::credentials::lockout::LockoutPolicy {
            max_failures: self.lockout_max_failures.max(1),
            wait_increment: self.lockout_wait_seconds.max(1),
            max_wait: self.lockout_max_wait_seconds.max(1),
            ..Default::default()
        }
    }

    /// How identity providers are reached.
    pub fn fetch_policy(&self) -> Result<iam_service::federation::fetch::FetchPolicy, String> {
        let extra_roots_pem = match &self.federation_ca_file {
            Some(path) => Some(
                std::fs::read(path)
                    .map_err(|e| format!("cannot read IAM_FEDERATION_CA_FILE `{}`: {e}", path.display()))?,
            ),
            None => None,
        };
        Ok(iam_service::federation::fetch::FetchPolicy {
            allow_private: self.federation_allow_private,
            extra_roots_pem,
        })
    }

    pub fn hash_concurrency(&self) -> usize {
        self.hash_concurrency
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
    }
}
