-- Finding users by any part of their name stays fast at 100,000 users: a trigram index serves
-- `user_name ILIKE '%text%'` (pg_trgm is a trusted extension: the database owner may add it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX iam_users_name_trgm ON iam_users USING gin (user_name gin_trgm_ops);
