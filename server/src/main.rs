#![recursion_limit = "256"]
//! `server`: runs the IAM console.

use clap::{Parser, Subcommand};
use server::config::Config;
use std::net::SocketAddr;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "server",
    version,
    about = "The IAM console: web console and AWS-compatible IAM/STS API, on Postgres.",
    after_help = "Without a command it serves the console. Logging follows RUST_LOG (default: info)."
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// IAM users, for scripts (acts as the account's root user).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Accounts, for scripts: the same sign-up as the console's.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Access keys, for scripts: prints the new key ID and secret (shown this once).
    AccessKey {
        #[command(subcommand)]
        action: AccessKeyAction,
    },
    /// Billing data, for demos.
    Billing {
        #[command(subcommand)]
        action: BillingAction,
    },
    /// Workloads that get role credentials from the metadata endpoint.
    Workload {
        #[command(subcommand)]
        action: WorkloadAction,
    },
    /// The audit log's retention.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
}

#[derive(Subcommand)]
enum WorkloadAction {
    /// Bind a workload's address to an instance profile of the account: requests from that
    /// address to the metadata endpoint then receive the profile's role credentials. Prints
    /// the workload's instance ID (the role sessions' name).
    Register {
        /// The 12-digit account ID.
        #[arg(long)]
        account: String,
        #[arg(long)]
        instance_profile: String,
        /// The workload's IP address as the metadata endpoint sees it.
        #[arg(long)]
        address: std::net::IpAddr,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Delete audit events (and throttling counters) older than DAYS; the deletion itself is
    /// recorded as an `audit:PruneEvents` event. Prints how many events were deleted.
    Prune {
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
        older_than: u32,
    },
}

#[derive(Subcommand)]
enum BillingAction {
    /// Fill last month and this month to today with realistic costs of a few services
    /// (replacing those days' costs), then evaluate the account's budgets.
    Demo {
        /// The 12-digit account ID.
        #[arg(long)]
        account: String,
        /// The same seed gives the same costs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum AccountAction {
    /// Create an account whose root user signs in with this email and the password read
    /// from standard input.
    Create {
        #[arg(long)]
        email: String,
        /// Read the root password from standard input (never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// A 12-digit account ID to use instead of a random one.
        #[arg(long)]
        account_id: Option<String>,
        /// The account's name (default: the email's part before @).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum AccessKeyAction {
    /// Create an access key for the account's root user or one of its IAM users.
    Create {
        #[arg(long)]
        account: String,
        #[arg(long, conflicts_with = "user", required_unless_present = "user")]
        root: bool,
        #[arg(long)]
        user: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Create an IAM user with a console password read from standard input.
    Create {
        /// The 12-digit account ID.
        #[arg(long)]
        account: String,
        /// The new user's name.
        #[arg(long)]
        user: String,
        /// Read the password from standard input (the only way: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// The user must set a new password at first sign-in.
        #[arg(long)]
        require_reset: bool,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let config = cli.config;
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        None => run(config).await,
        Some(Command::User {
            action:
                UserAction::Create {
                    account,
                    user,
                    require_reset,
                    ..
                },
        }) => server::admin::create_user(&config, &account, &user, require_reset).await,
        Some(Command::Account {
            action:
                AccountAction::Create {
                    email,
                    account_id,
                    name,
                    ..
                },
        }) => server::admin::create_account(&config, &email, account_id.as_deref(), name.as_deref()).await,
        Some(Command::AccessKey {
            action: AccessKeyAction::Create { account, user, .. },
        }) => server::admin::create_access_key(&config, &account, user.as_deref()).await,
        Some(Command::Billing {
            action: BillingAction::Demo { account, seed },
        }) => server::admin::billing_demo(&config, &account, seed).await,
        Some(Command::Audit {
            action: AuditAction::Prune { older_than },
        }) => server::admin::prune_audit(&config, older_than).await,
        Some(Command::Workload {
            action:
                WorkloadAction::Register {
                    account,
                    instance_profile,
                    address,
                },
        }) => server::admin::register_workload(&config, &account, &instance_profile, address).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    let state = server::startup::prepare(&config).await?;
    if let Some(address) = config.metadata_listen {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| format!("cannot listen on {address}: {e}"))?;
        let endpoint = server::metadata::router(state.clone());
        tracing::info!("workload credential endpoint on {address}");
        tokio::spawn(async move {
            let served = axum::serve(
                listener,
                endpoint.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
            if let Err(e) = served {
                tracing::error!("metadata endpoint: {e}");
            }
        });
    }
    let router = server::build_router(state);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(
        "IAM console at {} (listening on {})",
        config.base_url(),
        config.listen
    );
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| format!("server error: {e}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
