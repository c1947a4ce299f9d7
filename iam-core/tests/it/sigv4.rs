//! The AWS SigV4 test suite (iam-core/tests/sigv4, from awslabs/aws-c-auth, Apache-2.0): every
//! signed request is accepted, the canonical request and string to sign are exactly the
//! suite's, and a one-byte change anywhere that is signed is refused.

use iam_core::credentials::sigv4::{
    canonical_request_with, parse_amz_date, parse_claim, signature, string_to_sign, verify, Claim, SigError,
    SignedRequest,
};
use std::path::{Path, PathBuf};

struct Raw {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    /// Parses `METHOD PATH HTTP/1.1`, headers (continuation lines folded in), a blank line, a body.
    fn parse(text: &str) -> Raw {
        let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
        let mut lines = head.lines();
        let first = lines.next().unwrap();
        let method = first.split(' ').next().unwrap().to_owned();
        let target = first[method.len() + 1..first.rfind(" HTTP/").unwrap()].to_owned();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with(' ') || line.starts_with('\t') {
                headers.last_mut().unwrap().1.push_str(&format!("\n{line}"));
            } else {
                let (name, value) = line.split_once(':').unwrap();
                headers.push((name.to_owned(), value.to_owned()));
            }
        }
        Raw {
            method,
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn request(&self) -> SignedRequest<'_> {
        SignedRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }
}

