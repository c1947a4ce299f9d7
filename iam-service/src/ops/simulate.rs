//! The policy simulator: what the engine decides for a user, a group, or pasted policies,
//! per action and resource, with the statements that decided.

use crate::authz::{group_policies, user_policies, Applied, Authorizer};
use crate::ops::attachments::entity_arn;
use crate::ops::attachments::Entity;
use crate::ops::begin;
use crate::{Caller, ServiceError};
use iam_core::policy::{parse_policy, Explanation, GlobalFacts, PolicyKind, Principal, PrincipalKind};

#[derive(Debug, Clone)]
pub enum Subject {
    User(String),
    Group(String),
    /// Pasted identity-based policy documents.
    Custom(Vec<String>),
}

#[derive(Debug, Clone, Default)]
pub struct Scenario {
    pub actions: Vec<String>,
    /// `*` when empty.
    pub resources: Vec<String>,
    pub context: Vec<(String, String)>,
}

/// One explanation per action and resource.
pub async fn simulate(
    pool: &PgPool,
    caller: &Caller<'_>,
    subject: &Subject,
    scenario: &Scenario,
) -> Result<Vec<Explanation>, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (principal, policies, user_name) = match subject {
        Subject::User(name) | Subject::Group(name) => {
            let entity = match subject {
                Subject::User(_) => Entity::User(name.clone()),
                _ => Entity::Group(name.clone()),
            };
            let (arn, exists) = entity_arn(&mut tx, &account, &entity).await?;
            authz.check("iam:SimulatePrincipalPolicy", &arn)?;
            if !exists {
                return Err(ServiceError::NoSuchEntity(format!(
                    "The {} with name {name} cannot be found.",
                    match entity {
                        Entity::User(_) => "user",
                        Entity::Group(_) => "group",
                    }
                )));
            }
            let (policies, user) = match entity {
                Entity::User(_) => (user_policies(&mut tx, &account, name).await?, Some(name.clone())),
                Entity::Group(_) => (group_policies(&mut tx, &account, name).await?, None),
            };
            (Principal::new(PrincipalKind::User, arn, &account), policies, user)
        }
        Subject::Custom(documents) => {
            authz.check("iam:SimulateCustomPolicy", "*")?;
            let mut policies = Vec::new();
            for (i, text) in documents.iter().enumerate() {
                let parsed = parse_policy(text, PolicyKind::Identity);
                match parsed.policy {
                    Some(policy) if parsed.errors().next().is_none() => policies.push(Applied {
                        id: format!("policy {}", i + 1),
                        policy,
                    }),
                    _ => return Err(ServiceError::MalformedPolicy(parsed.errors().cloned().collect())),
                }
            }
            let arn = format!("arn:aws:iam::{account}:user/simulated");
            (Principal::new(PrincipalKind::User, arn, &account), policies, None)
        }
    };
    tx.commit().await?;
    let facts = GlobalFacts {
        now: caller.now.unix_timestamp(),
        user_name,
        ..Default::default()
    };
    let simulated = Authorizer::simulated(principal, policies, facts, scenario.context.clone());
    let resources: Vec<&str> = if scenario.resources.is_empty() {
        vec!["*"]
    } else {
        scenario.resources.iter().map(String::as_str).collect()
    };
    Ok(scenario
        .actions
        .iter()
        .flat_map(|action| {
            resources
                .iter()
                .map(|r| simulated.explain(action, r))
                .collect::<Vec<_>>()
        })
        .collect())
}

use sqlx::PgPool;
