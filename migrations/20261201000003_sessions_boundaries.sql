-- Permissions boundaries (a managed policy's ARN that caps what a user or role may do) and
-- the source identity a role session carries into every event it causes.

ALTER TABLE iam_users ADD COLUMN permissions_boundary text;
ALTER TABLE iam_roles ADD COLUMN permissions_boundary text;
CREATE INDEX iam_users_by_boundary ON iam_users (permissions_boundary) WHERE permissions_boundary IS NOT NULL;
CREATE INDEX iam_roles_by_boundary ON iam_roles (permissions_boundary) WHERE permissions_boundary IS NOT NULL;

ALTER TABLE audit_events ADD COLUMN source_identity text CHECK (length(source_identity) <= 64);
