//! Identity providers: OpenID Connect issuers and SAML providers created, read, changed and
//! deleted under their own actions, with AWS's rules and words; bad metadata changes nothing.

use crate::*;
use iam_core::model::Tag;
use iam_service::ops::oidc_providers::{self as oidc, Change};
use iam_service::ops::saml_providers as saml;
use iam_service::ops::tags::{self, Tagged};
use iam_service::{Identity, ServiceError};

const METADATA: &str = include_str!("../../../end2end/fixtures/idp-metadata.xml");

async fn root(pool: &PgPool) -> Identity {
    let account = signed_up(pool, "ann@example.com").await;
    Identity::Root {
        account_id: account.account_id,
    }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.into(),
        value: value.into(),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_oidc_provider_is_created_changed_and_deleted(pool: PgPool) {
    let root = root(&pool).await;
    let m = meta();
    let c = caller(&root, &m);
    let thumb = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280".to_owned();
    let created = oidc::create(
        &pool,
        &c,
        "https://token.actions.example.com/",
        &["sts.amazonaws.com".into(), "sts.amazonaws.com".into()],
        std::slice::from_ref(&thumb),
        &[tag("team", "ci")],
    )
    .await
    .unwrap();
    assert!(
        created.arn.ends_with(":oidc-provider/token.actions.example.com"),
        "{}",
        created.arn
    );
    assert_eq!(
        (created.url.as_str(), created.client_ids.len()),
        ("token.actions.example.com", 1)
    );
    let again = oidc::create(&pool, &c, "https://token.actions.example.com", &[], &[], &[]).await;
    match again {
        Err(ServiceError::AlreadyExists(m)) => {
            assert_eq!(
                m,
                "Provider with url https://token.actions.example.com already exists."
            )
        }
        other => panic!("{other:?}"),
    }
    let arn = created.arn.clone();
    oidc::change(&pool, &c, &arn, Change::AddClientId("web-app"))
        .await
        .unwrap();
    oidc::change(&pool, &c, &arn, Change::AddClientId("web-app"))
        .await
        .unwrap();
    oidc::change(&pool, &c, &arn, Change::RemoveClientId("sts.amazonaws.com"))
        .await
        .unwrap();
    oidc::change(&pool, &c, &arn, Change::Thumbprints(&[]))
        .await
        .unwrap();
    let read = oidc::get(&pool, &c, &arn).await.unwrap();
    assert_eq!(read.client_ids, ["web-app"]);
    assert!(read.thumbprints.is_empty());
    assert_eq!(read.tags, [tag("team", "ci")]);
    tags::tag(&pool, &c, Tagged::OidcProvider(&read.url), &[tag("env", "prod")])
        .await
        .unwrap();
    assert_eq!(
        tags::list(&pool, &c, Tagged::OidcProvider(&read.url))
            .await
            .unwrap()
            .len(),
        2
    );

    for bad in [
        "http://insecure.example.com",
        "https://a.example.com:8443",
        "not a url",
    ] {
        let refused = oidc::create(&pool, &c, bad, &[], &[], &[]).await;
        assert!(
            matches!(refused, Err(ServiceError::Invalid(_))),
            "{bad}: {refused:?}"
        );
    }
    let refused = oidc::create(&pool, &c, "https://b.example.com", &[], &["abc".into()], &[]).await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{refused:?}");
    let six: Vec<String> = (0..6).map(|i| format!("{i:040}")).collect();
    match oidc::change(&pool, &c, &arn, Change::Thumbprints(&six)).await {
        Err(ServiceError::Rejected { code, message }) => assert_eq!(
            (code, message.as_str()),
            (
                "InvalidInput",
                "Thumbprint list must contain fewer than 5 entries."
            )
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(oidc::list(&pool, &c).await.unwrap().len(), 1);

    oidc::delete(&pool, &c, &arn).await.unwrap();
    match oidc::get(&pool, &c, &arn).await {
        Err(ServiceError::NoSuchEntity(m)) => {
            assert_eq!(m, format!("OpenIDConnect Provider not found for arn {arn}"))
        }
        other => panic!("{other:?}"),
    }
    match oidc::delete(&pool, &c, &arn).await {
        Err(ServiceError::NoSuchEntity(m)) => {
            assert_eq!(m, format!("OpenId connect Provider {arn} cannot be found."))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&pool, "oidc_provider_tags").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_saml_provider_reads_its_metadata(pool: PgPool) {
    let root = root(&pool).await;
    let m = meta();
    let c = caller(&root, &m);
    let created = saml::create(&pool, &c, "Example-IdP", METADATA, &[])
        .await
        .unwrap();
    assert!(
        created.arn.ends_with(":saml-provider/Example-IdP"),
        "{}",
        created.arn
    );
    assert_eq!(created.entity_id, "https://idp.example.test/metadata");
    assert!(
        created.certificates_expire_at > now() + time::Duration::days(365),
        "{created:?}"
    );
    assert!(
        created.valid_until > now() + time::Duration::days(365 * 99),
        "{created:?}"
    );
    let read = saml::get(&pool, &c, &created.arn).await.unwrap();
    assert_eq!(read.metadata, METADATA);
    assert_eq!(read.provider_uuid.len(), 32);
    assert!(read
        .provider_uuid
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));

    let refused = saml::create(&pool, &c, "Example-IdP", METADATA, &[]).await;
    assert!(
        matches!(refused, Err(ServiceError::AlreadyExists(_))),
        "{refused:?}"
    );
    let not_metadata = format!("<html>{}</html>", " ".repeat(1000));
    let refused = saml::update(&pool, &c, &created.arn, &not_metadata).await;
    match refused {
        Err(ServiceError::Rejected { code, message }) => {
            assert_eq!(code, "InvalidInput");
            assert!(message.starts_with("Could not parse metadata"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // A DTD (an entity expansion attack) is refused, not expanded.
    let bomb = format!(
        "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>{}",
        METADATA.trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#)
    );
    let refused = saml::update(&pool, &c, &created.arn, &bomb).await;
    assert!(
        matches!(refused, Err(ServiceError::Rejected { .. })),
        "{refused:?}"
    );
    // So is a flood of namespace declarations (the parser's work grows with their square).
    let declarations: String = (0..100).map(|i| format!(" xmlns:p{i}=\"urn:x:{i}\"")).collect();
    let flood = METADATA.replacen(
        "<md:EntityDescriptor",
        &format!("<md:EntityDescriptor{declarations}"),
        1,
    );
    match saml::update(&pool, &c, &created.arn, &flood).await {
        Err(ServiceError::Rejected { message, .. }) => assert!(message.contains("namespaces"), "{message}"),
        other => panic!("{other:?}"),
    }
    let short = saml::create(&pool, &c, "Other", "<x/>", &[]).await;
    assert!(matches!(short, Err(ServiceError::Invalid(_))), "{short:?}");
    let bad_name = saml::create(&pool, &c, "has space", METADATA, &[]).await;
    assert!(matches!(bad_name, Err(ServiceError::Invalid(_))), "{bad_name:?}");
    assert_eq!(
        saml::get(&pool, &c, &created.arn).await.unwrap().metadata,
        METADATA
    );

    let listed = saml::list(&pool, &c).await.unwrap();
    assert_eq!(listed.len(), 1);
    saml::delete(&pool, &c, &created.arn).await.unwrap();
    let gone = saml::delete(&pool, &c, &created.arn).await;
    assert!(matches!(gone, Err(ServiceError::NoSuchEntity(_))), "{gone:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn providers_are_decided_under_their_own_actions(pool: PgPool) {
    let root = root(&pool).await;
    let m = meta();
    let rc = caller(&root, &m);
    let made = oidc::create(&pool, &rc, "https://id.example.com", &["a".into()], &[], &[])
        .await
        .unwrap();
    let reader = iam_service::ops::users::create_user(&pool, &hasher(), &rc, user("reader"))
        .await
        .unwrap();
    let only_get = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetOpenIDConnectProvider","Resource":"*"}]}"#;
    iam_service::ops::attachments::put_inline(
        &pool,
        &rc,
        &iam_service::ops::attachments::Entity::User("reader".into()),
        "get",
        only_get,
    )
    .await
    .unwrap();
    let c = caller(&reader, &m);
    assert_eq!(oidc::get(&pool, &c, &made.arn).await.unwrap().client_ids, ["a"]);
    let denied = |r: Result<(), ServiceError>, action: &str| match r {
        Err(ServiceError::AccessDenied(message)) => assert!(message.contains(action), "{message}"),
        other => panic!("expected AccessDenied for {action}, got {other:?}"),
    };
    denied(
        oidc::change(&pool, &c, &made.arn, Change::AddClientId("b")).await,
        "iam:AddClientIDToOpenIDConnectProvider",
    );
    denied(
        oidc::delete(&pool, &c, &made.arn).await,
        "iam:DeleteOpenIDConnectProvider",
    );
    denied(
        oidc::create(&pool, &c, "https://other.example.com", &[], &[], &[])
            .await
            .map(|_| ()),
        "iam:CreateOpenIDConnectProvider",
    );
    denied(
        saml::create(&pool, &c, "X", METADATA, &[]).await.map(|_| ()),
        "iam:CreateSAMLProvider",
    );
    // Refused the same way whether a provider exists or not.
    let missing = made.arn.replace("id.example.com", "nothing.example.com");
    denied(
        oidc::delete(&pool, &c, &missing).await,
        "iam:DeleteOpenIDConnectProvider",
    );
    assert_eq!(count(&pool, "oidc_providers").await, 1);
    assert_eq!(count(&pool, "saml_providers").await, 0);
    let summary = iam_service::ops::summary::account_summary(&pool, &rc)
        .await
        .unwrap();
    assert_eq!(summary.identity_providers, 1);
}
