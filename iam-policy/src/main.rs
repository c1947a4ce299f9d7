//! `iam-policy`: validate policy files and simulate decisions, with the engine the console
//! and the API use.
//!
//!   iam-policy validate [--kind identity|resource|trust|boundary|session] FILE...
//!   iam-policy simulate --policy FILE... --action ACTION... --resource ARN... [options]

use clap::{Parser, Subcommand};
use iam_core::policy::*;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "iam-policy",
    version,
    about = "Validate IAM policies and simulate decisions."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print every error and warning as FILE:LINE:COL: severity: message. Exit 1 on errors.
    Validate {
        /// What the documents are: identity, resource, trust, boundary or session.
        #[arg(long, default_value = "identity", value_parser = parse_kind)]
        kind: PolicyKind,
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Print the decision for each action and resource as JSON.
    Simulate(Simulate),
}

#[derive(Parser)]
struct Simulate {
    /// Identity-based policies (the caller's inline, attached and groups' policies).
    #[arg(long = "policy", num_args = 1..)]
    policies: Vec<String>,
    /// A resource-based policy (a trust policy when the actions are sts:AssumeRole*).
    #[arg(long)]
    resource_policy: Option<String>,
    /// The account that owns the resource, when it is not the caller's.
    #[arg(long)]
    resource_owner: Option<String>,
    /// The caller's permissions boundary.
    #[arg(long)]
    boundary: Option<String>,
    /// A session policy.
    #[arg(long)]
    session_policy: Option<String>,
    #[arg(long = "action", num_args = 1.., required = true)]
    actions: Vec<String>,
    #[arg(long = "resource", num_args = 1.., default_value = "*")]
    resources: Vec<String>,
    /// The caller: a user, role, role-session or root ARN.
    #[arg(long, default_value = "arn:aws:iam::123456789012:user/simulated")]
    principal: String,
    /// Context entries KEY=TYPE:VALUE[,VALUE...]; TYPE as AWS's ContextKeyType
    /// (string, stringList, numeric, numericList, boolean, booleanList, date, dateList,
    /// ip, ipList, binary, binaryList).
    #[arg(long = "context", num_args = 1..)]
    context: Vec<String>,
}

fn parse_kind(text: &str) -> Result<PolicyKind, String> {
    PolicyKind::parse(text).ok_or_else(|| {
        format!("unknown policy kind `{text}`; use identity, resource, trust, boundary or session")
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate { kind, files } => validate(kind, &files),
        Command::Simulate(args) => simulate(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("iam-policy: {message}");
            ExitCode::from(2)
        }
    }
}

/// Prints a line; a closed pipe (`| head`) is not an error worth a panic.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

fn read(file: &str) -> Result<String, String> {
    std::fs::read_to_string(file).map_err(|e| format!("cannot read `{file}`: {e}"))
}

fn validate(kind: PolicyKind, files: &[String]) -> Result<ExitCode, String> {
    let mut failed = false;
    for file in files {
        let parsed = parse_policy(&read(file)?, kind);
        for d in &parsed.diagnostics {
            say(&format!("{file}:{d}"));
        }
        failed |= parsed.errors().next().is_some();
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads and parses a policy, or explains in FILE:LINE:COL form why it cannot.
fn load(file: &str, kind: PolicyKind) -> Result<Policy, String> {
    let parsed = parse_policy(&read(file)?, kind);
    let errors: Vec<String> = parsed.errors().map(|d| format!("{file}:{d}")).collect();
    parsed
        .policy
        .ok_or_else(|| format!("`{file}` is not a valid policy:\n{}", errors.join("\n")))
}

fn simulate(args: &Simulate) -> Result<ExitCode, String> {
    let identity = args
        .policies
        .iter()
        .map(|f| Ok((f.clone(), load(f, PolicyKind::Identity)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let assume_only = args
        .actions
        .iter()
        .all(|a| a.to_lowercase().starts_with("sts:assumerole"));
    let resource_kind = if assume_only {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    };
    let resource = args
        .resource_policy
        .as_deref()
        .map(|f| load(f, resource_kind).map(|p| (f.to_owned(), p)))
        .transpose()?;
    let boundary = args
        .boundary
        .as_deref()
        .map(|f| load(f, PolicyKind::Boundary).map(|p| (f.to_owned(), p)))
        .transpose()?;
    let session = args
        .session_policy
        .as_deref()
        .map(|f| load(f, PolicyKind::Session).map(|p| (f.to_owned(), p)))
        .transpose()?;

    let (principal, name) = Principal::from_arn(&args.principal).ok_or_else(|| {
        format!(
            "`{}` is not a user, role, role session or root ARN",
            args.principal
        )
    })?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let facts = GlobalFacts {
        now,
        user_name: name,
        ..Default::default()
    };
    let mut context = Context::default();
    for entry in &args.context {
        let (key, values) = context_entry(entry)?;
        context.set_list(&key, values);
    }

    let set = PolicySet {
        identity: identity.iter().map(|(id, policy)| Named { id, policy }).collect(),
        resource: resource.iter().map(|(id, policy)| Named { id, policy }).collect(),
        boundary: boundary.as_ref().map(|(id, policy)| Named { id, policy }),
        session: session.iter().map(|(id, policy)| Named { id, policy }).collect(),
        resource_owner: args.resource_owner.as_deref(),
        resource_must_allow: assume_only && resource.is_some(),
    };
    let mut results = Vec::new();
    for action in &args.actions {
        for resource in &args.resources {
            let mut request = Request::new(principal.clone(), action, resource).with_globals(&facts);
            for key in context.keys() {
                if let Some(values) = context.get(key) {
                    request.context.set_list(key, values.to_vec());
                }
            }
            let decision = evaluate(&request, &set);
            results.push(decision.explain(&request, &set));
        }
    }
    let json = serde_json::to_string_pretty(&results).map_err(|e| format!("cannot write the result: {e}"))?;
    say(&json);
    Ok(ExitCode::SUCCESS)
}

/// `KEY=TYPE:VALUE[,VALUE...]`, checked against its type.
fn context_entry(entry: &str) -> Result<(String, Vec<String>), String> {
    let (key, typed) = entry
        .split_once('=')
        .ok_or_else(|| format!("context entry `{entry}` must be KEY=TYPE:VALUE"))?;
    let (kind, raw) = typed
        .split_once(':')
        .ok_or_else(|| format!("context entry `{entry}` must be KEY=TYPE:VALUE"))?;
    let (base, list) = match kind.strip_suffix("List") {
        Some(base) => (base, true),
        None => (kind, false),
    };
    let values: Vec<String> = if list {
        raw.split(',').map(str::to_owned).collect()
    } else {
        vec![raw.to_owned()]
    };
    for v in &values {
        let ok = match base {
            "string" => true,
            "numeric" => values::parse_number(v).is_some(),
            "boolean" => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
            "date" => values::parse_date_millis(v).is_some(),
            "ip" => values::parse_cidr(v).is_some(),
            "binary" => values::parse_base64(v).is_some(),
            other => return Err(format!("unknown context type `{other}` in `{entry}`")),
        };
        if !ok {
            return Err(format!("`{v}` is not a valid {base} in context entry `{entry}`"));
        }
    }
    Ok((key.to_owned(), values))
}
