-- Who an identity provider vouched for, on every event of a role session that came from
-- federation: the subject and the provider, as `subject (provider ARN)`.
ALTER TABLE audit_events ADD COLUMN federated_user text CHECK (length(federated_user) <= 700);
