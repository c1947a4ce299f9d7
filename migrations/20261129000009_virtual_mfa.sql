-- Virtual MFA devices made through the API belong to no one until EnableMFADevice assigns
-- them to a user (DeactivateMFADevice makes them unassigned again); they have a path.
ALTER TABLE mfa_devices ALTER COLUMN principal_arn DROP NOT NULL;
ALTER TABLE mfa_devices ADD COLUMN path text NOT NULL DEFAULT '/';
