-- Billing: costs per account, day and service; budgets with their alerts; which alerts fired
-- in which budget period (the primary key makes "once per period" hold across processes);
-- notifications to show in the console and to deliver by email.
ALTER TABLE accounts ADD COLUMN iam_billing_access boolean NOT NULL DEFAULT false;

CREATE TABLE cost_daily (
    account_id  text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    usage_date  date NOT NULL,
    service     text NOT NULL CHECK (char_length(service) BETWEEN 1 AND 100),
    -- Micro-dollars: exact sums of the report's amounts.
    amount      bigint NOT NULL,
    PRIMARY KEY (account_id, usage_date, service)
);

CREATE TABLE budgets (
    account_id  text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    budget_name text NOT NULL CHECK (char_length(budget_name) BETWEEN 1 AND 100 AND budget_name !~ '[:\\]'),
    amount      bigint NOT NULL CHECK (amount > 0),
    period      text NOT NULL CHECK (period IN ('DAILY', 'MONTHLY', 'QUARTERLY', 'ANNUALLY')),
    start_date  date NOT NULL,
    end_date    date,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (account_id, budget_name)
);

CREATE TABLE budget_alerts (
    account_id     text NOT NULL,
    budget_name    text NOT NULL,
    alert_index    smallint NOT NULL,
    threshold      bigint NOT NULL CHECK (threshold > 0),
    threshold_type text NOT NULL CHECK (threshold_type IN ('PERCENTAGE', 'ABSOLUTE_VALUE')),
    trigger        text NOT NULL CHECK (trigger IN ('ACTUAL', 'FORECASTED')),
    recipients     text[] NOT NULL,
    PRIMARY KEY (account_id, budget_name, alert_index),
    FOREIGN KEY (account_id, budget_name) REFERENCES budgets (account_id, budget_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE alert_firings (
    account_id   text NOT NULL,
    budget_name  text NOT NULL,
    alert_index  smallint NOT NULL,
    period_start date NOT NULL,
    fired_at     timestamptz NOT NULL,
    spend        bigint NOT NULL,
    PRIMARY KEY (account_id, budget_name, alert_index, period_start),
    FOREIGN KEY (account_id, budget_name, alert_index)
        REFERENCES budget_alerts (account_id, budget_name, alert_index) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE notifications (
    id            bigserial PRIMARY KEY,
    account_id    text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    budget_name   text NOT NULL,
    created_at    timestamptz NOT NULL,
    subject       text NOT NULL,
    body          text NOT NULL,
    recipients    text[] NOT NULL,
    -- 'pending' (to be emailed), 'sent', 'failed' (gave up), 'console' (no email configured
    -- or no recipients).
    delivery      text NOT NULL CHECK (delivery IN ('pending', 'sent', 'failed', 'console')),
    attempts      integer NOT NULL DEFAULT 0,
    next_attempt  timestamptz,
    last_error    text
);
CREATE INDEX notifications_account ON notifications (account_id, id DESC);
CREATE INDEX notifications_pending ON notifications (next_attempt) WHERE delivery = 'pending';
