-- One alias per account, unique across the installation: /signin/<alias> finds the account.
ALTER TABLE accounts ADD COLUMN alias text UNIQUE
    CHECK (alias ~ '^[a-z0-9-]{3,63}$' AND alias !~ '(^-|-$|--)' AND alias !~ '^[0-9]{12}$');
