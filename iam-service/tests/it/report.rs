//! The credential report as a CSV reader sees it: every row has AWS's 22 columns whatever the
//! names and paths hold, no cell starts a formula, and AWS's placeholders are as AWS writes them.

use crate::*;
use iam_service::ops::report::credential_report;
use iam_service::ops::users::{create_user, NewUser};
use iam_service::Identity;

#[sqlx::test(migrations = "../migrations")]
async fn commas_and_formulas_in_names_and_paths_stay_text_in_their_column(pool: PgPool) {
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let m = meta();
    let as_root = caller(&root, &m);
    // IAM allows `+ = , . @ -` in names and any printable character in paths.
    let path = "/team,\"x\"/";
    for name in ["=1+1", "+1", "-1", "@a", "kim"] {
        let new = NewUser {
            user_name: name.into(),
            path: path.into(),
            ..Default::default()
        };
        create_user(&pool, &hasher(), &as_root, new).await.unwrap();
    }

    let report = credential_report(&pool, &as_root).await.unwrap();
    // Flexible: a row of the wrong length is read, to be named below.
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(report.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(header.len(), 22);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6, "the root and five users: {report}");
    for row in &rows {
        assert_eq!(row.len(), 22, "{row:?}");
    }
    let row = |user: &str| {
        rows.iter()
            .find(|r| &r[0] == user)
            .unwrap_or_else(|| panic!("no row for `{user}`: {report}"))
    };

    // Formula signs at the start are neutralised with a `'`; the ARN starts with `arn:`.
    let arn = |name: &str| format!("arn:aws:iam::{}:user/team,\"x\"/{name}", account.account_id);
    for name in ["=1+1", "+1", "-1", "@a"] {
        assert_eq!(row(&format!("'{name}"))[column("arn")], arn(name));
    }
    let kim = row("kim");
    assert_eq!(kim[column("arn")], arn("kim"));
    assert_eq!(kim[column("user_creation_time")], *"2027-01-15T08:00:00+00:00");
    assert_eq!(kim[column("password_enabled")], *"false");
    assert_eq!(kim[column("password_last_used")], *"N/A");
    assert_eq!(kim[column("access_key_1_last_rotated")], *"N/A");

    let root_row = row("<root_account>");
    assert_eq!(root_row[column("password_enabled")], *"not_supported");
    assert_eq!(root_row[column("password_last_used")], *"no_information");
    assert_eq!(root_row[column("cert_2_last_rotated")], *"N/A");
}
