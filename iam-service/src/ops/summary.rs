//! The dashboard: the account's counts and security recommendations.

use crate::ops::begin;
use crate::{Caller, ServiceError};
use iam_core::model::AccountSummary;
use sqlx::PgPool;

type Counts = (i64, i64, i64, i64, i64, bool, i64, i64, i64, i64);

/// Counts for the dashboard (`iam:GetAccountSummary`), in one round trip.
pub async fn account_summary(pool: &PgPool, caller: &Caller<'_>) -> Result<AccountSummary, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:GetAccountSummary", "*")?;
    let unused_since = caller.now - time::Duration::days(90);
    let (users, groups, roles, customer_policies, identity_providers, root_mfa, users_without_mfa, unused_passwords, root_access_keys, old_access_keys): Counts =
        sqlx::query_as(
            "SELECT
               (SELECT count(*) FROM iam_users WHERE account_id = $1),
               (SELECT count(*) FROM iam_groups WHERE account_id = $1),
               (SELECT count(*) FROM iam_roles WHERE account_id = $1),
               (SELECT count(*) FROM managed_policies WHERE account_id = $1),
               (SELECT count(*) FROM oidc_providers WHERE account_id = $1)
                 + (SELECT count(*) FROM saml_providers WHERE account_id = $1),
               EXISTS (SELECT 1 FROM mfa_devices WHERE principal_arn = 'arn:aws:iam::' || $1 || ':root' AND enabled_at IS NOT NULL),
               (SELECT count(*) FROM iam_users u JOIN login_profiles l USING (account_id, user_name)
                 WHERE u.account_id = $1 AND NOT EXISTS (
                   SELECT 1 FROM mfa_devices d
                    WHERE d.principal_arn = 'arn:aws:iam::' || u.account_id || ':user' || u.path || u.user_name
                      AND d.enabled_at IS NOT NULL)),
               (SELECT count(*) FROM login_profiles
                 WHERE account_id = $1 AND coalesce(password_last_used_at, created_at) < $2),
               (SELECT count(*) FROM access_keys WHERE account_id = $1 AND user_name IS NULL AND status = 'Active'),
               (SELECT count(*) FROM access_keys WHERE account_id = $1 AND status = 'Active' AND created_at < $2)",
        )
        .bind(&account)
        .bind(unused_since)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(AccountSummary {
        users,
        groups,
        roles,
        customer_policies,
        identity_providers,
        root_mfa,
        users_without_mfa,
        unused_passwords,
        root_access_keys,
        old_access_keys,
    })
}