struct Case {
    name: String,
    dir: PathBuf,
    secret: String,
    normalize: bool,
    now: i64,
    token_added_after: bool,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sigv4");
    let mut cases: Vec<Case> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("context.json").exists())
        .map(|e| {
            let context: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(e.path().join("context.json")).unwrap())
                    .unwrap();
            let stamp = context["timestamp"].as_str().unwrap().replace(['-', ':'], "");
            Case {
                name: e.file_name().to_string_lossy().into_owned(),
                dir: e.path(),
                secret: context["credentials"]["secret_access_key"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                normalize: context["normalize"].as_bool().unwrap(),
                token_added_after: context["omit_session_token"].as_bool().unwrap_or(false),
                now: parse_amz_date(&stamp).unwrap(),
            }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(cases.len(), 38, "the whole suite is here");
    cases
}

fn read(case: &Case, file: &str) -> String {
    std::fs::read_to_string(case.dir.join(file)).unwrap()
}

fn check(case: &Case, raw: &Raw) -> Result<(), SigError> {
    let request = raw.request();
    let claim = parse_claim(&request)?;
    verify(&request, &claim, &case.secret, case.now, case.normalize)
}

#[test]
fn every_signed_request_is_accepted_with_the_suites_canonical_forms() {
    for case in cases() {
        for style in ["header", "query"] {
            let raw = Raw::parse(&read(&case, &format!("{style}-signed-request.txt")));
            let request = raw.request();
            let claim = parse_claim(&request).unwrap_or_else(|e| panic!("{} {style}: {e:?}", case.name));
            // A session token added to a presigned URL after signing is not part of it.
            let unsigned_token = style == "query" && case.token_added_after;
            let canonical = canonical_request_with(&request, &claim, case.normalize, unsigned_token).unwrap();
            assert_eq!(
                canonical,
                read(&case, &format!("{style}-canonical-request.txt")),
                "{} {style}",
                case.name
            );
            assert_eq!(
                string_to_sign(&claim, &canonical),
                read(&case, &format!("{style}-string-to-sign.txt")),
                "{} {style}",
                case.name
            );
            assert_eq!(
                claim.signature,
                read(&case, &format!("{style}-signature.txt")).trim()
            );
            check(&case, &raw).unwrap_or_else(|e| panic!("{} {style}: {e:?}", case.name));
        }
    }
}

/// Changes the character at byte `at` (or the one it is inside) to another.
fn tweak(text: &str, at: usize) -> String {
    let start = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap();
    let c = text[start..].chars().next().unwrap();
    let replacement = match c {
        '0'..='8' | 'a'..='y' | 'A'..='Y' => char::from(c as u8 + 1),
        '9' => '0',
        'z' => 'a',
        'Z' => 'A',
        _ => 'x',
    };
    format!("{}{replacement}{}", &text[..start], &text[start + c.len_utf8()..])
}

#[test]
fn a_one_byte_change_to_anything_signed_is_refused() {
    let mut tried = 0;
    for case in cases() {
        for style in ["header", "query"] {
            let original = Raw::parse(&read(&case, &format!("{style}-signed-request.txt")));
            let refused = |raw: &Raw, what: &str| {
                assert!(
                    check(&case, raw).is_err(),
                    "{} {style}: accepted with a changed {what}",
                    case.name
                );
            };
            // Every byte of the signature.
            let signature = read(&case, &format!("{style}-signature.txt")).trim().to_owned();
            for at in 0..signature.len() {
                let changed = tweak(&signature, at);
                let raw = Raw::parse(
                    &read(&case, &format!("{style}-signed-request.txt")).replace(&signature, &changed),
                );
                refused(&raw, "signature");
                tried += 1;
            }
            // Each signed header's value, one byte.
            let claim = parse_claim(&original.request()).unwrap();
            for name in &claim.signed_headers {
                let mut raw = Raw::parse(&read(&case, &format!("{style}-signed-request.txt")));
                let header = raw
                    .headers
                    .iter_mut()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .unwrap();
                let at = header.1.trim_end().len().saturating_sub(1);
                header.1 = tweak(&header.1, at);
                refused(&raw, &format!("header {name}"));
                tried += 1;
            }
            // The path, the query and the body.
            let mut raw = Raw::parse(&read(&case, &format!("{style}-signed-request.txt")));
            raw.path = format!("{}x", raw.path);
            refused(&raw, "path");
            let mut raw = Raw::parse(&read(&case, &format!("{style}-signed-request.txt")));
            raw.query = if raw.query.is_empty() {
                "a=b".into()
            } else {
                format!("{}&a=b", raw.query)
            };
            refused(&raw, "query");
            if style == "header" && !original.query.is_empty() {
                let mut raw = Raw::parse(&read(&case, &format!("{style}-signed-request.txt")));
                raw.query = tweak(&raw.query, 0);
                refused(&raw, "query byte");
            }
            let mut raw = Raw::parse(&read(&case, &format!("{style}-signed-request.txt")));
            raw.body.push(b'x');
            refused(&raw, "body");
            tried += 3;
        }
    }
    assert!(tried > 2000, "{tried} changes tried");
}

#[test]
fn stale_and_future_signatures_are_refused_as_expired() {
    let case = cases().into_iter().find(|c| c.name == "get-vanilla").unwrap();
    let header = Raw::parse(&read(&case, "header-signed-request.txt"));
    let late = Case {
        now: case.now + 15 * 60 + 1,
        ..case
    };
    assert!(matches!(check(&late, &header), Err(SigError::Expired(_))));
    let early = Case {
        now: late.now - 2 * (15 * 60 + 1),
        ..late
    };
    assert!(matches!(check(&early, &header), Err(SigError::Expired(_))));
    // Presigned for an hour: valid within it, expired after.
    let query = Raw::parse(&read(&early, "query-signed-request.txt"));
    let within = Case {
        now: early.now + 15 * 60 + 1 + 3599,
        ..early
    };
    assert!(check(&within, &query).is_ok());
    let after = Case {
        now: within.now + 2,
        ..within
    };
    assert!(matches!(check(&after, &query), Err(SigError::Expired(_))));
}

#[test]
fn requests_without_a_signature_or_with_a_broken_one_say_so() {
    let raw = Raw::parse("GET / HTTP/1.1\nHost:example.amazonaws.com\n\n");
    assert_eq!(parse_claim(&raw.request()), Err(SigError::Missing));
    let raw = Raw::parse("GET / HTTP/1.1\nHost:h\nX-Amz-Date:20150830T123600Z\nAuthorization:AWS4-HMAC-SHA256 Credential=AKID/2015/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00\n\n");
    assert!(matches!(
        parse_claim(&raw.request()),
        Err(SigError::Incomplete(_))
    ));
    let raw = Raw::parse("GET / HTTP/1.1\nHost:h\nAuthorization:AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, Signature=00\n\n");
    assert!(matches!(
        parse_claim(&raw.request()),
        Err(SigError::Incomplete(_))
    ));
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const AMZ_DATE: &str = "20150830T123600Z";

/// A Budgets-style JSON POST with a valid signature over host, x-amz-date and `signed`;
/// the `unsent_in_signature` headers are sent as well, outside the signature.
fn post_signed_over(signed: &[(&str, &str)], unsent_in_signature: &[(&str, &str)]) -> Raw {
    let mut headers = vec![
        ("Host".to_owned(), "example.amazonaws.com".to_owned()),
        ("X-Amz-Date".to_owned(), AMZ_DATE.to_owned()),
    ];
    headers.extend(signed.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    let mut names: Vec<String> = headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    names.sort();
    headers.extend(
        unsent_in_signature
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string())),
    );
    let mut raw = Raw {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers,
        body: br#"{"AccountId":"123456789012"}"#.to_vec(),
    };
    let claim = Claim {
        access_key_id: "AKIDEXAMPLE".into(),
        date: AMZ_DATE[..8].into(),
        region: "us-east-1".into(),
        service: "budgets".into(),
        amz_date: AMZ_DATE.into(),
        signed_headers: names.clone(),
        signature: String::new(),
        presigned_expires: None,
        session_token: None,
    };
    let canonical = canonical_request_with(&raw.request(), &claim, true, false).unwrap();
    let sig = signature(SECRET, &claim, &string_to_sign(&claim, &canonical));
    raw.headers.push((
        "Authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{}/us-east-1/budgets/aws4_request, SignedHeaders={}, Signature={sig}",
            claim.date,
            names.join(";")
        ),
    ));
    raw
}

