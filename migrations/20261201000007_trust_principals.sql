-- Which roles' trust policies name which IAM user or role ARNs as principals, so that a
-- principal's rename or deletion updates exactly those policies (found by index, locked in
-- order) instead of searching every account's documents.

CREATE TABLE trust_principals (
    principal_arn text NOT NULL,
    account_id    text NOT NULL,
    role_name     text NOT NULL,
    PRIMARY KEY (principal_arn, account_id, role_name),
    FOREIGN KEY (account_id, role_name) REFERENCES iam_roles (account_id, role_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX trust_principals_by_role ON trust_principals (account_id, role_name);

-- Roles made before this table: every user or role ARN their trust policy mentions (a few
-- may be condition values; the rewrite touches principals only).
INSERT INTO trust_principals (principal_arn, account_id, role_name)
SELECT DISTINCT m[1], r.account_id, r.role_name
  FROM iam_roles r,
       regexp_matches(r.assume_role_policy, '"(arn:aws:iam::[0-9]{12}:(?:user|role)/[^"\\]+)"', 'g') AS m;
