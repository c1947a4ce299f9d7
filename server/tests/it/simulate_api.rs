//! SimulateCustomPolicy through the API: pages with MaxItems, Marker and IsTruncated as AWS
//! does, so 1,000 actions x 1,000 resources answer with their first page; over-limit lists
//! and bad markers get ValidationError.

use crate::api::signed_post;
use crate::*;

const POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#;

/// A SimulateCustomPolicy form for `actions` x `resources`, plus `extra` (already encoded).
fn form(actions: usize, resources: usize, extra: &str) -> String {
    let mut form = format!(
        "Action=SimulateCustomPolicy&Version=2010-05-08&PolicyInputList.member.1={}",
        urlencode(POLICY)
    );
    for i in 1..=actions {
        form += &format!("&ActionNames.member.{i}=s3%3AGetObject{i}");
    }
    for i in 1..=resources {
        form += &format!("&ResourceArns.member.{i}=arn%3Aaws%3As3%3A%3A%3Ab{i}");
    }
    form + extra
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    text.split(open)
        .skip(1)
        .filter_map(|part| part.split(close).next())
        .collect()
}

struct Api {
    router: Router,
    key: String,
    secret: String,
}

impl Api {
    async fn new() -> Self {
        let pool = fresh_pool().await;
        let state = state(pool.clone(), true).await;
        let (_, key, secret) = crate::api::root_key(&pool, &state, "simulate@example.com").await;
        Self {
            router: server::build_router(state),
            key,
            secret,
        }
    }

    async fn post(&self, form: &str) -> Sent {
        let now = time::OffsetDateTime::now_utc();
        send(&self.router, signed_post(&self.key, &self.secret, form, now)).await
    }

    async fn refused(&self, form: &str) -> String {
        let sent = self.post(form).await;
        assert_eq!(sent.status, StatusCode::BAD_REQUEST, "{}", sent.body);
        assert!(
            sent.body.contains("<Code>ValidationError</Code>"),
            "{}",
            sent.body
        );
        between(&sent.body, "<Message>", "</Message>")[0].to_owned()
    }
}

#[tokio::test]
async fn simulations_page_with_markers_and_refuse_what_is_over_the_limits() {
    let api = Api::new().await;

    // 1,000 x 1,000: the first page of AWS's default 100 results, and a marker.
    let sent = api.post(&form(1000, 1000, "")).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(between(&sent.body, "<EvalActionName>", "<").len(), 100);
    assert!(
        sent.body.contains("<IsTruncated>true</IsTruncated>"),
        "{}",
        sent.body
    );
    assert_eq!(between(&sent.body, "<Marker>", "</Marker>").len(), 1);

    // 7 x 3 by 5: the markers walk all 21 pairs once, in order.
    let (mut seen, mut marker) = (Vec::new(), String::new());
    for _ in 0..10 {
        let sent = api.post(&form(7, 3, &format!("&MaxItems=5{marker}"))).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let actions = between(&sent.body, "<EvalActionName>", "</EvalActionName>");
        let resources = between(&sent.body, "<EvalResourceName>", "</EvalResourceName>");
        seen.extend(
            actions
                .into_iter()
                .zip(resources)
                .map(|(a, r)| format!("{a} {r}")),
        );
        match between(&sent.body, "<Marker>", "</Marker>").first() {
            Some(next) => marker = format!("&Marker={}", urlencode(next)),
            None => {
                assert!(
                    sent.body.contains("<IsTruncated>false</IsTruncated>"),
                    "{}",
                    sent.body
                );
                break;
            }
        }
    }
    let every: Vec<String> = (1..=7)
        .flat_map(|a| (1..=3).map(move |r| format!("s3:GetObject{a} arn:aws:s3:::b{r}")))
        .collect();
    assert_eq!(seen, every);

    let message = api.refused(&form(1001, 1, "")).await;
    assert!(message.starts_with("`1001` action names are more"), "{message}");
    let message = api.refused(&form(7, 3, "&Marker=0000000000000000deadbeef")).await;
    assert_eq!(
        message,
        "`0000000000000000deadbeef` is not a marker of this simulation"
    );
    let message = api.refused(&form(7, 3, "&MaxItems=1001")).await;
    assert!(message.contains("at &apos;maxItems&apos;"), "{message}");
}
