//! The policy simulator: what the engine decides for a user, a group, or pasted policies,
//! per action and resource, with the statements that decided. A call evaluates one page of
//! the action x resource pairs (AWS's MaxItems and Marker), off the async workers.

mod bounds;

use bounds::Window;
pub use bounds::{DEFAULT_ITEMS, MAX_ACTIONS, MAX_CONTEXT_ENTRIES, MAX_ITEMS, MAX_POLICIES, MAX_RESOURCES};

use crate::authz::{own_policies, user_policies, Applied, Authorizer};
use crate::ops::attachments::entity_arn;
use crate::ops::attachments::Entity;
use crate::ops::begin;
use crate::{Caller, ServiceError};
use iam_core::policy::{parse_policy, Explanation, GlobalFacts, PolicyKind, Principal, PrincipalKind};
use sqlx::PgPool;
use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub enum Subject {
    User(String),
    Group(String),
    Role(String),
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

/// Which page of the results to evaluate.
#[derive(Debug, Clone)]
pub struct Paging {
    /// The `marker` of the page before; `None` for the first page.
    pub marker: Option<String>,
    /// 1 to [`MAX_ITEMS`].
    pub max_items: usize,
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            marker: None,
            max_items: DEFAULT_ITEMS,
        }
    }
}

/// One page of explanations, in action-major order (each action against every resource).
#[derive(Debug, Clone)]
pub struct SimulationPage {
    pub results: Vec<Explanation>,
    /// The position of `results[0]` among all the simulation's results.
    pub start: usize,
    /// Results over all pages.
    pub total: usize,
    /// Asks for the next page; `None` on the last.
    pub marker: Option<String>,
}

/// Simulations evaluating at once: each holds a blocking thread for up to a page of pairs.
static EVALUATIONS: Semaphore = Semaphore::const_new(2);

/// The most statements the simulated policies may hold together.
pub const MAX_STATEMENTS: usize = 1_000;

/// Statement evaluations one page may cost (pairs x statements). A page is cut shorter when
/// the policies are large: each explanation records every statement, so time and memory grow
/// with both. The marker then continues where the page stopped.
const PAGE_WORK: usize = 20_000;

/// Where the simulated policies come from: the database (already parsed) or pasted text,
/// parsed with the evaluation, off the async workers.
enum Source {
    Stored(Vec<Applied>),
    Pasted(Vec<String>),
}

/// One page of explanations per action and resource. Nothing is written.
pub async fn simulate(
    pool: &PgPool,
    caller: &Caller<'_>,
    subject: &Subject,
    scenario: &Scenario,
    paging: &Paging,
) -> Result<SimulationPage, ServiceError> {
    let window = bounds::window(subject, scenario, paging)?;
    let (principal, source, user_name) = resolve(pool, caller, subject).await?;
    let facts = GlobalFacts {
        now: caller.now.unix_timestamp(),
        user_name,
        ..Default::default()
    };
    let context = scenario.context.clone();
    let mut pairs = pairs(scenario, &window);
    let (results, window) = off_workers(move || {
        let policies = match source {
            Source::Stored(policies) => policies,
            Source::Pasted(documents) => parse_all(&documents)?,
        };
        let statements: usize = policies.iter().map(|p| p.policy.statements.len()).sum();
        if statements > MAX_STATEMENTS {
            return Err(ServiceError::field(
                "policyInputList",
                format!("the policies hold `{statements}` statements; a simulation takes at most {MAX_STATEMENTS}"),
            ));
        }
        pairs.truncate((PAGE_WORK / statements.max(1)).max(1));
        let window = window.shortened_to(pairs.len());
        let simulated = Authorizer::simulated(principal, policies, facts, context);
        let results = pairs.iter().map(|(a, r)| simulated.explain(a, r)).collect();
        Ok((results, window))
    })
    .await?;
    Ok(SimulationPage {
        results,
        start: window.start,
        total: window.total,
        marker: window.next_marker(),
    })
}

/// The window's (action, resource) pairs: result `i` is action `i / R` on resource `i % R`.
fn pairs(scenario: &Scenario, window: &Window) -> Vec<(String, String)> {
    let star = ["*".to_owned()];
    let resources: &[String] = if scenario.resources.is_empty() {
        &star
    } else {
        &scenario.resources
    };
    let count = resources.len();
    (window.start..window.end)
        .map(|i| (scenario.actions[i / count].clone(), resources[i % count].clone()))
        .collect()
}

async fn off_workers<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ServiceError> {
    let permit = EVALUATIONS
        .acquire()
        .await
        .map_err(|_| ServiceError::Internal("simulation semaphore closed".into()))?;
    // The permit goes with the work: a cancelled request does not free it while it runs.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("simulation task failed: {e}")))?
}

fn parse_all(documents: &[String]) -> Result<Vec<Applied>, ServiceError> {
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
    Ok(policies)
}

/// The simulated principal, its policies and user name, once the caller may simulate it.
async fn resolve(
    pool: &PgPool,
    caller: &Caller<'_>,
    subject: &Subject,
) -> Result<(Principal, Source, Option<String>), ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    let resolved = match subject {
        Subject::User(name) | Subject::Group(name) | Subject::Role(name) => {
            let entity = match subject {
                Subject::User(_) => Entity::User(name.clone()),
                Subject::Role(_) => Entity::Role(name.clone()),
                _ => Entity::Group(name.clone()),
            };
            let (arn, exists) = entity_arn(&mut tx, &account, &entity).await?;
            authz.check("iam:SimulatePrincipalPolicy", &arn)?;
            if !exists {
                return Err(entity.no_such());
            }
            let (policies, user) = match entity {
                Entity::User(_) => (user_policies(&mut tx, &account, name).await?, Some(name.clone())),
                Entity::Group(_) => (own_policies(&mut tx, &account, "group", name).await?, None),
                Entity::Role(_) => (own_policies(&mut tx, &account, "role", name).await?, None),
            };
            // A role acts through its sessions: simulated as one.
            let kind = match entity {
                Entity::Role(_) => PrincipalKind::AssumedRole,
                _ => PrincipalKind::User,
            };
            let principal = Principal::new(kind, arn, &account);
            (principal, Source::Stored(policies), user)
        }
        Subject::Custom(documents) => {
            authz.check("iam:SimulateCustomPolicy", "*")?;
            let arn = format!("arn:aws:iam::{account}:user/simulated");
            let principal = Principal::new(PrincipalKind::User, arn, &account);
            (principal, Source::Pasted(documents.clone()), None)
        }
    };
    tx.commit().await?;
    Ok(resolved)
}
