//! Temporary credentials through the router: AssumeRole's credentials sign requests that any
//! server process with the deployment's key accepts, until they expire (ExpiredToken).

use crate::api::{root_key, signed_request};
use crate::*;
use std::sync::atomic::Ordering;

fn between<'a>(body: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = body
        .find(&open)
        .map(|i| i + open.len())
        .unwrap_or_else(|| panic!("no {tag} in {body}"));
    let end = body[start..].find(&format!("</{tag}>")).unwrap() + start;
    &body[start..end]
}

fn sts_post(
    key: &str,
    secret: &str,
    token: Option<&str>,
    form: &str,
    now: time::OffsetDateTime,
) -> Request<Body> {
    let mut signed = vec![("content-type", "application/x-www-form-urlencoded")];
    if let Some(token) = token {
        signed.push(("x-amz-security-token", token));
    }
    signed_request(key, secret, "sts", &signed, &[], form, now)
}

#[tokio::test]
async fn role_credentials_work_in_every_process_until_they_expire() {
    let pool = fresh_pool().await;
    let state = state(pool.clone(), true).await;
    let router = server::build_router(state.clone());
    let (account, key_id, secret) = root_key(&pool, &state, "sts@example.com").await;
    let now = state.now();
    let account_id = account.account_id.to_string();
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account_id}:user/ci"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    for form in [
        "Action=CreateUser&Version=2010-05-08&UserName=ci".to_owned(),
        format!(
            "Action=CreateRole&Version=2010-05-08&RoleName=deploy&AssumeRolePolicyDocument={}",
            iam_core::credentials::sigv4::encode_component(&trust)
        ),
        "Action=CreateAccessKey&Version=2010-05-08&UserName=ci".to_owned(),
    ] {
        let sent = send(&router, crate::api::signed_post(&key_id, &secret, &form, now)).await;
        assert_eq!(sent.status, StatusCode::OK, "{form}: {}", sent.body);
        if form.contains("CreateAccessKey") {
            let (ci_key, ci_secret) = (
                between(&sent.body, "AccessKeyId"),
                between(&sent.body, "SecretAccessKey"),
            );
            let role = format!("arn:aws:iam::{account_id}:role/deploy");
            let assume = format!(
                "Action=AssumeRole&Version=2011-06-15&RoleSessionName=job-1&DurationSeconds=900&RoleArn={}",
                iam_core::credentials::sigv4::encode_component(&role)
            );
            let got = send(&router, sts_post(ci_key, ci_secret, None, &assume, now)).await;
            assert_eq!(got.status, StatusCode::OK, "{}", got.body);
            let (temp_key, temp_secret, token) = (
                between(&got.body, "AccessKeyId").to_owned(),
                between(&got.body, "SecretAccessKey").to_owned(),
                between(&got.body, "SessionToken").to_owned(),
            );
            let who = "Action=GetCallerIdentity&Version=2011-06-15";
            let sent = send(&router, sts_post(&temp_key, &temp_secret, Some(&token), who, now)).await;
            assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
            assert!(
                sent.body.contains(&format!(
                    "<Arn>arn:aws:sts::{account_id}:assumed-role/deploy/job-1</Arn>"
                )),
                "{}",
                sent.body
            );
            // Another process of the deployment holds nothing but the master key file: that
            // alone opens the token (no row, no memory of the issuer).
            let key_file = std::env::temp_dir().join(format!("iam-router-tests-{}.key", std::process::id()));
            let key: [u8; 32] = std::fs::read(key_file).unwrap()[..32].try_into().unwrap();
            let elsewhere = iam_service::crypto::SecretBox::new(&key);
            let opened =
                iam_service::ops::sts::token::open(&elsewhere, &temp_key, &token, now.unix_timestamp())
                    .unwrap();
            assert_eq!(opened.secret, temp_secret);
            assert_eq!(
                opened.identity.arn(),
                format!("arn:aws:sts::{account_id}:assumed-role/deploy/job-1")
            );
            // A wrong secret with the right token is still a wrong signature.
            let sent = send(
                &router,
                sts_post(&temp_key, &"x".repeat(40), Some(&token), who, now),
            )
            .await;
            assert!(
                sent.body.contains("<Code>SignatureDoesNotMatch</Code>"),
                "{}",
                sent.body
            );
            // Fifteen minutes later, by the server's clock, they are expired.
            state.clock_offset.store(900, Ordering::Relaxed);
            let later = state.now();
            let sent = send(
                &router,
                sts_post(&temp_key, &temp_secret, Some(&token), who, later),
            )
            .await;
            assert_eq!(sent.status, StatusCode::FORBIDDEN);
            assert!(sent.body.contains("<Code>ExpiredToken</Code>"), "{}", sent.body);
            assert!(
                sent.body
                    .contains("The security token included in the request is expired"),
                "{}",
                sent.body
            );
            state.clock_offset.store(0, Ordering::Relaxed);
        }
    }
}
