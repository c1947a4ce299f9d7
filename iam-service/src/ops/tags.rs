//! Tags on users, roles, instance profiles and identity providers, one path for all: TagUser,
//! TagRole, TagInstanceProfile, TagOpenIDConnectProvider, TagSAMLProvider, the Untag and List
//! actions likewise. (AWS's groups carry no tags.)

use crate::ops::attachments::Entity;
use crate::ops::{audited, begin};
use crate::{Caller, ServiceError};
use iam_core::field::FieldError;
use iam_core::model::Tag;
use iam_core::names::check_tag;
use iam_core::quotas;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// What carries tags.
#[derive(Debug, Clone, Copy)]
pub enum Tagged<'a> {
    Entity(&'a Entity),
    InstanceProfile(&'a str),
    /// By the issuer's host and path.
    OidcProvider(&'a str),
    SamlProvider(&'a str),
}

impl<'a> From<&'a Entity> for Tagged<'a> {
    fn from(entity: &'a Entity) -> Self {
        Tagged::Entity(entity)
    }
}

impl Tagged<'_> {
    fn table(self) -> Result<&'static str, ServiceError> {
        match self {
            Tagged::Entity(Entity::User(_)) => Ok("user_tags"),
            Tagged::Entity(Entity::Role(_)) => Ok("role_tags"),
            Tagged::Entity(Entity::Group(_)) => Err(ServiceError::Internal("groups carry no tags".into())),
            Tagged::InstanceProfile(_) => Ok("instance_profile_tags"),
            Tagged::OidcProvider(_) => Ok("oidc_provider_tags"),
            Tagged::SamlProvider(_) => Ok("saml_provider_tags"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Tagged::Entity(e) => e.name_column(),
            Tagged::InstanceProfile(_) => "profile_name",
            Tagged::OidcProvider(_) => "url",
            Tagged::SamlProvider(_) => "name",
        }
    }

    fn value(&self) -> &str {
        match self {
            Tagged::Entity(e) => e.name(),
            Tagged::InstanceProfile(n) | Tagged::OidcProvider(n) | Tagged::SamlProvider(n) => n,
        }
    }

    /// As AWS's action names spell it: `User`, `Role`, `InstanceProfile`.
    fn kind(self) -> &'static str {
        match self {
            Tagged::Entity(e) => e.kind(),
            Tagged::InstanceProfile(_) => "InstanceProfile",
            Tagged::OidcProvider(_) => "OpenIDConnectProvider",
            Tagged::SamlProvider(_) => "SAMLProvider",
        }
    }

    /// The ARN with its real path when it exists, and whether it does.
    async fn arn(self, conn: &mut PgConnection, account: &str) -> Result<(String, bool), ServiceError> {
        match self {
            Tagged::Entity(e) => crate::ops::attachments::entity_arn(conn, account, e).await,
            Tagged::InstanceProfile(n) => crate::ops::instance_profiles::profile_arn(conn, account, n).await,
            Tagged::OidcProvider(url) => Ok((
                iam_core::providers::oidc_arn(account, url),
                crate::ops::oidc_providers::exists(conn, account, url).await?,
            )),
            Tagged::SamlProvider(name) => Ok((
                iam_core::providers::saml_arn(account, name),
                crate::ops::saml_providers::exists(conn, account, name).await?,
            )),
        }
    }

    fn no_such(self, account: &str) -> ServiceError {
        match self {
            Tagged::Entity(e) => e.no_such(),
            Tagged::InstanceProfile(n) => crate::ops::instance_profiles::no_such_profile(n),
            Tagged::OidcProvider(url) => {
                crate::ops::oidc_providers::no_such(&iam_core::providers::oidc_arn(account, url))
            }
            Tagged::SamlProvider(name) => {
                crate::ops::saml_providers::no_such(&iam_core::providers::saml_arn(account, name))
            }
        }
    }
}

