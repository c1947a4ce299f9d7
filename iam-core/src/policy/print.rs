//! Prints a policy as canonical, indented JSON: every list as an array, condition values as
//! strings. Reading the output again gives the same policy.

use super::ast::{Effect, Policy, PrincipalSpec, Statement};

pub fn print_policy(policy: &Policy) -> String {
    let mut out = String::from("{\n");
    let mut fields = Vec::new();
    if let Some(version) = policy.version {
        fields.push(format!("  \"Version\": {}", quote(version.as_str())));
    }
    if let Some(id) = &policy.id {
        fields.push(format!("  \"Id\": {}", quote(id)));
    }
    let statements: Vec<String> = policy.statements.iter().map(statement).collect();
    fields.push(format!("  \"Statement\": [\n{}\n  ]", statements.join(",\n")));
    out.push_str(&fields.join(",\n"));
    out.push_str("\n}\n");
    out
}

fn statement(s: &Statement) -> String {
    let mut fields = Vec::new();
    if let Some(sid) = &s.sid {
        fields.push(format!("\"Sid\": {}", quote(sid)));
    }
    let effect = match s.effect {
        Effect::Allow => "Allow",
        Effect::Deny => "Deny",
    };
    fields.push(format!("\"Effect\": {}", quote(effect)));
    if let Some(p) = &s.principal {
        let name = if p.negated { "NotPrincipal" } else { "Principal" };
        let value = match &p.spec {
            PrincipalSpec::Any => quote("*"),
            PrincipalSpec::Entries(entries) => {
                let mut kinds = Vec::new();
                for e in entries {
                    if !kinds.contains(&e.kind) {
                        kinds.push(e.kind);
                    }
                }
                let parts: Vec<String> = kinds
                    .into_iter()
                    .map(|k| {
                        let values: Vec<&str> = entries
                            .iter()
                            .filter(|e| e.kind == k)
                            .map(|e| e.value.as_str())
                            .collect();
                        format!("{}: {}", quote(k.as_str()), list(&values))
                    })
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
        };
        fields.push(format!("\"{name}\": {value}"));
    }
    let name = if s.action.negated { "NotAction" } else { "Action" };
    let actions: Vec<String> = s.action.items.iter().map(|i| i.text().into_owned()).collect();
    let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
    fields.push(format!("\"{name}\": {}", list(&actions)));
    if let Some(r) = &s.resource {
        let name = if r.negated { "NotResource" } else { "Resource" };
        let resources: Vec<String> = r.items.iter().map(|i| i.text().into_owned()).collect();
        let resources: Vec<&str> = resources.iter().map(String::as_str).collect();
        fields.push(format!("\"{name}\": {}", list(&resources)));
    }
    if !s.conditions.is_empty() {
        // Group keys under their operator, in first-seen order.
        let mut operators: Vec<(String, Vec<String>)> = Vec::new();
        for c in &s.conditions {
            let values: Vec<String> = c.values.iter().map(|v| v.text().into_owned()).collect();
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            let entry = format!("{}: {}", quote(&c.key), list(&values));
            let name = c.operator.name();
            match operators.iter_mut().find(|(n, _)| *n == name) {
                Some((_, keys)) => keys.push(entry),
                None => operators.push((name, vec![entry])),
            }
        }
        let ops: Vec<String> = operators
            .into_iter()
            .map(|(name, keys)| format!("{}: {{{}}}", quote(&name), keys.join(", ")))
            .collect();
        fields.push(format!("\"Condition\": {{{}}}", ops.join(", ")));
    }
    format!("    {{\n      {}\n    }}", fields.join(",\n      "))
}

fn list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| quote(v)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A JSON string literal.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
