//! A trust policy trusts the user or role it named, not whoever holds the name later. AWS
//! keeps the principal's unique ID behind the ARN; here the stored documents follow the
//! principal: a renamed or moved user's new ARN replaces the old one, and a deleted user or
//! role is replaced by its unique ID (which the engine matches to no one), as AWS shows it.

use crate::ServiceError;
use serde_json::Value;
use sqlx::PgConnection;

/// Trust policies, in every account, that name `from` (a user's or role's ARN) name `to`.
pub(crate) async fn repoint(conn: &mut PgConnection, from: &str, to: &str) -> Result<(), ServiceError> {
    // Names are `[\w+=,.@-]`, which no JSON writer escapes: a cheap filter before parsing.
    let name = from.rsplit('/').next().unwrap_or(from);
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT account_id, role_name, assume_role_policy FROM iam_roles
          WHERE strpos(assume_role_policy, $1) > 0 FOR UPDATE",
    )
    .bind(name)
    .fetch_all(&mut *conn)
    .await?;
    for (account, role, document) in rows {
        let Some(updated) = repoint_principal(&document, from, to) else {
            continue;
        };
        sqlx::query("UPDATE iam_roles SET assume_role_policy = $3 WHERE account_id = $1 AND role_name = $2")
            .bind(&account)
            .bind(&role)
            .bind(updated)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The document with its `AWS` principals (in Principal and NotPrincipal) that are exactly
/// `from` replaced by `to`; `None` when none was (or the text is not JSON).
fn repoint_principal(document: &str, from: &str, to: &str) -> Option<String> {
    let mut policy: Value = serde_json::from_str(document).ok()?;
    let statements: Vec<&mut Value> = match policy.get_mut("Statement")? {
        Value::Array(items) => items.iter_mut().collect(),
        single => vec![single],
    };
    let mut changed = false;
    for statement in statements {
        for key in ["Principal", "NotPrincipal"] {
            let Some(aws) = statement.get_mut(key).and_then(|p| p.get_mut("AWS")) else {
                continue;
            };
            let values: Vec<&mut Value> = match aws {
                Value::Array(items) => items.iter_mut().collect(),
                one => vec![one],
            };
            for value in values {
                if value.as_str() == Some(from) {
                    *value = Value::String(to.to_owned());
                    changed = true;
                }
            }
        }
    }
    if !changed {
        return None;
    }
    serde_json::to_string(&policy).ok()
}

#[cfg(test)]
mod tests {
    use super::repoint_principal;

    #[test]
    fn only_exact_aws_principals_change() {
        let alice = "arn:aws:iam::111122223333:user/alice";
        let doc = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["{alice}","{alice}x"],"Service":"{alice}"}},"Action":"sts:AssumeRole"}}]}}"#
        );
        let out = repoint_principal(&doc, alice, "AIDAEXAMPLE000000000").unwrap();
        assert!(
            out.contains(r#""AWS":["AIDAEXAMPLE000000000","arn:aws:iam::111122223333:user/alicex"]"#),
            "{out}"
        );
        assert!(out.contains(&format!(r#""Service":"{alice}""#)), "{out}");
        let single = doc.replace(&format!(r#"["{alice}","{alice}x"]"#), &format!(r#""{alice}""#));
        assert!(repoint_principal(&single, alice, "AIDAEXAMPLE000000000")
            .unwrap()
            .contains(r#""AWS":"AIDAEXAMPLE000000000""#));
        assert_eq!(
            repoint_principal(&doc, "arn:aws:iam::111122223333:user/bob", "x"),
            None
        );
        assert_eq!(repoint_principal("not json", alice, "x"), None);
    }
}
