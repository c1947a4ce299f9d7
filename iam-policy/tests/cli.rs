//! The command-line tool, run as a person would run it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iam-policy-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn file(name: &str, text: &str) -> String {
    let path = dir().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iam-policy"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn validate_prints_file_line_column_and_fails_on_errors() {
    let bad = file("bad.json", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3GetObject\", \"Resource\": \"*\"}]\n}");
    let good = file(
        "good.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    let out = run(&["validate", &good, &bad]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim(),
        format!(
            "{bad}:3:47: error: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
        )
    );
    assert_eq!(run(&["validate", &good]).status.code(), Some(0));

    let trust = file(
        "trust.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#,
    );
    let out = run(&["validate", "--kind", "trust", &trust]);
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("Missing required field Principal"));
    assert_eq!(
        run(&["validate", "--kind", "nope", &trust]).status.code(),
        Some(2)
    );
}

#[test]
fn simulate_gives_aws_decisions_with_reasons() {
    let policy = file(
        "mfa.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Sid":"NoMfa","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
    );
    let out = run(&[
        "simulate",
        "--policy",
        &policy,
        "--action",
        "s3:GetObject",
        "iam:ListUsers",
        "--resource",
        "*",
        "--context",
        "aws:MultiFactorAuthPresent=boolean:false",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["decision"], "explicitDeny");
    assert_eq!(json[0]["matchedStatements"][1]["sid"], "NoMfa");
    assert_eq!(json[1]["decision"], "allowed");

    let out = run(&[
        "simulate",
        "--policy",
        &policy,
        "--action",
        "s3:GetObject",
        "--context",
        "aws:MultiFactorAuthPresent=boolean:true",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["decision"], "allowed");

    let out = run(&[
        "simulate",
        "--policy",
        &policy,
        "--action",
        "s3:GetObject",
        "--context",
        "aws:SourceIp=ip:nope",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`nope` is not a valid ip"));
}

#[test]
fn simulate_role_trust() {
    let trust = file(
        "role-trust.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/ops"},"Action":"sts:AssumeRole"}]}"#,
    );
    let decide = |principal: &str| {
        let out = run(&[
            "simulate",
            "--resource-policy",
            &trust,
            "--action",
            "sts:AssumeRole",
            "--resource",
            "arn:aws:iam::123456789012:role/deploy",
            "--principal",
            principal,
        ]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json[0]["decision"].as_str().unwrap().to_owned()
    };
    assert_eq!(decide("arn:aws:iam::123456789012:user/ops"), "allowed");
    assert_eq!(decide("arn:aws:iam::123456789012:user/dev"), "implicitDeny");
}
