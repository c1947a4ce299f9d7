//! What the console shows of roles: the list with search and last activity, a role's page
//! with each part under the action the API reads it with, and "Revoke active sessions".

use crate::ops::attachments::{self, Entity};
use crate::ops::parts::{inline_policies, part};
use crate::ops::roles::{self, Role};
use crate::ops::{begin, like_pattern, read};
use crate::{Caller, ServiceError};
use iam_core::model::{Page, PageRequest, RoleDetail, RoleSummary};
use iam_core::policy::ast::{PrincipalSpec, PrincipalType};
use iam_core::policy::{parse_policy, PolicyKind};
use sqlx::PgPool;

/// The name of the inline policy AWS's console attaches to revoke a role's sessions.
pub const REVOKE_POLICY: &str = "AWSRevokeOlderSessions";

/// Who a trust policy lets in, in the console's words ("AWS service: ec2", "Account:
/// 123456789012", ...).
pub fn trusted_entities(trust_policy: &str) -> Vec<String> {
    let Some(policy) = parse_policy(trust_policy, PolicyKind::Trust).policy else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for statement in &policy.statements {
        let Some(clause) = &statement.principal else {
            continue;
        };
        let words: Vec<String> = match &clause.spec {
            PrincipalSpec::Any => vec!["Anyone".into()],
            PrincipalSpec::Entries(entries) => entries
                .iter()
                .map(|e| match e.kind {
                    PrincipalType::Service => {
                        format!("AWS service: {}", e.value.trim_end_matches(".amazonaws.com"))
                    }
                    PrincipalType::Aws => match e.normalized.strip_prefix("arn:aws:iam::") {
                        Some(rest) if rest.ends_with(":root") => {
                            format!("Account: {}", rest.trim_end_matches(":root"))
                        }
                        _ => e.value.clone(),
                    },
                    PrincipalType::Federated => format!("Identity provider: {}", e.value),
                    PrincipalType::CanonicalUser => e.value.clone(),
                })
                .collect(),
        };
        for word in words {
            if !out.contains(&word) {
                out.push(word);
            }
        }
    }
    out
}

fn summary(role: &Role) -> RoleSummary {
    RoleSummary {
        role_name: role.role_name.clone(),
        path: role.path.clone(),
        arn: role.arn.clone(),
        description: role.description.clone(),
        created_at: role.created_at.unix_timestamp(),
        last_used_at: role.last_used_at.map(time::OffsetDateTime::unix_timestamp),
        trusted: trusted_entities(&role.assume_role_policy),
    }
}

/// The console's role list: a name search, by name, a page at a time (`iam:ListRoles`).
pub async fn list_page(
    pool: &PgPool,
    caller: &Caller<'_>,
    page: &PageRequest,
) -> Result<Page<RoleSummary>, ServiceError> {
    let account = caller.account().to_owned();
    let (mut conn, authz) = read(pool, caller).await?;
    authz.check("iam:ListRoles", &format!("arn:aws:iam::{account}:role/*"))?;
    let pattern = like_pattern(&page.search);
    let total: i64 =
        sqlx::query_scalar("SELECT count(*) FROM iam_roles WHERE account_id = $1 AND role_name ILIKE $2")
            .bind(&account)
            .bind(&pattern)
            .fetch_one(&mut *conn)
            .await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT role_name FROM iam_roles WHERE account_id = $1 AND role_name ILIKE $2
          ORDER BY lower(role_name) LIMIT $3 OFFSET $4",
    )
    .bind(&account)
    .bind(&pattern)
    .bind(page.limit.clamp(1, 100))
    .bind(page.offset.max(0))
    .fetch_all(&mut *conn)
    .await?;
    let mut found = roles::find_many(&mut conn, &account, Some(&names)).await?;
    // Back in the page's order (by name, case-insensitive).
    found.sort_by_key(|r| names.iter().position(|n| *n == r.role_name));
    Ok(Page {
        items: found.iter().map(summary).collect(),
        total,
        offset: page.offset.max(0),
    })
}

/// A role's page: what GetRole answers, and its policies under the actions that read them.
pub async fn detail(pool: &PgPool, caller: &Caller<'_>, name: &str) -> Result<RoleDetail, ServiceError> {
    let role = roles::get_role(pool, caller, name).await?;
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    let entity = Entity::Role(name.to_owned());
    let policies = part(
        &authz,
        "iam:ListAttachedRolePolicies",
        &role.arn,
        attachments::attached_to(&mut tx, &account, &entity),
    )
    .await?;
    let inline = inline_policies(&mut tx, &authz, &account, &entity, &role.arn).await?;
    tx.commit().await?;
    Ok(RoleDetail {
        summary: summary(&role),
        role_id: role.role_id.clone(),
        trust_policy: role.assume_role_policy.clone(),
        max_session_duration: role.max_session_duration,
        permissions_boundary: role.permissions_boundary.clone(),
        linked_service: role.linked_service.clone(),
        tags: role.tags.clone(),
        policies,
        inline_policies: inline,
    })
}

/// "Revoke active sessions": AWS's inline policy that denies everything to sessions issued
/// before now (`iam:PutRolePolicy`, through the one path every inline policy takes).
pub async fn revoke_sessions(pool: &PgPool, caller: &Caller<'_>, name: &str) -> Result<(), ServiceError> {
    // Issue times are whole seconds: a session issued in this second is revoked too.
    let cutoff = iam_core::policy::values::format_iso8601(caller.now.unix_timestamp() + 1);
    let document = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{{"DateLessThan":{{"aws:TokenIssueTime":"{cutoff}"}}}}}}]}}"#
    );
    attachments::put_inline(
        pool,
        caller,
        &Entity::Role(name.to_owned()),
        REVOKE_POLICY,
        &document,
    )
    .await
}
