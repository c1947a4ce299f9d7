//! Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole and
//! GetServiceLinkedRoleDeletionStatus. The role's name, path, trust policy and policies are
//! the service's (iam_core::service_linked); afterwards nobody changes them (roles::modifiable).

use crate::ops::roles::{self, Role};
use crate::ops::{audited, begin, is_unique_violation, unique_id};
use crate::{Caller, ServiceError};
use iam_core::service_linked::{self as linked, check_service_name};
use sqlx::PgPool;

/// How long a deletion task can be asked about.
const TASK_DAYS: i64 = 30;

fn invalid_input(message: String) -> ServiceError {
    ServiceError::Rejected {
        code: "InvalidInput",
        message,
    }
}

/// Makes the role a service uses in this account (`iam:CreateServiceLinkedRole`, with the
/// service as `iam:AWSServiceName`), with AWS's policies for it attached.
pub async fn create(
    pool: &PgPool,
    caller: &Caller<'_>,
    service: &str,
    description: Option<&str>,
    suffix: Option<&str>,
) -> Result<Role, ServiceError> {
    let errors: Vec<_> = [
        check_service_name(service).err(),
        description.and_then(roles::check_description),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let Some(linked) = linked::find(service) else {
        return Err(invalid_input(format!(
            "service `{service}` has no service-linked role"
        )));
    };
    if suffix.is_some() && !linked.suffix_allowed {
        return Err(invalid_input(format!(
            "Custom suffix is not allowed for {service}"
        )));
    }
    let role_name = linked
        .role_name_with(suffix)
        .map_err(|e| ServiceError::Invalid(vec![e]))?;
    let account = caller.account().to_owned();
    let path = linked.path();
    let arn = iam_core::arn::entity_arn(&account, "role", &path, &role_name);
    let (mut tx, authz) = begin(pool, caller).await?;
    let context = vec![("iam:AWSServiceName".to_owned(), vec![service.to_owned()])];
    authz.check_with("iam:CreateServiceLinkedRole", &arn, &context)?;
    crate::ops::within_account_quota(
        &mut tx,
        &account,
        "iam_roles",
        "RolesPerAccount",
        iam_core::quotas::ROLES_PER_ACCOUNT,
    )
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO iam_roles (account_id, role_name, role_id, path, assume_role_policy, description,
                                max_session_duration, created_at, linked_service)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&account)
    .bind(&role_name)
    .bind(unique_id("AROA"))
    .bind(&path)
    .bind(linked.trust_policy())
    .bind(description.unwrap_or(""))
    .bind(roles::DEFAULT_SESSION_SECONDS)
    .bind(caller.now)
    .bind(service)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(invalid_input(format!(
                "Service role name {role_name} has been taken in this account, please try a different suffix."
            )))
        }
        other => other?,
    };
    // The service attaches its own policies: no customer decision is asked for them.
    sqlx::query(
        "INSERT INTO role_policies (account_id, role_name, policy_arn, attached_at)
         SELECT $1, $2, unnest($3::text[]), $4",
    )
    .bind(&account)
    .bind(&role_name)
    .bind(linked.policy_arns())
    .bind(caller.now)
    .execute(&mut *tx)
    .await?;
    audited(&mut tx, caller, "iam:CreateServiceLinkedRole", &arn).await?;
    let created = roles::find(&mut tx, &account, &role_name)
        .await?
        .ok_or_else(|| roles::no_such_role(&role_name))?;
    tx.commit().await?;
    Ok(created)
}

/// Deletes a service-linked role (`iam:DeleteServiceLinkedRole`) with its policies; the answer
/// is a deletion task ID, `task/aws-service-role/<service>/<role>/<uuid>`, as AWS's.
pub async fn delete(pool: &PgPool, caller: &Caller<'_>, role_name: &str) -> Result<String, ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let arn = roles::on_role_in(&mut tx, &authz, caller, role_name, "iam:DeleteServiceLinkedRole").await?;
    let role = roles::find(&mut tx, account, role_name)
        .await?
        .ok_or_else(|| roles::no_such_role(role_name))?;
    if role.linked_service.is_none() {
        return Err(invalid_input(format!(
            "role `{role_name}` is not a service-linked role; delete it with DeleteRole"
        )));
    }
    // Its policies, tags and sessions go with it (the rows cascade; sessions check the role).
    let deleted = sqlx::query("DELETE FROM iam_roles WHERE account_id = $1 AND role_name = $2")
        .bind(account)
        .bind(role_name)
        .execute(&mut *tx)
        .await?;
    if deleted.rows_affected() == 0 {
        // A deletion running alongside took it first.
        return Err(roles::no_such_role(role_name));
    }
    crate::ops::trust_pins::repoint(&mut tx, &arn, &role.role_id).await?;
    let task = format!("task{}{role_name}/{}", role.path, crate::ops::random_uuid());
    sqlx::query("DELETE FROM service_linked_role_deletions WHERE account_id = $1 AND created_at < $2")
        .bind(account)
        .bind(caller.now - time::Duration::days(TASK_DAYS))
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO service_linked_role_deletions (account_id, task_id, status, created_at)
         VALUES ($1, $2, 'SUCCEEDED', $3)",
    )
    .bind(account)
    .bind(&task)
    .bind(caller.now)
    .execute(&mut *tx)
    .await?;
    audited(&mut tx, caller, "iam:DeleteServiceLinkedRole", &arn).await?;
    tx.commit().await?;
    Ok(task)
}

/// The status of a deletion task (`iam:GetServiceLinkedRoleDeletionStatus`, decided on the
/// role the task names).
pub async fn deletion_status(
    pool: &PgPool,
    caller: &Caller<'_>,
    task_id: &str,
) -> Result<String, ServiceError> {
    let malformed = || {
        invalid_input(format!(
            "deletion task ID `{}` is not of the form task/aws-service-role/<service>/<role-name>/<task-uuid>",
            task_id.chars().take(200).collect::<String>()
        ))
    };
    if task_id.is_empty() || task_id.len() > 1000 {
        return Err(malformed());
    }
    let rest = task_id
        .strip_prefix("task")
        .filter(|r| r.starts_with(linked::PATH_PREFIX))
        .ok_or_else(malformed)?;
    let mut parts = rest.rsplitn(3, '/');
    let (Some(_uuid), Some(role_name), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed());
    };
    let account = caller.account();
    let arn = iam_core::arn::entity_arn(account, "role", &format!("{path}/"), role_name);
    let (mut conn, authz) = crate::ops::read(pool, caller).await?;
    authz.check("iam:GetServiceLinkedRoleDeletionStatus", &arn)?;
    let status: Option<String> = sqlx::query_scalar(
        "SELECT status FROM service_linked_role_deletions WHERE account_id = $1 AND task_id = $2",
    )
    .bind(account)
    .bind(task_id)
    .fetch_optional(&mut *conn)
    .await?;
    status.ok_or_else(|| ServiceError::NoSuchEntity(format!("Deletion task {task_id} cannot be found.")))
}
