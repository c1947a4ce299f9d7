//! Admin commands for scripts: the same operations as the console, without a browser, with
//! the server's configuration (`DATABASE_URL`, the master key) and the root user as actor.

use crate::config::Config;
use iam_core::account::AccountId;
use iam_service::{Caller, Identity, RequestMeta};
use std::io::Read;

/// A password from standard input, without its line ending.
fn read_secret() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

fn meta(command: &str) -> RequestMeta {
    RequestMeta {
        user_agent: Some(format!("server {command}")),
        ..Default::default()
    }
}

fn words(error: iam_service::ServiceError) -> String {
    match error {
        iam_service::ServiceError::Invalid(errors) => errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// `server account create --email E --password-stdin [--account-id ID] [--name N]`: prints
/// the new account's ID.
pub async fn create_account(
    config: &Config,
    email: &str,
    account_id: Option<&str>,
    name: Option<&str>,
) -> Result<(), String> {
    use iam_core::signup::SignUpInput;
    use iam_service::ops::accounts::{random_account_id, sign_up, SignUpRequest};
    let fixed = account_id.map(AccountId::parse).transpose()?;
    let password = read_secret()?;
    let state = crate::startup::prepare(config).await?;
    let name = name.map_or_else(
        || email.split('@').next().unwrap_or(email).to_owned(),
        str::to_owned,
    );
    let request = SignUpRequest {
        input: SignUpInput {
            email,
            password: &password,
            password_confirm: &password,
            account_name: &name,
        },
        // An administrator may always add accounts, whatever IAM_ALLOW_SIGNUP says.
        open_to_all: true,
        now: time::OffsetDateTime::now_utc(),
    };
    let account = sign_up(
        &state.ctx.pool,
        &state.ctx.hasher,
        request,
        &meta("account create"),
        || fixed.clone().unwrap_or_else(random_account_id),
    )
    .await
    .map_err(words)?;
    println!("{}", account.account_id);
    Ok(())
}

/// The server's state and the account's root user, when the account exists.
async fn as_root(config: &Config, account: &str) -> Result<(crate::AppState, Identity), String> {
    let account_id = AccountId::parse(account)?;
    let state = crate::startup::prepare(config).await?;
    if iam_service::ops::accounts::get_account(&state.ctx.pool, &account_id)
        .await
        .map_err(words)?
        .is_none()
    {
        return Err(format!("no account `{account}`"));
    }
    Ok((state, Identity::Root { account_id }))
}

/// `server user create --account ID --user NAME --password-stdin [--require-reset]`: prints
/// the new user's ARN.
pub async fn create_user(
    config: &Config,
    account: &str,
    user: &str,
    require_reset: bool,
) -> Result<(), String> {
    let password = read_secret()?;
    let (state, root) = as_root(config, account).await?;
    let created = iam_service::ops::users::create_user_with_password(
        &state.ctx.pool,
        &state.ctx.hasher,
        &root,
        user,
        &password,
        require_reset,
        time::OffsetDateTime::now_utc(),
        &meta("user create"),
    )
    .await
    .map_err(words)?;
    println!("{}", created.arn());
    Ok(())
}

/// `server access-key create --account ID (--root | --user NAME)`: prints the key ID and
/// the secret, tab-separated, once.
pub async fn create_access_key(config: &Config, account: &str, user: Option<&str>) -> Result<(), String> {
    let (state, root) = as_root(config, account).await?;
    let meta = meta("access-key create");
    let caller = Caller {
        identity: &root,
        meta: &meta,
        now: time::OffsetDateTime::now_utc(),
    };
    let key =
        iam_service::ops::access_keys::create_access_key(&state.ctx.pool, &state.ctx.secrets, &caller, user)
            .await
            .map_err(words)?;
    println!("{}\t{}", key.info.access_key_id, key.secret_access_key);
    Ok(())
}

/// `server billing demo --account ID [--seed N]`: a demo month of costs; prints how many
/// (day, service) costs it wrote.
pub async fn billing_demo(config: &Config, account: &str, seed: u64) -> Result<(), String> {
    let (state, _) = as_root(config, account).await?;
    let written =
        iam_service::ops::billing::seed_demo(&state.ctx.pool, account, time::OffsetDateTime::now_utc(), seed)
            .await
            .map_err(words)?;
    println!("{written}");
    Ok(())
}

/// `server audit prune --older-than DAYS`: prints the number of events deleted.
pub async fn prune_audit(config: &Config, older_than_days: u32) -> Result<(), String> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    iam_service::migrate(&pool)
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    let now = time::OffsetDateTime::now_utc();
    let deleted = iam_service::audit::prune(&pool, older_than_days, now, &meta("audit prune"))
        .await
        .map_err(|e| format!("audit prune failed: {e}"))?;
    println!("{deleted}");
    Ok(())
}

/// `server workload register --account A --instance-profile P --address IP`: prints the
/// workload's instance ID.
pub async fn register_workload(
    config: &Config,
    account: &str,
    instance_profile: &str,
    address: std::net::IpAddr,
) -> Result<(), String> {
    let account = AccountId::parse(account)?;
    let state = crate::startup::prepare(config).await?;
    let instance = iam_service::ops::sts::workload::register(
        &state.ctx.pool,
        account.as_str(),
        instance_profile,
        address,
        time::OffsetDateTime::now_utc(),
    )
    .await
    .map_err(words)?;
    println!("{instance}");
    Ok(())
}
