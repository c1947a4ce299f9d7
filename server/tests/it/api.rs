//! The AWS Query API through the router: signed requests answered in AWS's XML, unsigned and
//! unknown-key requests refused with AWS's codes, and the console's `/` left alone; the
//! Budgets JSON API refusing requests whose target was not signed.

use crate::*;
use iam_core::credentials::sigv4::{canonical_request, signature, string_to_sign, Claim, SignedRequest};

/// Signs a form POST to `/` for IAM as the AWS SDKs do (every header sent is signed).
pub(crate) fn signed_post(key: &str, secret: &str, form: &str, now: time::OffsetDateTime) -> Request<Body> {
    let form_type = [("content-type", "application/x-www-form-urlencoded")];
    signed_request(key, secret, "iam", &form_type, &[], form, now)
}

/// A POST to `/` for `service` with a valid signature over host, x-amz-date and `signed`; the
/// `unsigned` headers are sent as well, outside the signature.
pub(crate) fn signed_request(
    key: &str,
    secret: &str,
    service: &str,
    signed: &[(&str, &str)],
    unsigned: &[(&str, &str)],
    body: &str,
    now: time::OffsetDateTime,
) -> Request<Body> {
    let amz_date = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let mut headers = vec![
        ("host".to_owned(), "localhost".to_owned()),
        ("x-amz-date".to_owned(), amz_date.clone()),
    ];
    headers.extend(signed.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    headers.sort();
    let claim = Claim {
        access_key_id: key.into(),
        date: amz_date[..8].into(),
        region: "us-east-1".into(),
        service: service.into(),
        amz_date: amz_date.clone(),
        signed_headers: headers.iter().map(|(n, _)| n.clone()).collect(),
        signature: String::new(),
        presigned_expires: None,
        session_token: None,
    };
    let request = SignedRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: body.as_bytes(),
    };
    let canonical = canonical_request(&request, &claim, true).unwrap();
    let sig = signature(secret, &claim, &string_to_sign(&claim, &canonical));
    let mut builder = Request::post("/").header(
        header::AUTHORIZATION,
        format!(
            "AWS4-HMAC-SHA256 Credential={key}/{}/us-east-1/{service}/aws4_request, SignedHeaders={}, Signature={sig}",
            &claim.date,
            claim.signed_headers.join(";")
        ),
    );
    for (name, value) in headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .chain(unsigned.iter().copied())
    {
        builder = builder.header(name, value);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

/// A new account (its root user signs the API requests).
pub(crate) async fn new_account(pool: &sqlx::PgPool, email: &str) -> iam_service::db::Account {
    let request = iam_service::ops::accounts::SignUpRequest {
        input: iam_core::signup::SignUpInput {
            email,
            password: "Correct-h0rse-battery",
            password_confirm: "Correct-h0rse-battery",
            account_name: "Api",
        },
        open_to_all: true,
        now: time::OffsetDateTime::now_utc(),
    };
    iam_service::ops::accounts::sign_up(
        pool,
        &iam_service::PasswordHasher::new(1).unwrap(),
        request,
        &iam_service::RequestMeta::default(),
        iam_service::ops::accounts::random_account_id,
    )
    .await
    .unwrap()
}

/// A new account and an access key of its root user: (account, key ID, secret).
pub(crate) async fn root_key(
    pool: &sqlx::PgPool,
    state: &server::AppState,
    email: &str,
) -> (iam_service::db::Account, String, String) {
    let account = new_account(pool, email).await;
    let root = iam_service::Identity::Root {
        account_id: account.account_id.clone(),
    };
    let meta = iam_service::RequestMeta::default();
    let caller = iam_service::Caller {
        identity: &root,
        meta: &meta,
        now: time::OffsetDateTime::now_utc(),
    };
    let key = iam_service::ops::access_keys::create_access_key(pool, &state.ctx.secrets, &caller, None)
        .await
        .unwrap();
    (account, key.info.access_key_id, key.secret_access_key)
}

#[tokio::test]
async fn signed_requests_are_answered_and_others_refused_in_aws_xml() {
    let pool = fresh_pool().await;
    let state = state(pool.clone(), true).await;
    let router = server::build_router(state.clone());
    let (account, key_id, secret) = root_key(&pool, &state, "api@example.com").await;
    let now = time::OffsetDateTime::now_utc();
    let form = "Action=CreateUser&Version=2010-05-08&UserName=zoe";
    let sent = send(&router, signed_post(&key_id, &secret, form, now)).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(
        sent.body
            .starts_with("<CreateUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"),
        "{}",
        sent.body
    );
    assert!(sent.body.contains(&format!(
        "<Arn>arn:aws:iam::{}:user/zoe</Arn>",
        account.account_id
    )));
    assert!(sent.body.contains("<RequestId>"));

    let unsigned = Request::post("/")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("Action=ListUsers&Version=2010-05-08"))
        .unwrap();
    let sent = send(&router, unsigned).await;
    assert_eq!(sent.status, StatusCode::FORBIDDEN);
    assert!(
        sent.body.contains("<Code>MissingAuthenticationToken</Code>"),
        "{}",
        sent.body
    );

    let sent = send(&router, signed_post("AKIAAAAAAAAAAAAAAAAA", &secret, form, now)).await;
    assert_eq!(sent.status, StatusCode::FORBIDDEN);
    assert!(
        sent.body.contains("<Code>InvalidClientTokenId</Code>"),
        "{}",
        sent.body
    );

    let form = "Action=Frobnicate&Version=2010-05-08";
    let sent = send(&router, signed_post(&key_id, &secret, form, now)).await;
    assert_eq!(sent.status, StatusCode::BAD_REQUEST);
    assert!(sent.body.contains("<Code>InvalidAction</Code>"), "{}", sent.body);

    // The console's front page is not the API.
    let sent = send(&router, get("/", None)).await;
    assert!(!sent.body.contains("ErrorResponse"), "{}", sent.body);
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM iam_users")
            .fetch_one(&pool)
            .await
            .unwrap(),
        1
    );
}