/// A request's tags as policies test them: `aws:RequestTag/<key>` and `aws:TagKeys`.
pub(crate) fn request_context(tags: &[Tag]) -> Vec<(String, Vec<String>)> {
    let mut context: Vec<(String, Vec<String>)> = tags
        .iter()
        .map(|t| (format!("aws:RequestTag/{}", t.key), vec![t.value.clone()]))
        .collect();
    if !tags.is_empty() {
        context.push(("aws:TagKeys".into(), tags.iter().map(|t| t.key.clone()).collect()));
    }
    context
}

/// Decides creating something (`create`) and, when it comes with tags, tagging it (`tag`),
/// as AWS asks for both; each with the request's tags and any `extra` keys.
pub(crate) fn authorize_create(
    authz: &crate::authz::Authorizer,
    (create, tag): (&str, &str),
    arn: &str,
    tags: &[Tag],
    mut extra: Vec<(String, Vec<String>)>,
) -> Result<(), ServiceError> {
    extra.extend(request_context(tags));
    authz.check_with(create, arn, &extra)?;
    if !tags.is_empty() {
        authz.check_with(tag, arn, &extra)?;
    }
    Ok(())
}

/// `iam:TagUser` and the like, decided on the ARN (with the thing's own tags as
/// `aws:ResourceTag/<key>` and the request's `keys`) before anything tells whether the thing
/// exists; then it must.
async fn on_target<'p>(
    pool: &'p PgPool,
    caller: &Caller<'_>,
    target: Tagged<'_>,
    verb: &str,
    mut context: Vec<(String, Vec<String>)>,
) -> Result<(Transaction<'p, Postgres>, String, String), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    let (arn, exists) = target.arn(&mut tx, caller.account()).await?;
    let action = format!(
        "iam:{verb}{}{}",
        target.kind(),
        if verb == "List" { "Tags" } else { "" }
    );
    if exists {
        for tag in of(&mut tx, caller.account(), target).await? {
            context.push((format!("aws:ResourceTag/{}", tag.key), vec![tag.value]));
        }
    }
    authz.check_with(&action, &arn, &context)?;
    if !exists {
        return Err(target.no_such(caller.account()));
    }
    Ok((tx, arn, action))
}

/// Adds or replaces one tag (as part of the caller's own transaction).
pub(crate) async fn insert<'a>(
    conn: &mut PgConnection,
    account: &str,
    target: impl Into<Tagged<'a>>,
    tag: &Tag,
) -> Result<(), ServiceError> {
    let target = target.into();
    // A key differing only in case replaces the stored one.
    let replaced = format!(
        "DELETE FROM {} WHERE account_id = $1 AND {} = $2 AND lower(key) = lower($3) AND key <> $3",
        target.table()?,
        target.name()
    );
    sqlx::query(&replaced)
        .bind(account)
        .bind(target.value())
        .bind(&tag.key)
        .execute(&mut *conn)
        .await?;
    let sql = format!(
        "INSERT INTO {table} (account_id, {name}, key, value) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, {name}, key) DO UPDATE SET value = EXCLUDED.value",
        table = target.table()?,
        name = target.name()
    );
    sqlx::query(&sql)
        .bind(account)
        .bind(target.value())
        .bind(&tag.key)
        .bind(&tag.value)
        .execute(conn)
        .await?;
    Ok(())
}

/// The entity's tags, by key.
pub(crate) async fn of<'a>(
    conn: &mut PgConnection,
    account: &str,
    target: impl Into<Tagged<'a>>,
) -> Result<Vec<Tag>, ServiceError> {
    let target = target.into();
    let sql = format!(
        "SELECT key, value FROM {} WHERE account_id = $1 AND {} = $2 ORDER BY key",
        target.table()?,
        target.name()
    );
    let rows: Vec<(String, String)> = sqlx::query_as(&sql)
        .bind(account)
        .bind(target.value())
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|(key, value)| Tag { key, value }).collect())
}

