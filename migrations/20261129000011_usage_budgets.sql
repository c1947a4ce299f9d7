-- Usage budgets: quantities per account, day and usage type (from the report's
-- lineItem/UsageType and lineItem/UsageAmount), and budgets that measure one usage type.
CREATE TABLE usage_daily (
    account_id  text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    usage_date  date NOT NULL,
    usage_type  text NOT NULL CHECK (char_length(usage_type) BETWEEN 1 AND 100),
    -- Millionths of the usage type's unit.
    amount      bigint NOT NULL,
    PRIMARY KEY (account_id, usage_date, usage_type)
);

ALTER TABLE budgets ADD COLUMN budget_type text NOT NULL DEFAULT 'COST' CHECK (budget_type IN ('COST', 'USAGE'));
ALTER TABLE budgets ADD COLUMN usage_type text;
ALTER TABLE budgets ADD CONSTRAINT budgets_usage_type CHECK ((budget_type = 'USAGE') = (usage_type IS NOT NULL));