/// The key and policy caches: a change through the service is seen by the next request at
/// once; a change behind the server's back is seen once Postgres tells the listener.
#[tokio::test]
async fn cached_keys_and_policies_follow_every_change() {
    let pool = fresh_pool().await;
    let state = state(pool.clone(), true).await;
    let router = server::build_router(state.clone());
    let meta = iam_service::RequestMeta::default();
    let now = time::OffsetDateTime::now_utc();
    let account = new_account(&pool, "cache@example.com").await;
    let root = iam_service::Identity::Root {
        account_id: account.account_id.clone(),
    };
    let as_root = iam_service::Caller {
        identity: &root,
        meta: &meta,
        now,
    };
    iam_service::ops::users::create_user(
        &pool,
        &iam_service::PasswordHasher::new(1).unwrap(),
        &as_root,
        iam_service::ops::users::NewUser {
            user_name: "kim".into(),
            path: "/".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let kim = iam_service::ops::attachments::Entity::User("kim".into());
    let read_only = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
    iam_service::ops::attachments::attach(&pool, &as_root, &kim, read_only)
        .await
        .unwrap();
    let key =
        iam_service::ops::access_keys::create_access_key(&pool, &state.ctx.secrets, &as_root, Some("kim"))
            .await
            .unwrap();
    let (id, secret) = (key.info.access_key_id.clone(), key.secret_access_key.clone());
    let list = "Action=ListUsers&Version=2010-05-08";
    let call = |form: &'static str| {
        let (router, id, secret) = (router.clone(), id.clone(), secret.clone());
        async move {
            send(
                &router,
                signed_post(&id, &secret, form, time::OffsetDateTime::now_utc()),
            )
            .await
        }
    };
    // Caching starts once the listener is connected.
    for _ in 0..100 {
        if iam_service::cache::stamp().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        iam_service::cache::stamp().is_some(),
        "the listener never connected"
    );
    assert_eq!(call(list).await.status, StatusCode::OK);

    // Through the service: the next request sees the detached policy.
    iam_service::ops::attachments::detach(&pool, &as_root, &kim, read_only)
        .await
        .unwrap();
    let sent = call(list).await;
    assert_eq!(sent.status, StatusCode::FORBIDDEN, "{}", sent.body);
    iam_service::ops::attachments::attach(&pool, &as_root, &kim, read_only)
        .await
        .unwrap();
    assert_eq!(call(list).await.status, StatusCode::OK);

    // Behind the server's back (other tests in this process may move the change counter
    // between a read and its caching, so try a few times): the cached key still works...
    let set_status = |status: &'static str| {
        let (pool, id) = (pool.clone(), id.clone());
        async move {
            sqlx::query("UPDATE access_keys SET status = $2 WHERE access_key_id = $1")
                .bind(&id)
                .bind(status)
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    let mut served_from_cache = false;
    for _ in 0..10 {
        call(list).await;
        call(list).await;
        set_status("Inactive").await;
        if call(list).await.status == StatusCode::OK {
            served_from_cache = true;
            break;
        }
        set_status("Active").await;
    }
    assert!(served_from_cache, "the key was never served from the cache");
    // ...until Postgres tells the listener that the account changed.
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(iam_service::cache::CHANNEL)
        .bind(account.account_id.as_str())
        .execute(&pool)
        .await
        .unwrap();
    let mut refused = false;
    for _ in 0..100 {
        let sent = call(list).await;
        if sent.status == StatusCode::FORBIDDEN && sent.body.contains("<Code>InvalidClientTokenId</Code>") {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "the notification never reached the cache");
}

/// A captured Budgets request whose X-Amz-Target was outside its signature cannot be
/// replayed as another operation: refused in AWS's JSON, and the budget is still there.
#[tokio::test]
async fn a_budgets_request_with_an_unsigned_target_is_refused_and_changes_nothing() {
    let pool = fresh_pool().await;
    let state = state(pool.clone(), true).await;
    let router = server::build_router(state.clone());
    let meta = iam_service::RequestMeta::default();
    let account = new_account(&pool, "budgets@example.com").await;
    let root = iam_service::Identity::Root {
        account_id: account.account_id.clone(),
    };
    let caller = iam_service::Caller {
        identity: &root,
        meta: &meta,
        now: time::OffsetDateTime::now_utc(),
    };
    let key = iam_service::ops::access_keys::create_access_key(&pool, &state.ctx.secrets, &caller, None)
        .await
        .unwrap();
    let (id, secret) = (key.info.access_key_id.as_str(), key.secret_access_key.as_str());
    let json = ("content-type", "application/x-amz-json-1.1");
    let target = |op: &str| format!("AWSBudgetServiceGateway.{op}");
    let now = time::OffsetDateTime::now_utc();
    let create = serde_json::json!({
        "AccountId": account.account_id.as_str(),
        "Budget": {
            "BudgetName": "monthly",
            "BudgetLimit": { "Amount": "100", "Unit": "USD" },
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST"
        }
    })
    .to_string();
    let sent = send(
        &router,
        signed_request(
            id,
            secret,
            "budgets",
            &[json, ("x-amz-target", &target("CreateBudget"))],
            &[],
            &create,
            now,
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);

    // Signed over its body, content type and all but the target: the target is swapped.
    let by_name =
        serde_json::json!({ "AccountId": account.account_id.as_str(), "BudgetName": "monthly" }).to_string();
    let delete = target("DeleteBudget");
    let sent = send(
        &router,
        signed_request(
            id,
            secret,
            "budgets",
            &[json],
            &[("x-amz-target", &delete)],
            &by_name,
            now,
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::FORBIDDEN, "{}", sent.body);
    let error: serde_json::Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(error["__type"], "SignatureDoesNotMatch", "{}", sent.body);
    assert_eq!(
        error["Message"],
        "There were headers present in the request which were not signed: x-amz-target"
    );
    let budgets = iam_service::ops::billing::list_budgets(&pool, &caller)
        .await
        .unwrap();
    assert_eq!(budgets.len(), 1, "the budget is still there");

    // The same request with its target signed is answered.
    let describe = target("DescribeBudget");
    let sent = send(
        &router,
        signed_request(
            id,
            secret,
            "budgets",
            &[json, ("x-amz-target", &describe)],
            &[],
            &by_name,
            now,
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("\"BudgetName\":\"monthly\""), "{}", sent.body);
}