/// Each tag's key and value within AWS's rules; keys are case-insensitive, so two that
/// differ only in case are refused (policies would see one and the table keep both).
pub(crate) fn check(tags: &[Tag]) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = tags
        .iter()
        .filter_map(|t| check_tag(&t.key, &t.value).err())
        .collect();
    let mut keys: Vec<String> = tags.iter().map(|t| t.key.to_lowercase()).collect();
    keys.sort();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        errors.push(FieldError::new(
            "tags",
            "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
        ));
    }
    errors
}

/// AWS's LimitExceeded for more than 50 tags on one user, role or instance profile.
pub(crate) fn too_many<'a>(target: impl Into<Tagged<'a>>) -> ServiceError {
    let target = target.into();
    // AWS words the providers' quota differently.
    if matches!(target, Tagged::OidcProvider(_) | Tagged::SamlProvider(_)) {
        return ServiceError::LimitExceeded("The number of tags has reached the maximum limit.".into());
    }
    ServiceError::LimitExceeded(quotas::exceeded(
        &format!("TagsPer{}", target.kind()),
        quotas::TAGS_PER_ENTITY as i64,
    ))
}

/// Adds or replaces tags (`iam:TagUser` / `iam:TagRole` / `iam:TagInstanceProfile`); at
/// most 50 in all.
pub async fn tag<'a>(
    pool: &PgPool,
    caller: &Caller<'_>,
    target: impl Into<Tagged<'a>>,
    tags: &[Tag],
) -> Result<(), ServiceError> {
    let target = target.into();
    let errors = check(tags);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    // More than the quota can never fit: refused before any work.
    if tags.len() > quotas::TAGS_PER_ENTITY {
        return Err(too_many(target));
    }
    let account = caller.account();
    let (mut tx, arn, action) = on_target(pool, caller, target, "Tag", request_context(tags)).await?;
    for tag in tags {
        insert(&mut tx, account, target, tag).await?;
    }
    if of(&mut tx, account, target).await?.len() > quotas::TAGS_PER_ENTITY {
        return Err(too_many(target));
    }
    audited(&mut tx, caller, &action, &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes tags by key (`iam:UntagUser` / `iam:UntagRole` / `iam:UntagInstanceProfile`).
pub async fn untag<'a>(
    pool: &PgPool,
    caller: &Caller<'_>,
    target: impl Into<Tagged<'a>>,
    keys: &[String],
) -> Result<(), ServiceError> {
    let target = target.into();
    if keys.len() > quotas::TAGS_PER_ENTITY {
        return Err(ServiceError::field(
            "tagKeys",
            format!(
                "at most {} tag keys may be removed at once",
                quotas::TAGS_PER_ENTITY
            ),
        ));
    }
    let keys_context = vec![("aws:TagKeys".to_owned(), keys.to_vec())];
    let (mut tx, arn, action) = on_target(pool, caller, target, "Untag", keys_context).await?;
    let sql = format!(
        "DELETE FROM {} WHERE account_id = $1 AND {} = $2
           AND lower(key) IN (SELECT lower(k) FROM unnest($3::text[]) AS k)",
        target.table()?,
        target.name()
    );
    sqlx::query(&sql)
        .bind(caller.account())
        .bind(target.value())
        .bind(keys)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, &action, &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// The tags (`iam:ListUserTags` / `iam:ListRoleTags` / `iam:ListInstanceProfileTags`).
pub async fn list<'a>(
    pool: &PgPool,
    caller: &Caller<'_>,
    target: impl Into<Tagged<'a>>,
) -> Result<Vec<Tag>, ServiceError> {
    let target = target.into();
    let (mut tx, _, _) = on_target(pool, caller, target, "List", Vec::new()).await?;
    let tags = of(&mut tx, caller.account(), target).await?;
    tx.commit().await?;
    Ok(tags)
}
