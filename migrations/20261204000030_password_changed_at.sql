-- When an account's password last changed (issue 29). Sessions signed in before it end:
-- the gate lets a session through only if it signed in at or after this time.
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMP WITH TIME ZONE;
