//! The AWS Query API through the router: signed requests answered in AWS's XML, unsigned and
//! unknown-key requests refused with AWS's codes, and the console's `/` left alone.

use crate::*;
use iam_core::credentials::sigv4::{canonical_request, signature, string_to_sign, Claim, SignedRequest};

/// Signs a form POST to `/` as the AWS SDKs do (host and x-amz-date signed).
fn signed_post(key: &str, secret: &str, form: &str, now: time::OffsetDateTime) -> Request<Body> {
    let amz_date = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let headers = vec![
        ("host".to_owned(), "localhost".to_owned()),
        ("x-amz-date".to_owned(), amz_date.clone()),
    ];
    let claim = Claim {
        access_key_id: key.into(),
        date: amz_date[..8].into(),
        region: "us-east-1".into(),
        service: "iam".into(),
        amz_date: amz_date.clone(),
        signed_headers: vec!["host".into(), "x-amz-date".into()],
        signature: String::new(),
        presigned_expires: None,
        session_token: None,
    };
    let request = SignedRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: form.as_bytes(),
    };
    let canonical = canonical_request(&request, &claim, true).unwrap();
    let sig = signature(secret, &claim, &string_to_sign(&claim, &canonical));
    Request::post("/")
        .header(header::HOST, "localhost")
        .header("x-amz-date", amz_date)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::AUTHORIZATION,
            format!(
                "AWS4-HMAC-SHA256 Credential={key}/{}/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature={sig}",
                &claim.date
            ),
        )
        .body(Body::from(form.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn signed_requests_are_answered_and_others_refused_in_aws_xml() {
    let pool = fresh_pool().await;
    let state = state(pool.clone(), true).await;
    let router = server::build_router(state.clone());
    let hasher = iam_service::PasswordHasher::new(1).unwrap();
    let request = iam_service::ops::accounts::SignUpRequest {
        input: iam_core::signup::SignUpInput {
            email: "api@example.com",
            password: "Correct-h0rse-battery",
            password_confirm: "Correct-h0rse-battery",
            account_name: "Api",
        },
        open_to_all: true,
        now: time::OffsetDateTime::now_utc(),
    };
    let meta = iam_service::RequestMeta::default();
    let account = iam_service::ops::accounts::sign_up(
        &pool,
        &hasher,
        request,
        &meta,
        iam_service::ops::accounts::random_account_id,
    )
    .await
    .unwrap();
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
    let now = time::OffsetDateTime::now_utc();
    let form = "Action=CreateUser&Version=2010-05-08&UserName=zoe";
    let sent = send(
        &router,
        signed_post(&key.info.access_key_id, &key.secret_access_key, form, now),
    )
    .await;
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

    let sent = send(
        &router,
        signed_post("AKIAAAAAAAAAAAAAAAAA", &key.secret_access_key, form, now),
    )
    .await;
    assert_eq!(sent.status, StatusCode::FORBIDDEN);
    assert!(
        sent.body.contains("<Code>InvalidClientTokenId</Code>"),
        "{}",
        sent.body
    );

    let form = "Action=Frobnicate&Version=2010-05-08";
    let sent = send(
        &router,
        signed_post(&key.info.access_key_id, &key.secret_access_key, form, now),
    )
    .await;
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