fn verify_now(raw: &Raw) -> Result<(), SigError> {
    let request = raw.request();
    let claim = parse_claim(&request)?;
    verify(&request, &claim, SECRET, parse_amz_date(AMZ_DATE).unwrap(), true)
}

const TARGET: (&str, &str) = ("X-Amz-Target", "AWSBudgetServiceGateway.DescribeBudgets");
const JSON: (&str, &str) = ("Content-Type", "application/x-amz-json-1.1");

#[test]
fn headers_that_steer_the_request_must_be_signed() {
    // Everything signed, as botocore signs: accepted.
    assert_eq!(verify_now(&post_signed_over(&[TARGET, JSON], &[])), Ok(()));

    // The same valid signature, the target outside it: anyone on the way could change it.
    let refused = verify_now(&post_signed_over(&[JSON], &[TARGET]));
    assert_eq!(refused, Err(SigError::Unsigned(vec!["x-amz-target".into()])));
    let error = refused.unwrap_err();
    assert_eq!(error.code(), "SignatureDoesNotMatch");
    assert_eq!(
        error.message(),
        "There were headers present in the request which were not signed: x-amz-target"
    );
    let refused = verify_now(&post_signed_over(&[TARGET], &[JSON]));
    assert_eq!(refused, Err(SigError::Unsigned(vec!["content-type".into()])));
    let refused = verify_now(&post_signed_over(&[], &[JSON, TARGET, ("x-amz-meta-a", "b")]));
    assert_eq!(
        refused,
        Err(SigError::Unsigned(vec![
            "content-type".into(),
            "x-amz-meta-a".into(),
            "x-amz-target".into()
        ]))
    );

    // Not steering, or bound otherwise: a token added after signing (checked against the
    // key), a trace ID (`x-amzn-`), the user agent.
    let raw = post_signed_over(
        &[TARGET, JSON],
        &[
            ("X-Amz-Security-Token", "token"),
            ("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"),
            ("User-Agent", "aws-cli/2.15.0"),
        ],
    );
    assert_eq!(verify_now(&raw), Ok(()));
}

#[test]
fn presigned_requests_must_sign_the_steering_headers_they_send() {
    let case = cases().into_iter().find(|c| c.name == "post-vanilla").unwrap();
    let mut raw = Raw::parse(&read(&case, "query-signed-request.txt"));
    assert!(check(&case, &raw).is_ok());
    raw.headers.push((TARGET.0.to_owned(), TARGET.1.to_owned()));
    assert_eq!(
        check(&case, &raw),
        Err(SigError::Unsigned(vec!["x-amz-target".into()]))
    );
    // The date of a presigned request is in its query: an x-amz-date header is not bound.
    let mut raw = Raw::parse(&read(&case, "query-signed-request.txt"));
    raw.headers.push(("X-Amz-Date".to_owned(), AMZ_DATE.to_owned()));
    assert_eq!(
        check(&case, &raw),
        Err(SigError::Unsigned(vec!["x-amz-date".into()]))
    );
}
